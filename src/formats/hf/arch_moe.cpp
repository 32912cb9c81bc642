// Mixture-of-experts decoders with Llama-shaped attention: mixtral, qwen2_moe, qwen3_moe.
// Names and shapes follow the checkpoints as transformers writes them (one tensor per expert):
// - mixtral (modeling_mixtral.py MixtralSparseMoeBlock): model.layers.N.block_sparse_moe.gate
//   [E, hidden] and block_sparse_moe.experts.M.{w1,w3} [inter, hidden], w2 [hidden, inter];
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

}  // namespace

void build_mixtral(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_local_experts");
  set_moe(m, n, 0);
  // MixtralAttention applies config.sliding_window on every layer when it is set (null in the
  // released Mixtral configs).
  std::vector<int64_t> windows = read_layer_windows(c, p.layers);

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = layer_prefix(i);
    t.norm(prefix + ".input_layernorm", p.hidden, false, i);
    add_llama_attention(t, prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim, false,
                        false, i);
    t.norm(prefix + ".post_attention_layernorm", p.hidden, false, i);
    std::string moe = prefix + ".block_sparse_moe";
    t.linear(moe + ".gate", p.hidden, n.experts, false, TensorRole::router, TpSplit::replicated,
             shared_expert(i));
    // MixtralBlockSparseTop2MLP: w2(act(w1(x)) * w3(x)), one tensor per expert.
    const std::string expert = moe + ".experts.#";
    const Place experts = routed_experts(i, n.experts);
    t.linear(expert + ".w1", p.hidden, p.intermediate, false, TensorRole::gate, TpSplit::column,
             experts);
    t.linear(expert + ".w2", p.intermediate, p.hidden, false, TensorRole::down, TpSplit::row,
             experts);
    t.linear(expert + ".w3", p.hidden, p.intermediate, false, TensorRole::up, TpSplit::column,
             experts);
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                  windows[static_cast<size_t>(i)]);
    s.moe = true;
    m.layers.push_back(s);
  }
  t.norm("model.norm", p.hidden, false, -1);
}

void build_qwen2_moe(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_qwen_moe(c, m, {.qwen3 = false});
}

void build_qwen3_moe(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  build_qwen_moe(c, m, {.qwen3 = true});
}

}  // namespace llmem::hf
