#include "llmem/core/units.h"

namespace llmem {

std::string_view unit_name(Units u) { return u == Units::GiB ? "GiB" : "GB"; }

std::optional<Units> parse_units(std::string_view name) {
  if (name == "GiB" || name == "gib") return Units::GiB;
  if (name == "GB" || name == "gb") return Units::GB;
  return std::nullopt;
}

std::string accepted_units() { return "GiB or GB"; }

}  // namespace llmem
