#include "llmem/sources/catalog.h"

#include "formats/hf/config_view.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "sources/embedded_catalog.h"

namespace llmem {
namespace {

std::vector<GpuSpec> parse_gpus() {
  nlohmann::json j = parse_json_lenient(detail::k_embedded_gpus, "data/gpus.json");
  std::vector<GpuSpec> out;
  for (const auto& e : j) {
    ConfigView c(e, "data/gpus.json");
    GpuSpec g;
    g.name = c.get_string("name", "");
    g.aliases = c.get_string_list("aliases");
    g.memory_bytes = static_cast<uint64_t>(c.require_int("memory_bytes", 1, int64_t{1} << 50));
    g.memory_source = c.get_string("memory_source", "");
    std::string kind = c.get_string("memory_kind", "cuda");
    auto memory_kind = parse_memory_kind(kind);
    if (!memory_kind || *memory_kind == MemoryKind::user) {
      throw InternalError("internal: data/gpus.json: " + g.name + " has memory_kind '" + kind +
                          "'; accepted: cuda, nvidia-smi, nominal");
    }
    g.memory_kind = *memory_kind;
    g.compute_capability = c.get_string("compute_capability", "");
    g.bf16 = c.get_bool("bf16", false);
    g.fp8 = c.get_bool("fp8", false);
    g.interconnect = c.get_string("interconnect", "pcie");
    g.gpus_per_node = static_cast<int32_t>(c.get_int("gpus_per_node", 1, 1, 1024));
    if (c.has("price_per_hour")) g.price_per_hour = c.get_double("price_per_hour", 0.0);
    g.price_source = c.get_string("price_source", "");
    g.common = c.get_bool("common", false);
    out.push_back(std::move(g));
  }
  return out;
}

const detail::EmbeddedFile* find_model_file(std::string_view name) {
  std::string key = ascii_lower(name);
  for (const auto& f : detail::embedded_models()) {
    if (ascii_lower(f.name) == key) return &f;
  }
  return nullptr;
}

}  // namespace

const std::vector<GpuSpec>& gpu_catalog() {
  static const std::vector<GpuSpec> gpus = parse_gpus();
  return gpus;
}

const GpuSpec* find_gpu(std::string_view name) {
  std::string key = ascii_lower(name);
  for (const auto& g : gpu_catalog()) {
    if (ascii_lower(g.name) == key) return &g;
    for (const auto& a : g.aliases) {
      if (ascii_lower(a) == key) return &g;
    }
  }
  return nullptr;
}

std::vector<CatalogModel> model_catalog() {
  std::vector<CatalogModel> out;
  for (const auto& f : detail::embedded_models()) {
    nlohmann::json j = parse_json_lenient(f.text, "data/models/" + std::string(f.name) + ".json");
    auto m = load_catalog_model(f.name);
    out.push_back({std::string(f.name), j.value("hf_id", ""), m->model_type, total_params(*m),
                   j.value("source", "")});
  }
  return out;
}

std::optional<ModelDescription> load_catalog_model(std::string_view name, HfConfigOptions options) {
  const auto* f = find_model_file(name);
  if (f == nullptr) return std::nullopt;
  std::string file = "data/models/" + std::string(f->name) + ".json";
  nlohmann::json j = parse_json_lenient(f->text, file);
  if (!j.contains("config"))
    throw InternalError("internal: catalog entry " + file + " has no config");
  if (options.name.empty()) options.name = std::string(f->name);
  if (options.source.empty()) options.source = "catalog:" + std::string(f->name);
  ModelDescription m = load_hf_config(j["config"].dump(), options);
  m.source = "catalog:" + std::string(f->name) + " (" + j.value("hf_id", "") + ")";
  return m;
}

std::vector<std::string> catalog_model_list() {
  std::vector<std::string> out;
  for (const auto& f : detail::embedded_models()) out.emplace_back(f.name);
  return out;
}

std::string catalog_model_names() {
  std::string s;
  for (const auto& f : detail::embedded_models())
    s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

}  // namespace llmem
