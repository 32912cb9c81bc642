#include "llmem/core/model_description.h"

#include <array>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {

uint64_t Tensor::elements() const {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw RangeError("tensor '" + name + "' has a negative dimension");
    n = checked_mul(n, static_cast<uint64_t>(d), "element count of tensor '" + name + "'");
  }
  return n;
}

uint64_t Tensor::count() const {
  return checked_mul(static_cast<uint64_t>(layers < 1 ? 1 : layers),
                     static_cast<uint64_t>(per_layer < 1 ? 1 : per_layer), "tensor count");
}

uint64_t Tensor::total_elements() const {
  return checked_mul(elements(), count(), "element count of tensor '" + name + "'");
}

uint64_t Tensor::total_bytes() const {
  return checked_mul(bytes, count(), "bytes of tensor '" + name + "'");
}

uint64_t total_params(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n = checked_add(n, t.total_elements(), "parameter count");
  return n;
}

uint64_t active_params(const ModelDescription& m) {
  // Routed experts are summed apart and scaled by k/E once at the end, so the division is exact
  // whenever the routed total is a whole number of experts (it always is for real models).
  uint64_t dense = 0;
  uint64_t routed = 0;
  for (const auto& t : m.tensors) {
    if (t.routed && m.num_experts > 0) {
      routed = checked_add(routed, t.total_elements(), "active parameter count");
    } else {
      dense = checked_add(dense, t.total_elements(), "active parameter count");
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
    n = checked_add(n, t.total_elements(), "parameter count");
  }
  return n;
}

uint64_t weight_bytes(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n = checked_add(n, t.total_bytes(), "weight bytes");
  return n;
}

uint64_t group_params(const ModelDescription& m, WeightGroup g) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) {
    if (t.group == g) n = checked_add(n, t.total_elements(), "parameter count");
  }
  return n;
}

uint64_t tensor_count(const ModelDescription& m) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n = checked_add(n, t.count(), "tensor count");
  return n;
}

WeightGroup default_group(TensorRole role) {
  switch (role) {
    case TensorRole::embedding:
    case TensorRole::position_embedding:
      return WeightGroup::embeddings;
    case TensorRole::lm_head:
      return WeightGroup::lm_head;
    case TensorRole::q:
    case TensorRole::k:
    case TensorRole::v:
    case TensorRole::qkv:
    case TensorRole::o:
    case TensorRole::q_a:
    case TensorRole::q_b:
    case TensorRole::kv_a:
    case TensorRole::kv_b:
    case TensorRole::attn_other:
      return WeightGroup::attention;
    case TensorRole::gate:
    case TensorRole::up:
    case TensorRole::gate_up:
    case TensorRole::down:
      return WeightGroup::mlp;
    case TensorRole::router:
      return WeightGroup::experts;
    case TensorRole::norm:
      return WeightGroup::norms;
    case TensorRole::ssm_in:
    case TensorRole::ssm_out:
    case TensorRole::ssm_conv:
    case TensorRole::ssm_param:
      return WeightGroup::ssm;
    case TensorRole::vision:
      return WeightGroup::vision_encoder;
    case TensorRole::projector:
      return WeightGroup::projector;
    case TensorRole::other:
    case TensorRole::count:
      break;
  }
  return WeightGroup::other;
}

std::string_view to_string(TensorRole r) {
  static constexpr std::array<std::string_view, static_cast<size_t>(TensorRole::count)> names = {
      "embedding",  "position_embedding",
      "lm_head",    "q",
      "k",          "v",
      "qkv",        "o",
      "q_a",        "q_b",
      "kv_a",       "kv_b",
      "attn_other", "gate",
      "up",         "gate_up",
      "down",       "router",
      "norm",       "ssm_in",
      "ssm_out",    "ssm_conv",
      "ssm_param",  "vision",
      "projector",  "other"};
  return names.at(static_cast<size_t>(r));
}

std::string_view to_string(WeightGroup g) {
  static constexpr std::array<std::string_view, static_cast<size_t>(WeightGroup::count)> names = {
      "embeddings",     "attention", "mlp", "experts", "ssm",  "norms",
      "vision_encoder", "projector", "mtp", "lm_head", "other"};
  return names.at(static_cast<size_t>(g));
}

std::string_view to_string(LayerKind k) {
  static constexpr std::array<std::string_view, static_cast<size_t>(LayerKind::count)> names = {
      "attention", "mla", "mamba", "mamba2", "linear_attention", "mlp_only"};
  return names.at(static_cast<size_t>(k));
}

}  // namespace llmem
