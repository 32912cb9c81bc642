// The two byte units llmem prints (SPEC §1 --units): GiB (2^30, the default) and GB (10^9, the
// unit of the seed's rules). One output never mixes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmem {

enum class Units : uint8_t { GiB, GB };

std::string_view unit_name(Units u);                      // "GiB", "GB"
std::optional<Units> parse_units(std::string_view name);  // "GiB", "gib", "GB", "gb"
std::string accepted_units();                             // "GiB or GB"

}  // namespace llmem
