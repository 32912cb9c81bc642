// Hybrid decoders: linear attention beside full attention (qwen3_next, qwen3_5, minimax), and
// SSM mixers beside attention (jamba, falcon_h1, granitemoehybrid). Linear-attention layers hold
// a fixed state per sequence (LayerKind::linear_attention: conv and recurrent state elements);
// SSM layers their Mamba state (ssm_blocks.h). Sources, read at vLLM commits 28be48fa944d
// (local-inference-lab mirror) and ffd91ee17a79 (jsboige mirror), which load the checkpoints'
// own names, and the published checkpoints' indexes (tests/data/checkpoints):
// - qwen3_next (vllm/model_executor/models/qwen3_next.py, qwen3_next_mtp.py;
//   layers/mamba/gdn/qwen_gdn_linear_attn.py): linear layers linear_attn.{in_proj_qkvz
//   [2·key_dim + 2·value_dim, h], in_proj_ba [2·v_heads, h], conv1d [conv_dim, 1, kernel],
//   dt_bias, A_log [v_heads], norm [head_v_dim], out_proj [h, value_dim]}, conv_dim = 2·key_dim +
//   value_dim; full layers self_attn.q_proj [2·heads·head_dim, h] (the output gate), k/v, o,
//   q_norm/k_norm [head_dim]; every MLP Qwen2-MoE's (mlp.gate, mlp.experts.M.*,
//   mlp.shared_expert.*, mlp.shared_expert_gate). MTP: mtp.{fc [h, 2h], pre_fc_norm_embedding,
//   pre_fc_norm_hidden, layers.K (a full-attention MoE layer), norm}.
// - qwen3_5, qwen3_5_moe and their _text spellings (transformers_utils/configs/qwen3_5.py,
//   models/qwen3_5.py, qwen3_5_mtp.py): qwen3_next's layers with linear_attn.{in_proj_qkv
//   [2·key_dim + value_dim, h], in_proj_z [value_dim, h], in_proj_b, in_proj_a [v_heads, h]};
//   the dense model's MLP is mlp.{gate,up,down}_proj; stored under model.language_model.* with
//   lm_head, the vision tower model.visual.* (qwen_vision.h) and mtp.* (mtp_num_hidden_layers;
//   mtp.embed_tokens when mtp_use_dedicated_embeddings). A_log and linear_attn.norm are float32.
//   State per sequence (vLLM MambaStateShapeCalculator.gated_delta_net_state_shape): conv
//   conv_dim × kernel (transformers' cache; vLLM keeps kernel − 1 columns), recurrent v_heads ×
//   head_v_dim × head_k_dim.
// - minimax, minimax_m1 (MiniMax-Text-01 / M1; vLLM minimax_text_01.py): attn_type_list (or
//   layer_types) 0 = lightning attention self_attn.{qkv_proj [3·heads·head_dim, h],
//   output_gate [heads·head_dim, h], norm [heads·head_dim], out_proj}, 1 = softmax attention
//   self_attn.{q,k,v,o}_proj; every layer Mixtral's block_sparse_moe (w1/w2/w3), with
//   shared_mlp.* and coefficient [1, h] when shared_intermediate_size > 0; the router is float32.
//   Lightning state
//   (linear_attention_state_shape): heads × head_dim × head_dim.
// - jamba (vLLM jamba.py; transformers modeling_jamba.py): layer i is attention when
//   i % attn_layer_period == attn_layer_offset, else a Mamba layer mamba.* (MambaMixer with
//   dt/b/c layernorms); its feed_forward is MoE (router [E, h], experts.M.*) when
//   i % expert_layer_period == expert_layer_offset, else dense; input_layernorm,
//   pre_ff_layernorm; model.final_layernorm.
// - falcon_h1 (vLLM falcon_h1.py): every layer runs attention self_attn.* and a Mamba-2 mixer
//   mamba.* in parallel (so it holds both a KV cache and an SSM state), then
//   feed_forward.{gate,up,down}_proj; input_layernorm, pre_ff_layernorm; model.final_layernorm.
//   d_ssm = mamba_d_ssm or mamba_expand · h; the gated norm only with mamba_rms_norm.
// - granitemoehybrid (vLLM granitemoehybrid.py): layer_types "mamba" (mamba.*, Mamba-2) or
//   "attention" (self_attn.*); every layer granitemoe's block_sparse_moe when
//   num_local_experts > 0 and shared_mlp.{input_linear, output_linear} when
//   shared_intermediate_size > 0.
#include <algorithm>
#include <string>
#include <vector>

#include "formats/hf/architectures.h"
#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/qwen_vision.h"
#include "formats/hf/ssm_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

// Which layers are linear attention: layer_types when given ("linear_attention" /
// "full_attention"), else every full_attention_interval-th layer is full.
std::vector<bool> linear_layers(const ConfigView& c, int64_t layers, int64_t interval_default) {
  std::vector<bool> linear(static_cast<size_t>(layers), false);
  std::vector<std::string> types = c.get_string_list("layer_types");
  if (!types.empty()) {
    if (static_cast<int64_t>(types.size()) != layers) {
      c.fail("layer_types", "has " + std::to_string(types.size()) +
                                " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "linear_attention") {
        linear[i] = true;
      } else if (types[i] != "full_attention") {
        c.fail("layer_types", "[" + std::to_string(i) + "] is \"" + types[i] +
                                  "\" but must be \"linear_attention\" or \"full_attention\"");
      }
    }
    return linear;
  }
  const int64_t interval = c.get_int("full_attention_interval", interval_default, 1, k_max_layers);
  for (int64_t i = 0; i < layers; ++i) linear[static_cast<size_t>(i)] = (i + 1) % interval != 0;
  return linear;
}

// The gated-delta-net sizes of Qwen3-Next and Qwen3.5.
struct GatedDeltaNet {
  int64_t k_heads = 0, v_heads = 0, k_dim = 0, v_dim = 0, kernel = 0;
  int64_t key() const { return k_heads * k_dim; }
  int64_t value() const { return v_heads * v_dim; }
  int64_t conv() const { return 2 * key() + value(); }
};

GatedDeltaNet read_gdn(const ConfigView& c, ModelDescription& m, std::string_view cls) {
  GatedDeltaNet g;
  g.kernel = int_or_class_default(c, m, "linear_conv_kernel_dim", 4, 1, 1024, cls);
  g.k_dim = int_or_class_default(c, m, "linear_key_head_dim", 128, 1, k_max_hidden, cls);
  g.v_dim = int_or_class_default(c, m, "linear_value_head_dim", 128, 1, k_max_hidden, cls);
  g.k_heads = int_or_class_default(c, m, "linear_num_key_heads", 16, 1, k_max_heads, cls);
  g.v_heads = int_or_class_default(c, m, "linear_num_value_heads", 32, 1, k_max_heads, cls);
  dim_mul(dim_mul(g.v_heads, g.v_dim, "linear attention state"), g.k_dim, "linear attention state");
  dim_add(dim_mul(2, g.key(), "conv size"), g.value(), "conv size");
  return g;
}

LayerSpec gdn_layer(const GatedDeltaNet& g) {
  LayerSpec s;
  s.kind = LayerKind::linear_attention;
  s.conv_state_elements = dim_mul(g.conv(), g.kernel, "conv state");
  s.ssm_state_elements = dim_mul(dim_mul(g.v_heads, g.v_dim, "state"), g.k_dim, "state");
  return s;
}

void add_gdn(TensorAdder& t, const GatedDeltaNet& g, int64_t h, const std::string& a, bool qwen3_5,
             const Place& at) {
  if (qwen3_5) {
    t.linear(a + ".in_proj_qkv", h, g.conv(), false, TensorRole::ssm_in, TpSplit::column, at);
    t.linear(a + ".in_proj_z", h, g.value(), false, TensorRole::ssm_in, TpSplit::column, at);
    t.linear(a + ".in_proj_b", h, g.v_heads, false, TensorRole::ssm_in, TpSplit::column, at);
    t.linear(a + ".in_proj_a", h, g.v_heads, false, TensorRole::ssm_in, TpSplit::column, at);
  } else {
    t.linear(a + ".in_proj_qkvz", h, dim_add(g.conv(), g.value(), "in_proj_qkvz size"), false,
             TensorRole::ssm_in, TpSplit::column, at);
    t.linear(a + ".in_proj_ba", h, dim_mul(2, g.v_heads, "in_proj_ba size"), false,
             TensorRole::ssm_in, TpSplit::column, at);
  }
  t.add(a + ".conv1d.weight", {g.conv(), 1, g.kernel}, TensorRole::ssm_conv, TpSplit::column, at);
  t.add(a + ".dt_bias", {g.v_heads}, TensorRole::ssm_param, TpSplit::column, at);
  // A_log and the gated norm's weight are stored in float32: qwen3.5-bf16's total_size is exact
  // only so (24 linear layers × (32 + 128) elements × 2 more bytes = 7,680), and vLLM creates
  // A_log with dtype=torch.float32 (qwen_gdn_linear_attn.py).
  t.add(a + ".A_log", {g.v_heads}, TensorRole::ssm_param, TpSplit::column, as_fp32(at));
  t.add(a + ".norm.weight", {g.v_dim}, TensorRole::ssm_param, TpSplit::replicated, as_fp32(at));
  t.linear(a + ".out_proj", g.value(), h, false, TensorRole::ssm_out, TpSplit::row, at);
}

// Qwen3-Next's gated full attention: q_proj carries the output gate too.
void add_gated_attention(TensorAdder& t, const DecoderParams& p, bool gate, bool bias,
                         const std::string& a, const Place& at) {
  const int64_t q = dim_mul(p.heads, p.head_dim, "q size");
  const int64_t kv = dim_mul(p.kv_heads, p.head_dim, "kv size");
  t.linear(a + ".q_proj", p.hidden, gate ? dim_mul(2, q, "q_proj size") : q, bias, TensorRole::q,
           TpSplit::column, at);
  t.linear(a + ".k_proj", p.hidden, kv, bias, TensorRole::k, TpSplit::kv_heads, at);
  t.linear(a + ".v_proj", p.hidden, kv, bias, TensorRole::v, TpSplit::kv_heads, at);
  t.linear(a + ".o_proj", q, p.hidden, bias, TensorRole::o, TpSplit::row, at);
  t.norm(a + ".q_norm", p.head_dim, false, at);
  t.norm(a + ".k_norm", p.head_dim, false, at);
}

struct QwenMoe {
  int32_t experts = 0;  // 0: a dense MLP
  int64_t moe_inter = 0, shared_inter = 0;
};

void add_qwen_mlp(TensorAdder& t, const DecoderParams& p, const QwenMoe& q, const std::string& mlp,
                  const Place& at) {
  if (q.experts == 0) {
    add_gated_mlp(t, mlp, p.hidden, p.intermediate, false, at);
    return;
  }
  const bool mtp = at.group == WeightGroup::mtp;
  const Place shared = in_mtp(shared_expert(at.layer), mtp);
  t.linear(mlp + ".gate", p.hidden, q.experts, false, TensorRole::router, TpSplit::replicated,
           shared);
  add_gated_mlp(t, mlp + ".experts.#", p.hidden, q.moe_inter, false,
                in_mtp(routed_experts(at.layer, q.experts), mtp));
  if (q.shared_inter > 0) {
    add_gated_mlp(t, mlp + ".shared_expert", p.hidden, q.shared_inter, false, shared);
    t.linear(mlp + ".shared_expert_gate", p.hidden, 1, false, TensorRole::router,
             TpSplit::replicated, shared);
  }
}

// Qwen3-Next / Qwen3.5: one builder, the spelling says which.
void build_qwen_hybrid(const ConfigView& c, ModelDescription& m, std::string_view type) {
  const bool qwen3_5 = type.starts_with("qwen3_5");
  const bool wrapper = type == "qwen3_5" || type == "qwen3_5_moe";
  const bool moe = type == "qwen3_next" || type.find("moe") != std::string_view::npos;
  const std::string_view cls =
      qwen3_5 ? (moe ? "Qwen3_5MoeTextConfig" : "Qwen3_5TextConfig") : "Qwen3NextConfig";
  const ConfigView text = wrapper ? c.sub("text_config") : c;
  DecoderParams p;
  p.hidden = text.require_int("hidden_size", 1, k_max_hidden);
  p.layers = text.require_int("num_hidden_layers", 1, k_max_layers);
  p.heads = static_cast<int32_t>(text.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = static_cast<int32_t>(text.get_int("num_key_value_heads", p.heads, 1, p.heads));
  check_gqa(text, p.heads, p.kv_heads);
  p.head_dim =
      static_cast<int32_t>(int_or_class_default(text, m, "head_dim", 256, 1, k_max_hidden, cls));
  p.vocab = text.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = text.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = (wrapper ? c : text).get_bool("tie_word_embeddings", false);
  QwenMoe q;
  if (moe) {
    MoeCounts n = read_moe_counts(text, "num_experts");
    q.experts = n.experts;
    q.moe_inter = text.require_int("moe_intermediate_size", 1, k_max_intermediate);
    q.shared_inter = text.get_int("shared_expert_intermediate_size", 0, 0, k_max_intermediate);
    m.num_experts = n.experts;
    m.experts_per_token = n.per_token;
    m.num_shared_experts = q.shared_inter > 0 ? 1 : 0;
    p.intermediate = text.get_int("intermediate_size", q.moe_inter, 1, k_max_intermediate);
  } else {
    p.intermediate = text.require_int("intermediate_size", 1, k_max_intermediate);
  }
  set_common(m, p);
  const GatedDeltaNet g = read_gdn(text, m, cls);
  const std::vector<bool> linear = linear_layers(text, p.layers, 4);
  const bool gate = text.get_bool("attn_output_gate", true);
  const bool bias = text.get_bool("attention_bias", false);
  // Dense layers among MoE ones (Qwen2-MoE's mlp_only_layers / decoder_sparse_step).
  std::vector<bool> sparse(static_cast<size_t>(p.layers), moe);
  if (moe) {
    const int64_t step = text.get_int("decoder_sparse_step", 1, 1, k_max_layers);
    for (int64_t i = 0; i < p.layers; ++i) sparse[static_cast<size_t>(i)] = (i + 1) % step == 0;
    for (int64_t i : text.get_int_list("mlp_only_layers", 0, p.layers - 1)) {
      sparse[static_cast<size_t>(i)] = false;
    }
  }
  if (text.has("mamba_ssm_dtype")) {
    m.notes.push_back(text.where("mamba_ssm_dtype") + " is \"" +
                      text.get_string("mamba_ssm_dtype", "") +
                      "\": the linear-attention state is counted at the compute dtype, as "
                      "vLLM's mamba_ssm_cache_dtype 'auto' holds it");
  }
  const std::string base = qwen3_5 ? "model.language_model" : "model";
  const int64_t h = p.hidden;

  TensorAdder t(m);
  t.add(base + ".embed_tokens.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) t.add("lm_head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab);
  const QwenMoe dense{};
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = base + ".layers." + std::to_string(i);
    t.norm(l + ".input_layernorm", h, false, i);
    if (linear[static_cast<size_t>(i)]) {
      add_gdn(t, g, h, l + ".linear_attn", qwen3_5, i);
    } else {
      add_gated_attention(t, p, gate, bias, l + ".self_attn", i);
    }
    t.norm(l + ".post_attention_layernorm", h, false, i);
    const bool is_moe = sparse[static_cast<size_t>(i)];
    add_qwen_mlp(t, p, is_moe ? q : dense, l + ".mlp", i);
    LayerSpec s = linear[static_cast<size_t>(i)]
                      ? gdn_layer(g)
                      : attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    s.moe = is_moe;
    m.layers.push_back(s);
  }
  t.norm(base + ".norm", h, false, -1);

  // MTP: Qwen3.5's mtp_num_hidden_layers; Qwen3-Next's num_nextn_predict_layers, which vLLM
  // takes as 1 when the config omits it (its checkpoints store one).
  int64_t mtp = 0;
  if (qwen3_5) {
    mtp = text.get_int("mtp_num_hidden_layers", 0, 0, k_max_layers);
  } else if (text.has("num_nextn_predict_layers")) {
    mtp = text.get_int("num_nextn_predict_layers", 0, 0, k_max_layers);
  } else {
    mtp = 1;
    m.notes.push_back(text.where("num_nextn_predict_layers") +
                      " is absent: one MTP layer (mtp.*) is described, as vLLM assumes and the "
                      "published Qwen3-Next checkpoints store");
  }
  if (mtp > 0) {
    const Place at = mtp_layer();
    if (qwen3_5 && text.get_bool("mtp_use_dedicated_embeddings", false)) {
      t.add("mtp.embed_tokens.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab, at);
    }
    t.linear("mtp.fc", dim_mul(2, h, "mtp.fc input"), h, false, TensorRole::other,
             TpSplit::replicated, at);
    t.norm("mtp.pre_fc_norm_embedding", h, false, at);
    t.norm("mtp.pre_fc_norm_hidden", h, false, at);
    for (int64_t k = 0; k < mtp; ++k) {
      const std::string l = "mtp.layers." + std::to_string(k);
      t.norm(l + ".input_layernorm", h, false, at);
      add_gated_attention(t, p, gate, bias, l + ".self_attn", at);
      t.norm(l + ".post_attention_layernorm", h, false, at);
      add_qwen_mlp(t, p, q, l + ".mlp", at);
    }
    t.norm("mtp.norm", h, false, at);
  }
  if (wrapper) {
    if (const auto* v = c.find("vision_config"); v != nullptr && v->is_object()) {
      add_qwen3_vision(c.sub("vision_config"), t, "model.visual");
    }
  }
}

}  // namespace

void build_qwen3_next(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  build_qwen_hybrid(c, m, ctx.type);
}

void build_qwen3_5(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  build_qwen_hybrid(c, m, ctx.type);
}

void build_minimax(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(c, "num_local_experts");
  m.num_experts = n.experts;
  m.experts_per_token = n.per_token;
  std::vector<bool> linear(static_cast<size_t>(p.layers), false);
  if (c.has("attn_type_list")) {
    std::vector<int64_t> types = c.get_int_list("attn_type_list", 0, 1);
    if (static_cast<int64_t>(types.size()) != p.layers) {
      c.fail("attn_type_list", "has " + std::to_string(types.size()) +
                                   " entries but num_hidden_layers is " + std::to_string(p.layers));
    }
    for (size_t i = 0; i < types.size(); ++i) linear[i] = types[i] == 0;
  } else if (c.has("layer_types")) {
    linear = linear_layers(c, p.layers, 1);
  } else {
    c.fail("attn_type_list",
           "is missing (one of 0 = lightning attention, 1 = softmax attention per layer is "
           "required, or layer_types)");
  }
  const int64_t shared = c.get_int("shared_intermediate_size", 0, 0, k_max_intermediate);
  c.has("shared_moe_mode");
  c.has("postnorm");
  if (shared > 0) m.num_shared_experts = 1;
  const int64_t h = p.hidden;
  const int64_t inner = dim_mul(p.heads, p.head_dim, "attention size");
  const int64_t window = c.get_int("sliding_window", 0, 0, k_max_positions);

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = "model.layers." + std::to_string(i);
    t.norm(l + ".input_layernorm", h, false, i);
    LayerSpec s;
    if (linear[static_cast<size_t>(i)]) {
      const std::string a = l + ".self_attn";
      t.linear(a + ".qkv_proj", h, dim_mul(3, inner, "qkv_proj size"), false, TensorRole::qkv,
               TpSplit::column, i);
      t.linear(a + ".output_gate", h, inner, false, TensorRole::attn_other, TpSplit::column, i);
      t.add(a + ".norm.weight", {inner}, TensorRole::norm, TpSplit::column, i);
      t.linear(a + ".out_proj", inner, h, false, TensorRole::o, TpSplit::row, i);
      s.kind = LayerKind::linear_attention;
      s.ssm_state_elements =
          dim_mul(dim_mul(p.heads, p.head_dim, "lightning state"), p.head_dim, "lightning state");
    } else {
      add_llama_attention(t, l + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, false, false, i);
      s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim, window);
    }
    t.norm(l + ".post_attention_layernorm", h, false, i);
    const std::string moe = l + ".block_sparse_moe";
    // The router is stored in float32 (vLLM minimax_text_01.py: params_dtype=torch.float32;
    // MiniMax-M1's total_size is exact only so: 80 × 32 × 6144 × 2 more bytes).
    t.linear(moe + ".gate", h, n.experts, false, TensorRole::router, TpSplit::replicated,
             as_fp32(shared_expert(i)));
    const std::string e = moe + ".experts.#";
    const Place ex = routed_experts(i, n.experts);
    t.linear(e + ".w1", h, p.intermediate, false, TensorRole::gate, TpSplit::column, ex);
    t.linear(e + ".w2", p.intermediate, h, false, TensorRole::down, TpSplit::row, ex);
    t.linear(e + ".w3", h, p.intermediate, false, TensorRole::up, TpSplit::column, ex);
    if (shared > 0) {
      add_gated_mlp(t, l + ".shared_mlp", h, shared, false, shared_expert(i));
      t.linear(l + ".coefficient", h, 1, false, TensorRole::router, TpSplit::replicated,
               shared_expert(i));
    }
    s.moe = true;
    m.layers.push_back(s);
  }
  t.norm("model.norm", h, false, -1);
}

void build_jamba(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  const int64_t attn_period = c.get_int("attn_layer_period", 8, 1, k_max_layers);
  const int64_t attn_offset = c.get_int("attn_layer_offset", 4, 0, k_max_layers);
  const int64_t expert_period = c.get_int("expert_layer_period", 2, 1, k_max_layers);
  const int64_t expert_offset = c.get_int("expert_layer_offset", 1, 0, k_max_layers);
  const auto experts = static_cast<int32_t>(c.get_int("num_experts", 16, 1, k_max_experts));
  const auto top_k = static_cast<int32_t>(c.get_int("num_experts_per_tok", 2, 1, experts));
  MambaParams mp;
  mp.hidden = p.hidden;
  mp.state = c.get_int("mamba_d_state", 16, 1, k_max_hidden);
  mp.conv_kernel = c.get_int("mamba_d_conv", 4, 1, 1024);
  mp.intermediate =
      dim_mul(c.get_int("mamba_expand", 2, 1, 1024), p.hidden, "mamba intermediate size");
  mp.time_step_rank = (p.hidden + 15) / 16;  // JambaConfig: "auto" is ceil(hidden_size / 16)
  if (const auto* v = c.find("mamba_dt_rank"); v != nullptr && !v->is_string()) {
    mp.time_step_rank = c.require_int("mamba_dt_rank", 1, k_max_hidden);
  }
  mp.conv_bias = c.get_bool("mamba_conv_bias", true);
  mp.proj_bias = c.get_bool("mamba_proj_bias", false);
  mp.bcdt_norms = true;
  if (experts > 1) {
    m.num_experts = experts;
    m.experts_per_token = top_k;
  }
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = "model.layers." + std::to_string(i);
    const bool attention = i % attn_period == attn_offset;
    const bool moe = experts > 1 && i % expert_period == expert_offset;
    t.norm(l + ".input_layernorm", h, false, i);
    LayerSpec s;
    if (attention) {
      add_llama_attention(t, l + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, false, false, i);
      s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    } else {
      add_mamba_mixer(t, mp, l + ".mamba", i);
      s = mamba_layer(mp);
    }
    t.norm(l + ".pre_ff_layernorm", h, false, i);
    const std::string ff = l + ".feed_forward";
    if (moe) {
      t.linear(ff + ".router", h, experts, false, TensorRole::router, TpSplit::replicated,
               shared_expert(i));
      add_gated_mlp(t, ff + ".experts.#", h, p.intermediate, false, routed_experts(i, experts));
    } else {
      add_gated_mlp(t, ff, h, p.intermediate, false, i);
    }
    s.moe = moe;
    m.layers.push_back(s);
  }
  t.norm("model.final_layernorm", h, false, -1);
}

void build_falcon_h1(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  Mamba2Params s;
  s.hidden = p.hidden;
  s.heads = c.require_int("mamba_n_heads", 1, k_max_heads);
  s.head_dim = c.require_int("mamba_d_head", 1, k_max_hidden);
  s.groups = c.get_int("mamba_n_groups", 1, 1, k_max_heads);
  s.state = c.get_int("mamba_d_state", 256, 1, k_max_hidden);
  s.conv_kernel = c.get_int("mamba_d_conv", 4, 1, 1024);
  s.intermediate =
      c.opt_int("mamba_d_ssm", 1, k_max_intermediate)
          .value_or(dim_mul(c.get_int("mamba_expand", 2, 1, 1024), p.hidden, "mamba d_ssm"));
  s.conv_bias = c.get_bool("mamba_conv_bias", true);
  s.proj_bias = c.get_bool("mamba_proj_bias", false);
  s.gated_norm = c.get_bool("mamba_rms_norm", false);
  if (dim_mul(s.heads, s.head_dim, "mamba heads") != s.intermediate) {
    c.fail("mamba_n_heads", "is " + std::to_string(s.heads) + " but mamba_n_heads * mamba_d_head=" +
                                std::to_string(s.heads * s.head_dim) +
                                " must equal the mamba width " + std::to_string(s.intermediate));
  }
  const bool bias = c.get_bool("attention_bias", false);
  const bool mlp_bias = c.get_bool("mlp_bias", false);
  const int64_t h = p.hidden;
  const LayerSpec mixer = mamba2_layer(s);
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = "model.layers." + std::to_string(i);
    t.norm(l + ".input_layernorm", h, false, i);
    add_mamba2_mixer(t, s, l + ".mamba", i);
    add_llama_attention(t, l + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, bias, bias, i);
    t.norm(l + ".pre_ff_layernorm", h, false, i);
    add_gated_mlp(t, l + ".feed_forward", h, p.intermediate, mlp_bias, i);
    LayerSpec spec = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    spec.conv_state_elements = mixer.conv_state_elements;  // the parallel SSM's state
    spec.ssm_state_elements = mixer.ssm_state_elements;
    m.layers.push_back(spec);
  }
  t.norm("model.final_layernorm", h, false, -1);
}

void build_granitemoehybrid(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  std::vector<std::string> types = c.get_string_list("layer_types");
  if (static_cast<int64_t>(types.size()) != p.layers) {
    c.fail("layer_types", "has " + std::to_string(types.size()) +
                              " entries but num_hidden_layers is " + std::to_string(p.layers) +
                              " (one of \"mamba\", \"attention\" per layer is required)");
  }
  Mamba2Params s;
  s.hidden = p.hidden;
  const bool any_mamba = std::find(types.begin(), types.end(), "mamba") != types.end();
  if (any_mamba) {
    s.heads = c.require_int("mamba_n_heads", 1, k_max_heads);
    s.head_dim = c.require_int("mamba_d_head", 1, k_max_hidden);
    s.groups = c.get_int("mamba_n_groups", 1, 1, k_max_heads);
    s.state = c.get_int("mamba_d_state", 256, 1, k_max_hidden);
    s.conv_kernel = c.get_int("mamba_d_conv", 4, 1, 1024);
    s.intermediate =
        dim_mul(c.get_int("mamba_expand", 2, 1, 1024), p.hidden, "mamba intermediate size");
    s.conv_bias = c.get_bool("mamba_conv_bias", true);
    s.proj_bias = c.get_bool("mamba_proj_bias", false);
    if (dim_mul(s.heads, s.head_dim, "mamba heads") != s.intermediate) {
      c.fail("mamba_n_heads",
             "is " + std::to_string(s.heads) +
                 " but mamba_n_heads * mamba_d_head=" + std::to_string(s.heads * s.head_dim) +
                 " must equal mamba_expand * hidden_size=" + std::to_string(s.intermediate));
    }
  }
  const int64_t experts = c.get_int("num_local_experts", 0, 0, k_max_experts);
  if (experts > 0) {
    MoeCounts n = read_moe_counts(c, "num_local_experts");
    m.num_experts = n.experts;
    m.experts_per_token = n.per_token;
  }
  const int64_t shared = c.get_int("shared_intermediate_size", 0, 0, k_max_intermediate);
  if (shared > 0 && experts > 0) m.num_shared_experts = 1;
  const bool bias = c.get_bool("attention_bias", false);
  const int64_t h = p.hidden;
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = "model.layers." + std::to_string(i);
    const std::string& type = types[static_cast<size_t>(i)];
    t.norm(l + ".input_layernorm", h, false, i);
    LayerSpec spec;
    if (type == "mamba") {
      add_mamba2_mixer(t, s, l + ".mamba", i);
      spec = mamba2_layer(s);
    } else if (type == "attention") {
      add_llama_attention(t, l + ".self_attn", h, p.heads, p.kv_heads, p.head_dim, bias, bias, i);
      spec = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    } else {
      c.fail("layer_types", "[" + std::to_string(i) + "] is \"" + type +
                                "\" but must be \"mamba\" or \"attention\"");
    }
    t.norm(l + ".post_attention_layernorm", h, false, i);
    if (experts > 0) {
      const std::string moe = l + ".block_sparse_moe";
      const Place fused = fused_experts(i, static_cast<int32_t>(experts));
      t.add(moe + ".input_linear.weight",
            {experts, dim_mul(2, p.intermediate, "input_linear size"), h}, TensorRole::gate_up,
            TpSplit::column, fused);
      t.add(moe + ".output_linear.weight", {experts, h, p.intermediate}, TensorRole::down,
            TpSplit::row, fused);
      t.linear(moe + ".router.layer", h, experts, false, TensorRole::router, TpSplit::replicated,
               shared_expert(i));
      spec.moe = true;
    }
    if (shared > 0) {
      const Place at = experts > 0 ? shared_expert(i) : Place(i);
      t.linear(l + ".shared_mlp.input_linear", h, dim_mul(2, shared, "input_linear size"), false,
               TensorRole::gate_up, TpSplit::column, at);
      t.linear(l + ".shared_mlp.output_linear", shared, h, false, TensorRole::down, TpSplit::row,
               at);
    }
    m.layers.push_back(spec);
  }
  t.norm("model.norm", h, false, -1);
}

}  // namespace llmem::hf
