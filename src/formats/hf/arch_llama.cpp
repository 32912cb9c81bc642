// Llama-shaped decoders: llama, mistral, qwen2, qwen3, granite and the generic fallback.
// Layout per layer (transformers' modeling_llama.py LlamaDecoderLayer): input_layernorm,
// self_attn.{q,k,v,o}_proj (bias = attention_bias), post_attention_layernorm,
// mlp.{gate,up,down}_proj (bias = mlp_bias); then model.norm, embed_tokens and lm_head.
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

struct LlamaVariant {
  bool qkv_bias = false;  // bias on q/k/v only (Qwen2)
  bool qk_norm = false;   // per-head RMSNorm on q and k (Qwen3)
  bool tie_default = false;
};

void build_llama_like(const ConfigView& c, ModelDescription& m, const LlamaVariant& v) {
  DecoderParams p = read_decoder_params(c, v.tie_default);
  set_common(m, p);
  bool attention_bias = c.get_bool("attention_bias", false);
  bool mlp_bias = c.get_bool("mlp_bias", false);
  std::vector<int64_t> windows = read_layer_windows(c, p.layers);

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = "model.layers." + std::to_string(i);
    add_llama_attention_block(t, prefix, p, attention_bias || v.qkv_bias, attention_bias, v.qk_norm,
                              i);
    add_gated_mlp(t, prefix + ".mlp", p.hidden, p.intermediate, mlp_bias, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                       windows[static_cast<size_t>(i)]));
  }
  t.norm("model.norm", p.hidden, false, -1);
}

}  // namespace

void build_llama(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_llama_like(c, m, {});
}

void build_mistral(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_llama_like(c, m, {});
}

void build_qwen2(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_llama_like(c, m, {.qkv_bias = true});
}

void build_qwen3(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_llama_like(c, m, {.qk_norm = true});
}

void build_granite(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_llama_like(c, m, {});
}

void build_generic(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  m.notes.push_back("model_type '" + m.model_type +
                    "' has no dedicated builder: estimated as a Llama-shaped decoder from its "
                    "standard keys (hidden_size, num_hidden_layers, num_attention_heads, "
                    "intermediate_size, vocab_size); check the parameter count against the card");
  build_llama_like(c, m, {});
}

}  // namespace llmem::hf
