// Older decoders with names of their own, all from the model repos' remote code (the config's
// auto_map names it):
// - qwen (Qwen v1, Qwen/Qwen-7B modeling_qwen.py, Qwen-VL's visual.py): transformer.wte;
//   transformer.h.N.{ln_1, attn.c_attn [3·proj, h] + bias, attn.c_proj [h, proj] (bias unless
//   no_bias), ln_2, mlp.w1 / mlp.w2 [intermediate_size / 2, h], mlp.c_proj [h, intermediate_size
//   / 2]}; transformer.ln_f; lm_head. proj = kv_channels · num_attention_heads. QWenMLP builds
//   both halves at config.intermediate_size // 2: intermediate_size is the width of the two
//   halves together. Qwen-VL adds transformer.visual.* from the config's `visual` object.
//   dtype: the bf16/fp16/fp32 booleans; none set means bf16 (modeling_qwen.py autoset).
// - chatglm (THUDM/chatglm2-6b, chatglm3-6b, glm-4-9b-chat modeling_chatglm.py):
//   transformer.embedding.word_embeddings [padded_vocab_size, h]; transformer.rotary_pos_emb.
//   inv_freq [kv_channels / 4] (a persistent buffer, stored); transformer.encoder.layers.N.
//   {input_layernorm, self_attention.query_key_value [h + 2·groups·kv_channels, h] (bias:
//   add_qkv_bias or add_bias_linear), self_attention.dense [h, heads·kv_channels] (bias:
//   add_bias_linear), post_attention_layernorm, mlp.dense_h_to_4h [2·ffn_hidden_size, h],
//   mlp.dense_4h_to_h [h, ffn_hidden_size]}; transformer.encoder.final_layernorm (post_layer_norm);
//   transformer.output_layer. RMSNorm when rmsnorm (weight), else LayerNorm (weight + bias).
//   ChatGLM-6B v1 (no padded_vocab_size; inner_hidden_size): transformer.word_embeddings,
//   transformer.layers.N.{input_layernorm, attention.query_key_value, attention.dense,
//   attention.rotary_emb.inv_freq, post_attention_layernorm, mlp.dense_h_to_4h,
//   mlp.dense_4h_to_h} (LayerNorms and projections biased), transformer.final_layernorm, lm_head.
// - internlm2 (internlm/internlm2-chat-7b modeling_internlm2.py): model.tok_embeddings;
//   model.layers.N.{attention_norm, attention.wqkv [(heads + 2·kv_heads)·head_dim, h],
//   attention.wo (both biased when `bias`), ffn_norm, feed_forward.{w1, w3, w2}}; model.norm;
//   output.
// - exaone (EXAONE 3.x, LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct modeling_exaone.py): transformer.wte;
//   transformer.h.N.{ln_1, attn.attention.{q_proj, k_proj, v_proj, out_proj}, ln_2,
//   mlp.{c_fc_0, c_fc_1, c_proj}}; transformer.ln_f; lm_head. Keys: num_layers,
//   num_attention_heads, num_key_value_heads, intermediate_size; tie_word_embeddings defaults to
//   PretrainedConfig's true.
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

void vision_linear(TensorAdder& t, const std::string& name, int64_t in, int64_t out, bool bias) {
  t.linear(name, in, out, bias, TensorRole::vision, TpSplit::replicated, vision_tower());
}

void vision_layer_norm(TensorAdder& t, const std::string& prefix, int64_t dim) {
  t.add(prefix + ".weight", {dim}, TensorRole::vision, TpSplit::replicated, vision_tower());
  t.bias(prefix + ".bias", {dim}, TensorRole::vision, TpSplit::replicated, vision_tower());
}

// Qwen-VL's VisionTransformer (visual.py): conv1 patch embedding without bias, 256 learned
// positions, ln_pre, `layers` residual blocks (nn.MultiheadAttention's packed in_proj, a GELU MLP
// of int(width · mlp_ratio)), the Resampler attn_pool (256 queries over output_dim, kv_proj from
// width), ln_post and proj [output_dim, output_dim].
void add_qwen_vl_visual(const ConfigView& v, TensorAdder& t) {
  const int64_t width = v.require_int("width", 1, k_max_hidden);
  const int64_t layers = v.require_int("layers", 1, k_max_layers);
  const int64_t patch = v.require_int("patch_size", 1, 1 << 16);
  const int64_t out = v.require_int("output_dim", 1, k_max_hidden);
  const double ratio = v.get_double("mlp_ratio", 4.0);
  if (!(ratio > 0 && ratio < 1024)) v.fail("mlp_ratio", "must be a number in (0, 1024)");
  const auto mlp = static_cast<int64_t>(static_cast<double>(width) * ratio);
  constexpr int64_t k_queries = 256;  // Resampler(grid_size=16): 16 × 16 queries
  const std::string p = "transformer.visual";
  const Place vt = vision_tower();
  t.add(p + ".conv1.weight", {width, 3, patch, patch}, TensorRole::vision, TpSplit::replicated, vt);
  t.add(p + ".positional_embedding", {k_queries, width}, TensorRole::vision, TpSplit::replicated,
        vt);
  vision_layer_norm(t, p + ".ln_pre", width);
  for (int64_t i = 0; i < layers; ++i) {
    const std::string b = p + ".transformer.resblocks." + std::to_string(i);
    vision_layer_norm(t, b + ".ln_1", width);
    vision_linear(t, b + ".attn.in_proj", width, dim_mul(3, width, "in_proj size"), true);
    vision_linear(t, b + ".attn.out_proj", width, width, true);
    vision_layer_norm(t, b + ".ln_2", width);
    vision_linear(t, b + ".mlp.c_fc", width, mlp, true);
    vision_linear(t, b + ".mlp.c_proj", mlp, width, true);
  }
  const std::string a = p + ".attn_pool";
  t.add(a + ".query", {k_queries, out}, TensorRole::vision, TpSplit::replicated, vt);
  t.add(a + ".pos_embed", {k_queries, out}, TensorRole::vision, TpSplit::replicated, vt);
  vision_linear(t, a + ".kv_proj", width, out, false);
  t.add(a + ".attn.in_proj_weight", {dim_mul(3, out, "in_proj size"), out}, TensorRole::vision,
        TpSplit::replicated, vt);
  t.bias(a + ".attn.in_proj_bias", {dim_mul(3, out, "in_proj size")}, TensorRole::vision,
         TpSplit::replicated, vt);
  vision_linear(t, a + ".attn.out_proj", out, out, true);
  vision_layer_norm(t, a + ".ln_q", out);
  vision_layer_norm(t, a + ".ln_kv", out);
  vision_layer_norm(t, p + ".ln_post", out);
  t.add(p + ".proj", {out, out}, TensorRole::vision, TpSplit::replicated, vt);
}

}  // namespace

void build_qwen(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p;
  p.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  p.layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  p.heads = static_cast<int32_t>(c.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = p.heads;
  p.head_dim = static_cast<int32_t>(c.get_int("kv_channels", p.hidden / p.heads, 1, k_max_hidden));
  p.intermediate = c.require_int("intermediate_size", 2, k_max_intermediate);
  p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", false);
  set_common(m, p);
  const int64_t half = p.intermediate / 2;  // QWenMLP: config.intermediate_size // 2
  m.intermediate_size = half;
  const bool bias = !c.get_bool("no_bias", true);
  const int64_t h = p.hidden;
  const int64_t proj = dim_mul(p.heads, p.head_dim, "projection size");

  TensorAdder t(m);
  t.add("transformer.wte.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string b = "transformer.h." + std::to_string(i);
    t.norm(b + ".ln_1", h, false, i);
    t.linear(b + ".attn.c_attn", h, dim_mul(3, proj, "c_attn size"), true, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(b + ".attn.c_proj", proj, h, bias, TensorRole::o, TpSplit::row, i);
    t.norm(b + ".ln_2", h, false, i);
    t.linear(b + ".mlp.w1", h, half, bias, TensorRole::up, TpSplit::column, i);
    t.linear(b + ".mlp.w2", h, half, bias, TensorRole::gate, TpSplit::column, i);
    t.linear(b + ".mlp.c_proj", half, h, bias, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.heads, p.head_dim, p.head_dim));
  }
  t.norm("transformer.ln_f", h, false, -1);
  if (!p.tied) t.add("lm_head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
  if (c.has("visual")) add_qwen_vl_visual(c.sub("visual"), t);
}

void build_chatglm(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  const int64_t h = c.require_int("hidden_size", 1, k_max_hidden);
  const int64_t layers = c.require_int("num_layers", 1, k_max_layers);
  const int64_t heads = c.require_int("num_attention_heads", 1, k_max_heads);
  const bool v1 = !c.has("padded_vocab_size") && c.has("inner_hidden_size");
  DecoderParams p;
  p.hidden = h;
  p.layers = layers;
  p.heads = static_cast<int32_t>(heads);
  p.max_positions = c.get_int("seq_length", c.get_int("max_sequence_length", 0, 0, k_max_positions),
                              0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", false);
  TensorAdder t(m);
  if (v1) {
    // ChatGLM-6B: multi-head attention over hidden_size, LayerNorms, biased projections.
    p.kv_heads = p.heads;
    if (h % heads != 0) {
      c.fail("num_attention_heads",
             "is " + std::to_string(heads) + " but must divide hidden_size=" + std::to_string(h));
    }
    p.head_dim = static_cast<int32_t>(h / heads);
    p.intermediate = c.require_int("inner_hidden_size", 1, k_max_intermediate);
    p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
    set_common(m, p);
    t.add("transformer.word_embeddings.weight", {p.vocab, h}, TensorRole::embedding,
          TpSplit::vocab);
    for (int32_t i = 0; i < layers; ++i) {
      const std::string b = "transformer.layers." + std::to_string(i);
      t.norm(b + ".input_layernorm", h, true, i);
      t.linear(b + ".attention.query_key_value", h, dim_mul(3, h, "query_key_value size"), true,
               TensorRole::qkv, TpSplit::column, i);
      t.linear(b + ".attention.dense", h, h, true, TensorRole::o, TpSplit::row, i);
      // RotaryEmbedding(hidden_size // (heads · 2)) when position_encoding_2d: dim / 2 entries.
      const int64_t rot = c.get_bool("position_encoding_2d", true) ? p.head_dim / 2 : p.head_dim;
      t.add(b + ".attention.rotary_emb.inv_freq", {rot / 2}, TensorRole::other, TpSplit::replicated,
            i);
      t.norm(b + ".post_attention_layernorm", h, true, i);
      t.linear(b + ".mlp.dense_h_to_4h", h, p.intermediate, true, TensorRole::up, TpSplit::column,
               i);
      t.linear(b + ".mlp.dense_4h_to_h", p.intermediate, h, true, TensorRole::down, TpSplit::row,
               i);
      m.layers.push_back(attention_layer(p.heads, p.heads, p.head_dim, p.head_dim));
    }
    t.norm("transformer.final_layernorm", h, true, -1);
    t.add("lm_head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
    return;
  }
  const int64_t kv_channels = c.get_int("kv_channels", h / heads, 1, k_max_hidden);
  const bool mqa = c.get_bool("multi_query_attention", false);
  const int64_t groups = mqa ? c.require_int("multi_query_group_num", 1, heads) : heads;
  check_gqa(c, heads, groups, "num_attention_heads", "multi_query_group_num");
  p.kv_heads = static_cast<int32_t>(groups);
  p.head_dim = static_cast<int32_t>(kv_channels);
  p.intermediate = c.require_int("ffn_hidden_size", 1, k_max_intermediate);
  p.vocab = c.require_int("padded_vocab_size", 1, k_max_vocab);
  set_common(m, p);
  const bool linear_bias = c.get_bool("add_bias_linear", false);
  const bool qkv_bias = c.get_bool("add_qkv_bias", false) || linear_bias;
  const bool layer_norm = !c.get_bool("rmsnorm", true);
  const int64_t proj = dim_mul(heads, kv_channels, "projection size");
  const int64_t qkv = dim_add(proj, dim_mul(dim_mul(2, groups, "kv size"), kv_channels, "kv size"),
                              "query_key_value size");

  t.add("transformer.embedding.word_embeddings.weight", {p.vocab, h}, TensorRole::embedding,
        TpSplit::vocab);
  // RotaryEmbedding(rotary_dim // 2) with rotary_dim = kv_channels: inv_freq holds dim / 2.
  t.add("transformer.rotary_pos_emb.inv_freq", {kv_channels / 4}, TensorRole::other,
        TpSplit::replicated);
  for (int32_t i = 0; i < layers; ++i) {
    const std::string b = "transformer.encoder.layers." + std::to_string(i);
    t.norm(b + ".input_layernorm", h, layer_norm, i);
    t.linear(b + ".self_attention.query_key_value", h, qkv, qkv_bias, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(b + ".self_attention.dense", proj, h, linear_bias, TensorRole::o, TpSplit::row, i);
    t.norm(b + ".post_attention_layernorm", h, layer_norm, i);
    t.linear(b + ".mlp.dense_h_to_4h", h, dim_mul(2, p.intermediate, "dense_h_to_4h size"),
             linear_bias, TensorRole::gate_up, TpSplit::column, i);
    t.linear(b + ".mlp.dense_4h_to_h", p.intermediate, h, linear_bias, TensorRole::down,
             TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim));
  }
  if (c.get_bool("post_layer_norm", true)) {
    t.norm("transformer.encoder.final_layernorm", h, layer_norm, -1);
  }
  if (!p.tied) {
    t.add("transformer.output_layer.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
  }
}

void build_internlm2(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  const bool bias = c.get_bool("bias", true);
  const int64_t h = p.hidden;
  const int64_t q = dim_mul(p.heads, p.head_dim, "q size");
  const int64_t qkv =
      dim_add(q, dim_mul(dim_mul(2, p.kv_heads, "kv size"), p.head_dim, "kv size"), "wqkv size");
  TensorAdder t(m);
  t.add("model.tok_embeddings.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string b = "model.layers." + std::to_string(i);
    t.norm(b + ".attention_norm", h, false, i);
    t.linear(b + ".attention.wqkv", h, qkv, bias, TensorRole::qkv, TpSplit::column, i);
    t.linear(b + ".attention.wo", q, h, bias, TensorRole::o, TpSplit::row, i);
    t.norm(b + ".ffn_norm", h, false, i);
    t.linear(b + ".feed_forward.w1", h, p.intermediate, false, TensorRole::gate, TpSplit::column,
             i);
    t.linear(b + ".feed_forward.w3", h, p.intermediate, false, TensorRole::up, TpSplit::column, i);
    t.linear(b + ".feed_forward.w2", p.intermediate, h, false, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim));
  }
  t.norm("model.norm", h, false, -1);
  if (!p.tied) t.add("output.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

void build_exaone(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p;
  p.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  p.layers = c.require_int_any({"num_layers", "num_hidden_layers"}, 1, k_max_layers);
  p.heads = static_cast<int32_t>(c.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = static_cast<int32_t>(c.get_int("num_key_value_heads", p.heads, 1, p.heads));
  check_gqa(c, p.heads, p.kv_heads);
  if (p.hidden % p.heads != 0) {
    c.fail("num_attention_heads", "is " + std::to_string(p.heads) +
                                      " but must divide hidden_size=" + std::to_string(p.hidden));
  }
  p.head_dim = static_cast<int32_t>(c.get_int("head_dim", p.hidden / p.heads, 1, k_max_hidden));
  p.intermediate = c.require_int("intermediate_size", 1, k_max_intermediate);
  p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", true);
  set_common(m, p);
  const int64_t h = p.hidden;
  TensorAdder t(m);
  t.add("transformer.wte.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string b = "transformer.h." + std::to_string(i);
    t.norm(b + ".ln_1", h, false, i);
    const std::string a = b + ".attn.attention";
    const int64_t q = dim_mul(p.heads, p.head_dim, "q_proj size");
    const int64_t kv = dim_mul(p.kv_heads, p.head_dim, "k_proj size");
    t.linear(a + ".q_proj", h, q, false, TensorRole::q, TpSplit::column, i);
    t.linear(a + ".k_proj", h, kv, false, TensorRole::k, TpSplit::kv_heads, i);
    t.linear(a + ".v_proj", h, kv, false, TensorRole::v, TpSplit::kv_heads, i);
    t.linear(a + ".out_proj", q, h, false, TensorRole::o, TpSplit::row, i);
    t.norm(b + ".ln_2", h, false, i);
    t.linear(b + ".mlp.c_fc_0", h, p.intermediate, false, TensorRole::gate, TpSplit::column, i);
    t.linear(b + ".mlp.c_fc_1", h, p.intermediate, false, TensorRole::up, TpSplit::column, i);
    t.linear(b + ".mlp.c_proj", p.intermediate, h, false, TensorRole::down, TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim));
  }
  t.norm("transformer.ln_f", h, false, -1);
  if (!p.tied) t.add("lm_head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
}

}  // namespace llmem::hf
