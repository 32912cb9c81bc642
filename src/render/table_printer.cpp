#include <fmt/format.h>

#include <algorithm>

#include "llmem/render/render.h"

namespace llmem {
namespace {

std::string value_text(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return x;
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

// "8.03 B (8,030,261,248)": the rounded figure people compare with cards, and the exact count.
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

std::string fields_text(const Fields& f) {
  std::string s;
  for (const auto& [k, v] : f) s += (s.empty() ? "" : ", ") + k + "=" + value_text(v);
  return s;
}

void print_rows(std::string& out, const std::vector<Component>& rows, uint64_t total,
                const RenderOptions& o) {
  out += fmt::format("  {:<26} {:>13} {:>7}\n", "component", unit_name(o.units), "share");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Component& c = rows[i];
    std::string name = std::string(2 * static_cast<size_t>(row_depth(rows, i)), ' ') + c.name;
    double share =
        total > 0 ? 100.0 * static_cast<double>(c.bytes) / static_cast<double>(total) : 0;
    std::string range;
    if (c.bytes_low && c.bytes_high) {
      range = fmt::format("  ({} – {})", format_bytes(*c.bytes_low, o.units),
                          format_bytes(*c.bytes_high, o.units));
    }
    std::string amount = format_bytes(c.bytes, o.units);
    amount = amount.substr(0, amount.find(' '));
    out += fmt::format("  {:<26} {:>13} {:>6.1f}%{}\n", name, amount, share, range);
    if (o.explain) {
      out += fmt::format("      = {}\n", c.formula);
      if (!c.inputs.empty()) out += fmt::format("        with {}\n", fields_text(c.inputs));
      if (!c.assumption.empty()) out += fmt::format("        assumes {}\n", c.assumption);
    }
  }
  std::string amount = format_bytes(total, o.units);
  out += fmt::format("  {:<26} {:>13} {:>6.1f}%\n", "TOTAL", amount.substr(0, amount.find(' ')),
                     100.0);
}

}  // namespace

std::string render_table(const MemoryEstimate& e, const RenderOptions& o) {
  std::string out;
  out += fmt::format("{} memory for {} ({})\n", e.mode == "inference" ? "Inference" : "Training",
                     e.model.name, e.model.source);
  out += fmt::format("  {} parameters", params_text(e.model.params));
  if (e.model.active_params != e.model.params) {
    out += fmt::format(", {} active per token", params_text(e.model.active_params));
  }
  out += "\n  " + fields_text(e.settings) + "\n\n";
  if (!e.per_gpu.empty()) out += "Most loaded GPU:\n";
  print_rows(out, e.components, e.total_bytes, o);
  if (!e.per_gpu.empty()) {
    out += "\nPer GPU:\n";
    for (const auto& g : e.per_gpu) {
      std::string ranks = g.count > 1 ? fmt::format("ranks {}–{}", g.rank, g.last_rank)
                                      : fmt::format("rank {}", g.rank);
      out += fmt::format("  {:<14} (stage {}, {} GPU{}): {} each\n", ranks, g.stage, g.count,
                         g.count > 1 ? "s" : "", format_bytes(g.total_bytes, o.units));
    }
  }
  if (e.fits) {
    out += fmt::format("\n{} {} × {} ({} each as CUDA reports): {}, headroom {}\n",
                       e.fits->ok ? "Fits" : "Does NOT fit", e.fits->count, e.fits->gpu,
                       format_bytes(e.fits->capacity_bytes, o.units), e.fits->ok ? "fits" : "short",
                       format_signed_bytes(e.fits->headroom_bytes, o.units));
  }
  if (!e.notes.empty()) {
    out += "\nNotes:\n";
    for (const auto& n : e.notes) out += "  - " + n + "\n";
  }
  return out;
}

std::string render_rules_table(const std::vector<RuleResult>& rules, const RenderOptions& o) {
  std::string out =
      fmt::format("Rules of thumb from the seed document (not llmem's estimate), in {}\n\n",
                  unit_name(o.units));
  out += fmt::format("  {:<22} {:>12}  {:<25} {:>12} {:>10}\n", "rule (rule of thumb)", "figure",
                     "range", "precise", "diff");
  for (const auto& r : rules) {
    std::string range;
    if (r.bytes_low && r.bytes_high) {
      range = format_bytes(*r.bytes_low, o.units) + " – " + format_bytes(*r.bytes_high, o.units);
    }
    std::string precise = r.precise_bytes ? format_bytes(*r.precise_bytes, o.units) : "-";
    std::string diff = "-";
    if (r.precise_bytes && *r.precise_bytes > 0) {
      diff = fmt::format(
          "{:+.0f}%", 100.0 *
                          (static_cast<double>(r.bytes) - static_cast<double>(*r.precise_bytes)) /
                          static_cast<double>(*r.precise_bytes));
    }
    out += fmt::format("  {:<22} {:>12}  {:<25} {:>12} {:>10}\n", r.rule,
                       format_bytes(r.bytes, o.units), range, precise, diff);
    if (o.explain) {
      out += fmt::format("      = {}\n        with {}\n", r.formula, fields_text(r.inputs));
    }
    if (!r.note.empty()) out += "      note: " + r.note + "\n";
  }
  out += "\n  diff = (rule − precise) ÷ precise; precise = llmem's estimate for the same case\n";
  return out;
}

}  // namespace llmem
