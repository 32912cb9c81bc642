#include "cli/resolve.h"

#include <filesystem>

#include "llmem/catalog.h"
#include "llmem/error.h"
#include "llmem/gguf.h"
#include "llmem/hub.h"

namespace llmem::cli {

ModelDescription resolve_model(const std::string& spec, const HfConfigOptions& options) {
  std::error_code ec;
  if (spec.empty())
    throw InputError(
        "MODEL is missing: give a path, a catalog name (see llmem models) or org/name");
  if (std::filesystem::exists(spec, ec)) {
    if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".gguf") {
      ModelDescription m = gguf_to_model_description(read_gguf_model(spec));
      m.name = std::filesystem::path(spec).stem().string();
      m.source = spec;
      return m;
    }
    return load_hf_config_file(spec, options);
  }
  if (auto m = load_catalog_model(spec, options)) return std::move(*m);
  if (spec.find('/') != std::string::npos && spec.front() != '/' && spec.front() != '.') {
    HubId id = parse_hub_id(spec);
    HubOptions hub = hub_options_from_env();
    HfConfigOptions o = options;
    if (o.name.empty()) o.name = id.repo();
    o.source = id.display() + "/config.json";
    ModelDescription m = load_hf_config(load_hub_config_text(id, hub), o);
    m.source = id.display();
    return m;
  }
  throw InputError("MODEL '" + spec + "' is not an existing path, a catalog name (" +
                   catalog_model_names() + ") or a Hugging Face id org/name");
}

}  // namespace llmem::cli
