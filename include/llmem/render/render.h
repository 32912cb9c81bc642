// Printers of the same data (STYLE.md §9): a table for people (explicit unit, percentages, a
// TOTAL row) and JSON for programs (SPEC §2: integer bytes, no unit strings), for every result:
// estimates, the rules of thumb, the bare run's overview and the catalogs. Each result becomes
// rows (llmem/core/estimate.h), and one table printer and one JSON printer print the rows
// (src/render/text_table.cpp, src/render/json_rows.cpp). Untrusted text (names, notes, values)
// is made safe on the way out (llmem/common/text.h). Every function returns the whole output,
// so a caller writes it at once or not at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llmem/core/catalog_entries.h"
#include "llmem/core/estimate.h"
#include "llmem/core/overview.h"
#include "llmem/core/rules.h"
#include "llmem/core/units.h"

namespace llmem {

struct RenderOptions {
  Units units = Units::GiB;
  bool explain = false;  // each component's formula and inputs under its row
};

// "15.02 GiB" / "16.13 GB": two decimals and the unit, always.
std::string format_bytes(uint64_t bytes, Units units);
std::string format_signed_bytes(int64_t bytes, Units units);

// An inference (or, later, training) estimate.
std::string render_table(const MemoryEstimate& e, const RenderOptions& o);
std::string render_json(const MemoryEstimate& e);

// The seed's rules of thumb (SPEC §4: {"mode": "rule", "unit", "rules": […]}).
std::string render_table(const std::vector<RuleResult>& rules, const RenderOptions& o);
std::string render_json(const std::vector<RuleResult>& rules, Units units);

// The bare `llmem` run: the estimate, the rule of thumb beside it and the common GPUs' fits.
std::string render_table(const Overview& v, const RenderOptions& o);
std::string render_json(const Overview& v);

// The catalogs (SPEC §5): `llmem models`, `llmem gpus`.
std::string render_table(const std::vector<CatalogModel>& models);
std::string render_json(const std::vector<CatalogModel>& models);
std::string render_table(const std::vector<GpuSpec>& gpus, Units units);
std::string render_json(const std::vector<GpuSpec>& gpus);

}  // namespace llmem
