#include "core/gguf_file_type.h"

#include <algorithm>
#include <array>
#include <string>

namespace llmem {
namespace {

using G = GgmlType;
using F = GgufFileType;

struct FileTypeEntry {
  F type;
  std::string_view name;    // as llama-quantize prints it (tools/quantize/quantize.cpp)
  std::string_view option;  // --weights spelling
  G default_type;           // llama_ftype_get_default_type
};

constexpr std::array<FileTypeEntry, static_cast<size_t>(F::count)> k_file_types = {{
    {F::q4_0, "Q4_0", "q4_0", G::q4_0},
    {F::q4_1, "Q4_1", "q4_1", G::q4_1},
    {F::q5_0, "Q5_0", "q5_0", G::q5_0},
    {F::q5_1, "Q5_1", "q5_1", G::q5_1},
    {F::q8_0, "Q8_0", "q8_0", G::q8_0},
    {F::q2_k, "Q2_K", "q2_k", G::q2_K},
    {F::q2_k_s, "Q2_K_S", "q2_k_s", G::q2_K},
    {F::q3_k_s, "Q3_K_S", "q3_k_s", G::q3_K},
    {F::q3_k_m, "Q3_K_M", "q3_k_m", G::q3_K},
    {F::q3_k_l, "Q3_K_L", "q3_k_l", G::q3_K},
    {F::q4_k_s, "Q4_K_S", "q4_k_s", G::q4_K},
    {F::q4_k_m, "Q4_K_M", "q4_k_m", G::q4_K},
    {F::q5_k_s, "Q5_K_S", "q5_k_s", G::q5_K},
    {F::q5_k_m, "Q5_K_M", "q5_k_m", G::q5_K},
    {F::q6_k, "Q6_K", "q6_k", G::q6_K},
    {F::iq1_s, "IQ1_S", "iq1_s", G::iq1_s},
    {F::iq1_m, "IQ1_M", "iq1_m", G::iq1_m},
    {F::iq2_xxs, "IQ2_XXS", "iq2_xxs", G::iq2_xxs},
    {F::iq2_xs, "IQ2_XS", "iq2_xs", G::iq2_xs},
    {F::iq2_s, "IQ2_S", "iq2_s", G::iq2_xs},  // sic: IQ2_S files start from iq2_xs
    {F::iq2_m, "IQ2_M", "iq2_m", G::iq2_s},
    {F::iq3_xxs, "IQ3_XXS", "iq3_xxs", G::iq3_xxs},
    {F::iq3_xs, "IQ3_XS", "iq3_xs", G::iq3_s},
    {F::iq3_s, "IQ3_S", "iq3_s", G::iq3_s},
    {F::iq3_m, "IQ3_M", "iq3_m", G::iq3_s},
    {F::iq4_nl, "IQ4_NL", "iq4_nl", G::iq4_nl},
    {F::iq4_xs, "IQ4_XS", "iq4_xs", G::iq4_xs},
    {F::tq1_0, "TQ1_0", "tq1_0", G::tq1_0},
    {F::tq2_0, "TQ2_0", "tq2_0", G::tq2_0},
    {F::mxfp4_moe, "MXFP4_MOE", "mxfp4_moe", G::mxfp4},
}};
static_assert(k_file_types.size() == static_cast<size_t>(F::count));

// The Hugging Face module name (the tensor name without ".weight"), last component.
std::string_view last_component(std::string_view name) {
  if (name.size() > 7 && name.substr(name.size() - 7) == ".weight") {
    name = name.substr(0, name.size() - 7);
  }
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

bool is_any(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool attn_v_like(GgufCategory c) {
  return c == GgufCategory::attn_v || c == GgufCategory::attn_qkv || c == GgufCategory::attn_kv_b;
}

// use_more_bits in llama_tensor_get_type_impl: the first and last eighth and every third layer.
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct Hparams {
  int n_layer = 0;
  int n_gqa = 1;
  int n_expert = 0;
  bool is_70b = false;  // llama.cpp LLM_TYPE_70B: an 80-layer Llama
  bool falcon = false;  // LLM_ARCH_FALCON
  bool tied = true;     // no output.weight: token_embd takes the output tensor's type
};

struct Counters {
  int n_attention_wv = 0;
  int i_attention_wv = 0;
  int i_ffn_down = 0;
  int i_ffn_gate = 0;
  int i_ffn_up = 0;
};

bool in(F ft, std::initializer_list<F> list) {
  return std::find(list.begin(), list.end(), ft) != list.end();
}

// llama_tensor_get_type_impl for one tensor; `layer` is the tensor's decoder layer.
G choose_impl(G t, const Tensor& tensor, GgufCategory cat, F ft, const Hparams& hp, Counters& qs) {
  const int64_t nx = tensor.shape.empty() ? 0 : tensor.shape.back();
  // With experts, llama.cpp reads the layer from the tensor name; without, it counts tensors.
  auto layer_of = [&](int counter) { return hp.n_expert > 1 ? tensor.layer : counter; };

  if (cat == GgufCategory::output || (hp.tied && cat == GgufCategory::token_embd)) {
    const int64_t qk = ggml_type_info(t).block_elements;
    if (ft == F::mxfp4_moe) return G::q8_0;
    if (hp.falcon || nx % qk != 0) return G::q8_0;
    if (in(ft, {F::iq2_xxs, F::iq2_xs, F::iq3_xxs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m})) {
      return G::q5_K;
    }
    return t != G::q8_0 ? G::q6_K : t;
  }
  if (ft == F::mxfp4_moe) {
    // 3-D expert tensors (ne[2] > 1) become MXFP4, everything else Q8_0. llmem's per-expert
    // tensors are the slices of llama.cpp's merged ffn_*_exps tensors.
    return tensor.role == TensorRole::routed_expert ? G::mxfp4 : G::q8_0;
  }
  if (cat == GgufCategory::token_embd) {
    if (in(ft, {F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq1_m})) return G::q2_K;
    if (in(ft, {F::iq2_s, F::iq2_m, F::iq3_xxs})) return G::iq3_s;
    if (in(ft, {F::tq1_0, F::tq2_0})) return G::q4_K;
    return t;
  }
  if (in(ft, {F::iq2_xxs, F::iq2_xs, F::iq1_s, F::iq2_s, F::iq2_m, F::iq1_m})) {
    const bool s_or_m = in(ft, {F::iq2_s, F::iq2_m});
    if (attn_v_like(cat)) {
      t = (hp.n_gqa >= 4 || hp.n_expert >= 4) ? G::q4_K : (s_or_m ? G::iq3_s : G::q2_K);
      ++qs.i_attention_wv;
    } else if (hp.n_expert == 8 && cat == GgufCategory::attn_k) {
      t = G::q4_K;
    } else if (cat == GgufCategory::ffn_down) {
      if (qs.i_ffn_down < hp.n_layer / 8) t = s_or_m ? G::iq3_s : G::q2_K;
      ++qs.i_ffn_down;
    } else if (cat == GgufCategory::attn_output) {
      if (hp.n_expert == 8) {
        t = G::q5_K;
      } else if (in(ft, {F::iq1_s, F::iq1_m})) {
        t = G::iq2_xxs;
      } else if (s_or_m) {
        t = G::iq3_s;
      }
    }
    return t;
  }
  if (attn_v_like(cat)) {
    const int i = qs.i_attention_wv;
    if (ft == F::q2_k) {
      t = hp.n_gqa >= 4 ? G::q4_K : G::q3_K;
    } else if (ft == F::q2_k_s && hp.n_gqa >= 4) {
      t = G::q4_K;
    } else if (ft == F::iq3_xxs) {
      t = hp.n_gqa >= 4 ? G::q4_K : G::iq3_s;  // no imatrix assumed
    } else if (in(ft, {F::iq3_xs, F::iq3_s}) && hp.n_gqa >= 4) {
      t = G::q4_K;
    } else if (ft == F::iq3_m) {
      t = G::q4_K;
    } else if (ft == F::q3_k_m) {
      t = i < 2 ? G::q5_K : G::q4_K;
    } else if (ft == F::q3_k_l) {
      t = G::q5_K;
    } else if (in(ft, {F::iq4_nl, F::iq4_xs}) && hp.n_gqa >= 4) {
      t = G::q5_K;
    } else if (in(ft, {F::q4_k_m, F::q5_k_m}) && use_more_bits(i, qs.n_attention_wv)) {
      t = G::q6_K;
    } else if (ft == F::q4_k_s && i < 4) {
      t = G::q5_K;
    }
    if (hp.is_70b && (t == G::q3_K || t == G::q4_K)) t = G::q5_K;
    if (hp.n_expert == 8) t = G::q8_0;
    ++qs.i_attention_wv;
    return t;
  }
  if (cat == GgufCategory::attn_k) {
    if (hp.n_expert == 8) return G::q8_0;
    if (ft == F::iq3_xs) return G::iq3_xxs;
    if (ft == F::iq3_xxs) return G::iq2_s;
    return t;
  }
  if (cat == GgufCategory::attn_q) {
    if (ft == F::iq3_xs) return G::iq3_xxs;
    if (ft == F::iq3_xxs) return G::iq2_s;
    return t;
  }
  if (cat == GgufCategory::ffn_down) {
    const int i = layer_of(qs.i_ffn_down);
    const int n = hp.n_layer;
    if (ft == F::q2_k) {
      t = G::q3_K;
    } else if (ft == F::q2_k_s) {
      if (i < n / 8) t = G::q4_K;
    } else if (ft == F::iq3_xxs) {
      t = i < n / 8 ? G::q4_K : G::q3_K;  // no imatrix assumed
    } else if (ft == F::q3_k_m) {
      t = i < n / 16 ? G::q5_K : (!hp.falcon || use_more_bits(i, n)) ? G::q4_K : G::q3_K;
    } else if (ft == F::iq3_m && (i < n / 8 || (hp.n_expert == 8 && use_more_bits(i, n)))) {
      t = G::q4_K;
    } else if (ft == F::q3_k_l) {
      t = hp.falcon ? G::q4_K : G::q5_K;
    } else if (ft == F::q4_k_m) {
      if (hp.falcon) {
        t = i < n / 16 ? G::q6_K : use_more_bits(i, n) ? G::q5_K : G::q4_K;
      } else if (use_more_bits(i, n)) {
        t = G::q6_K;
      }
    } else if (i < n / 8 && in(ft, {F::iq4_nl, F::iq4_xs})) {
      t = G::q5_K;  // no imatrix assumed
    } else if (ft == F::q5_k_m && use_more_bits(i, n)) {
      t = G::q6_K;
    } else if (ft == F::q4_k_s && !hp.falcon && i < n / 8) {
      t = G::q5_K;
    }
    ++qs.i_ffn_down;
    return t;
  }
  if (cat == GgufCategory::attn_output) {
    if (!hp.falcon) {
      if (hp.n_expert == 8) {
        if (in(ft, {F::q2_k, F::iq3_xs, F::iq3_xxs, F::q3_k_s, F::q3_k_m, F::iq4_nl, F::q4_k_s,
                    F::q4_k_m, F::iq3_s, F::iq3_m, F::iq4_xs})) {
          t = G::q5_K;
        }
      } else if (ft == F::q2_k) {
        t = G::q3_K;
      } else if (ft == F::iq3_xxs) {
        t = G::iq3_s;
      } else if (ft == F::q3_k_m) {
        t = G::q4_K;
      } else if (ft == F::q3_k_l) {
        t = G::q5_K;
      } else if (ft == F::iq3_m) {
        t = G::q4_K;
      }
    } else if (ft == F::q3_k_l) {
      t = G::q4_K;
    }
    return t;
  }
  if (cat == GgufCategory::ffn_gate || cat == GgufCategory::ffn_up) {
    int& counter = cat == GgufCategory::ffn_gate ? qs.i_ffn_gate : qs.i_ffn_up;
    const int i = layer_of(counter);
    if (ft == F::iq3_xs && i >= hp.n_layer / 8 && i < 7 * hp.n_layer / 8) t = G::iq3_xxs;
    ++counter;
    return t;
  }
  return t;
}

// tensor_type_fallback: rows that are not whole blocks of the chosen type.
G fallback(G t, int64_t nx) {
  if (nx % ggml_type_info(t).block_elements == 0) return t;
  G r = t;
  switch (t) {
    case G::iq1_s:
    case G::iq1_m:
    case G::iq2_xxs:
    case G::iq2_xs:
    case G::iq2_s:
    case G::iq3_xxs:
    case G::iq3_s:
    case G::iq4_xs:
      r = G::iq4_nl;
      break;
    case G::q2_0:
    case G::q2_K:
    case G::q3_K:
    case G::tq1_0:
    case G::tq2_0:
      r = G::q4_0;
      break;
    case G::q4_K:
      r = G::q5_0;
      break;
    case G::q5_K:
      r = G::q5_1;
      break;
    case G::q6_K:
      r = G::q8_0;
      break;
    default:
      r = G::f16;
      break;  // llama.cpp throws "no tensor type fallback"; f16 keeps going
  }
  if (nx % ggml_type_info(r).block_elements != 0) r = G::f16;
  return r;
}

}  // namespace

std::string_view gguf_file_type_name(GgufFileType t) {
  return k_file_types.at(static_cast<size_t>(t)).name;
}

std::string_view gguf_file_type_option(GgufFileType t) {
  return k_file_types.at(static_cast<size_t>(t)).option;
}

GgmlType gguf_default_type(GgufFileType t) {
  return k_file_types.at(static_cast<size_t>(t)).default_type;
}

GgufCategory gguf_category(const Tensor& t) {
  if (t.role == TensorRole::embedding) return GgufCategory::token_embd;
  if (t.role == TensorRole::lm_head) return GgufCategory::output;
  std::string_view m = last_component(t.name);
  // convert_hf_to_gguf's tensor map (gguf-py/gguf/tensor_mapping.py), the common spellings.
  if (is_any(m, {"q_proj", "wq", "q_b_proj"})) return GgufCategory::attn_q;
  if (is_any(m, {"k_proj", "wk"})) return GgufCategory::attn_k;
  if (is_any(m, {"v_proj", "wv"})) return GgufCategory::attn_v;
  if (is_any(m, {"qkv_proj", "query_key_value", "c_attn", "Wqkv", "W_pack"})) {
    return GgufCategory::attn_qkv;
  }
  if (m == "kv_b_proj") return GgufCategory::attn_kv_b;
  if (is_any(m, {"o_proj", "out_proj", "wo"}) ||
      (m == "dense" && t.role == TensorRole::attention) ||
      (m == "c_proj" && t.role == TensorRole::attention)) {
    return GgufCategory::attn_output;
  }
  if (is_any(m, {"gate_proj", "w1"})) return GgufCategory::ffn_gate;
  if (is_any(m, {"up_proj", "gate_up_proj", "dense_h_to_4h", "fc1", "c_fc", "w3"})) {
    return GgufCategory::ffn_up;
  }
  if (is_any(m, {"down_proj", "dense_4h_to_h", "fc2", "w2"}) ||
      (m == "c_proj" && t.role != TensorRole::attention)) {
    return GgufCategory::ffn_down;
  }
  return GgufCategory::other;
}

std::vector<GgmlType> choose_gguf_types(const ModelDescription& m, GgufFileType ft) {
  Hparams hp;
  hp.n_layer = static_cast<int>(m.num_layers);
  hp.n_expert = m.num_experts;
  if (m.num_kv_heads > 0) hp.n_gqa = m.num_attention_heads / m.num_kv_heads;
  hp.falcon =
      m.model_type == "falcon" || m.model_type == "RefinedWeb" || m.model_type == "RefinedWebModel";
  hp.is_70b = m.model_type == "llama" && m.num_layers == 80;
  Counters qs;
  std::vector<GgufCategory> cats;
  cats.reserve(m.tensors.size());
  for (const auto& t : m.tensors) {
    cats.push_back(gguf_category(t));
    if (attn_v_like(cats.back())) ++qs.n_attention_wv;
    if (cats.back() == GgufCategory::output) hp.tied = false;
  }
  const G base = gguf_default_type(ft);
  std::vector<G> out;
  out.reserve(m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const Tensor& t = m.tensors[i];
    const bool matrix = t.shape.size() >= 2;
    const bool router = t.role == TensorRole::router;
    const bool conv = t.name.find("conv1d") != std::string::npos;
    // tensor_allows_quantization: 2-D/3-D weights except norms, routers, positions, conv1d.
    const bool allowed = matrix && !router && !conv && t.role != TensorRole::norm &&
                         t.role != TensorRole::position_embedding && t.role != TensorRole::vision &&
                         t.role != TensorRole::projector;
    if (!allowed) {
      // convert_hf_to_gguf writes 1-D tensors, routers and conv1d as F32, other matrices F16.
      out.push_back(!matrix || router || conv ? G::f32 : G::f16);
      continue;
    }
    G chosen = choose_impl(base, t, cats[i], ft, hp, qs);
    out.push_back(fallback(chosen, t.shape.back()));
  }
  return out;
}

}  // namespace llmem
