// Reading config.json's quantization_config into a WeightFormat and applying it to the tensors.
// A quant_method that is not modelled is refused (InputError, exit 2) unless the checkpoint's
// tensors will be read (`tensors_follow`): then the stored bytes decide and a note says so.
#pragma once

#include <string>

#include "llmem/core/model_description.h"

namespace llmem {

// Uses m.quantization_config_json (set by the loader); `source` names the file in messages.
void apply_checkpoint_quantization(ModelDescription& m, const std::string& source,
                                   bool tensors_follow);

}  // namespace llmem
