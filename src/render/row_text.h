// Text of rows and fields, shared by the table builders: the component rows with their range
// and --explain lines, values, parameter counts. Untrusted text is passed through safe_text.
#pragma once

#include <string>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/render/render.h"
#include "render/text_table.h"

namespace llmem {

std::string value_text(const Value& v);
std::string fields_text(const Fields& f);             // "a=1, b=bf16"
std::string params_text(uint64_t n);                  // "8.03 B (8,030,261,248)"
std::string amount_text(uint64_t bytes, Units u);     // "14.96": the figure without its unit
std::string range_text(const Component& c, Units u);  // "0.05 GiB – 0.39 GiB", or ""

// The rows of an estimate's tree (names indented by depth, amount, share, range) and its
// TOTAL row, as the component table prints them.
TextTable component_table(const std::vector<Component>& rows, uint64_t total,
                          const RenderOptions& o);

// "\nNotes:\n  - …\n" (each note made safe), or "" when there are none.
std::string notes_text(const std::vector<std::string>& notes);

}  // namespace llmem
