#include "formats/hf/llama_blocks.h"

#include "common/checked.h"

namespace llmem::hf {

void add_llama_attention(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t heads,
                         int64_t kv_heads, int64_t head_dim, bool qkv_bias, bool o_bias,
                         const Place& layer) {
  int64_t q = checked_mul(heads, head_dim, "q_proj size");
  int64_t kv = checked_mul(kv_heads, head_dim, "k_proj size");
  t.linear(prefix + ".q_proj", hidden, q, qkv_bias, TensorRole::q, TpSplit::column, layer);
  t.linear(prefix + ".k_proj", hidden, kv, qkv_bias, TensorRole::k, TpSplit::kv_heads, layer);
  t.linear(prefix + ".v_proj", hidden, kv, qkv_bias, TensorRole::v, TpSplit::kv_heads, layer);
  t.linear(prefix + ".o_proj", q, hidden, o_bias, TensorRole::o, TpSplit::row, layer);
}

void add_llama_attention_block(TensorAdder& t, const std::string& layer_prefix,
                               const DecoderParams& p, bool qkv_bias, bool o_bias, bool qk_norm,
                               const Place& layer) {
  t.norm(layer_prefix + ".input_layernorm", p.hidden, false, layer);
  add_llama_attention(t, layer_prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim,
                      qkv_bias, o_bias, layer);
  if (qk_norm) {
    t.norm(layer_prefix + ".self_attn.q_norm", p.head_dim, false, layer);
    t.norm(layer_prefix + ".self_attn.k_norm", p.head_dim, false, layer);
  }
  t.norm(layer_prefix + ".post_attention_layernorm", p.hidden, false, layer);
}

void add_gated_mlp(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t inter,
                   bool bias, const Place& at) {
  t.linear(prefix + ".gate_proj", hidden, inter, bias, TensorRole::gate, TpSplit::column, at);
  t.linear(prefix + ".up_proj", hidden, inter, bias, TensorRole::up, TpSplit::column, at);
  t.linear(prefix + ".down_proj", inter, hidden, bias, TensorRole::down, TpSplit::row, at);
}

LayerSpec attention_layer(int32_t heads, int32_t kv_heads, int32_t head_dim_k, int32_t head_dim_v,
                          int64_t window_tokens) {
  LayerSpec s;
  s.kind = LayerKind::attention;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim_k = head_dim_k;
  s.head_dim_v = head_dim_v;
  s.window_tokens = window_tokens;
  return s;
}

void add_llama_embeddings(TensorAdder& t, const DecoderParams& p) {
  t.add("model.embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) {
    t.add("lm_head.weight", {p.vocab, p.hidden}, TensorRole::lm_head, TpSplit::vocab);
  }
}

}  // namespace llmem::hf
