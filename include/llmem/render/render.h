// Printers of the same data (STYLE.md §9): a table for people (explicit unit, percentages, a
// TOTAL row) and JSON for programs (SPEC §2: integer bytes, no unit strings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/rules.h"

namespace llmem {

enum class Units : uint8_t { GiB, GB };

struct RenderOptions {
  Units units = Units::GiB;
  bool explain = false;  // each component's formula and inputs under its row
};

// "15.02 GiB" / "16.13 GB": two decimals and the unit, always.
std::string format_bytes(uint64_t bytes, Units units);
std::string format_signed_bytes(int64_t bytes, Units units);
std::string_view unit_name(Units u);

std::string render_table(const MemoryEstimate& e, const RenderOptions& o);
std::string render_json(const MemoryEstimate& e);

std::string render_rules_table(const std::vector<RuleResult>& rules, const RenderOptions& o);
std::string render_rules_json(const std::vector<RuleResult>& rules, Units units);

}  // namespace llmem
