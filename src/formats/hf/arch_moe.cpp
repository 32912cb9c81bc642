// Mixture-of-experts decoders with Llama-shaped attention. Names and shapes follow the
// checkpoints as transformers (models/<type>/modeling_<type>.py) writes them, one tensor per
// expert unless said (vLLM's vllm/model_executor/models/<type>.py at commit 28be48fa944d loads
// the same names):
// - mixtral (modeling_mixtral.py MixtralSparseMoeBlock): model.layers.N.block_sparse_moe.gate
//   [E, hidden] and block_sparse_moe.experts.M.{w1,w3} [inter, hidden], w2 [hidden, inter];
// - phimoe (modeling_phimoe.py): Mixtral's block with LayerNorms (weight + bias), q/k/v/o biased
//   (attention_bias) and an lm_head bias (lm_head_bias);
// - olmoe (modeling_olmoe.py): mlp.gate [E, h], mlp.experts.M.{gate,up,down}_proj at
//   intermediate_size, q_norm [heads·head_dim] and k_norm [kv_heads·head_dim];
// - granitemoe / granitemoeshared (modeling_granitemoe*.py): fused experts
//   block_sparse_moe.input_linear [E, 2·inter, h], output_linear [E, h, inter], router.layer
//   [E, h]; shared_mlp.{input_linear [2·shared, h], output_linear [h, shared]};
// - ernie4_5_moe (modeling_ernie4_5_moe.py, vLLM ernie45_moe.py / ernie_mtp.py): MoE on layers
//   start ≤ i ≤ end with (i + 1) % moe_layer_interval == 0: mlp.gate [E, h],
//   mlp.moe_statics.e_score_correction_bias [1, E], mlp.experts.M.* at moe_intermediate_size,
//   mlp.shared_experts.* at moe_intermediate_size · moe_num_shared_experts; MTP
//   (num_nextn_predict_layers) as model.mtp_emb_norm.K, mtp_hidden_norm.K, mtp_linear_proj.K
//   [h, 2h], mtp_block.K (a dense decoder layer);
// - hunyuan_v1_moe (modeling_hunyuan_v1_moe.py, vLLM hunyuan_v1.py): mlp.gate.wg [E, h],
//   mlp.experts.M.* at moe_intermediate_size, mlp.shared_mlp.* at intermediate_size ·
//   num_shared_expert (use_mixed_mlp_moe), query_layernorm/key_layernorm when use_qk_norm;
// - minimax_m2 (vLLM minimax_m2.py): block_sparse_moe.{gate [E, h], e_score_correction_bias [E]
//   (use_routing_bias), experts.M.{w1,w2,w3} at intermediate_size}; q_norm [heads·head_dim],
//   k_norm [kv_heads·head_dim];
// - qwen2_moe (modeling_qwen2_moe.py Qwen2MoeSparseMoeBlock): mlp.gate [E, hidden],
//   mlp.experts.M.{gate,up,down}_proj at moe_intermediate_size, mlp.shared_expert.* at
//   shared_expert_intermediate_size and mlp.shared_expert_gate [1, hidden];
// - qwen3_moe (modeling_qwen3_moe.py): qwen2_moe's block without the shared expert, plus
//   self_attn.q_norm/k_norm [head_dim].
// A Qwen layer is sparse when it is not in mlp_only_layers and (i + 1) % decoder_sparse_step == 0
// (Qwen2MoeDecoderLayer); otherwise it has a dense mlp.{gate,up,down}_proj at intermediate_size.
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

std::string layer_prefix(int32_t i) { return "model.layers." + std::to_string(i); }

// Which layers carry the sparse block: every layer for Mixtral; Qwen's decoder_sparse_step and
// mlp_only_layers otherwise.
std::vector<bool> qwen_sparse_layers(const ConfigView& c, int64_t layers) {
  int64_t step = c.get_int("decoder_sparse_step", 1, 1, k_max_layers);
  std::vector<bool> sparse(static_cast<size_t>(layers), false);
  for (int64_t i = 0; i < layers; ++i) sparse[static_cast<size_t>(i)] = (i + 1) % step == 0;
  for (int64_t i : c.get_int_list("mlp_only_layers", 0, layers - 1)) {
    sparse[static_cast<size_t>(i)] = false;
  }
  return sparse;
}

// Qwen MoE windows. layer_types wins when present; otherwise use_sliding_window (default false)
// switches the window on: for qwen2_moe on layers with (i + 1) % 2 != 0 and i < max_window_layers
// (configuration_qwen2_moe.py), for qwen3_moe on every layer (Qwen3MoeAttention).
std::vector<int64_t> qwen_moe_windows(const ConfigView& c, int64_t layers, bool qwen3) {
  if (c.has("layer_types")) return read_layer_windows(c, layers);
  std::vector<int64_t> windows(static_cast<size_t>(layers), 0);
  auto window = c.opt_int("sliding_window", 0, k_max_positions);
  if (!c.get_bool("use_sliding_window", false) || !window || *window == 0) return windows;
  int64_t max_window_layers = c.get_int("max_window_layers", 28, 0, k_max_layers);
  for (int64_t i = 0; i < layers; ++i) {
    bool slides = qwen3 || ((i + 1) % 2 != 0 && i < max_window_layers);
    if (slides) windows[static_cast<size_t>(i)] = *window;
  }
  return windows;
}

void set_moe(ModelDescription& m, const MoeCounts& n, int32_t shared) {
  m.num_experts = n.experts;
  m.experts_per_token = n.per_token;
  m.num_shared_experts = shared;
}

struct QwenMoeVariant {
  bool qwen3 = false;  // q_norm/k_norm, attention_bias on q/k/v/o, no shared expert
};

void build_qwen_moe(const ConfigView& c, ModelDescription& m, const QwenMoeVariant& v) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_experts");
  int64_t moe_inter = c.require_int("moe_intermediate_size", 1, k_max_intermediate);
  int64_t shared_inter = 0;
  if (!v.qwen3) {
    shared_inter = c.require_int("shared_expert_intermediate_size", 1, k_max_intermediate);
  }
  set_moe(m, n, v.qwen3 ? 0 : 1);
  // Qwen2-MoE: q/k/v carry a bias (qkv_bias, default true), o never does. Qwen3-MoE: all four
  // follow attention_bias (default false).
  bool qkv_bias = v.qwen3 ? c.get_bool("attention_bias", false) : c.get_bool("qkv_bias", true);
  bool o_bias = v.qwen3 ? qkv_bias : false;
  std::vector<bool> sparse = qwen_sparse_layers(c, p.layers);
  std::vector<int64_t> windows = qwen_moe_windows(c, p.layers, v.qwen3);

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix(i);
    add_llama_attention_block(t, prefix, p, qkv_bias, o_bias, v.qwen3, i);
    std::string mlp = prefix + ".mlp";
    bool is_moe = sparse[static_cast<size_t>(i)];
    if (is_moe) {
      t.linear(mlp + ".gate", p.hidden, n.experts, false, TensorRole::router, TpSplit::replicated,
               shared_expert(i));
      add_gated_mlp(t, mlp + ".experts.#", p.hidden, moe_inter, false,
                    routed_experts(i, n.experts));
      if (!v.qwen3) {
        add_gated_mlp(t, mlp + ".shared_expert", p.hidden, shared_inter, false, shared_expert(i));
        t.linear(mlp + ".shared_expert_gate", p.hidden, 1, false, TensorRole::router,
                 TpSplit::replicated, shared_expert(i));
      }
    } else {
      add_gated_mlp(t, mlp, p.hidden, p.intermediate, false, i);
    }
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                  windows[static_cast<size_t>(i)]);
    s.moe = is_moe;
    m.layers.push_back(s);
  }
  t.norm("model.norm", p.hidden, false, -1);
}

// Mixtral's sparse block (and PhiMoE's): block_sparse_moe.gate and per-expert w1/w2/w3.
void add_w123_experts(TensorAdder& t, const std::string& moe, int64_t hidden, int64_t inter,
                      int32_t experts, int32_t layer) {
  t.linear(moe + ".gate", hidden, experts, false, TensorRole::router, TpSplit::replicated,
           shared_expert(layer));
  // MixtralBlockSparseTop2MLP: w2(act(w1(x)) * w3(x)), one tensor per expert.
  const std::string expert = moe + ".experts.#";
  const Place e = routed_experts(layer, experts);
  t.linear(expert + ".w1", hidden, inter, false, TensorRole::gate, TpSplit::column, e);
  t.linear(expert + ".w2", inter, hidden, false, TensorRole::down, TpSplit::row, e);
  t.linear(expert + ".w3", hidden, inter, false, TensorRole::up, TpSplit::column, e);
}

// Dense or expert gate/up/down projections; a shared expert, or routed experts `experts` many.
void add_expert_mlp(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t inter,
                    const Place& at) {
  add_gated_mlp(t, prefix, hidden, inter, false, at);
}

LayerSpec moe_layer(const DecoderParams& p, int64_t window, bool moe) {
  LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim, window);
  s.moe = moe;
  return s;
}

}  // namespace

void build_mixtral(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  const bool phimoe = ctx.type == "phimoe";
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_local_experts");
  set_moe(m, n, 0);
  const bool attention_bias = phimoe && c.get_bool("attention_bias", false);
  // MixtralAttention (and PhiMoE's) applies config.sliding_window on every layer when it is set
  // (null in the released Mixtral configs).
  std::vector<int64_t> windows = read_layer_windows(c, p.layers);

  TensorAdder t(m);
  t.add("model.embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) {
    t.linear("lm_head", p.hidden, p.vocab, phimoe && c.get_bool("lm_head_bias", false),
             TensorRole::lm_head, TpSplit::vocab);
  }
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", p.hidden, phimoe, i);
    add_llama_attention(t, prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim,
                        attention_bias, attention_bias, i);
    t.norm(prefix + ".post_attention_layernorm", p.hidden, phimoe, i);
    add_w123_experts(t, prefix + ".block_sparse_moe", p.hidden, p.intermediate, n.experts, i);
    m.layers.push_back(moe_layer(p, windows[static_cast<size_t>(i)], true));
  }
  t.norm("model.norm", p.hidden, phimoe, -1);
}

void build_qwen2_moe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  build_qwen_moe(c, m, {.qwen3 = false});
}

void build_qwen3_moe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  build_qwen_moe(c, m, {.qwen3 = true});
}

void build_olmoe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_experts");
  set_moe(m, n, 0);
  const bool bias = c.get_bool("attention_bias", false);
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", p.hidden, false, i);
    add_llama_attention(t, prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim, bias,
                        bias, i);
    t.norm(prefix + ".self_attn.q_norm", dim_mul(p.heads, p.head_dim, "q_norm size"), false, i);
    t.norm(prefix + ".self_attn.k_norm", dim_mul(p.kv_heads, p.head_dim, "k_norm size"), false, i);
    t.norm(prefix + ".post_attention_layernorm", p.hidden, false, i);
    t.linear(prefix + ".mlp.gate", p.hidden, n.experts, false, TensorRole::router,
             TpSplit::replicated, shared_expert(i));
    add_expert_mlp(t, prefix + ".mlp.experts.#", p.hidden, p.intermediate,
                   routed_experts(i, n.experts));
    m.layers.push_back(moe_layer(p, 0, true));
  }
  t.norm("model.norm", p.hidden, false, -1);
}

void build_granitemoe(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_local_experts");
  set_moe(m, n, 0);
  const bool bias = c.get_bool("attention_bias", false);
  const int64_t shared = ctx.type == "granitemoeshared"
                             ? c.get_int("shared_intermediate_size", 0, 0, k_max_intermediate)
                             : 0;
  if (shared > 0) m.num_shared_experts = 1;
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", h, false, i);
    add_llama_attention(t, prefix + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, bias, bias,
                        i);
    t.norm(prefix + ".post_attention_layernorm", h, false, i);
    const std::string moe = prefix + ".block_sparse_moe";
    const Place fused = fused_experts(i, n.experts);
    t.add(moe + ".input_linear.weight",
          {n.experts, dim_mul(2, p.intermediate, "input_linear size"), h}, TensorRole::gate_up,
          TpSplit::column, fused);
    t.add(moe + ".output_linear.weight", {n.experts, h, p.intermediate}, TensorRole::down,
          TpSplit::row, fused);
    t.linear(moe + ".router.layer", h, n.experts, false, TensorRole::router, TpSplit::replicated,
             shared_expert(i));
    if (shared > 0) {
      t.linear(prefix + ".shared_mlp.input_linear", h, dim_mul(2, shared, "input_linear size"),
               false, TensorRole::gate_up, TpSplit::column, shared_expert(i));
      t.linear(prefix + ".shared_mlp.output_linear", shared, h, false, TensorRole::down,
               TpSplit::row, shared_expert(i));
    }
    m.layers.push_back(moe_layer(p, 0, true));
  }
  t.norm("model.norm", h, false, -1);
}

void build_ernie4_5_moe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, true);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "moe_num_experts", "moe_k");
  const int64_t moe_inter = c.require_int("moe_intermediate_size", 1, k_max_intermediate);
  const int64_t shared = c.get_int("moe_num_shared_experts", 0, 0, k_max_experts);
  const int64_t start = c.get_int("moe_layer_start_index", 0, 0, k_max_layers);
  const int64_t end = c.get_int("moe_layer_end_index", p.layers - 1, -1, k_max_layers);
  const int64_t interval = c.get_int("moe_layer_interval", 1, 1, k_max_layers);
  const bool bias = c.get_bool("use_bias", false);
  set_moe(m, n, static_cast<int32_t>(shared));
  auto is_moe = [&](int64_t i) { return (i + 1) % interval == 0 && i >= start && i <= end; };
  int64_t moe_layers = 0;
  for (int64_t i = 0; i < p.layers; ++i) moe_layers += is_moe(i) ? 1 : 0;
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  auto dense_layer = [&](const std::string& prefix, const Place& at) {
    add_llama_attention_block(t, prefix, p, bias, bias, false, at);
    add_gated_mlp(t, prefix + ".mlp", h, p.intermediate, bias, at);
  };
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string prefix = layer_prefix(i);
    if (!is_moe(i)) {
      dense_layer(prefix, i);
      m.layers.push_back(moe_layer(p, 0, false));
      continue;
    }
    add_llama_attention_block(t, prefix, p, bias, bias, false, i);
    const std::string mlp = prefix + ".mlp";
    t.linear(mlp + ".gate", h, n.experts, false, TensorRole::router, TpSplit::replicated,
             shared_expert(i));
    t.bias(mlp + ".moe_statics.e_score_correction_bias", {1, n.experts}, TensorRole::router,
           TpSplit::replicated, shared_expert(i));
    add_gated_mlp(t, mlp + ".experts.#", h, moe_inter, bias, routed_experts(i, n.experts));
    if (shared > 0) {
      add_gated_mlp(t, mlp + ".shared_experts", h, dim_mul(moe_inter, shared, "shared size"), bias,
                    shared_expert(i));
    }
    m.layers.push_back(moe_layer(p, 0, true));
  }
  t.norm("model.norm", h, false, -1);
  const int64_t mtp = c.get_int("num_nextn_predict_layers", 0, 0, k_max_layers);
  for (int64_t k = 0; k < mtp; ++k) {
    const std::string K = "." + std::to_string(k);
    const Place at = mtp_layer();
    t.norm("model.mtp_emb_norm" + K, h, false, at);
    t.norm("model.mtp_hidden_norm" + K, h, false, at);
    t.linear("model.mtp_linear_proj" + K, dim_mul(2, h, "mtp_linear_proj size"), h, false,
             TensorRole::other, TpSplit::replicated, at);
    dense_layer("model.mtp_block" + K, at);
  }
}

void build_hunyuan_moe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_experts", "moe_topk");
  const int64_t moe_inter =
      c.get_int("moe_intermediate_size", p.intermediate, 1, k_max_intermediate);
  // use_mixed_mlp_moe is written as a boolean or as 0/1.
  const auto* mixed = c.find("use_mixed_mlp_moe");
  const bool mixed_on =
      mixed != nullptr && (mixed->is_boolean() ? c.get_bool("use_mixed_mlp_moe", false)
                                               : c.get_int("use_mixed_mlp_moe", 0, 0, 1) > 0);
  const int64_t shared = mixed_on ? c.get_int("num_shared_expert", 1, 0, k_max_experts) : 0;
  set_moe(m, n, static_cast<int32_t>(shared));
  const bool bias = c.get_bool("attention_bias", false);
  const bool mlp_bias = c.get_bool("mlp_bias", false);
  const bool qk_norm = c.get_bool("use_qk_norm", false);
  if (c.get_bool("use_cla", false)) {
    c.fail("use_cla",
           "is true: cross-layer attention (layers sharing K/V) is not modelled; the KV cache "
           "would be overstated");
  }
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", h, false, i);
    add_llama_attention(t, prefix + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, bias, bias,
                        i);
    if (qk_norm) {
      t.norm(prefix + ".self_attn.query_layernorm", p.head_dim, false, i);
      t.norm(prefix + ".self_attn.key_layernorm", p.head_dim, false, i);
    }
    t.norm(prefix + ".post_attention_layernorm", h, false, i);
    const std::string mlp = prefix + ".mlp";
    t.linear(mlp + ".gate.wg", h, n.experts, false, TensorRole::router, TpSplit::replicated,
             shared_expert(i));
    add_gated_mlp(t, mlp + ".experts.#", h, moe_inter, mlp_bias, routed_experts(i, n.experts));
    if (shared > 0) {
      add_gated_mlp(t, mlp + ".shared_mlp", h, dim_mul(p.intermediate, shared, "shared size"),
                    mlp_bias, shared_expert(i));
    }
    m.layers.push_back(moe_layer(p, 0, true));
  }
  t.norm("model.norm", h, false, -1);
}

void build_minimax_m2(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_local_experts");
  set_moe(m, n, 0);
  const bool bias = c.get_bool("attention_bias", false);
  const bool routing_bias = c.get_bool("use_routing_bias", false);
  const bool qk_norm =
      c.get_string("qk_norm_type", "per_layer") == "per_layer" && c.get_bool("use_qk_norm", true);
  c.has("scoring_func");
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", h, false, i);
    add_llama_attention(t, prefix + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, bias, bias,
                        i);
    if (qk_norm) {
      t.norm(prefix + ".self_attn.q_norm", dim_mul(p.heads, p.head_dim, "q_norm size"), false, i);
      t.norm(prefix + ".self_attn.k_norm", dim_mul(p.kv_heads, p.head_dim, "k_norm size"), false,
             i);
    }
    t.norm(prefix + ".post_attention_layernorm", h, false, i);
    const std::string moe = prefix + ".block_sparse_moe";
    // Router and its bias in float32, as vLLM creates them (minimax_m2.py params_dtype) and as
    // MiniMax-M1's checkpoint stores its router.
    const Place router = as_fp32(shared_expert(i));
    if (routing_bias) {
      t.bias(moe + ".e_score_correction_bias", {n.experts}, TensorRole::router, TpSplit::replicated,
             router);
    }
    t.linear(moe + ".gate", h, n.experts, false, TensorRole::router, TpSplit::replicated, router);
    const std::string e = moe + ".experts.#";
    const Place ex = routed_experts(i, n.experts);
    t.linear(e + ".w1", h, p.intermediate, false, TensorRole::gate, TpSplit::column, ex);
    t.linear(e + ".w2", p.intermediate, h, false, TensorRole::down, TpSplit::row, ex);
    t.linear(e + ".w3", h, p.intermediate, false, TensorRole::up, TpSplit::column, ex);
    m.layers.push_back(moe_layer(p, 0, true));
  }
  t.norm("model.norm", h, false, -1);
}

}  // namespace llmem::hf
