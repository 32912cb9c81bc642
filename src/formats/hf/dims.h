// Checked products and sums of config dimensions, returned as the int64_t that tensor shapes
// use. Every dimension is bounded by builder.h's k_max_* caps before it gets here, so a result
// above INT64_MAX can only come from nonsense input; it throws RangeError naming `what`.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common/checked.h"
#include "formats/hf/config_view.h"

namespace llmem::hf {

// Per-expert checkpoints get one tensor per expert and projection. Real models stay far below
// this (DeepSeek-V3: 58 layers x 256 experts x 3 = 44,544); the cap keeps a nonsense config from
// describing hundreds of millions of tensors.
inline constexpr int64_t k_max_expert_tensors = int64_t{1} << 20;

inline int64_t to_dim(uint64_t v, std::string_view what) {
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) throw_overflow(what);
  return static_cast<int64_t>(v);
}

inline int64_t dim_mul(int64_t a, int64_t b, std::string_view what) {
  return to_dim(checked_mul(static_cast<uint64_t>(a), static_cast<uint64_t>(b), what), what);
}

inline int64_t dim_add(int64_t a, int64_t b, std::string_view what) {
  return to_dim(checked_add(static_cast<uint64_t>(a), static_cast<uint64_t>(b), what), what);
}

// Rejects configs whose per-expert tensors (experts x MoE layers x projections) exceed
// k_max_expert_tensors, naming the experts key.
inline void check_expert_tensors(const ConfigView& c, std::string_view key, int64_t experts,
                                 int64_t moe_layers, int64_t per_expert) {
  int64_t n = dim_mul(dim_mul(experts, moe_layers, key), per_expert, key);
  if (n > k_max_expert_tensors) {
    c.fail(key, "is " + std::to_string(experts) + " across " + std::to_string(moe_layers) +
                    " mixture-of-experts layers, which makes " + std::to_string(n) +
                    " expert tensors; at most " + std::to_string(k_max_expert_tensors) +
                    " are supported");
  }
}

}  // namespace llmem::hf
