#include <fmt/format.h>

#include "llmem/render/render.h"
#include "render/value_json.h"

namespace llmem {

nlohmann::json to_json(const Value& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

nlohmann::json to_json(const Fields& f) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : f) j[k] = to_json(v);
  return j;
}

nlohmann::json to_json(const Component& c, const std::vector<Component>& rows) {
  nlohmann::json j = {{"name", c.name}, {"bytes", c.bytes}};
  if (c.parent >= 0) j["parent"] = rows[static_cast<size_t>(c.parent)].name;
  j["formula"] = c.formula;
  j["inputs"] = to_json(c.inputs);
  if (c.bytes_low) j["bytes_low"] = *c.bytes_low;
  if (c.bytes_high) j["bytes_high"] = *c.bytes_high;
  if (!c.assumption.empty()) j["assumption"] = c.assumption;
  return j;
}

nlohmann::json to_json(const std::vector<Component>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : rows) j.push_back(to_json(c, rows));
  return j;
}

std::string render_json(const MemoryEstimate& e) {
  nlohmann::json j;
  j["mode"] = e.mode;
  j["model"] = {{"name", e.model.name},
                {"source", e.model.source},
                {"params", e.model.params},
                {"active_params", e.model.active_params},
                {"trainable_params", e.model.trainable_params}};
  j["settings"] = to_json(e.settings);
  j["components"] = to_json(e.components);
  j["total_bytes"] = e.total_bytes;
  if (!e.per_gpu.empty()) {
    nlohmann::json gpus = nlohmann::json::array();
    for (const auto& g : e.per_gpu) {
      gpus.push_back({{"rank", g.rank},
                      {"ranks", {g.rank, g.last_rank}},
                      {"stage", g.stage},
                      {"count", g.count},
                      {"components", to_json(g.components)},
                      {"total_bytes", g.total_bytes}});
    }
    j["per_gpu"] = gpus;
  }
  j["cpu_bytes"] = e.cpu_bytes;
  j["cpu_components"] = to_json(e.cpu_components);
  if (e.fits) {
    j["fits"] = {{"gpu", e.fits->gpu},
                 {"count", e.fits->count},
                 {"capacity_bytes", e.fits->capacity_bytes},
                 {"ok", e.fits->ok},
                 {"headroom_bytes", e.fits->headroom_bytes}};
  }
  if (!e.engine.empty()) j["engine"] = to_json(e.engine);
  j["advice"] = nlohmann::json::array();
  j["notes"] = e.notes;
  return j.dump(2) + "\n";
}

std::string render_rules_json(const std::vector<RuleResult>& rules, Units units) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rules) {
    nlohmann::json j = {{"rule", r.rule}, {"bytes", r.bytes}};
    if (r.bytes_low) j["bytes_low"] = *r.bytes_low;
    if (r.bytes_high) j["bytes_high"] = *r.bytes_high;
    j["formula"] = r.formula;
    j["inputs"] = to_json(r.inputs);
    if (r.precise_bytes) j["precise_bytes"] = *r.precise_bytes;
    if (!r.note.empty()) j["note"] = r.note;
    arr.push_back(std::move(j));
  }
  nlohmann::json j = {{"mode", "rule"}, {"unit", std::string(unit_name(units))}, {"rules", arr}};
  return j.dump(2) + "\n";
}

}  // namespace llmem
