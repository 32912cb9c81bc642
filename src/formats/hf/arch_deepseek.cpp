// DeepSeek-V2 / V3 (model_type deepseek_v2, deepseek_v3), after the model repos' own
// modeling_deepseek.py (deepseek-ai/DeepSeek-V3, deepseek-ai/DeepSeek-V2) and transformers'
// models/deepseek_v3; the MTP layout after deepseek-ai/DeepSeek-V3 README_WEIGHTS.md and its
// model.safetensors.index.json (docs/architectures.md).
//
// Per layer model.layers.N: input_layernorm; self_attn (MLA): q_a_proj, q_a_layernorm, q_b_proj
// (or q_proj when q_lora_rank is null), kv_a_proj_with_mqa [kv_lora_rank + qk_rope_head_dim],
// kv_a_layernorm, kv_b_proj, o_proj; post_attention_layernorm; mlp: dense gate/up/down for
// layers below first_k_dense_replace or off the moe_layer_freq grid, else mlp.gate (router,
// + e_score_correction_bias with noaux_tc routing), mlp.experts.E.{gate,up,down}_proj and
// mlp.shared_experts.{gate,up,down}_proj (moe_intermediate_size * n_shared_experts).
// MTP (num_nextn_predict_layers, always described): model.layers.L for L >= num_hidden_layers
// holds enorm, hnorm, eh_proj, its own embed_tokens, a full decoder layer, shared_head.norm and
// shared_head.head; weights row mtp, no LayerSpec. kimi_k2 (moonshotai/Kimi-K2) is DeepSeek-V3's
// layout under its own model_type. minicpm3 (openbmb/MiniCPM3-4B modeling_minicpm.py) is the
// same MLA attention over dense layers (no n_routed_experts), tied by default.
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

struct DeepseekParams {
  int64_t hidden = 0;
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t vocab = 0;
  int64_t intermediate = 0;
  int64_t moe_intermediate = 0;
  int64_t routed = 0;  // 0 when n_routed_experts is null (dense model)
  int64_t shared = 0;
  int64_t top_k = 0;
  int64_t first_dense = 0;
  int64_t moe_freq = 1;
  int64_t q_lora = 0;  // 0 when q_lora_rank is null
  int64_t kv_lora = 0;
  int64_t rope = 0;
  int64_t nope = 0;
  int64_t v_dim = 0;
  bool attention_bias = false;
  bool router_bias = false;  // e_score_correction_bias (noaux_tc routing)
};

bool is_moe_layer(const DeepseekParams& d, int64_t i) {
  return d.routed > 0 && i >= d.first_dense && i % d.moe_freq == 0;
}

DeepseekParams read_params(const ConfigView& c, std::string_view model_type) {
  DeepseekParams d;
  d.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  d.layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  d.heads = c.require_int("num_attention_heads", 1, k_max_heads);
  d.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  d.intermediate = c.require_int("intermediate_size", 1, k_max_intermediate);
  d.kv_lora = c.require_int("kv_lora_rank", 1, k_max_hidden);
  d.rope = c.require_int("qk_rope_head_dim", 1, k_max_hidden);
  d.nope = c.require_int("qk_nope_head_dim", 0, k_max_hidden);
  d.v_dim = c.require_int("v_head_dim", 1, k_max_hidden);
  d.q_lora = c.opt_int("q_lora_rank", 1, k_max_hidden).value_or(0);
  d.attention_bias = c.get_bool("attention_bias", false);
  d.first_dense = c.get_int("first_k_dense_replace", 0, 0, k_max_layers);
  d.moe_freq = c.get_int("moe_layer_freq", 1, 1, k_max_layers);

  auto routed = c.opt_int("n_routed_experts", 0, k_max_experts);
  if (routed) {
    d.routed = *routed;
    int64_t first_moe = -1;
    int64_t last_moe = -1;
    for (int64_t i = d.first_dense; i < d.layers; ++i) {
      if (i % d.moe_freq != 0) continue;
      if (first_moe < 0) first_moe = i;
      last_moe = i;
    }
    if (d.routed == 0 && first_moe >= 0) {
      c.fail("n_routed_experts",
             "is 0 but layers " + std::to_string(first_moe) + " to " + std::to_string(last_moe) +
                 " are mixture-of-experts layers (first_k_dense_replace=" +
                 std::to_string(d.first_dense) + ", moe_layer_freq=" + std::to_string(d.moe_freq) +
                 ", num_hidden_layers=" + std::to_string(d.layers) + "); must be in [1, " +
                 std::to_string(k_max_experts) + "], or null for a dense model");
    }
  }
  if (d.routed > 0) {
    d.moe_intermediate = c.require_int("moe_intermediate_size", 1, k_max_intermediate);
    d.top_k = c.require_int("num_experts_per_tok", 1, d.routed);
    d.shared = c.get_int("n_shared_experts", 0, 0, k_max_experts);
    std::string topk_method =
        c.get_string("topk_method", model_type == "deepseek_v2" ? "greedy" : "noaux_tc");
    d.router_bias = topk_method == "noaux_tc";
    int64_t moe_layers = 0;
    for (int64_t i = 0; i < d.layers; ++i) moe_layers += is_moe_layer(d, i) ? 1 : 0;
    check_expert_tensors(c, "n_routed_experts", d.routed, moe_layers, 3);
  }
  return d;
}

// `at` with the routed-expert fields of `count` per-expert tensors; an MTP layer keeps its group.
Place experts_at(const Place& at, int64_t count) {
  Place p = routed_experts(at.layer, count);
  if (at.group == WeightGroup::mtp) p.group = WeightGroup::mtp;
  return p;
}

// `at` for a shared expert; an MTP layer keeps its group.
Place shared_at(const Place& at) {
  Place p = shared_expert(at.layer);
  if (at.group == WeightGroup::mtp) p.group = WeightGroup::mtp;
  return p;
}

// One decoder layer's tensors (attention, norms, MLP or MoE) under `prefix`, placed `at` (a
// decoder layer, or the MTP module).
void add_layer(TensorAdder& t, const DeepseekParams& d, const std::string& prefix, const Place& at,
               bool moe) {
  const int64_t h = d.hidden;
  const int64_t q_head = dim_add(d.nope, d.rope, "q head size");
  const int64_t q_out = dim_mul(d.heads, q_head, "q projection size");
  const std::string a = prefix + ".self_attn";
  t.norm(prefix + ".input_layernorm", h, false, at);
  if (d.q_lora > 0) {
    // The low-rank latent is computed whole on every rank (vLLM's ReplicatedLinear).
    t.linear(a + ".q_a_proj", h, d.q_lora, d.attention_bias, TensorRole::q_a, TpSplit::replicated,
             at);
    t.norm(a + ".q_a_layernorm", d.q_lora, false, at);
    t.linear(a + ".q_b_proj", d.q_lora, q_out, false, TensorRole::q_b, TpSplit::column, at);
  } else {
    t.linear(a + ".q_proj", h, q_out, false, TensorRole::q, TpSplit::column, at);
  }
  t.linear(a + ".kv_a_proj_with_mqa", h, dim_add(d.kv_lora, d.rope, "kv_a size"), d.attention_bias,
           TensorRole::kv_a, TpSplit::replicated, at);
  t.norm(a + ".kv_a_layernorm", d.kv_lora, false, at);
  t.linear(a + ".kv_b_proj", d.kv_lora,
           dim_mul(d.heads, dim_add(d.nope, d.v_dim, "kv_b head"), "kv_b size"), false,
           TensorRole::kv_b, TpSplit::column, at);
  t.linear(a + ".o_proj", dim_mul(d.heads, d.v_dim, "o_proj size"), h, d.attention_bias,
           TensorRole::o, TpSplit::row, at);
  t.norm(prefix + ".post_attention_layernorm", h, false, at);

  const std::string mlp = prefix + ".mlp";
  if (!moe) {
    add_gated_mlp(t, mlp, h, d.intermediate, false, at);
    return;
  }
  t.add(mlp + ".gate.weight", {d.routed, h}, TensorRole::router, TpSplit::replicated,
        shared_at(at));
  if (d.router_bias) {
    t.bias(mlp + ".gate.e_score_correction_bias", {d.routed}, TensorRole::router,
           TpSplit::replicated, shared_at(at));
  }
  add_gated_mlp(t, mlp + ".experts.#", h, d.moe_intermediate, false, experts_at(at, d.routed));
  if (d.shared > 0) {
    add_gated_mlp(t, mlp + ".shared_experts", h,
                  dim_mul(d.moe_intermediate, d.shared, "shared expert size"), false,
                  shared_at(at));
  }
}

void add_mtp_module(TensorAdder& t, const DeepseekParams& d, int64_t index) {
  const int64_t h = d.hidden;
  const std::string prefix = "model.layers." + std::to_string(index);
  const Place mtp = mtp_layer();
  t.add(prefix + ".embed_tokens.weight", {d.vocab, h}, TensorRole::embedding, TpSplit::vocab, mtp);
  t.norm(prefix + ".enorm", h, false, mtp);
  t.norm(prefix + ".hnorm", h, false, mtp);
  t.linear(prefix + ".eh_proj", dim_mul(2, h, "eh_proj input"), h, false, TensorRole::other,
           TpSplit::replicated, mtp);
  add_layer(t, d, prefix, mtp, is_moe_layer(d, index));
  t.norm(prefix + ".shared_head.norm", h, false, mtp);
  t.add(prefix + ".shared_head.head.weight", {d.vocab, h}, TensorRole::lm_head, TpSplit::vocab,
        mtp);
}

}  // namespace

void build_deepseek(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  DeepseekParams d = read_params(c, ctx.type);
  m.hidden_size = d.hidden;
  m.num_layers = d.layers;
  m.vocab_size = d.vocab;
  m.intermediate_size = d.intermediate;
  m.max_position_embeddings = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  m.num_attention_heads = static_cast<int32_t>(d.heads);
  m.num_kv_heads = static_cast<int32_t>(d.heads);
  m.head_dim = static_cast<int32_t>(d.nope + d.rope);
  // MiniCPM3's remote config inherits PretrainedConfig's tie_word_embeddings default (true).
  m.tied_embeddings = c.get_bool("tie_word_embeddings", ctx.type == "minicpm3");
  m.num_experts = static_cast<int32_t>(d.routed);
  m.experts_per_token = static_cast<int32_t>(d.top_k);
  m.num_shared_experts = static_cast<int32_t>(d.shared);

  TensorAdder t(m);
  t.add("model.embed_tokens.weight", {d.vocab, d.hidden}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < d.layers; ++i) {
    bool moe = is_moe_layer(d, i);
    add_layer(t, d, "model.layers." + std::to_string(i), Place(i), moe);
    LayerSpec s;
    s.kind = LayerKind::mla;
    s.moe = moe;
    s.num_heads = static_cast<int32_t>(d.heads);
    s.num_kv_heads = static_cast<int32_t>(d.heads);
    s.head_dim_k = static_cast<int32_t>(d.nope + d.rope);
    s.head_dim_v = static_cast<int32_t>(d.v_dim);
    s.kv_lora_rank = static_cast<int32_t>(d.kv_lora);
    s.qk_rope_head_dim = static_cast<int32_t>(d.rope);
    m.layers.push_back(s);
  }
  t.norm("model.norm", d.hidden, false, -1);
  if (!m.tied_embeddings) {
    t.add("lm_head.weight", {d.vocab, d.hidden}, TensorRole::lm_head, TpSplit::vocab);
  }

  // The MTP modules are stored beside the main model; the serving estimate holds them only when
  // asked (InferenceOptions::include_mtp).
  int64_t mtp = c.get_int("num_nextn_predict_layers", 0, 0, k_max_layers);
  for (int64_t k = 0; k < mtp; ++k) add_mtp_module(t, d, d.layers + k);
}

}  // namespace llmem::hf

namespace llmem::hf {

void build_minicpm3(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  build_deepseek(c, m, ctx);
}

// GLM-4.5 / 4.6 (model_type glm4_moe; transformers models/glm4_moe/modeling_glm4_moe.py, vLLM
// glm4_moe.py and glm4_moe_mtp.py at 28be48fa944d): Llama attention with q/k/v biased
// (attention_bias), o not, per-head q_norm/k_norm when use_qk_norm; layers below
// first_k_dense_replace dense, the rest DeepSeek-V3's routed block (mlp.gate +
// e_score_correction_bias, per-expert mlp.experts.M, mlp.shared_experts at
// moe_intermediate_size · n_shared_experts). MTP layers (num_nextn_predict_layers) follow
// DeepSeek-V3's: model.layers.L.{embed_tokens, enorm, hnorm, eh_proj, shared_head.norm,
// shared_head.head} and a decoder layer.
void build_glm4_moe(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  const auto experts = static_cast<int32_t>(c.require_int("n_routed_experts", 1, k_max_experts));
  const auto top_k = static_cast<int32_t>(c.require_int("num_experts_per_tok", 1, experts));
  const int64_t moe_inter = c.require_int("moe_intermediate_size", 1, k_max_intermediate);
  const int64_t shared = c.get_int("n_shared_experts", 0, 0, k_max_experts);
  const int64_t first_dense = c.get_int("first_k_dense_replace", 0, 0, k_max_layers);
  const bool bias = c.get_bool("attention_bias", false);
  const bool qk_norm = c.get_bool("use_qk_norm", false);
  m.num_experts = experts;
  m.experts_per_token = top_k;
  m.num_shared_experts = static_cast<int32_t>(shared);
  const int64_t h = p.hidden;

  TensorAdder t(m);
  auto layer = [&](const std::string& prefix, const Place& at, bool moe) {
    add_llama_attention_block(t, prefix, p, bias, false, qk_norm, at);
    const std::string mlp = prefix + ".mlp";
    if (!moe) {
      add_gated_mlp(t, mlp, h, p.intermediate, false, at);
      return;
    }
    const bool mtp = at.group == WeightGroup::mtp;
    const Place router = in_mtp(shared_expert(at.layer), mtp);
    t.add(mlp + ".gate.weight", {experts, h}, TensorRole::router, TpSplit::replicated, router);
    t.bias(mlp + ".gate.e_score_correction_bias", {experts}, TensorRole::router,
           TpSplit::replicated, router);
    add_gated_mlp(t, mlp + ".experts.#", h, moe_inter, false,
                  in_mtp(routed_experts(at.layer, experts), mtp));
    if (shared > 0) {
      add_gated_mlp(t, mlp + ".shared_experts", h, dim_mul(moe_inter, shared, "shared size"), false,
                    router);
    }
  };
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    const bool moe = i >= first_dense;
    layer("model.layers." + std::to_string(i), i, moe);
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    s.moe = moe;
    m.layers.push_back(s);
  }
  t.norm("model.norm", h, false, -1);
  const int64_t mtp = c.get_int("num_nextn_predict_layers", 0, 0, k_max_layers);
  for (int64_t k = 0; k < mtp; ++k) {
    const std::string prefix = "model.layers." + std::to_string(p.layers + k);
    const Place at = mtp_layer();
    t.add(prefix + ".embed_tokens.weight", {p.vocab, h}, TensorRole::embedding, TpSplit::vocab, at);
    t.norm(prefix + ".enorm", h, false, at);
    t.norm(prefix + ".hnorm", h, false, at);
    t.linear(prefix + ".eh_proj", dim_mul(2, h, "eh_proj input"), h, false, TensorRole::other,
             TpSplit::replicated, at);
    layer(prefix, at, p.layers + k >= first_dense);
    t.norm(prefix + ".shared_head.norm", h, false, at);
    t.add(prefix + ".shared_head.head.weight", {p.vocab, h}, TensorRole::lm_head, TpSplit::vocab,
          at);
  }
}

}  // namespace llmem::hf
