// The text of the built-in catalogs.
#include <fmt/format.h>

#include "llmem/common/text.h"
#include "llmem/render/render.h"
#include "render/text_table.h"

namespace llmem {

std::string render_table(const std::vector<CatalogModel>& models) {
  TextTable t;
  t.columns = {{"name", 38, false},
               {"model_type", 16, false},
               {"params", 18, true},
               {"hf_id", 0, false, "  "}};
  for (const auto& m : models) {
    t.rows.push_back(
        {{safe_text(m.name), safe_text(m.model_type), std::to_string(m.params), safe_text(m.hf_id)},
         {}});
  }
  return print_table(t);
}

std::string render_table(const std::vector<GpuSpec>& gpus, Units units) {
  TextTable t;
  bool all_cuda = true;
  t.columns = {{"name", 16, false}, {"memory", 12, true}, {"cc", 4, false, "  "},
               {"bf16", 5, false},  {"fp8", 4, false},    {"link", 7, false},
               {"common", 0, false}};
  for (const auto& g : gpus) {
    std::string memory = format_bytes(g.memory_bytes, units);
    t.rows.push_back(
        {{safe_text(g.name), memory, safe_text(g.compute_capability), g.bf16 ? "yes" : "no",
          g.fp8 ? "yes" : "no", safe_text(g.interconnect), g.common ? "yes" : ""},
         {}});
    if (g.memory_kind != MemoryKind::cuda) {
      all_cuda = false;
      t.rows.back().below.push_back(
          fmt::format("{:<16} memory is the {} figure", "", to_string(g.memory_kind)));
    }
  }
  return print_table(t) +
         "\nmemory: what CUDA reports (cudaMemGetInfo total), not the marketing size" +
         (all_cuda ? "" : ", unless a line under the card says otherwise") +
         "; sources: llmem gpus --json\n";
}

}  // namespace llmem
