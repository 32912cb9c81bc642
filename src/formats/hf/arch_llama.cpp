// Llama-style dense decoders: one builder, one table row per model_type (the conventions that
// differ between families: which projections have a bias, the norms and where they sit, the MLP's
// shape, q/k norms, whether embeddings are tied by default, the attention window).
//
// The layer is transformers' LlamaDecoderLayer (models/llama/modeling_llama.py):
// model.embed_tokens; model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
// post_attention_layernorm, mlp.{gate,up,down}_proj}; model.norm; lm_head. Each row says how its
// family departs from it, after (transformers models/<type>/modeling_<type>.py, cross-checked
// with vLLM's vllm/model_executor/models/<type>.py at commit 28be48fa944d, which loads the same
// checkpoint names):
//   mistral, ministral, mistral3_text, granite, smollm3: Llama's layout (granite's multipliers,
//     smollm3's NoPE layers change no shape; smollm3 ties embeddings by default)
//   qwen2, mimo: q/k/v always biased, o never; mimo adds model.mtp_layers.N (mimo.py,
//     mimo_mtp.py: token_layernorm, hidden_layernorm, input_proj [h, 2h], a decoder layer,
//     final_layernorm)
//   qwen3: per-head q_norm/k_norm [head_dim]; attention_bias on q/k/v/o
//   olmo: LayerNorm without parameters (no norm tensors at all)
//   olmo2, olmo3: post_attention_layernorm and post_feedforward_layernorm after each block (no
//     input_layernorm); q_norm [heads·head_dim] and k_norm [kv_heads·head_dim] over the whole
//     projection; olmo3 adds layer_types windows
//   cohere, cohere2: one input_layernorm feeding attention and MLP in parallel; LayerNorm with a
//     weight and no bias; q_norm [heads, head_dim] / k_norm [kv_heads, head_dim] when
//     use_qk_norm; embeddings tied by default; cohere2 windows three layers of four
//     (sliding_window_pattern 4) unless layer_types says otherwise
//   starcoder2: LayerNorm with bias, q/k/v/o with bias (use_bias, default true), mlp.c_fc /
//     mlp.c_proj (not gated, biased); tied by default; sliding_window on every layer
//   nemotron: LayerNorm1P (weight + bias), mlp.up_proj / down_proj (relu², no gate)
//   exaone4: EXAONE 4.0's post-norm layer (post_attention_layernorm, post_feedforward_layernorm),
//     per-head q_norm/k_norm; layer_types windows
//   glm: q/k/v biased (attention_bias, default true), o not; fused mlp.gate_up_proj
//   glm4: glm plus post_self_attn_layernorm and post_mlp_layernorm
//   hunyuan_v1_dense: query_layernorm/key_layernorm [head_dim] when use_qk_norm
//   ernie4_5: use_bias on every projection (default false); tied by default
//   seed_oss: q/k/v bias attention_bias (default true), o bias attention_out_bias (default false)
//   internlm3: q/k/v bias qkv_bias, o bias `bias` (both default false)
//   minicpm: Llama's names, tied by default; with num_experts > 0 the MLP is mlp.gate [E, h] and
//     mlp.experts.J.{w1,w2,w3} (vLLM minicpm.py MiniCPMMoE)
// docs/architectures.md has the table with the dtype, windows and context rules.
#include <string>
#include <vector>

#include "formats/hf/architectures.h"
#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

// A bias switched by a config key (or always `fallback` when `key` is empty).
struct BiasRule {
  std::string_view key;
  bool fallback = false;

  bool read(const ConfigView& c) const {
    return key.empty() ? fallback : c.get_bool(key, fallback);
  }
};

enum class Norm : uint8_t { rms, layer_norm, none };  // weight; weight + bias; no parameters
enum class Layout : uint8_t {
  pre,       // input_layernorm, post_attention_layernorm (before attention and MLP)
  post,      // post_attention_layernorm, post_feedforward_layernorm (after them)
  glm4,      // input, post_self_attn, post_attention, post_mlp
  parallel,  // input_layernorm only; attention and MLP read the same normed input
};
enum class Mlp : uint8_t { gated, gate_up_fused, up_down, c_fc };
enum class QkNorm : uint8_t { none, per_head, whole, per_head_2d };

struct LlamaRow {
  std::string_view type = {};
  BiasRule qkv_bias{"attention_bias", false};
  BiasRule o_bias{"attention_bias", false};
  BiasRule mlp_bias{"mlp_bias", false};
  Norm norm = Norm::rms;
  Layout layout = Layout::pre;
  Mlp mlp = Mlp::gated;
  QkNorm qk_norm = QkNorm::none;
  std::string_view qk_norm_key = {};  // the switch for qk_norm ("" = always on)
  std::string_view q_norm = "q_norm";
  std::string_view k_norm = "k_norm";
  bool tie_default = false;
  int64_t window_pattern = 0;  // without layer_types: layer i slides when (i + 1) % pattern != 0
  bool mtp_layers = false;     // MiMo's model.mtp_layers
  bool minicpm_moe = false;    // MiniCPM's optional experts
};

constexpr BiasRule k_none{"", false};
constexpr BiasRule k_always{"", true};

constexpr LlamaRow k_rows[] = {
    {.type = "llama"},
    {.type = "mistral"},
    {.type = "ministral"},
    {.type = "mistral3_text"},
    {.type = "granite"},
    {.type = "smollm3", .tie_default = true},
    {.type = "qwen2", .qkv_bias = k_always, .o_bias = k_none, .mlp_bias = k_none},
    {.type = "mimo",
     .qkv_bias = k_always,
     .o_bias = k_none,
     .mlp_bias = k_none,
     .mtp_layers = true},
    {.type = "qwen3", .mlp_bias = k_none, .qk_norm = QkNorm::per_head},
    {.type = "olmo", .mlp_bias = k_none, .norm = Norm::none},
    {.type = "olmo2", .mlp_bias = k_none, .layout = Layout::post, .qk_norm = QkNorm::whole},
    {.type = "olmo3", .mlp_bias = k_none, .layout = Layout::post, .qk_norm = QkNorm::whole},
    {.type = "cohere",
     .mlp_bias = k_none,
     .layout = Layout::parallel,
     .qk_norm = QkNorm::per_head_2d,
     .qk_norm_key = "use_qk_norm",
     .tie_default = true},
    {.type = "cohere2",
     .mlp_bias = k_none,
     .layout = Layout::parallel,
     .tie_default = true,
     .window_pattern = 4},
    {.type = "starcoder2",
     .qkv_bias = {"use_bias", true},
     .o_bias = {"use_bias", true},
     .mlp_bias = {"use_bias", true},
     .norm = Norm::layer_norm,
     .mlp = Mlp::c_fc,
     .tie_default = true},
    {.type = "nemotron", .norm = Norm::layer_norm, .mlp = Mlp::up_down},
    {.type = "exaone4", .layout = Layout::post, .qk_norm = QkNorm::per_head},
    {.type = "glm",
     .qkv_bias = {"attention_bias", true},
     .o_bias = k_none,
     .mlp_bias = k_none,
     .mlp = Mlp::gate_up_fused},
    {.type = "glm4",
     .qkv_bias = {"attention_bias", true},
     .o_bias = k_none,
     .mlp_bias = k_none,
     .layout = Layout::glm4,
     .mlp = Mlp::gate_up_fused},
    {.type = "hunyuan_v1_dense",
     .qk_norm = QkNorm::per_head,
     .qk_norm_key = "use_qk_norm",
     .q_norm = "query_layernorm",
     .k_norm = "key_layernorm"},
    {.type = "ernie4_5",
     .qkv_bias = {"use_bias", false},
     .o_bias = {"use_bias", false},
     .mlp_bias = {"use_bias", false},
     .tie_default = true},
    {.type = "seed_oss",
     .qkv_bias = {"attention_bias", true},
     .o_bias = {"attention_out_bias", false}},
    {.type = "internlm3", .qkv_bias = {"qkv_bias", false}, .o_bias = {"bias", false}},
    {.type = "minicpm", .tie_default = true, .minicpm_moe = true},
};

const LlamaRow& row_for(std::string_view type) {
  for (const auto& r : k_rows) {
    if (r.type == type) return r;
  }
  return k_rows[0];
}

struct Layer {
  const LlamaRow& row;
  const DecoderParams& p;
  bool qkv_bias, o_bias, mlp_bias, qk_norm;
  int32_t experts = 0;  // MiniCPM MoE
};

void add_norm(TensorAdder& t, const Layer& l, const std::string& name, const Place& at) {
  if (l.row.norm == Norm::none) return;
  t.norm(name, l.p.hidden, l.row.norm == Norm::layer_norm, at);
}

void add_attention(TensorAdder& t, const Layer& l, const std::string& prefix, const Place& at) {
  const DecoderParams& p = l.p;
  const std::string a = prefix + ".self_attn";
  add_llama_attention(t, a, p.hidden, p.heads, p.kv_heads, p.head_dim, l.qkv_bias, l.o_bias, at);
  if (!l.qk_norm) return;
  Place n = at;
  const std::string q = a + "." + std::string(l.row.q_norm);
  const std::string k = a + "." + std::string(l.row.k_norm);
  switch (l.row.qk_norm) {
    case QkNorm::per_head:
      t.norm(q, p.head_dim, false, n);
      t.norm(k, p.head_dim, false, n);
      break;
    case QkNorm::whole:
      t.norm(q, dim_mul(p.heads, p.head_dim, "q_norm size"), false, n);
      t.norm(k, dim_mul(p.kv_heads, p.head_dim, "k_norm size"), false, n);
      break;
    case QkNorm::per_head_2d:
      if (n.group == WeightGroup::count) n.group = WeightGroup::norms;
      t.add(q + ".weight", {p.heads, p.head_dim}, TensorRole::norm, TpSplit::column, n);
      t.add(k + ".weight", {p.kv_heads, p.head_dim}, TensorRole::norm, TpSplit::kv_heads, n);
      break;
    case QkNorm::none:
      break;
  }
}

void add_mlp(TensorAdder& t, const Layer& l, const std::string& prefix, const Place& at) {
  const DecoderParams& p = l.p;
  const std::string mlp = prefix + ".mlp";
  if (l.experts > 0) {
    Place router = shared_expert(at.layer);
    if (at.group == WeightGroup::mtp) router = at;
    t.linear(mlp + ".gate", p.hidden, l.experts, false, TensorRole::router, TpSplit::replicated,
             router);
    const std::string e = mlp + ".experts.#";
    Place ex = routed_experts(at.layer, l.experts);
    t.linear(e + ".w1", p.hidden, p.intermediate, false, TensorRole::gate, TpSplit::column, ex);
    t.linear(e + ".w2", p.intermediate, p.hidden, false, TensorRole::down, TpSplit::row, ex);
    t.linear(e + ".w3", p.hidden, p.intermediate, false, TensorRole::up, TpSplit::column, ex);
    return;
  }
  switch (l.row.mlp) {
    case Mlp::gated:
      add_gated_mlp(t, mlp, p.hidden, p.intermediate, l.mlp_bias, at);
      break;
    case Mlp::gate_up_fused:
      t.linear(mlp + ".gate_up_proj", p.hidden, dim_mul(2, p.intermediate, "gate_up_proj size"),
               l.mlp_bias, TensorRole::gate_up, TpSplit::column, at);
      t.linear(mlp + ".down_proj", p.intermediate, p.hidden, l.mlp_bias, TensorRole::down,
               TpSplit::row, at);
      break;
    case Mlp::up_down:
      t.linear(mlp + ".up_proj", p.hidden, p.intermediate, l.mlp_bias, TensorRole::up,
               TpSplit::column, at);
      t.linear(mlp + ".down_proj", p.intermediate, p.hidden, l.mlp_bias, TensorRole::down,
               TpSplit::row, at);
      break;
    case Mlp::c_fc:
      t.linear(mlp + ".c_fc", p.hidden, p.intermediate, l.mlp_bias, TensorRole::up, TpSplit::column,
               at);
      t.linear(mlp + ".c_proj", p.intermediate, p.hidden, l.mlp_bias, TensorRole::down,
               TpSplit::row, at);
      break;
  }
}

// One decoder layer under `prefix` ("model.layers.3"), placed `at`.
void add_layer(TensorAdder& t, const Layer& l, const std::string& prefix, const Place& at) {
  switch (l.row.layout) {
    case Layout::pre:
      add_norm(t, l, prefix + ".input_layernorm", at);
      add_attention(t, l, prefix, at);
      add_norm(t, l, prefix + ".post_attention_layernorm", at);
      add_mlp(t, l, prefix, at);
      break;
    case Layout::post:
      add_attention(t, l, prefix, at);
      add_norm(t, l, prefix + ".post_attention_layernorm", at);
      add_mlp(t, l, prefix, at);
      add_norm(t, l, prefix + ".post_feedforward_layernorm", at);
      break;
    case Layout::glm4:
      add_norm(t, l, prefix + ".input_layernorm", at);
      add_attention(t, l, prefix, at);
      add_norm(t, l, prefix + ".post_self_attn_layernorm", at);
      add_norm(t, l, prefix + ".post_attention_layernorm", at);
      add_mlp(t, l, prefix, at);
      add_norm(t, l, prefix + ".post_mlp_layernorm", at);
      break;
    case Layout::parallel:
      add_norm(t, l, prefix + ".input_layernorm", at);
      add_attention(t, l, prefix, at);
      add_mlp(t, l, prefix, at);
      break;
  }
}

std::vector<int64_t> windows_for(const ConfigView& c, const LlamaRow& row, int64_t layers) {
  if (row.window_pattern > 0 && !c.has("layer_types")) {
    std::vector<int64_t> w(static_cast<size_t>(layers), 0);
    auto window = c.opt_int("sliding_window", 0, k_max_positions);
    if (!window || *window == 0) return w;
    int64_t pattern = c.get_int("sliding_window_pattern", row.window_pattern, 1, k_max_layers);
    for (int64_t i = 0; i < layers; ++i) {
      if ((i + 1) % pattern != 0) w[static_cast<size_t>(i)] = *window;
    }
    return w;
  }
  return read_layer_windows(c, layers);
}

// MiMo's MTP layers (model.mtp_layers.K): the embedding and the hidden state each normed,
// concatenated and projected back to hidden (input_proj), then a decoder layer and a final norm.
void add_mimo_mtp(TensorAdder& t, const Layer& l, int64_t count) {
  const Place mtp = mtp_layer();
  const int64_t h = l.p.hidden;
  for (int64_t k = 0; k < count; ++k) {
    const std::string prefix = "model.mtp_layers." + std::to_string(k);
    t.norm(prefix + ".token_layernorm", h, false, mtp);
    t.norm(prefix + ".hidden_layernorm", h, false, mtp);
    t.linear(prefix + ".input_proj", dim_mul(2, h, "input_proj size"), h, false, TensorRole::other,
             TpSplit::replicated, mtp);
    add_layer(t, l, prefix, mtp);
    t.norm(prefix + ".final_layernorm", h, false, mtp);
  }
}

}  // namespace

void build_llama_family(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  const LlamaRow& row = row_for(ctx.type);
  DecoderParams p = read_decoder_params(c, row.tie_default);
  set_common(m, p);
  Layer l{row,
          p,
          row.qkv_bias.read(c),
          row.o_bias.read(c),
          row.mlp_bias.read(c),
          row.qk_norm != QkNorm::none &&
              (row.qk_norm_key.empty() || c.get_bool(row.qk_norm_key, false))};
  if (row.minicpm_moe) {
    if (auto e = c.opt_int("num_experts", 0, k_max_experts); e && *e > 0) {
      MoeCounts n = read_moe_counts(c, "num_experts");
      l.experts = n.experts;
      m.num_experts = n.experts;
      m.experts_per_token = n.per_token;
    }
  }
  std::vector<int64_t> windows = windows_for(c, row, p.layers);

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    add_layer(t, l, "model.layers." + std::to_string(i), i);
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                  windows[static_cast<size_t>(i)]);
    s.moe = l.experts > 0;
    m.layers.push_back(s);
  }
  add_norm(t, l, "model.norm", -1);
  if (row.mtp_layers) {
    if (int64_t n = c.get_int("num_nextn_predict_layers", 0, 0, k_max_layers); n > 0) {
      add_mimo_mtp(t, l, n);
    }
  }
}

}  // namespace llmem::hf
