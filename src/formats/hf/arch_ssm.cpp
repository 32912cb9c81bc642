// State-space models: Mamba-1, Mamba-2 and the Nemotron-H hybrid (docs/architectures.md).
// - mamba:      transformers models/mamba/modeling_mamba.py (MambaMixer) and
//               configuration_mamba.py;
// - mamba2:     transformers models/mamba2/modeling_mamba2.py (Mamba2Mixer);
// - nemotron_h: the checkpoint names of nvidia/Nemotron-H-*'s remote modeling_nemotron_h.py
//               (backbone.*, per-expert tensors), whose mixers transformers'
//               models/nemotron_h/modular_nemotron_h.py reproduces.
// Recurrent state per sequence (LayerSpec conv/ssm elements) follows transformers' caches:
// MambaCache conv [intermediate, conv_kernel] and ssm [intermediate, state_size]; the Mamba-2
// cache conv [intermediate + 2 * n_groups * state_size, conv_kernel] and ssm
// [num_heads, head_dim, state_size]. vLLM keeps conv_kernel - 1 conv columns instead.
#include <algorithm>
#include <cstdio>
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/ssm_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

void add_backbone_ends(TensorAdder& t, int64_t vocab, int64_t hidden, bool tied, bool front) {
  if (front) {
    t.add("backbone.embeddings.weight", {vocab, hidden}, TensorRole::embedding, TpSplit::vocab);
    return;
  }
  t.norm("backbone.norm_f", hidden, false, -1);
  if (!tied) t.add("lm_head.weight", {vocab, hidden}, TensorRole::lm_head, TpSplit::vocab);
}

void set_ssm_common(ModelDescription& m, int64_t hidden, int64_t layers, int64_t inter,
                    int64_t vocab, bool tied) {
  m.hidden_size = hidden;
  m.num_layers = layers;
  m.intermediate_size = inter;
  m.vocab_size = vocab;
  m.tied_embeddings = tied;
}

}  // namespace

// MambaForCausalLM: backbone.embeddings; backbone.layers.N.{norm, mixer.{in_proj
// [2 * intermediate, hidden], conv1d [intermediate, 1, conv_kernel] (+ bias), x_proj
// [time_step_rank + 2 * state, intermediate], dt_proj [intermediate, time_step_rank] + bias,
// A_log [intermediate, state], D [intermediate], out_proj}}; backbone.norm_f; lm_head (tied by
// default).
void build_mamba(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  int64_t h = c.require_int("hidden_size", 1, k_max_hidden);
  int64_t layers = c.require_int_any({"num_hidden_layers", "n_layer"}, 1, k_max_layers);
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  int64_t state = c.get_int("state_size", 16, 1, k_max_hidden);
  int64_t kernel = c.get_int("conv_kernel", 4, 1, 1024);
  int64_t expand = c.get_int("expand", 2, 1, 1024);
  int64_t inter = c.get_int("intermediate_size", dim_mul(expand, h, "intermediate_size"), 1,
                            k_max_intermediate);
  // MambaConfig: time_step_rank "auto" means ceil(hidden_size / 16).
  int64_t rank = (h + 15) / 16;
  if (const auto* v = c.find("time_step_rank"); v != nullptr && !v->is_string()) {
    rank = c.require_int("time_step_rank", 1, k_max_hidden);
  } else if (v != nullptr && v->get<std::string>() != "auto") {
    c.fail("time_step_rank",
           "is \"" + v->get<std::string>() + "\" but must be an integer or \"auto\"");
  }
  bool bias = c.get_bool("use_bias", false);
  bool conv_bias = c.get_bool("use_conv_bias", true);
  bool tied = c.get_bool("tie_word_embeddings", true);
  set_ssm_common(m, h, layers, inter, vocab, tied);
  m.max_position_embeddings = 0;

  MambaParams mp{h, inter, state, kernel, rank, bias, conv_bias};
  TensorAdder t(m);
  add_backbone_ends(t, vocab, h, tied, true);
  for (int32_t i = 0; i < layers; ++i) {
    std::string prefix = "backbone.layers." + std::to_string(i);
    t.norm(prefix + ".norm", h, false, i);
    add_mamba_mixer(t, mp, prefix + ".mixer", i);
    m.layers.push_back(mamba_layer(mp));
  }
  add_backbone_ends(t, vocab, h, tied, false);
}

// Mamba2ForCausalLM: backbone.embeddings, backbone.layers.N.{norm, mixer.*}, backbone.norm_f,
// lm_head (tied by default). intermediate = expand * hidden must equal num_heads * head_dim.
void build_mamba2(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  Mamba2Params s;
  s.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  int64_t layers = c.require_int_any({"num_hidden_layers", "n_layer"}, 1, k_max_layers);
  int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  s.heads = c.get_int("num_heads", 128, 1, k_max_heads);
  s.head_dim = c.get_int("head_dim", 64, 1, k_max_hidden);
  s.groups = c.get_int("n_groups", 1, 1, k_max_heads);
  s.state = c.get_int("state_size", 128, 1, k_max_hidden);
  s.conv_kernel = c.get_int("conv_kernel", 4, 1, 1024);
  int64_t expand = c.get_int("expand", 2, 1, 1024);
  s.intermediate = dim_mul(expand, s.hidden, "intermediate size");
  s.proj_bias = c.get_bool("use_bias", false);
  s.conv_bias = c.get_bool("use_conv_bias", true);
  if (dim_mul(s.heads, s.head_dim, "num_heads * head_dim") != s.intermediate) {
    c.fail("num_heads", "is " + std::to_string(s.heads) +
                            " but num_heads * head_dim=" + std::to_string(s.heads * s.head_dim) +
                            " must equal expand * hidden_size=" + std::to_string(s.intermediate));
  }
  bool tied = c.get_bool("tie_word_embeddings", true);
  set_ssm_common(m, s.hidden, layers, s.intermediate, vocab, tied);

  TensorAdder t(m);
  add_backbone_ends(t, vocab, s.hidden, tied, true);
  for (int32_t i = 0; i < layers; ++i) {
    std::string prefix = "backbone.layers." + std::to_string(i);
    t.norm(prefix + ".norm", s.hidden, false, i);
    add_mamba2_mixer(t, s, prefix + ".mixer", i);
    m.layers.push_back(mamba2_layer(s));
  }
  add_backbone_ends(t, vocab, s.hidden, tied, false);
}

// NemotronHForCausalLM: one character of hybrid_override_pattern per layer: 'M' a Mamba-2
// mixer, '*' attention (mixer.{q,k,v,o}_proj), '-' an MLP (mixer.{up,down}_proj, relu2, no
// gate), 'E' a mixture of experts (mixer.gate + e_score_correction_bias, mixer.experts.J.
// {up,down}_proj, mixer.shared_experts.{up,down}_proj). Each layer has its own norm.
void build_nemotron_h(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  const int64_t h = c.require_int("hidden_size", 1, k_max_hidden);
  const int64_t layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  const int64_t vocab = c.require_int("vocab_size", 1, k_max_vocab);
  const auto* pattern_json = c.find("hybrid_override_pattern");
  if (pattern_json == nullptr || !pattern_json->is_string()) {
    c.fail("hybrid_override_pattern",
           pattern_json == nullptr
               ? "is missing (a string with one of M, *, -, E per layer is required)"
               : "must be a string with one of M, *, -, E per layer");
  }
  const std::string pattern = pattern_json->get<std::string>();
  if (static_cast<int64_t>(pattern.size()) != layers) {
    c.fail("hybrid_override_pattern", "has " + std::to_string(pattern.size()) +
                                          " characters but num_hidden_layers is " +
                                          std::to_string(layers));
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    char ch = pattern[i];
    if (ch != 'M' && ch != '*' && ch != '-' && ch != 'E') {
      char shown[8];
      if (ch >= 0x20 && ch < 0x7f) {
        std::snprintf(shown, sizeof shown, "%c", ch);
      } else {
        std::snprintf(shown, sizeof shown, "\\x%02x",
                      static_cast<unsigned>(static_cast<unsigned char>(ch)));
      }
      c.fail("hybrid_override_pattern[" + std::to_string(i) + "]",
             "is '" + std::string(shown) +
                 "' but must be 'M' (mamba2), '*' (attention), '-' (mlp) or 'E' (moe)");
    }
  }
  const auto has = [&](char ch) { return pattern.find(ch) != std::string::npos; };

  Mamba2Params s;
  s.hidden = h;
  if (has('M')) {
    s.heads = c.require_int("mamba_num_heads", 1, k_max_heads);
    s.head_dim = c.require_int("mamba_head_dim", 1, k_max_hidden);
    s.groups = c.get_int("n_groups", 8, 1, k_max_heads);
    s.state = c.get_int("ssm_state_size", 128, 1, k_max_hidden);
    s.conv_kernel = c.get_int("conv_kernel", 4, 1, 1024);
    s.intermediate = dim_mul(s.heads, s.head_dim, "mamba intermediate size");
    s.proj_bias = c.get_bool("use_bias", false);
    s.conv_bias = c.get_bool("use_conv_bias", true);
    if (s.heads % s.groups != 0) {
      c.fail("n_groups", "is " + std::to_string(s.groups) +
                             " but must divide mamba_num_heads=" + std::to_string(s.heads));
    }
  }
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  bool attention_bias = false;
  if (has('*')) {
    heads = c.require_int("num_attention_heads", 1, k_max_heads);
    kv_heads = c.get_int("num_key_value_heads", heads, 1, heads);
    check_gqa(c, heads, kv_heads);
    auto hd = c.opt_int_any({"head_dim", "attention_head_dim"}, 1, k_max_hidden);
    if (!hd && h % heads != 0) {
      c.fail("num_attention_heads", "is " + std::to_string(heads) +
                                        " but must divide hidden_size=" + std::to_string(h) +
                                        " when head_dim is not given");
    }
    head_dim = hd.value_or(h / heads);
    attention_bias = c.get_bool("attention_bias", false);
  }
  int64_t inter = 0;
  bool mlp_bias = c.get_bool("mlp_bias", false);
  if (has('-')) inter = c.require_int("intermediate_size", 1, k_max_intermediate);
  int64_t experts = 0, top_k = 0, moe_inter = 0, shared = 0, shared_inter = 0, latent = 0;
  if (has('E')) {
    experts = c.require_int("n_routed_experts", 1, k_max_experts);
    top_k = c.require_int("num_experts_per_tok", 1, experts);
    moe_inter = c.require_int("moe_intermediate_size", 1, k_max_intermediate);
    shared = c.get_int("n_shared_experts", 0, 0, k_max_experts);
    if (shared > 0) {
      shared_inter = c.require_int("moe_shared_expert_intermediate_size", 1, k_max_intermediate);
    }
    latent = c.opt_int("moe_latent_size", 1, k_max_hidden).value_or(0);
    check_expert_tensors(c, "n_routed_experts", experts,
                         static_cast<int64_t>(std::count(pattern.begin(), pattern.end(), 'E')), 2);
  }
  bool tied = c.get_bool("tie_word_embeddings", false);
  set_ssm_common(m, h, layers, inter, vocab, tied);
  m.max_position_embeddings = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  m.num_attention_heads = static_cast<int32_t>(heads);
  m.num_kv_heads = static_cast<int32_t>(kv_heads);
  m.head_dim = static_cast<int32_t>(head_dim);
  m.num_experts = static_cast<int32_t>(experts);
  m.experts_per_token = static_cast<int32_t>(top_k);
  m.num_shared_experts = static_cast<int32_t>(shared);

  TensorAdder t(m);
  add_backbone_ends(t, vocab, h, tied, true);
  for (int32_t i = 0; i < layers; ++i) {
    const std::string prefix = "backbone.layers." + std::to_string(i);
    const std::string x = prefix + ".mixer";
    t.norm(prefix + ".norm", h, false, i);
    LayerSpec spec;
    switch (pattern[static_cast<size_t>(i)]) {
      case 'M':
        add_mamba2_mixer(t, s, x, i);
        spec = mamba2_layer(s);
        break;
      case '*':
        add_llama_attention(t, x, h, heads, kv_heads, head_dim, attention_bias, attention_bias, i);
        spec = attention_layer(static_cast<int32_t>(heads), static_cast<int32_t>(kv_heads),
                               static_cast<int32_t>(head_dim), static_cast<int32_t>(head_dim));
        break;
      case '-':
        t.linear(x + ".up_proj", h, inter, mlp_bias, TensorRole::up, TpSplit::column, i);
        t.linear(x + ".down_proj", inter, h, mlp_bias, TensorRole::down, TpSplit::row, i);
        spec.kind = LayerKind::mlp_only;
        break;
      default: {  // 'E'
        const int64_t in = latent > 0 ? latent : h;
        t.add(x + ".gate.weight", {experts, h}, TensorRole::router, TpSplit::replicated, i);
        t.bias(x + ".gate.e_score_correction_bias", {experts}, TensorRole::router,
               TpSplit::replicated, i);
        if (latent > 0) {
          t.linear(x + ".fc1_latent_proj", h, latent, mlp_bias, TensorRole::up, TpSplit::replicated,
                   shared_expert(i));
          t.linear(x + ".fc2_latent_proj", latent, h, mlp_bias, TensorRole::down,
                   TpSplit::replicated, shared_expert(i));
        }
        const std::string ex = x + ".experts.#";
        t.linear(ex + ".up_proj", in, moe_inter, mlp_bias, TensorRole::up, TpSplit::column,
                 routed_experts(i, experts));
        t.linear(ex + ".down_proj", moe_inter, in, mlp_bias, TensorRole::down, TpSplit::row,
                 routed_experts(i, experts));
        if (shared > 0) {
          t.linear(x + ".shared_experts.up_proj", h, shared_inter, mlp_bias, TensorRole::up,
                   TpSplit::column, shared_expert(i));
          t.linear(x + ".shared_experts.down_proj", shared_inter, h, mlp_bias, TensorRole::down,
                   TpSplit::row, shared_expert(i));
        }
        spec.kind = LayerKind::mlp_only;
        spec.moe = true;
        break;
      }
    }
    m.layers.push_back(spec);
  }
  add_backbone_ends(t, vocab, h, tied, false);
}

}  // namespace llmem::hf
