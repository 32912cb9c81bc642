// MODEL resolution (SPEC §1): an existing path, then a catalog name, then a Hub id.
#pragma once

#include <string>

#include "llmem/hf_config.h"
#include "llmem/model_description.h"

namespace llmem::cli {

ModelDescription resolve_model(const std::string& spec, const HfConfigOptions& options);

}  // namespace llmem::cli
