// Reading config.json's quantization_config into a WeightFormat and applying it to the tensors.
// Formats not modelled yet keep the dense bytes and leave a note saying so.
#pragma once

#include <string>

#include "llmem/core/model_description.h"

namespace llmem {

// Uses m.quantization_config_json (set by the loader); `source` names the file in messages.
void apply_checkpoint_quantization(ModelDescription& m, const std::string& source);

}  // namespace llmem
