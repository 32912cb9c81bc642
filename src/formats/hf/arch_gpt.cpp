// The GPT-2 / GPT-NeoX / GPT-BigCode / GPT-J / OPT / BLOOM families: LayerNorm with bias, biased
// projections, learned or ALiBi positions. Names and shapes follow transformers
// (docs/architectures.md):
// - gpt2:     models/gpt2/modeling_gpt2.py (Conv1D weights stored [in, out], as HF keeps them)
// - gpt_neox: models/gpt_neox/modeling_gpt_neox.py
// - opt:      models/opt/modeling_opt.py (embed_positions carries 2 offset rows)
// - bloom:    models/bloom/modeling_bloom.py
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

std::string layer_prefix(const std::string& stack, int32_t i) {
  return stack + "." + std::to_string(i);
}

// hidden / heads must be whole; `heads_key` names the key the config actually used.
int32_t whole_head_dim(const ConfigView& c, int64_t hidden, int64_t heads,
                       std::string_view heads_key, std::string_view hidden_key) {
  if (hidden % heads != 0) {
    c.fail(heads_key, "is " + std::to_string(heads) + " but must divide " +
                          std::string(hidden_key) + "=" + std::to_string(hidden));
  }
  return static_cast<int32_t>(hidden / heads);
}

// Reads the first present spelling and remembers which one it was, for messages.
struct KeyedInt {
  int64_t value = 0;
  std::string_view key;
};

KeyedInt require_keyed(const ConfigView& c, std::initializer_list<std::string_view> keys,
                       int64_t min, int64_t max) {
  for (auto k : keys) {
    if (c.has(k)) return {c.require_int(k, min, max), k};
  }
  return {c.require_int_any(keys, min, max), *keys.begin()};
}

// Multi-head attention (K/V heads = query heads), tied embeddings unless the config says
// otherwise: the common fields of GPT-2, OPT and BLOOM, recorded in the description.
DecoderParams mha_params(const ConfigView& c, ModelDescription& m, int64_t hidden, int64_t layers,
                         int64_t heads, int32_t head_dim, int64_t intermediate, int64_t vocab,
                         int64_t max_positions) {
  DecoderParams p;
  p.hidden = hidden;
  p.layers = layers;
  p.heads = static_cast<int32_t>(heads);
  p.kv_heads = p.heads;
  p.head_dim = head_dim;
  p.intermediate = intermediate;
  p.vocab = vocab;
  p.max_positions = max_positions;
  p.tied = c.get_bool("tie_word_embeddings", true);
  set_common(m, p);
  return p;
}

}  // namespace

// GPT2LMHeadModel: transformer.{wte, wpe, h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
// mlp.c_proj}, ln_f}; lm_head tied to wte. Conv1D keeps weight [in, out].
void build_gpt2(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  KeyedInt hidden = require_keyed(c, {"n_embd", "hidden_size"}, 1, k_max_hidden);
  KeyedInt layers = require_keyed(c, {"n_layer", "num_hidden_layers"}, 1, k_max_layers);
  KeyedInt heads = require_keyed(c, {"n_head", "num_attention_heads"}, 1, k_max_heads);
  int64_t positions =
      require_keyed(c, {"n_positions", "max_position_embeddings"}, 1, k_max_positions).value;
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  // GPT2Config: n_inner None means 4 * n_embd.
  int64_t inner =
      c.get_int("n_inner", dim_mul(int64_t{4}, hidden.value, "n_inner"), 1, k_max_intermediate);
  int32_t head_dim = whole_head_dim(c, hidden.value, heads.value, heads.key, hidden.key);

  DecoderParams p =
      mha_params(c, m, hidden.value, layers.value, heads.value, head_dim, inner, vocab, positions);

  const int64_t h = p.hidden;
  TensorAdder t(m);
  t.add("transformer.wte.weight", {vocab, h}, TensorRole::embedding, TpSplit::vocab);
  t.add("transformer.wpe.weight", {positions, h}, TensorRole::position_embedding,
        TpSplit::replicated);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("transformer.h", i);
    t.norm(prefix + ".ln_1", h, true, i);
    int64_t qkv = dim_mul(int64_t{3}, h, "c_attn size");
    t.add(prefix + ".attn.c_attn.weight", {h, qkv}, TensorRole::qkv, TpSplit::column, i);
    t.bias(prefix + ".attn.c_attn.bias", {qkv}, TensorRole::qkv, TpSplit::column, i);
    t.add(prefix + ".attn.c_proj.weight", {h, h}, TensorRole::o, TpSplit::row, i);
    t.bias(prefix + ".attn.c_proj.bias", {h}, TensorRole::o, TpSplit::replicated, i);
    t.norm(prefix + ".ln_2", h, true, i);
    t.add(prefix + ".mlp.c_fc.weight", {h, inner}, TensorRole::up, TpSplit::column, i);
    t.bias(prefix + ".mlp.c_fc.bias", {inner}, TensorRole::up, TpSplit::column, i);
    t.add(prefix + ".mlp.c_proj.weight", {inner, h}, TensorRole::down, TpSplit::row, i);
    t.bias(prefix + ".mlp.c_proj.bias", {h}, TensorRole::down, TpSplit::replicated, i);
    m.layers.push_back(attention_layer(p.heads, p.heads, head_dim, head_dim));
  }
  t.norm("transformer.ln_f", h, true, -1);
  if (!p.tied) t.add("lm_head.weight", {vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

// GPTNeoXForCausalLM: gpt_neox.{embed_in, layers.N.{input_layernorm, post_attention_layernorm,
// attention.query_key_value, attention.dense, mlp.dense_h_to_4h, mlp.dense_4h_to_h},
// final_layer_norm}, embed_out. Rotary (rotary_pct) and use_parallel_residual add no weights.
void build_gpt_neox(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  bool attention_bias = c.get_bool("attention_bias", true);  // GPTNeoXConfig default
  const int64_t h = p.hidden;
  int64_t qkv = dim_mul(int64_t{3}, dim_mul(int64_t{p.heads}, int64_t{p.head_dim}, "qkv"),
                        "query_key_value size");
  int64_t attn_out = dim_mul(int64_t{p.heads}, int64_t{p.head_dim}, "dense size");

  TensorAdder t(m);
  t.add("gpt_neox.embed_in.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("gpt_neox.layers", i);
    t.norm(prefix + ".input_layernorm", h, true, i);
    t.norm(prefix + ".post_attention_layernorm", h, true, i);
    t.linear(prefix + ".attention.query_key_value", h, qkv, attention_bias, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(prefix + ".attention.dense", attn_out, h, attention_bias, TensorRole::o, TpSplit::row,
             i);
    t.linear(prefix + ".mlp.dense_h_to_4h", h, p.intermediate, true, TensorRole::up,
             TpSplit::column, i);
    t.linear(prefix + ".mlp.dense_4h_to_h", p.intermediate, h, true, TensorRole::down, TpSplit::row,
             i);
    m.layers.push_back(attention_layer(p.heads, p.heads, p.head_dim, p.head_dim));
  }
  t.norm("gpt_neox.final_layer_norm", h, true, -1);
  if (ctx.type == "gpt_neox_reward_model") {
    // OpenAssistant's GPTNeoXRewardModel (model_training/models/reward_model.py): the NeoX stack
    // and a scalar score head out_proj = nn.Linear(hidden_size, 1); no LM head.
    t.linear("out_proj", h, 1, true, TensorRole::lm_head, TpSplit::replicated);
    return;
  }
  if (!p.tied) t.add("embed_out.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

// GPTBigCodeForCausalLM (models/gpt_bigcode/modeling_gpt_bigcode.py): transformer.{wte, wpe,
// h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}, ln_f}, lm_head tied. Unlike
// GPT-2 these are nn.Linear ([out, in]); multi_query (default true) makes c_attn
// [n_embd + 2·head_dim, n_embd]: one K/V head.
void build_gpt_bigcode(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  KeyedInt hidden = require_keyed(c, {"n_embd", "hidden_size"}, 1, k_max_hidden);
  KeyedInt layers = require_keyed(c, {"n_layer", "num_hidden_layers"}, 1, k_max_layers);
  KeyedInt heads = require_keyed(c, {"n_head", "num_attention_heads"}, 1, k_max_heads);
  int64_t positions =
      require_keyed(c, {"n_positions", "max_position_embeddings"}, 1, k_max_positions).value;
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  int64_t inner =
      c.get_int("n_inner", dim_mul(int64_t{4}, hidden.value, "n_inner"), 1, k_max_intermediate);
  int32_t head_dim = whole_head_dim(c, hidden.value, heads.value, heads.key, hidden.key);
  const bool mqa = c.get_bool("multi_query", true);
  DecoderParams p =
      mha_params(c, m, hidden.value, layers.value, heads.value, head_dim, inner, vocab, positions);
  if (mqa) m.num_kv_heads = 1;
  const int64_t h = p.hidden;
  const int64_t qkv = mqa ? dim_add(h, dim_mul(2, head_dim, "c_attn size"), "c_attn size")
                          : dim_mul(3, h, "c_attn size");
  TensorAdder t(m);
  t.add("transformer.wte.weight", {vocab, h}, TensorRole::embedding, TpSplit::vocab);
  t.add("transformer.wpe.weight", {positions, h}, TensorRole::position_embedding,
        TpSplit::replicated);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("transformer.h", i);
    t.norm(prefix + ".ln_1", h, true, i);
    t.linear(prefix + ".attn.c_attn", h, qkv, true, TensorRole::qkv, TpSplit::column, i);
    t.linear(prefix + ".attn.c_proj", h, h, true, TensorRole::o, TpSplit::row, i);
    t.norm(prefix + ".ln_2", h, true, i);
    t.linear(prefix + ".mlp.c_fc", h, inner, true, TensorRole::up, TpSplit::column, i);
    t.linear(prefix + ".mlp.c_proj", inner, h, true, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, mqa ? 1 : p.heads, head_dim, head_dim));
  }
  t.norm("transformer.ln_f", h, true, -1);
  if (!p.tied) t.add("lm_head.weight", {vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

// GPTJForCausalLM (models/gptj/modeling_gptj.py): transformer.{wte, h.N.{ln_1,
// attn.{q,k,v,out}_proj (no bias), mlp.fc_in, mlp.fc_out (biased)}, ln_f}; lm_head with a bias,
// untied (GPTJConfig). Attention and MLP run in parallel on ln_1; rotary_dim adds no weights.
// .bin checkpoints also hold the attn.bias / attn.masked_bias buffers (not parameters).
void build_gptj(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  KeyedInt hidden = require_keyed(c, {"n_embd", "hidden_size"}, 1, k_max_hidden);
  KeyedInt layers = require_keyed(c, {"n_layer", "num_hidden_layers"}, 1, k_max_layers);
  KeyedInt heads = require_keyed(c, {"n_head", "num_attention_heads"}, 1, k_max_heads);
  int64_t positions =
      require_keyed(c, {"n_positions", "max_position_embeddings"}, 1, k_max_positions).value;
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  int64_t inner =
      c.get_int("n_inner", dim_mul(int64_t{4}, hidden.value, "n_inner"), 1, k_max_intermediate);
  int32_t head_dim = whole_head_dim(c, hidden.value, heads.value, heads.key, hidden.key);
  DecoderParams p =
      mha_params(c, m, hidden.value, layers.value, heads.value, head_dim, inner, vocab, positions);
  p.tied = c.get_bool("tie_word_embeddings", false);
  m.tied_embeddings = p.tied;
  const int64_t h = p.hidden;
  TensorAdder t(m);
  t.add("transformer.wte.weight", {vocab, h}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) t.linear("lm_head", h, vocab, true, TensorRole::lm_head, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("transformer.h", i);
    t.norm(prefix + ".ln_1", h, true, i);
    t.linear(prefix + ".attn.q_proj", h, h, false, TensorRole::q, TpSplit::column, i);
    t.linear(prefix + ".attn.k_proj", h, h, false, TensorRole::k, TpSplit::kv_heads, i);
    t.linear(prefix + ".attn.v_proj", h, h, false, TensorRole::v, TpSplit::kv_heads, i);
    t.linear(prefix + ".attn.out_proj", h, h, false, TensorRole::o, TpSplit::row, i);
    t.linear(prefix + ".mlp.fc_in", h, inner, true, TensorRole::up, TpSplit::column, i);
    t.linear(prefix + ".mlp.fc_out", inner, h, true, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.heads, head_dim, head_dim));
  }
  t.norm("transformer.ln_f", h, true, -1);
}

// OPTForCausalLM: model.decoder.{embed_tokens [vocab, word_embed_proj_dim], embed_positions
// [max_positions + 2, hidden], project_in/project_out (when word_embed_proj_dim != hidden),
// final_layer_norm (pre-LN models only), layers.N.{self_attn.{q,k,v,out}_proj,
// self_attn_layer_norm, fc1, fc2, final_layer_norm}}; lm_head [vocab, word_embed_proj_dim] tied.
void build_opt(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  int64_t h = c.require_int("hidden_size", 1, k_max_hidden);
  int64_t layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  int64_t heads = c.require_int("num_attention_heads", 1, k_max_heads);
  int64_t ffn = c.require_int("ffn_dim", 1, k_max_intermediate);
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  int64_t positions = c.get_int("max_position_embeddings", 2048, 1, k_max_positions);
  int64_t proj_dim = c.get_int("word_embed_proj_dim", h, 1, k_max_hidden);
  bool pre_norm = c.get_bool("do_layer_norm_before", true);
  bool remove_final = c.get_bool("_remove_final_layer_norm", false);
  bool bias = c.get_bool("enable_bias", true);
  bool affine = c.get_bool("layer_norm_elementwise_affine", true);
  int32_t head_dim = whole_head_dim(c, h, heads, "num_attention_heads", "hidden_size");

  DecoderParams p = mha_params(c, m, h, layers, heads, head_dim, ffn, vocab, positions);

  TensorAdder t(m);
  auto layer_norm = [&](const std::string& prefix, int32_t layer) {
    if (affine) t.norm(prefix, h, true, layer);
  };
  t.add("model.decoder.embed_tokens.weight", {vocab, proj_dim}, TensorRole::embedding,
        TpSplit::vocab);
  // OPTLearnedPositionalEmbedding: num_embeddings + offset, offset = 2 (fairseq's padding rows).
  t.add("model.decoder.embed_positions.weight",
        {dim_add(positions, int64_t{2}, "embed_positions rows"), h}, TensorRole::position_embedding,
        TpSplit::replicated);
  if (proj_dim != h) {
    t.linear("model.decoder.project_out", h, proj_dim, false, TensorRole::other,
             TpSplit::replicated, -1);
    t.linear("model.decoder.project_in", proj_dim, h, false, TensorRole::other, TpSplit::replicated,
             -1);
  }
  if (pre_norm && !remove_final) layer_norm("model.decoder.final_layer_norm", -1);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("model.decoder.layers", i);
    t.linear(prefix + ".self_attn.k_proj", h, h, bias, TensorRole::k, TpSplit::kv_heads, i);
    t.linear(prefix + ".self_attn.v_proj", h, h, bias, TensorRole::v, TpSplit::kv_heads, i);
    t.linear(prefix + ".self_attn.q_proj", h, h, bias, TensorRole::q, TpSplit::column, i);
    t.linear(prefix + ".self_attn.out_proj", h, h, bias, TensorRole::o, TpSplit::row, i);
    layer_norm(prefix + ".self_attn_layer_norm", i);
    t.linear(prefix + ".fc1", h, ffn, bias, TensorRole::up, TpSplit::column, i);
    t.linear(prefix + ".fc2", ffn, h, bias, TensorRole::down, TpSplit::row, i);
    layer_norm(prefix + ".final_layer_norm", i);
    m.layers.push_back(attention_layer(p.heads, p.heads, head_dim, head_dim));
  }
  if (!p.tied) t.add("lm_head.weight", {vocab, proj_dim}, TensorRole::lm_head, TpSplit::vocab);
}

// BloomForCausalLM: transformer.{word_embeddings, word_embeddings_layernorm,
// h.N.{input_layernorm, self_attention.query_key_value, self_attention.dense,
// post_attention_layernorm, mlp.dense_h_to_4h, mlp.dense_4h_to_h}, ln_f}; lm_head tied.
// ALiBi positions: no position weights and no trained length limit.
void build_bloom(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  KeyedInt hidden = require_keyed(c, {"hidden_size", "n_embed"}, 1, k_max_hidden);
  KeyedInt layers = require_keyed(c, {"n_layer", "num_hidden_layers"}, 1, k_max_layers);
  KeyedInt heads = require_keyed(c, {"n_head", "num_attention_heads"}, 1, k_max_heads);
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  int32_t head_dim = whole_head_dim(c, hidden.value, heads.value, heads.key, hidden.key);
  const int64_t h = hidden.value;

  DecoderParams p = mha_params(c, m, h, layers.value, heads.value, head_dim,
                               dim_mul(int64_t{4}, h, "dense_h_to_4h size"),  // BloomMLP: 4 * h
                               vocab, c.get_int("max_position_embeddings", 0, 0, k_max_positions));
  int64_t qkv = dim_mul(int64_t{3}, h, "query_key_value size");

  TensorAdder t(m);
  t.add("transformer.word_embeddings.weight", {vocab, h}, TensorRole::embedding, TpSplit::vocab);
  t.norm("transformer.word_embeddings_layernorm", h, true, -1);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix("transformer.h", i);
    t.norm(prefix + ".input_layernorm", h, true, i);
    t.linear(prefix + ".self_attention.query_key_value", h, qkv, true, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(prefix + ".self_attention.dense", h, h, true, TensorRole::o, TpSplit::row, i);
    t.norm(prefix + ".post_attention_layernorm", h, true, i);
    t.linear(prefix + ".mlp.dense_h_to_4h", h, p.intermediate, true, TensorRole::up,
             TpSplit::column, i);
    t.linear(prefix + ".mlp.dense_4h_to_h", p.intermediate, h, true, TensorRole::down, TpSplit::row,
             i);
    m.layers.push_back(attention_layer(p.heads, p.heads, head_dim, head_dim));
  }
  t.norm("transformer.ln_f", h, true, -1);
  if (!p.tied) t.add("lm_head.weight", {vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

}  // namespace llmem::hf
