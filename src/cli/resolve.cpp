#include "cli/resolve.h"

#include <filesystem>

#include "llmem/common/error.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/formats/safetensors.h"
#include "llmem/sources/catalog.h"
#include "llmem/sources/hub.h"
#include "llmem/sources/model_source.h"

namespace llmem::cli {

ModelDescription resolve_model(const std::string& spec, const HfConfigOptions& options,
                               const std::string& config_path) {
  if (spec.empty())
    throw InputError(
        "MODEL is missing: give a path, a catalog name (see llmem models) or org/name");
  if (!config_path.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config_path, ec)) {
      throw InputError("--config " + config_path + ": no such file");
    }
    if (spec.size() < 12 || spec.substr(spec.size() - 12) != ".safetensors") {
      throw InputError("--config gives the architecture of a lone .safetensors MODEL; '" + spec +
                       "' is not a .safetensors file");
    }
  }
  if (is_model_path(spec)) {
    ModelPathOptions o;
    o.hf = options;
    o.config_path = config_path;
    return load_model_path(spec, o);
  }
  if (auto m = load_catalog_model(spec, options)) return std::move(*m);
  if (spec.find('/') != std::string::npos && spec.front() != '/' && spec.front() != '.') {
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
    m.notes.push_back("used config.json + " + std::to_string(shards.size()) +
                      " safetensors header" + (shards.size() == 1 ? "" : "s") +
                      " from the Hub (headers only, by range requests)");
    return m;
  }
  throw InputError("MODEL '" + spec + "' is not an existing path, a catalog name (" +
                   catalog_model_names() + ") or a Hugging Face id org/name");
}

}  // namespace llmem::cli
