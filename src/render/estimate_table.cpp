// The text of an estimate and of the bare run's overview.
#include <fmt/format.h>

#include "llmem/common/text.h"
#include "llmem/render/render.h"
#include "render/row_text.h"

namespace llmem {
namespace {

// "Inference", "Training": the mode as a heading, whatever the mode.
std::string heading(const std::string& mode) {
  std::string s = safe_text(mode);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string per_gpu_text(const std::vector<GpuBreakdown>& groups, Units u) {
  TextTable t;
  t.margin = "  ";
  t.header = false;
  t.columns = {{"ranks", 14, false}, {"", 0, false}};
  for (const auto& g : groups) {
    std::string ranks = g.count > 1 ? fmt::format("ranks {}–{}", g.rank, g.last_rank)
                                    : fmt::format("rank {}", g.rank);
    t.rows.push_back({{ranks, fmt::format("(stage {}, {} GPU{}): {} each", g.stage, g.count,
                                          g.count > 1 ? "s" : "", format_bytes(g.total_bytes, u))},
                      {}});
  }
  return print_table(t);
}

}  // namespace

std::string render_table(const MemoryEstimate& e, const RenderOptions& o) {
  std::string out;
  out += fmt::format("{} memory for {} ({})\n", heading(e.mode), safe_text(e.model.name),
                     safe_text(e.model.source));
  out += fmt::format("  {} parameters", params_text(e.model.params));
  if (e.model.active_params != e.model.params) {
    out += fmt::format(", {} active per token", params_text(e.model.active_params));
  }
  out += "\n  " + fields_text(e.settings) + "\n\n";
  if (!e.per_gpu.empty()) out += "Most loaded GPU:\n";
  out += print_table(component_table(e.components, e.total_bytes, o));
  if (!e.per_gpu.empty()) out += "\nPer GPU:\n" + per_gpu_text(e.per_gpu, o.units);
  if (e.fits) {
    out += fmt::format("\n{} {} × {} ({} each): {}, headroom {}\n",
                       e.fits->ok ? "Fits" : "Does NOT fit", e.fits->count, safe_text(e.fits->gpu),
                       format_bytes(e.fits->capacity_bytes, o.units), e.fits->ok ? "fits" : "short",
                       format_signed_bytes(e.fits->headroom_bytes, o.units));
  }
  out += notes_text(e.notes);
  return out;
}

std::string render_table(const Overview& v, const RenderOptions& o) {
  const MemoryEstimate& e = v.estimate;
  std::string out = render_table(e, o);
  if (v.rule) {
    // "params × 2 bytes × 1.2", from the rule's own inputs.
    std::string bytes = "?", factor = "?";
    for (const auto& [k, val] : v.rule->inputs) {
      if (k == "bytes_per_param") bytes = value_text(val);
      if (k == "factor") factor = value_text(val);
    }
    out += fmt::format(
        "\nRule of thumb (seed document, labelled as such): params × {} bytes × {} = {}; "
        "llmem's estimate above is {} (see llmem rule {}).\n",
        bytes, factor, format_bytes(v.rule->bytes, o.units), format_bytes(e.total_bytes, o.units),
        safe_text(e.model.name));
  }
  out += fmt::format("\nCommon GPUs (memory as CUDA reports it, in {}):\n", unit_name(o.units));
  TextTable t;
  t.margin = "  ";
  t.header = false;
  t.columns = {{"gpu", 12, false}, {"memory", 10, true}, {"fit", 12, false, "  "}, {"", 0, false}};
  for (const auto& g : v.gpus) {
    std::string headroom = "headroom " + format_signed_bytes(g.fit.headroom_bytes, o.units);
    if (g.gpu.memory_kind != MemoryKind::cuda) {
      headroom += fmt::format(" (memory: {})", to_string(g.gpu.memory_kind));
    }
    t.rows.push_back({{safe_text(g.gpu.name), format_bytes(g.gpu.memory_bytes, o.units),
                       g.fit.ok ? "fits" : "does not fit", headroom},
                      {}});
  }
  out += print_table(t);
  out +=
      "\nMore: llmem infer MODEL --context N --batch N --gpu NAME, llmem rule MODEL, "
      "llmem models, llmem gpus, llmem --help\n";
  return out;
}

}  // namespace llmem
