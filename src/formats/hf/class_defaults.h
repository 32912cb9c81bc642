// Keys transformers fills from its config class when config.json omits them, and the routed
// expert counts of an MoE config.
#pragma once

#include <cstdint>
#include <string_view>

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"

namespace llmem::hf {

// A key transformers fills from its config class when config.json omits it (Gemma 3's sparse
// text_config relies on this): the class default is used and a note names the key and the class.
//   "config.json: text_config.num_attention_heads is absent; transformers' Gemma3TextConfig
//    default 8 is used"
int64_t int_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                             int64_t class_default, int64_t min, int64_t max,
                             std::string_view config_class);
bool bool_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                           bool class_default, std::string_view config_class);

// Routed-expert counts of an MoE config: `experts_key` (num_local_experts, num_experts …) in
// [1, k_max_experts] and `per_token_key` in [1, experts]. Both are required.
struct MoeCounts {
  int32_t experts = 0;
  int32_t per_token = 0;
};
MoeCounts read_moe_counts(const ConfigView& c, std::string_view experts_key,
                          std::string_view per_token_key = "num_experts_per_tok");

}  // namespace llmem::hf
