#include "render/row_text.h"

#include <fmt/format.h>

#include "llmem/common/text.h"

namespace llmem {

std::string value_text(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return safe_text(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{:g}", x);
        } else {
          return fmt::format("{}", x);
        }
      },
      v);
}

std::string fields_text(const Fields& f) {
  std::string s;
  for (const auto& [k, v] : f) s += (s.empty() ? "" : ", ") + k + "=" + value_text(v);
  return s;
}

std::string params_text(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  double v = static_cast<double>(n);
  if (v >= 1e9) return fmt::format("{:.2f} B ({})", v / 1e9, grouped);
  if (v >= 1e6) return fmt::format("{:.1f} M ({})", v / 1e6, grouped);
  return grouped;
}

std::string amount_text(uint64_t bytes, Units u) {
  std::string amount = format_bytes(bytes, u);
  return amount.substr(0, amount.find(' '));
}

std::string range_text(const Component& c, Units u) {
  if (!c.bytes_low || !c.bytes_high) return "";
  return format_bytes(*c.bytes_low, u) + " – " + format_bytes(*c.bytes_high, u);
}

TextTable component_table(const std::vector<Component>& rows, uint64_t total,
                          const RenderOptions& o) {
  TextTable t;
  t.margin = "  ";
  t.columns = {{"component", 26, false},
               {std::string(unit_name(o.units)), 13, true},
               {"share", 7, true},
               {"", 0, false, ""}};
  auto share = [total](uint64_t bytes) {
    double s = total > 0 ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total) : 0;
    return fmt::format("{:.1f}%", s);
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Component& c = rows[i];
    TextRow r;
    std::string range = range_text(c, o.units);
    r.cells = {std::string(2 * static_cast<size_t>(row_depth(rows, i)), ' ') + safe_text(c.name),
               amount_text(c.bytes, o.units), share(c.bytes),
               range.empty() ? "" : "  (" + range + ")"};
    if (o.explain) {
      r.below.push_back("      = " + safe_text(c.formula, k_safe_line_bytes));
      if (!c.inputs.empty()) r.below.push_back("        with " + fields_text(c.inputs));
      if (!c.assumption.empty()) {
        r.below.push_back("        assumes " + safe_text(c.assumption, k_safe_line_bytes));
      }
    }
    t.rows.push_back(std::move(r));
  }
  t.rows.push_back({{"TOTAL", amount_text(total, o.units), "100.0%", ""}, {}});
  return t;
}

std::string notes_text(const std::vector<std::string>& notes) {
  if (notes.empty()) return "";
  std::string out = "\nNotes:\n";
  for (const auto& n : notes) out += "  - " + safe_text(n, k_safe_line_bytes) + "\n";
  return out;
}

}  // namespace llmem
