// The longest context a model supports, derived from its config.json as vLLM derives the default
// max_model_len (vllm/config/model.py _get_and_verify_max_len and
// vllm/transformers_utils/model_arch_config_convertor.py derive_max_model_len_and_key, vLLM
// commit ffd91ee17a79): the smallest of max_position_embeddings, n_positions, max_seq_len,
// seq_length, max_target_positions, max_sequence_length, max_seq_length and seq_len
// (model_max_length, when given, wins), then times the rope scaling factor of rope_parameters /
// rope_scaling unless its type already includes it (su, longrope, llama3) or the model is a
// Gemma 3; a yarn factor multiplies original_max_position_embeddings.
#pragma once

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"

namespace llmem::hf {

// Sets m.context_limit and m.context_limit_basis from `text` (the text config), falling back to
// `top` for keys it lacks. Leaves them unset when no length key is present.
void read_context_limit(const ConfigView& text, const ConfigView& top, ModelDescription& m);

}  // namespace llmem::hf
