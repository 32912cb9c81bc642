// MODEL resolution (SPEC §1): an existing path, then a catalog name, then a Hub id.
#pragma once

#include <string>

#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem::cli {

// `config_path` (--config) gives the architecture of a lone .safetensors file.
ModelDescription resolve_model(const std::string& spec, const HfConfigOptions& options,
                               const std::string& config_path = "");

}  // namespace llmem::cli
