// Building a ModelDescription from a Hugging Face config.json.
//
// Accepted: the model_types listed by supported_model_types(), with a multimodal wrapper's
// text_config/vision_config; an unknown model_type with the standard decoder keys
// (hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, vocab_size) gets the
// generic Llama-shaped decoder and a note. Infinity/NaN tokens and duplicate keys are handled as
// Python's json module handles them (see src/formats/json/json_text.h).
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
  bool include_mtp = false;  // count DeepSeek-V3's multi-token-prediction layer(s)
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

// The model_type values with a dedicated builder.
const std::vector<std::string>& supported_model_types();

}  // namespace llmem
