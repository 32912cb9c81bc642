// The settings spellings of the training enums (SPEC §1 `train`), each table checked against its
// enum's count.
#include <array>
#include <string>

#include "llmem/core/training.h"

namespace llmem {
namespace {

template <typename E, size_t N>
std::optional<E> parse_in(const std::array<std::string_view, N>& names, std::string_view s) {
  static_assert(N == static_cast<size_t>(E::count));
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

template <size_t N>
std::string join(const std::array<std::string_view, N>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

constexpr std::array<std::string_view, 4> k_methods = {"full", "lora", "qlora", "freeze"};
constexpr std::array<std::string_view, 9> k_optimizers = {
    "adamw",     "adamw-8bit", "paged-adamw", "paged-adamw-8bit", "sgd", "sgd-momentum",
    "adafactor", "lion",       "muon"};
constexpr std::array<std::string_view, 4> k_precisions = {"bf16-mixed", "fp16-mixed", "bf16",
                                                          "fp32"};
constexpr std::array<std::string_view, 7> k_frameworks = {
    "hf", "torchtune", "litgpt", "unsloth", "deepspeed", "megatron", "torchtitan"};
constexpr std::array<std::string_view, 4> k_recomputes = {"none", "selective", "full", "unsloth"};
constexpr std::array<std::string_view, 3> k_attentions = {"eager", "sdpa", "flash"};
constexpr std::array<std::string_view, 4> k_fused = {"default", "none", "cross-entropy",
                                                     "linear-cross-entropy"};
constexpr std::array<std::string_view, 5> k_phases = {
    "end of forward", "start of backward", "layer recompute", "end of backward", "optimizer step"};

}  // namespace

std::string_view to_string(TrainMethod v) { return k_methods.at(static_cast<size_t>(v)); }
std::string_view to_string(Optimizer v) { return k_optimizers.at(static_cast<size_t>(v)); }
std::string_view to_string(Precision v) { return k_precisions.at(static_cast<size_t>(v)); }
std::string_view to_string(Framework v) { return k_frameworks.at(static_cast<size_t>(v)); }
std::string_view to_string(Recompute v) { return k_recomputes.at(static_cast<size_t>(v)); }
std::string_view to_string(Attention v) { return k_attentions.at(static_cast<size_t>(v)); }
std::string_view to_string(FusedLoss v) { return k_fused.at(static_cast<size_t>(v)); }
std::string_view to_string(PeakPhase v) { return k_phases.at(static_cast<size_t>(v)); }

std::optional<TrainMethod> parse_train_method(std::string_view s) {
  return parse_in<TrainMethod>(k_methods, s);
}
std::optional<Optimizer> parse_optimizer(std::string_view s) {
  return parse_in<Optimizer>(k_optimizers, s);
}
std::optional<Precision> parse_precision(std::string_view s) {
  return parse_in<Precision>(k_precisions, s);
}
std::optional<Framework> parse_framework(std::string_view s) {
  return parse_in<Framework>(k_frameworks, s);
}
std::optional<Recompute> parse_recompute(std::string_view s) {
  return parse_in<Recompute>(k_recomputes, s);
}
std::optional<Attention> parse_attention(std::string_view s) {
  return parse_in<Attention>(k_attentions, s);
}
std::optional<FusedLoss> parse_fused_loss(std::string_view s) {
  return parse_in<FusedLoss>(k_fused, s);
}
std::string accepted_train_methods() { return join(k_methods); }
std::string accepted_optimizers() { return join(k_optimizers); }
std::string accepted_precisions() { return join(k_precisions); }
std::string accepted_frameworks() { return join(k_frameworks); }
std::string accepted_recomputes() { return join(k_recomputes); }
std::string accepted_attentions() { return join(k_attentions); }

}  // namespace llmem
