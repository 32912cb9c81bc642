// Checked 64-bit arithmetic: the only way llmem combines untrusted numbers (STYLE.md §4).
// Every byte count is a uint64_t; an overflow throws RangeError naming what was being computed.
#pragma once

#include <cstdint>
#include <string_view>

#include "llmem/common/error.h"

namespace llmem {

[[noreturn]] void throw_overflow(std::string_view what);

inline uint64_t checked_add(uint64_t a, uint64_t b, std::string_view what = "a byte count") {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw_overflow(what);
  return r;
}

inline uint64_t checked_mul(uint64_t a, uint64_t b, std::string_view what = "a byte count") {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw_overflow(what);
  return r;
}

inline uint64_t checked_sub(uint64_t a, uint64_t b, std::string_view what = "a byte count") {
  uint64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw_overflow(what);
  return r;
}

// Ceiling division for positive divisors.
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

}  // namespace llmem
