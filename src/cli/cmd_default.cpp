// `llmem` with no arguments (SPEC §7): the default model's itemised inference estimate at the
// defaults, the seed's rule of thumb beside it, and which common GPUs it fits.
#include <fmt/format.h>

#include <iostream>

#include "cli/app.h"
#include "cli/infer_request.h"
#include "llmem/core/rules.h"
#include "llmem/render/render.h"

namespace llmem::cli {

int run_default(const OutputFlags& out) {
  constexpr const char* k_default_model = "llama-3.1-8b";
  InferRequest req = build_infer_request(k_default_model, {});
  MemoryEstimate e = run_infer_request(req);
  if (out.json) {
    std::cout << render_json(e);
    return 0;
  }
  Units units = parse_units(out.units, Units::GiB);
  std::cout << render_table(e, {units, out.explain});

  RuleOptions ro;
  ro.params = e.model.params;
  for (const auto& r : apply_rules(ro)) {
    if (r.rule != "inference") continue;
    std::cout << fmt::format(
        "\nRule of thumb (seed document, labelled as such): params × 2 bytes × 1.2 = {}; "
        "llmem's estimate above is {} (see llmem rule {}).\n",
        format_bytes(r.bytes, units), format_bytes(e.total_bytes, units), k_default_model);
  }

  std::cout << fmt::format("\nCommon GPUs (memory as CUDA reports it, in {}):\n", unit_name(units));
  for (const auto& g : gpu_catalog()) {
    if (!g.common) continue;
    int64_t headroom = static_cast<int64_t>(g.memory_bytes) - static_cast<int64_t>(e.total_bytes);
    std::cout << fmt::format(
        "  {:<12} {:>10}  {:<12} headroom {}\n", g.name, format_bytes(g.memory_bytes, units),
        headroom >= 0 ? "fits" : "does not fit", format_signed_bytes(headroom, units));
  }
  std::cout << "\nMore: llmem infer MODEL --context N --batch N --gpu NAME, llmem rule MODEL, "
               "llmem models, llmem gpus, llmem --help\n";
  return 0;
}

}  // namespace llmem::cli
