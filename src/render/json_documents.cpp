// The JSON documents of every result (SPEC §2, §4, §5), built from the shared rows.
#include "llmem/render/render.h"
#include "render/json_rows.h"

namespace llmem {
namespace {

nlohmann::json fit_json(const FitResult& f) {
  return {{"gpu", f.gpu},
          {"count", f.count},
          {"capacity_bytes", f.capacity_bytes},
          {"ok", f.ok},
          {"headroom_bytes", f.headroom_bytes}};
}

nlohmann::json estimate_json(const MemoryEstimate& e) {
  nlohmann::json j;
  j["mode"] = e.mode;
  j["model"] = {{"name", e.model.name},
                {"source", e.model.source},
                {"params", e.model.params},
                {"active_params", e.model.active_params},
                {"trainable_params", e.model.trainable_params}};
  j["settings"] = to_json(e.settings);
  j["components"] = rows_json(e.components);
  j["total_bytes"] = e.total_bytes;
  if (!e.per_gpu.empty()) {
    nlohmann::json gpus = nlohmann::json::array();
    for (const auto& g : e.per_gpu) {
      gpus.push_back({{"rank", g.rank},
                      {"ranks", {g.rank, g.last_rank}},
                      {"stage", g.stage},
                      {"count", g.count},
                      {"components", rows_json(g.components)},
                      {"total_bytes", g.total_bytes}});
    }
    j["per_gpu"] = gpus;
  }
  j["cpu_bytes"] = e.cpu_bytes;
  j["cpu_components"] = rows_json(e.cpu_components);
  if (e.fits) j["fits"] = fit_json(*e.fits);
  if (!e.engine.empty()) j["engine"] = to_json(e.engine);
  j["advice"] = nlohmann::json::array();
  j["notes"] = notes_json(e.notes);
  return j;
}

nlohmann::json rule_json(const RuleResult& r) {
  return row_json(rule_row(r), {}, "rule", rule_extra_fields(r));
}

nlohmann::json gpu_json(const GpuSpec& x) {
  nlohmann::json e = {{"name", x.name},
                      {"aliases", x.aliases},
                      {"memory_bytes", x.memory_bytes},
                      {"memory_kind", std::string(to_string(x.memory_kind))},
                      {"memory_source", x.memory_source},
                      {"compute_capability", x.compute_capability},
                      {"bf16", x.bf16},
                      {"fp8", x.fp8},
                      {"interconnect", x.interconnect},
                      {"gpus_per_node", x.gpus_per_node},
                      {"common", x.common}};
  e["price_per_hour"] = x.price_per_hour ? nlohmann::json(*x.price_per_hour) : nullptr;
  e["price_source"] = x.price_source;
  return e;
}

}  // namespace

std::string render_json(const MemoryEstimate& e) { return dump(estimate_json(e)); }

std::string render_json(const std::vector<RuleResult>& rules, Units units) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rules) arr.push_back(rule_json(r));
  return dump({{"mode", "rule"}, {"unit", std::string(unit_name(units))}, {"rules", arr}});
}

std::string render_json(const Overview& v) {
  nlohmann::json j = estimate_json(v.estimate);
  if (v.rule) j["rule_of_thumb"] = rule_json(*v.rule);
  nlohmann::json gpus = nlohmann::json::array();
  for (const auto& g : v.gpus) {
    nlohmann::json f = fit_json(g.fit);
    f["memory_kind"] = std::string(to_string(g.gpu.memory_kind));
    gpus.push_back(std::move(f));
  }
  j["common_gpus"] = gpus;
  return dump(j);
}

std::string render_json(const std::vector<CatalogModel>& models) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& m : models) {
    j.push_back({{"name", m.name},
                 {"hf_id", m.hf_id},
                 {"model_type", m.model_type},
                 {"params", m.params},
                 {"source", m.source}});
  }
  return dump(j);
}

std::string render_json(const std::vector<GpuSpec>& gpus) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& g : gpus) j.push_back(gpu_json(g));
  return dump(j);
}

}  // namespace llmem
