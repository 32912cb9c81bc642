// Checked products and sums of config dimensions, returned as the int64_t that tensor shapes
// use. Every dimension is bounded by builder.h's k_max_* caps before it gets here, so a result
// above INT64_MAX can only come from nonsense input; it throws RangeError naming `what`.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "common/checked.h"

namespace llmem::hf {

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

}  // namespace llmem::hf
