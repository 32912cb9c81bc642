// Building a ModelDescription from a Hugging Face config.json.
//
// Accepted: the model_types listed by supported_model_types(), with a multimodal wrapper's
// text_config/vision_config; an unknown model_type with the standard decoder keys
// (hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, vocab_size) gets the
// generic Llama-shaped decoder and a note. Infinity/NaN tokens and duplicate keys are handled as
// Python's json module handles them (see src/formats/json_text.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llmem/model_description.h"

namespace llmem {

struct HfConfigOptions {
  std::string name;          // model name for output; defaults to the source
  std::string source;        // where the text came from, used in messages ("config.json")
  bool include_mtp = false;  // count DeepSeek-V3's multi-token-prediction layer(s)
};

// Parses config.json text. Throws FormatError (malformed JSON) or InputError (bad values).
ModelDescription load_hf_config(std::string_view json_text, const HfConfigOptions& options);

// Reads and parses a config.json file, or the config.json inside a folder.
ModelDescription load_hf_config_file(const std::string& path, HfConfigOptions options = {});

// The model_type values with a dedicated builder.
const std::vector<std::string>& supported_model_types();

}  // namespace llmem
