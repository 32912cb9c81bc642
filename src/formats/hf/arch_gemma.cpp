// Gemma decoders: gemma, gemma2, gemma3 (the multimodal wrapper) and gemma3_text.
// Per layer (transformers modeling_gemma*.py): input_layernorm, self_attn.{q,k,v,o}_proj (bias =
// attention_bias), post_attention_layernorm, mlp.{gate,up,down}_proj (GELU-gated, no bias).
// Gemma 2 adds pre_feedforward_layernorm and post_feedforward_layernorm; Gemma 3 adds per-head
// self_attn.q_norm and k_norm [head_dim]. Embeddings are tied by default (GemmaConfig,
// Gemma2Config, Gemma3TextConfig: tie_word_embeddings = true), and head_dim is its own key
// (default 256), not hidden/heads.
#include <string>
#include <vector>

#include "formats/hf/architectures.h"
#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/siglip_vision.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

struct GemmaLayout {
  bool ffw_norms = false;  // pre/post_feedforward_layernorm (Gemma 2, 3)
  bool qk_norm = false;    // self_attn.q_norm / k_norm (Gemma 3)
};

// Adds the decoder under `model_prefix` ("model" or "language_model.model") and the LM head.
void add_gemma_decoder(TensorAdder& t, ModelDescription& m, const DecoderParams& p,
                       bool attention_bias, const std::vector<int64_t>& windows,
                       const GemmaLayout& layout, const std::string& model_prefix,
                       const std::string& lm_head_name) {
  t.add(model_prefix + ".embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding,
        TpSplit::vocab);
  if (!p.tied) t.add(lm_head_name, {p.vocab, p.hidden}, TensorRole::lm_head, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = model_prefix + ".layers." + std::to_string(i);
    add_llama_attention_block(t, prefix, p, attention_bias, attention_bias, layout.qk_norm, i);
    if (layout.ffw_norms) t.norm(prefix + ".pre_feedforward_layernorm", p.hidden, false, i);
    add_gated_mlp(t, prefix + ".mlp", p.hidden, p.intermediate, false, i);
    if (layout.ffw_norms) t.norm(prefix + ".post_feedforward_layernorm", p.hidden, false, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                       windows[static_cast<size_t>(i)]));
  }
  t.norm(model_prefix + ".norm", p.hidden, false, -1);
}

// Gemma and Gemma 2 configs carry the standard keys; only head_dim falls back to the class
// default (256) with a note, because hidden/heads would be wrong for Gemma.
DecoderParams read_gemma_params(const ConfigView& c, ModelDescription& m,
                                std::string_view config_class) {
  DecoderParams p = read_decoder_params(c, true);
  if (!c.has("head_dim")) {
    p.head_dim = 256;
    m.notes.push_back(c.where("head_dim") + " is absent; transformers' " +
                      std::string(config_class) + " default 256 is used");
  }
  return p;
}

// Windows from layer_types when the config lists them; otherwise layer i slides when
// (i + 1) % pattern != 0: pattern 2 is Gemma 2's even layers (Gemma2Attention: sliding when
// layer_idx % 2 == 0), pattern 6 is Gemma 3's five local layers per global one.
std::vector<int64_t> gemma_windows(const ConfigView& c, int64_t layers, int64_t window,
                                   int64_t pattern) {
  if (c.has("layer_types")) return read_layer_windows(c, layers);
  std::vector<int64_t> windows(static_cast<size_t>(layers), 0);
  for (int64_t i = 0; i < layers; ++i) {
    if ((i + 1) % pattern != 0) windows[static_cast<size_t>(i)] = window;
  }
  return windows;
}

// Gemma3TextConfig's keys, each falling back to the class default as transformers does: real
// Gemma 3 text_configs list only the keys that differ (gemma-3-4b-it names six).
DecoderParams read_gemma3_text(const ConfigView& t, ModelDescription& m) {
  constexpr std::string_view cls = "Gemma3TextConfig";
  DecoderParams p;
  p.hidden = int_or_class_default(t, m, "hidden_size", 2304, 1, k_max_hidden, cls);
  p.layers = int_or_class_default(t, m, "num_hidden_layers", 26, 1, k_max_layers, cls);
  p.heads = static_cast<int32_t>(
      int_or_class_default(t, m, "num_attention_heads", 8, 1, k_max_heads, cls));
  p.kv_heads = static_cast<int32_t>(
      int_or_class_default(t, m, "num_key_value_heads", 4, 1, k_max_heads, cls));
  check_gqa(t, p.heads, p.kv_heads);
  p.head_dim =
      static_cast<int32_t>(int_or_class_default(t, m, "head_dim", 256, 1, k_max_hidden, cls));
  p.intermediate =
      int_or_class_default(t, m, "intermediate_size", 9216, 1, k_max_intermediate, cls);
  p.vocab = int_or_class_default(t, m, "vocab_size", 262208, 1, k_max_vocab, cls);
  p.max_positions =
      int_or_class_default(t, m, "max_position_embeddings", 131072, 0, k_max_positions, cls);
  p.tied = bool_or_class_default(t, m, "tie_word_embeddings", true, cls);
  return p;
}

// A wrapper's sub-config, or an empty one (all class defaults) with a note when it is absent.
ConfigView sub_or_defaults(const ConfigView& c, ModelDescription& m, std::string_view key,
                           std::string_view config_class) {
  if (c.has(key)) return c.sub(key);
  static const nlohmann::json empty = nlohmann::json::object();
  m.notes.push_back(c.where(key) + " is absent; transformers' " + std::string(config_class) +
                    " defaults are used");
  return ConfigView(empty, c.source(), c.prefix() + std::string(key) + ".");
}

}  // namespace

void build_gemma(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_gemma_params(c, m, "GemmaConfig");
  set_common(m, p);
  std::vector<int64_t> windows(static_cast<size_t>(p.layers), 0);
  TensorAdder t(m);
  add_gemma_decoder(t, m, p, c.get_bool("attention_bias", false), windows, {}, "model",
                    "lm_head.weight");
}

void build_gemma2(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_gemma_params(c, m, "Gemma2Config");
  set_common(m, p);
  int64_t window =
      int_or_class_default(c, m, "sliding_window", 4096, 1, k_max_positions, "Gemma2Config");
  std::vector<int64_t> windows = gemma_windows(c, p.layers, window, 2);
  TensorAdder t(m);
  add_gemma_decoder(t, m, p, c.get_bool("attention_bias", false), windows, {.ffw_norms = true},
                    "model", "lm_head.weight");
}

// "gemma3_text" is the decoder alone (Gemma3ForCausalLM: model.*, lm_head). "gemma3" is
// Gemma3ForConditionalGeneration: text_config under language_model.*, a SigLIP vision_config
// under vision_tower.vision_model.*, and multi_modal_projector.{mm_input_projection_weight
// [vision_hidden, text_hidden], mm_soft_emb_norm [vision_hidden]} (modeling_gemma3.py).
// A missing text_config or vision_config takes the class defaults, as Gemma3Config does.
void build_gemma3(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  bool wrapper = ctx.type == "gemma3";
  ConfigView text = wrapper ? sub_or_defaults(c, m, "text_config", "Gemma3TextConfig") : c;
  DecoderParams p = read_gemma3_text(text, m);
  set_common(m, p);
  int64_t window =
      int_or_class_default(text, m, "sliding_window", 4096, 1, k_max_positions, "Gemma3TextConfig");
  // transformers reads the legacy sliding_window_pattern (default 6) only to derive layer_types.
  int64_t pattern = text.get_int("sliding_window_pattern", 6, 1, k_max_layers);
  std::vector<int64_t> windows = gemma_windows(text, p.layers, window, pattern);
  bool attention_bias = text.get_bool("attention_bias", false);

  TensorAdder t(m);
  GemmaLayout layout{.ffw_norms = true, .qk_norm = true};
  if (!wrapper) {
    add_gemma_decoder(t, m, p, attention_bias, windows, layout, "model", "lm_head.weight");
    return;
  }
  add_gemma_decoder(t, m, p, attention_bias, windows, layout, "language_model.model",
                    "language_model.lm_head.weight");
  ConfigView vision = sub_or_defaults(c, m, "vision_config", "SiglipVisionConfig");
  int64_t vision_hidden = add_siglip_vision(vision, t, "vision_tower.vision_model");
  t.add("multi_modal_projector.mm_input_projection_weight", {vision_hidden, p.hidden},
        TensorRole::projector, TpSplit::replicated);
  t.add("multi_modal_projector.mm_soft_emb_norm.weight", {vision_hidden}, TensorRole::projector,
        TpSplit::replicated);
}

}  // namespace llmem::hf

namespace llmem::hf {
namespace {

// Gemma 4's vision tower (model.vision_tower, Gemma4VisionModel; names from the published
// checkpoints' indexes): patch_embedder.{input_proj [h, 3·patch²] (no bias),
// position_embedding_table [2, position_embedding_size, h] (one table per image axis)},
// encoder.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj.linear (no bias),
// self_attn.q_norm / k_norm [head_dim], post_attention_layernorm, pre_feedforward_layernorm,
// mlp.{gate,up,down}_proj.linear, post_feedforward_layernorm}, std_bias and std_scale [h].
// Returns the tower's hidden size.
int64_t add_gemma4_vision(const ConfigView& v, TensorAdder& t, const std::string& prefix) {
  const int64_t h = v.require_int("hidden_size", 1, k_max_hidden);
  const int64_t layers = v.require_int("num_hidden_layers", 0, k_max_layers);
  const int64_t heads = v.require_int("num_attention_heads", 1, k_max_heads);
  const int64_t kv_heads = v.get_int("num_key_value_heads", heads, 1, heads);
  const int64_t head_dim = v.get_int("head_dim", h / heads, 1, k_max_hidden);
  const int64_t inter = v.require_int("intermediate_size", 1, k_max_intermediate);
  const int64_t patch = v.require_int("patch_size", 1, 1 << 16);
  const int64_t positions = v.require_int("position_embedding_size", 1, k_max_positions);
  const Place vt = vision_tower();
  auto lin = [&](const std::string& name, int64_t in, int64_t out) {
    t.linear(name + ".linear", in, out, false, TensorRole::vision, TpSplit::replicated, vt);
  };
  auto norm = [&](const std::string& name, int64_t dim) {
    t.add(name + ".weight", {dim}, TensorRole::vision, TpSplit::replicated, vt);
  };
  t.add(prefix + ".patch_embedder.input_proj.weight", {h, dim_mul(3 * patch, patch, "patch")},
        TensorRole::vision, TpSplit::replicated, vt);
  t.add(prefix + ".patch_embedder.position_embedding_table", {2, positions, h}, TensorRole::vision,
        TpSplit::replicated, vt);
  const int64_t q = dim_mul(heads, head_dim, "q size");
  const int64_t kv = dim_mul(kv_heads, head_dim, "kv size");
  for (int64_t i = 0; i < layers; ++i) {
    const std::string l = prefix + ".encoder.layers." + std::to_string(i);
    norm(l + ".input_layernorm", h);
    lin(l + ".self_attn.q_proj", h, q);
    lin(l + ".self_attn.k_proj", h, kv);
    lin(l + ".self_attn.v_proj", h, kv);
    lin(l + ".self_attn.o_proj", q, h);
    norm(l + ".self_attn.q_norm", head_dim);
    norm(l + ".self_attn.k_norm", head_dim);
    norm(l + ".post_attention_layernorm", h);
    norm(l + ".pre_feedforward_layernorm", h);
    lin(l + ".mlp.gate_proj", h, inter);
    lin(l + ".mlp.up_proj", h, inter);
    lin(l + ".mlp.down_proj", inter, h);
    norm(l + ".post_feedforward_layernorm", h);
  }
  t.add(prefix + ".std_bias", {h}, TensorRole::vision, TpSplit::replicated, vt);
  t.add(prefix + ".std_scale", {h}, TensorRole::vision, TpSplit::replicated, vt);
  return h;
}

}  // namespace

// Gemma 4 (model_type gemma4: Gemma4ForConditionalGeneration, text_config gemma4_text; and the
// text model alone, gemma4_text). After vLLM's vllm/model_executor/models/gemma4.py (commit
// ffd91ee17a79) and the published checkpoints' names:
//   model.language_model.embed_tokens (tied: no lm_head); per layer input_layernorm,
//   self_attn.{q,k,v,o}_proj with q_norm/k_norm [head_dim], post_attention_layernorm,
//   pre_feedforward_layernorm, mlp.{gate,up,down}_proj (twice as wide on KV-shared layers with
//   use_double_wide_mlp), post_feedforward_layernorm, and the layer_scalar buffer [1].
//   Sliding layers use head_dim and num_key_value_heads; full layers global_head_dim and
//   num_global_key_value_heads, and with attention_k_eq_v store no v_proj (K doubles as V).
//   enable_moe_block adds router.{proj [E, h], scale [h], per_expert_scale [E]}, per-expert
//   experts.M.{gate,up,down}_proj at moe_intermediate_size and post_feedforward_layernorm_1/_2,
//   pre_feedforward_layernorm_2. hidden_size_per_layer_input > 0 adds embed_tokens_per_layer,
//   per_layer_model_projection, per_layer_projection_norm and per layer per_layer_input_gate,
//   per_layer_projection, post_per_layer_input_norm. The last num_kv_shared_layers layers reuse
//   earlier layers' K/V and hold no cache of their own.
//   The wrapper adds model.vision_tower (above) and model.embed_vision.embedding_projection
//   [text hidden, vision hidden].
void build_gemma4(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  const bool wrapper = ctx.type == "gemma4";
  const ConfigView text = wrapper ? c.sub("text_config") : c;
  DecoderParams p = read_decoder_params(text, true);
  set_common(m, p);
  const int64_t global_dim = text.get_int("global_head_dim", p.head_dim, 1, k_max_hidden);
  const int64_t global_kv = text.get_int("num_global_key_value_heads", p.kv_heads, 1, p.heads);
  check_gqa(text, p.heads, global_kv, "num_attention_heads", "num_global_key_value_heads");
  const bool k_eq_v = text.get_bool("attention_k_eq_v", false);
  const bool bias = text.get_bool("attention_bias", false);
  const int64_t shared_kv = text.get_int("num_kv_shared_layers", 0, 0, p.layers);
  const bool double_wide = text.get_bool("use_double_wide_mlp", false);
  const bool moe = text.get_bool("enable_moe_block", false);
  const int64_t per_layer = text.get_int("hidden_size_per_layer_input", 0, 0, k_max_hidden);
  int32_t experts = 0;
  int64_t moe_inter = 0;
  if (moe) {
    MoeCounts n = read_moe_counts(text, "num_experts", "top_k_experts");
    experts = n.experts;
    m.num_experts = n.experts;
    m.experts_per_token = n.per_token;
    moe_inter = text.opt_int_any({"moe_intermediate_size", "expert_intermediate_size"}, 1,
                                 k_max_intermediate)
                    .value_or(0);
    if (moe_inter == 0) {
      text.fail("moe_intermediate_size", "is missing (enable_moe_block is true)");
    }
  }
  std::vector<int64_t> windows = read_layer_windows(text, p.layers);
  const std::string base = wrapper ? "model.language_model" : "model";
  const int64_t h = p.hidden;

  TensorAdder t(m);
  t.add(base + ".embed_tokens.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) {
    t.add("lm_head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
  }
  if (per_layer > 0) {
    const int64_t vocab_pl = text.get_int("vocab_size_per_layer_input", p.vocab, 1, k_max_vocab);
    const int64_t all = dim_mul(p.layers, per_layer, "per-layer input size");
    t.add(base + ".embed_tokens_per_layer.weight", {vocab_pl, all}, TensorRole::embedding,
          TpSplit::vocab);
    t.linear(base + ".per_layer_model_projection", h, all, false, TensorRole::other,
             TpSplit::replicated);
    t.norm(base + ".per_layer_projection_norm", per_layer, false);
  }
  const int64_t first_shared = p.layers - shared_kv;
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = base + ".layers." + std::to_string(i);
    const bool sliding = windows[static_cast<size_t>(i)] > 0;
    const int64_t hd = sliding ? p.head_dim : global_dim;
    const int64_t kv = sliding ? p.kv_heads : global_kv;
    const int64_t q = dim_mul(p.heads, hd, "q_proj size");
    t.norm(l + ".input_layernorm", h, false, i);
    t.linear(l + ".self_attn.q_proj", h, q, bias, TensorRole::q, TpSplit::column, i);
    t.linear(l + ".self_attn.k_proj", h, dim_mul(kv, hd, "k_proj size"), bias, TensorRole::k,
             TpSplit::kv_heads, i);
    if (sliding || !k_eq_v) {
      t.linear(l + ".self_attn.v_proj", h, dim_mul(kv, hd, "v_proj size"), bias, TensorRole::v,
               TpSplit::kv_heads, i);
    }
    t.linear(l + ".self_attn.o_proj", q, h, bias, TensorRole::o, TpSplit::row, i);
    t.norm(l + ".self_attn.q_norm", hd, false, i);
    t.norm(l + ".self_attn.k_norm", hd, false, i);
    t.norm(l + ".post_attention_layernorm", h, false, i);
    t.norm(l + ".pre_feedforward_layernorm", h, false, i);
    const bool kv_shared = shared_kv > 0 && i >= first_shared;
    const int64_t inter =
        double_wide && kv_shared ? dim_mul(2, p.intermediate, "mlp size") : p.intermediate;
    add_gated_mlp(t, l + ".mlp", h, inter, false, i);
    t.norm(l + ".post_feedforward_layernorm", h, false, i);
    if (moe) {
      const Place router = shared_expert(i);
      t.linear(l + ".router.proj", h, experts, false, TensorRole::router, TpSplit::replicated,
               router);
      t.add(l + ".router.scale", {h}, TensorRole::router, TpSplit::replicated, router);
      t.add(l + ".router.per_expert_scale", {experts}, TensorRole::router, TpSplit::replicated,
            router);
      add_gated_mlp(t, l + ".experts.#", h, moe_inter, false, routed_experts(i, experts));
      t.norm(l + ".post_feedforward_layernorm_1", h, false, i);
      t.norm(l + ".post_feedforward_layernorm_2", h, false, i);
      t.norm(l + ".pre_feedforward_layernorm_2", h, false, i);
    }
    if (per_layer > 0) {
      t.linear(l + ".per_layer_input_gate", h, per_layer, false, TensorRole::other,
               TpSplit::replicated, i);
      t.linear(l + ".per_layer_projection", per_layer, h, false, TensorRole::other,
               TpSplit::replicated, i);
      t.norm(l + ".post_per_layer_input_norm", h, false, i);
    }
    t.add(l + ".layer_scalar", {1}, TensorRole::other, TpSplit::replicated, i);
    LayerSpec s = attention_layer(p.heads, static_cast<int32_t>(kv), static_cast<int32_t>(hd),
                                  static_cast<int32_t>(hd), windows[static_cast<size_t>(i)]);
    if (kv_shared) s.kind = LayerKind::mlp_only;  // reuses an earlier layer's K/V
    s.moe = moe;
    m.layers.push_back(s);
  }
  t.norm(base + ".norm", h, false, -1);
  if (!wrapper) return;
  if (const auto* v = c.find("vision_config"); v != nullptr && v->is_object()) {
    const int64_t vh = add_gemma4_vision(c.sub("vision_config"), t, "model.vision_tower");
    t.linear("model.embed_vision.embedding_projection", vh, h, false, TensorRole::projector,
             TpSplit::replicated, projector());
  }
  if (const auto* a = c.find("audio_config"); a != nullptr && a->is_object()) {
    c.fail("audio_config",
           "is set: Gemma 4's audio encoder is not described yet (a model folder or Hub id reads "
           "its stored tensors)");
  }
}

}  // namespace llmem::hf
