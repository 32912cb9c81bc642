// Falcon in both config styles (docs/architectures.md):
// - model_type "falcon" (transformers models/falcon/configuration_falcon.py, modeling_falcon.py):
//   num_attention_heads, num_kv_heads, num_hidden_layers, new_decoder_architecture (default
//   false), multi_query (default true), parallel_attn (default true), bias (default false),
//   alibi, ffn_hidden_size (default 4 * hidden), num_ln_in_parallel_attn;
// - the remote-code RW configs: "RefinedWebModel" (Falcon-7B: multi_query, one input_layernorm)
//   and "RefinedWeb" (Falcon-40B: n_head_kv grouped K/V with ln_attn and ln_mlp, which is what
//   transformers later called new_decoder_architecture), with keys n_head, n_head_kv, n_layer.
// Per layer: transformer.h.N.{ln_attn, ln_mlp | input_layernorm [, post_attention_layernorm]},
// self_attention.{query_key_value, dense}, mlp.{dense_h_to_4h, dense_4h_to_h}; then
// transformer.{word_embeddings, ln_f} and lm_head (tied unless tie_word_embeddings is false).
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

void build_falcon(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  const bool rw_40b = ctx.type == "RefinedWeb";
  int64_t h = c.require_int_any({"hidden_size", "n_embed"}, 1, k_max_hidden);
  int64_t layers = c.require_int_any({"num_hidden_layers", "n_layer"}, 1, k_max_layers);
  std::string_view heads_key = c.has("num_attention_heads") ? "num_attention_heads" : "n_head";
  int64_t heads = c.require_int_any({"num_attention_heads", "n_head"}, 1, k_max_heads);
  std::string_view kv_key = c.has("num_kv_heads") ? "num_kv_heads" : "n_head_kv";
  int64_t kv_given = c.opt_int_any({"num_kv_heads", "n_head_kv"}, 1, k_max_heads).value_or(heads);
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  bool new_arch = c.get_bool("new_decoder_architecture", rw_40b);
  bool multi_query = c.get_bool("multi_query", true);
  bool parallel = c.get_bool("parallel_attn", true);
  bool bias = c.get_bool("bias", false);
  int64_t ffn =
      c.get_int("ffn_hidden_size", dim_mul(4, h, "ffn_hidden_size"), 1, k_max_intermediate);
  int64_t lns = c.get_int("num_ln_in_parallel_attn", new_arch ? 2 : 1, 1, 2);
  if (h % heads != 0) {
    c.fail(heads_key,
           "is " + std::to_string(heads) + " but must divide hidden_size=" + std::to_string(h));
  }
  const int64_t head_dim = h / heads;

  // FalconAttention: grouped K/V only with the new decoder architecture (or plain MHA);
  // multi_query means one K/V head.
  int64_t kv_heads = heads;
  int64_t qkv = dim_mul(3, h, "query_key_value size");
  if (new_arch) {
    check_gqa(c, heads, kv_given, heads_key, kv_key);
    kv_heads = kv_given;
    qkv = dim_mul(dim_add(dim_mul(2, kv_heads, "qkv heads"), heads, "qkv heads"), head_dim,
                  "query_key_value size");
  } else if (multi_query) {
    kv_heads = 1;
    qkv = dim_add(h, dim_mul(2, head_dim, "qkv size"), "query_key_value size");
  }

  DecoderParams p;
  p.hidden = h;
  p.layers = layers;
  p.heads = static_cast<int32_t>(heads);
  p.kv_heads = static_cast<int32_t>(kv_heads);
  p.head_dim = static_cast<int32_t>(head_dim);
  p.intermediate = ffn;
  p.vocab = vocab;
  p.max_positions = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", true);
  set_common(m, p);
  if (c.get_bool("alibi", false)) {
    m.notes.push_back("falcon with alibi: positions come from ALiBi biases, no rotary weights");
  }

  m.gguf_falcon_rules = true;  // llama.cpp quantises LLM_ARCH_FALCON by its own rules
  TensorAdder t(m);
  t.add("transformer.word_embeddings.weight", {vocab, h}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = "transformer.h." + std::to_string(i);
    if (!parallel) {
      t.norm(prefix + ".input_layernorm", h, true, i);
      t.norm(prefix + ".post_attention_layernorm", h, true, i);
    } else if (lns == 2) {
      t.norm(prefix + ".ln_attn", h, true, i);
      t.norm(prefix + ".ln_mlp", h, true, i);
    } else {
      t.norm(prefix + ".input_layernorm", h, true, i);
    }
    t.linear(prefix + ".self_attention.query_key_value", h, qkv, bias, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(prefix + ".self_attention.dense", h, h, bias, TensorRole::o, TpSplit::row, i);
    t.linear(prefix + ".mlp.dense_h_to_4h", h, ffn, bias, TensorRole::up, TpSplit::column, i);
    t.linear(prefix + ".mlp.dense_4h_to_h", ffn, h, bias, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim));
  }
  t.norm("transformer.ln_f", h, true, -1);
  if (!p.tied) t.add("lm_head.weight", {vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

}  // namespace llmem::hf
