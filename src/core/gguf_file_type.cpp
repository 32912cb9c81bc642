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

// What llama_tensor_get_type_impl reads of one tensor.
struct TensorFacts {
  int64_t nx = 0;      // row length (ggml ne[0])
  int32_t layer = -1;  // decoder layer
  bool routed = false;
};

// llama_tensor_get_type_impl for one tensor.
G choose_impl(G t, const TensorFacts& tensor, GgufCategory cat, F ft, const Hparams& hp,
              Counters& qs) {
  const int64_t nx = tensor.nx;
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
    return tensor.routed ? G::mxfp4 : G::q8_0;
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
  // llama-quant.cpp tensor_category, by the role convert_hf_to_gguf's tensor map gives the
  // Hugging Face module (gguf-py/gguf/tensor_mapping.py).
  if (t.group == WeightGroup::mtp) return GgufCategory::other;
  switch (t.role) {
    case TensorRole::embedding:
      return GgufCategory::token_embd;
    case TensorRole::lm_head:
      return GgufCategory::output;
    case TensorRole::q:
    case TensorRole::q_b:
      return GgufCategory::attn_q;
    case TensorRole::k:
      return GgufCategory::attn_k;
    case TensorRole::v:
      return GgufCategory::attn_v;
    case TensorRole::qkv:
      return GgufCategory::attn_qkv;
    case TensorRole::kv_b:
      return GgufCategory::attn_kv_b;
    case TensorRole::o:
      return GgufCategory::attn_output;
    case TensorRole::gate:
      return GgufCategory::ffn_gate;
    case TensorRole::up:
    case TensorRole::gate_up:
      return GgufCategory::ffn_up;
    case TensorRole::down:
      return GgufCategory::ffn_down;
    default:
      return GgufCategory::other;
  }
}

GgufFacts gguf_facts(const ModelDescription& m) {
  GgufFacts f;
  f.n_layer = static_cast<int>(m.num_layers);
  f.n_expert = m.num_experts;
  if (m.num_kv_heads > 0) f.n_gqa = m.num_attention_heads / m.num_kv_heads;
  f.falcon = m.gguf_falcon_rules;
  f.is_70b = m.gguf_70b_rules;
  return f;
}

std::vector<GgmlType> choose_gguf_types(std::span<const Tensor> records, const GgufFacts& facts,
                                        GgufFileType ft, std::vector<uint32_t>& offsets) {
  Hparams hp;
  hp.n_layer = facts.n_layer;
  hp.n_expert = facts.n_expert;
  hp.n_gqa = facts.n_gqa;
  hp.falcon = facts.falcon;
  hp.is_70b = facts.is_70b;
  Counters qs;
  std::vector<GgufCategory> cats;
  cats.reserve(records.size());
  offsets.assign(records.size(), 0);
  uint32_t slots = 0;
  int32_t last_layer = -1;
  for (size_t r = 0; r < records.size(); ++r) {
    const Tensor& t = records[r];
    cats.push_back(gguf_category(t));
    if (attn_v_like(cats.back())) qs.n_attention_wv += static_cast<int>(t.layers);
    if (cats.back() == GgufCategory::output) hp.tied = false;
    offsets[r] = slots;
    slots += t.in_stack() ? static_cast<uint32_t>(t.layers) : 1u;
    if (t.in_stack()) last_layer = std::max(last_layer, t.layer + t.layers - 1);
  }
  std::vector<G> out(slots, G::f32);
  const G base = gguf_default_type(ft);
  auto choose = [&](size_t r, int32_t layer) {
    const Tensor& t = records[r];
    const bool matrix = t.shape.size() >= 2;
    const bool router = t.role == TensorRole::router;
    const bool conv = t.role == TensorRole::ssm_conv;
    // tensor_allows_quantization: 2-D/3-D weights except norms, routers, positions, conv1d.
    const bool allowed = matrix && !router && !conv && !t.bias && t.role != TensorRole::norm &&
                         t.role != TensorRole::position_embedding && t.role != TensorRole::vision &&
                         t.role != TensorRole::projector;
    if (!allowed) {
      // convert_hf_to_gguf writes 1-D tensors, routers and conv1d as F32, other matrices F16.
      return !matrix || router || conv || t.bias ? G::f32 : G::f16;
    }
    // llama.cpp stores a layer's experts as one 3-D tensor (ffn_*_exps): one choice, one count.
    const TensorFacts at{t.shape.back(), layer, t.routed};
    return fallback(choose_impl(base, at, cats[r], ft, hp, qs), t.shape.back());
  };
  // llama.cpp's order: token_embd and the other tensors outside the stack, then layer by layer.
  for (size_t r = 0; r < records.size(); ++r) {
    if (!records[r].in_stack()) out[offsets[r]] = choose(r, -1);
  }
  for (int32_t layer = 0; layer <= last_layer; ++layer) {
    for (size_t r = 0; r < records.size(); ++r) {
      const Tensor& t = records[r];
      if (!t.in_stack() || layer < t.layer || layer >= t.layer + t.layers) continue;
      out[offsets[r] + static_cast<uint32_t>(layer - t.layer)] = choose(r, layer);
    }
  }
  return out;
}

}  // namespace llmem
