// Building a ModelDescription from a Hugging Face config.json.
//
// Accepted: the model_types listed by supported_model_types() (every spelling configs carry:
// aliases, `_text` variants), a multimodal wrapper's text_config/vision_config, and a config with
// no top-level model_type whose lone text_config/llm_config/language_config has a supported one.
// A model_type with no builder is refused (InputError naming it and the supported ones): it is
// never estimated as another architecture. The `architecture` option reads the config as one of
// the supported types instead, and a note says so; load_hf_model() (llmem/formats/checkpoint.h)
// reads a config of any type together with its stored tensors. Infinity/NaN tokens and duplicate
// keys are handled as Python's json module handles them (see src/formats/json/json_text.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/model_description.h"

namespace llmem {

struct HfConfigOptions {
  std::string name;          // model name for output; defaults to the source
  std::string source;        // where the text came from, used in messages ("config.json")
  // The command line's --include-mtp until the request layer sets InferenceOptions::include_mtp:
  // sets ModelDescription::mtp_requested. The MTP layers are described either way.
  bool include_mtp = false;
  std::string architecture;  // architecture: read the config as this model_type ("" = its own)
  // The caller reads the checkpoint's tensors afterwards (reconcile): a quantization_config
  // llmem does not model is then left to the stored bytes instead of refused.
  bool tensors_follow = false;
  // The text of an AutoGPTQ quantize_config.json beside config.json ("" when there is none): used
  // when config.json itself has no quantization_config (AutoGPTQ-era uploads).
  std::string quantize_config_json;
};

// The largest config.json accepted (real configs are < 100 KB).
inline constexpr size_t k_max_config_json_bytes = size_t{16} << 20;

// Parses config.json text. Throws FormatError (malformed JSON) or InputError (bad values).
ModelDescription load_hf_config(std::string_view json_text, const HfConfigOptions& options);

// The model_type values with a builder.
const std::vector<std::string>& supported_model_types();
bool is_supported_model_type(std::string_view model_type);

}  // namespace llmem
