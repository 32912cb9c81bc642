#include "llmem/request/model_resolution.h"

#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/formats/safetensors.h"
#include "llmem/sources/catalog.h"
#include "llmem/sources/hub.h"
#include "llmem/sources/model_source.h"
#include "request/input_file.h"
#include "request/suggest.h"

namespace llmem::request {
namespace {

constexpr std::string_view k_forms = "a path, a catalog name (see llmem models) or org/name";

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

ModelDescription load_from_hub(std::string_view spec, const HfConfigOptions& options) {
  HubId id = parse_hub_id(spec);
  HubOptions hub = hub_options_from_env();
  HfConfigOptions o = options;
  if (o.name.empty()) o.name = id.repo();
  o.source = id.display() + "/config.json";
  o.tensors_follow = true;  // the safetensors headers are read below
  ModelDescription m = load_hf_config(load_hub_config_text(id, hub), o);
  m.source = id.display();
  std::vector<CheckpointShard> shards;
  for (auto& h : hub_safetensors_headers(id, hub)) {
    shards.push_back({h.filename, parse_safetensors_header(h.header, h.file_size,
                                                           id.display() + "/" + h.filename)});
  }
  Checkpoint c = make_checkpoint(shards);
  for (const auto& n : c.notes) m.notes.push_back(n);
  reconcile(m, c);
  m.notes.push_back("used config.json + " + std::to_string(shards.size()) + " safetensors header" +
                    (shards.size() == 1 ? "" : "s") +
                    " from the Hub (headers only, by range requests)");
  return m;
}

}  // namespace

ResolvedModel resolve_model(std::string_view spec_in, const HfConfigOptions& options,
                            std::string_view config_path) {
  std::string spec(spec_in);
  std::string shown = safe_text(spec);
  if (spec.empty()) {
    throw InputError::field("model", "", std::string(k_forms),
                            "{field} is missing: give " + std::string(k_forms));
  }
  if (!config_path.empty()) {
    std::string why = why_not_regular_file(config_path, "a config.json file");
    if (!why.empty()) {
      std::string path = safe_text(config_path);
      throw InputError::field("config", path, "a config.json file", "{field} " + path + ": " + why);
    }
    if (!ends_with(spec, ".safetensors")) {
      throw InputError::field(
          "config", safe_text(config_path), "with a .safetensors MODEL",
          "{field} gives the architecture of a lone .safetensors {field:model}; '" + shown +
              "' is not a .safetensors file");
    }
  }
  if (is_model_path(spec)) {
    ModelPathOptions o;
    o.hf = options;
    o.config_path = std::string(config_path);
    return {load_model_path(spec, o), spec};
  }
  if (auto m = load_catalog_model(spec, options)) {
    std::string name = m->name;
    return {std::move(*m), name};
  }
  if (spec.find('/') != std::string::npos && spec.front() != '/' && spec.front() != '.') {
    return {load_from_hub(spec, options), spec};
  }
  throw InputError::field("model", shown, catalog_model_names(),
                          "{field} '" + shown + "' is not an existing path, a catalog name (" +
                              catalog_model_names() + ") or a Hugging Face id org/name" +
                              did_you_mean(spec, catalog_model_list()));
}

}  // namespace llmem::request
