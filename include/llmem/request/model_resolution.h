// MODEL resolution (SPEC §1): an existing path, then a catalog name (case-insensitive), then a
// Hugging Face id org/name[@revision]. Shared by every command that takes a MODEL.
#pragma once

#include <string>
#include <string_view>

#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem::request {

struct ResolvedModel {
  ModelDescription model;
  // How the "settings" echo names it, so that feeding it back resolves the same model: a path
  // as given ("in/cfg.json"), the catalog's own name, the Hub id as given.
  std::string setting;
};

// `config_path` (--config) gives the architecture of a lone .safetensors file. Errors are
// InputError::field("model" or "config", …); an unknown name gets a "did you mean".
ResolvedModel resolve_model(std::string_view spec, const HfConfigOptions& options,
                            std::string_view config_path = "");

}  // namespace llmem::request
