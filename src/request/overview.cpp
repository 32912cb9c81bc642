#include "llmem/request/overview.h"

#include "llmem/core/fit.h"
#include "llmem/request/infer.h"
#include "llmem/sources/catalog.h"

namespace llmem::request {

Overview run_overview() {
  Overview v;
  Settings s(Command::infer);
  s.set("model", std::string(k_default_model));
  v.estimate = run_infer(s);
  RuleOptions ro;
  ro.params = v.estimate.model.params;
  for (auto& r : apply_rules(ro)) {
    if (r.rule == "inference") v.rule = std::move(r);
  }
  for (const auto& g : gpu_catalog()) {
    if (g.common) v.gpus.push_back({g, fit_on(v.estimate.total_bytes, g, 1)});
  }
  return v;
}

}  // namespace llmem::request
