// The JSON documents of every result (SPEC §2, §4, §5), written from the shared rows.
#include "llmem/render/render.h"
#include "render/json_writer.h"

namespace llmem {
namespace {

JsonText fit_json(const FitResult& f, int depth, JsonMembers extra = {}) {
  JsonMembers m = {{"gpu", json_string(f.gpu)},
                   {"count", json_integer(f.count)},
                   {"capacity_bytes", json_unsigned(f.capacity_bytes)},
                   {"ok", json_bool(f.ok)},
                   {"headroom_bytes", json_integer(f.headroom_bytes)}};
  for (auto& e : extra) m.push_back(std::move(e));
  return json_object(std::move(m), depth);
}

JsonMembers estimate_members(const MemoryEstimate& e) {
  constexpr int d = 1;  // the members of the top-level object
  JsonMembers m = {
      {"mode", json_string(e.mode)},
      {"model", json_object({{"name", json_string(e.model.name)},
                             {"source", json_string(e.model.source)},
                             {"params", json_unsigned(e.model.params)},
                             {"active_params", json_unsigned(e.model.active_params)},
                             {"trainable_params", json_unsigned(e.model.trainable_params)}},
                            d)},
      {"settings", json_fields(e.settings, d)},
      {"components", json_rows(e.components, d)},
      {"total_bytes", json_unsigned(e.total_bytes)},
      {"cpu_bytes", json_unsigned(e.cpu_bytes)},
      {"cpu_components", json_rows(e.cpu_components, d)},
      {"advice", json_array({}, d)},
      {"notes", json_notes(e.notes, d)},
  };
  if (!e.per_gpu.empty()) {
    std::vector<JsonText> gpus;
    gpus.reserve(e.per_gpu.size());
    for (const auto& g : e.per_gpu) {
      gpus.push_back(json_object(
          {{"rank", json_integer(g.rank)},
           {"ranks", json_array({json_integer(g.rank), json_integer(g.last_rank)}, d + 2)},
           {"stage", json_integer(g.stage)},
           {"count", json_integer(g.count)},
           {"components", json_rows(g.components, d + 2)},
           {"total_bytes", json_unsigned(g.total_bytes)}},
          d + 1));
    }
    m.emplace_back("per_gpu", json_array(gpus, d));
  }
  if (e.fits) m.emplace_back("fits", fit_json(*e.fits, d));
  if (!e.engine.empty()) m.emplace_back("engine", json_fields(e.engine, d));
  return m;
}

JsonText rule_json(const RuleResult& r, int depth) {
  return json_row(rule_row(r), {}, depth, "rule", rule_extra_fields(r));
}

JsonText gpu_json(const GpuSpec& x, int depth) {
  return json_object(
      {{"name", json_string(x.name)},
       {"aliases", json_strings(x.aliases, depth + 1)},
       {"memory_bytes", json_unsigned(x.memory_bytes)},
       {"memory_kind", json_string(to_string(x.memory_kind))},
       {"memory_source", json_string(x.memory_source)},
       {"compute_capability", json_string(x.compute_capability)},
       {"bf16", json_bool(x.bf16)},
       {"fp8", json_bool(x.fp8)},
       {"interconnect", json_string(x.interconnect)},
       {"gpus_per_node", json_integer(x.gpus_per_node)},
       {"common", json_bool(x.common)},
       {"price_per_hour", x.price_per_hour ? json_value(*x.price_per_hour) : json_null()},
       {"price_source", json_string(x.price_source)}},
      depth);
}

}  // namespace

std::string render_json(const MemoryEstimate& e) {
  return json_document(json_object(estimate_members(e), 0));
}

std::string render_json(const std::vector<RuleResult>& rules, Units units) {
  std::vector<JsonText> items;
  for (const auto& r : rules) items.push_back(rule_json(r, 2));
  return json_document(json_object({{"mode", json_string("rule")},
                                    {"unit", json_string(unit_name(units))},
                                    {"rules", json_array(items, 1)}},
                                   0));
}

std::string render_json(const Overview& v) {
  JsonMembers m = estimate_members(v.estimate);
  if (v.rule) m.emplace_back("rule_of_thumb", rule_json(*v.rule, 1));
  std::vector<JsonText> gpus;
  for (const auto& g : v.gpus) {
    gpus.push_back(
        fit_json(g.fit, 2, {{"memory_kind", json_string(to_string(g.gpu.memory_kind))}}));
  }
  m.emplace_back("common_gpus", json_array(gpus, 1));
  return json_document(json_object(std::move(m), 0));
}

std::string render_json(const std::vector<CatalogModel>& models) {
  std::vector<JsonText> items;
  for (const auto& x : models) {
    items.push_back(json_object({{"name", json_string(x.name)},
                                 {"hf_id", json_string(x.hf_id)},
                                 {"model_type", json_string(x.model_type)},
                                 {"params", json_unsigned(x.params)},
                                 {"source", json_string(x.source)}},
                                1));
  }
  return json_document(json_array(items, 0));
}

std::string render_json(const std::vector<GpuSpec>& gpus) {
  std::vector<JsonText> items;
  for (const auto& g : gpus) items.push_back(gpu_json(g, 1));
  return json_document(json_array(items, 0));
}

}  // namespace llmem
