#include <fmt/format.h>

#include "llmem/render/render.h"

namespace llmem {

std::string format_bytes(uint64_t bytes, Units units) {
  double div = units == Units::GiB ? 1073741824.0 : 1e9;
  return fmt::format("{:.2f} {}", static_cast<double>(bytes) / div, unit_name(units));
}

std::string format_signed_bytes(int64_t bytes, Units units) {
  double div = units == Units::GiB ? 1073741824.0 : 1e9;
  return fmt::format("{:+.2f} {}", static_cast<double>(bytes) / div, unit_name(units));
}

}  // namespace llmem
