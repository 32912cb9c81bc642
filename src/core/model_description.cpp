#include "llmem/core/model_description.h"

#include <array>

#include "common/checked.h"

namespace llmem {

uint64_t Tensor::elements() const {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw RangeError("tensor '" + name + "' has a negative dimension");
    n = checked_mul(n, static_cast<uint64_t>(d), "element count of tensor '" + name + "'");
  }
  return n;
}

uint64_t total_params(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n = checked_add(n, t.elements(), "parameter count");
  return n;
}

uint64_t active_params(const ModelDescription& m) {
  // Routed experts are summed apart and scaled by k/E once at the end, so the division is exact
  // whenever the routed total is a whole number of experts (it always is for real models).
  uint64_t dense = 0;
  uint64_t routed = 0;
  for (const auto& t : m.tensors) {
    bool is_routed =
        t.role == TensorRole::routed_expert || (t.role == TensorRole::mtp && t.experts > 0);
    if (is_routed && m.num_experts > 0) {
      routed = checked_add(routed, t.elements(), "active parameter count");
    } else {
      dense = checked_add(dense, t.elements(), "active parameter count");
    }
  }
  if (m.num_experts == 0) return checked_add(dense, routed, "active parameter count");
  uint64_t used =
      checked_mul(routed, static_cast<uint64_t>(m.experts_per_token), "active parameter count") /
      static_cast<uint64_t>(m.num_experts);
  return checked_add(dense, used, "active parameter count");
}

uint64_t non_embedding_params(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) {
    if (t.role == TensorRole::embedding || t.role == TensorRole::lm_head) continue;
    n = checked_add(n, t.elements(), "parameter count");
  }
  return n;
}

uint64_t weight_bytes(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n = checked_add(n, t.bytes, "weight bytes");
  return n;
}

std::string_view to_string(TensorRole r) {
  static constexpr std::array<std::string_view, static_cast<size_t>(TensorRole::count)> names = {
      "embedding",     "position_embedding", "lm_head", "attention", "mlp",
      "routed_expert", "shared_expert",      "router",  "norm",      "ssm",
      "vision",        "projector",          "mtp",     "other"};
  return names.at(static_cast<size_t>(r));
}

std::string_view to_string(LayerKind k) {
  static constexpr std::array<std::string_view, static_cast<size_t>(LayerKind::count)> names = {
      "attention", "mla", "mamba", "mamba2", "mlp_only"};
  return names.at(static_cast<size_t>(k));
}

}  // namespace llmem
