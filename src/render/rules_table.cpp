// The text of the rules of thumb: the rule rows (llmem/core/rules.h rule_row) with their
// precise figure and the difference.
#include <fmt/format.h>

#include "llmem/common/text.h"
#include "llmem/render/render.h"
#include "render/row_text.h"

namespace llmem {

std::string render_table(const std::vector<RuleResult>& rules, const RenderOptions& o) {
  std::string out =
      fmt::format("Rules of thumb from the seed document (not llmem's estimate), in {}\n\n",
                  unit_name(o.units));
  TextTable t;
  t.margin = "  ";
  t.columns = {{"rule (rule of thumb)", 22, false},
               {"figure", 12, true},
               {"range", 25, false, "  "},
               {"precise", 12, true},
               {"diff", 10, true}};
  for (const auto& r : rules) {
    Component c = rule_row(r);
    std::string precise = "-", diff = "-";
    for (const auto& [key, value] : rule_extra_fields(r)) {
      if (key != "precise_bytes") continue;
      auto bytes = static_cast<uint64_t>(std::get<int64_t>(value));
      precise = format_bytes(bytes, o.units);
      if (bytes > 0) {
        diff = fmt::format("{:+.0f}%",
                           100.0 * (static_cast<double>(c.bytes) - static_cast<double>(bytes)) /
                               static_cast<double>(bytes));
      }
    }
    TextRow row{
        {safe_text(c.name), format_bytes(c.bytes, o.units), range_text(c, o.units), precise, diff},
        {}};
    if (o.explain) {
      row.below.push_back("      = " + c.formula);
      row.below.push_back("        with " + fields_text(c.inputs));
    }
    if (!r.note.empty()) row.below.push_back("      note: " + r.note);
    t.rows.push_back(std::move(row));
  }
  out += print_table(t);
  out += "\n  diff = (rule − precise) ÷ precise; precise = llmem's estimate for the same case\n";
  return out;
}

}  // namespace llmem
