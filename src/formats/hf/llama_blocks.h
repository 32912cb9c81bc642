// The standard pieces of a Llama-style decoder in Llama naming ("model.layers.N.self_attn.q_proj"
// …), which most decoder families reuse.
#pragma once

#include <cstdint>
#include <string>

#include "formats/hf/decoder_params.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

void add_llama_attention(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t heads,
                         int64_t kv_heads, int64_t head_dim, bool qkv_bias, bool o_bias,
                         const Place& at);
// The attention half of a Llama-style decoder layer: input_layernorm, self_attn.{q,k,v,o}_proj,
// optional per-head q_norm/k_norm (Qwen3, Gemma 3), post_attention_layernorm.
void add_llama_attention_block(TensorAdder& t, const std::string& layer_prefix,
                               const DecoderParams& p, bool qkv_bias, bool o_bias, bool qk_norm,
                               const Place& at);
// gate_proj, up_proj, down_proj (SwiGLU), placed `at`.
void add_gated_mlp(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t inter,
                   bool bias, const Place& at);

// An attention LayerSpec for a standard layer.
LayerSpec attention_layer(int32_t heads, int32_t kv_heads, int32_t head_dim_k, int32_t head_dim_v,
                          int64_t window_tokens = 0);

// Embedding (and lm_head unless tied) in Llama naming.
void add_llama_embeddings(TensorAdder& t, const DecoderParams& p);

}  // namespace llmem::hf
