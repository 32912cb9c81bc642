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

void build_gemma(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  DecoderParams p = read_gemma_params(c, m, "GemmaConfig");
  set_common(m, p);
  std::vector<int64_t> windows(static_cast<size_t>(p.layers), 0);
  TensorAdder t(m);
  add_gemma_decoder(t, m, p, c.get_bool("attention_bias", false), windows, {}, "model",
                    "lm_head.weight");
}

void build_gemma2(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
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
void build_gemma3(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  bool wrapper = m.model_type == "gemma3";
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
