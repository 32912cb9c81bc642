// GGUF tensor infos → llmem Tensors. Names follow llama.cpp's LLM_TENSOR_NAMES
// (ggml-org/llama.cpp src/llama-arch.cpp): "token_embd", "output", "output_norm",
// "blk.N.attn_q", "blk.N.ffn_up_exps", "blk.N.ffn_down_shexp", "blk.N.ssm_in" … +
// ".weight"/".bias".
#include "formats/gguf/gguf_tensors.h"

#include <algorithm>
#include <charconv>

namespace llmem::gguf {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// "blk.12.attn_q.weight" → layer 12 and stem "attn_q"; other names → layer -1, stem before the
// last dot ("token_embd").
void split_name(std::string_view name, int32_t& layer, std::string_view& stem) {
  layer = -1;
  std::string_view rest = name;
  if (starts_with(rest, "blk.")) {
    rest.remove_prefix(4);
    size_t dot = rest.find('.');
    int32_t n = 0;
    if (dot != std::string_view::npos) {
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + dot, n);
      if (ec == std::errc{} && p == rest.data() + dot && n >= 0) {
        layer = n;
        rest.remove_prefix(dot + 1);
      } else {
        rest = name;
      }
    } else {
      rest = name;
    }
  }
  size_t last = rest.rfind('.');
  stem = last == std::string_view::npos ? rest : rest.substr(0, last);
}

struct RoleRule {
  std::string_view stem;  // exact stem, or a prefix when it ends with '*'
  TensorRole role;
  TpSplit split;
  WeightGroup group = WeightGroup::count;  // count: default_group(role)
  bool routed = false;
};

constexpr WeightGroup k_experts = WeightGroup::experts;

// Order matters: the first match wins.
constexpr RoleRule k_rules[] = {
    {"token_embd_norm", TensorRole::norm, TpSplit::replicated},
    {"token_embd", TensorRole::embedding, TpSplit::vocab},
    {"position_embd", TensorRole::position_embedding, TpSplit::replicated},
    {"output_norm", TensorRole::norm, TpSplit::replicated},
    {"output", TensorRole::lm_head, TpSplit::vocab},
    {"ffn_gate_inp_shexp", TensorRole::router, TpSplit::replicated, k_experts},
    {"ffn_gate_inp", TensorRole::router, TpSplit::replicated},
    {"exp_probs_b", TensorRole::router, TpSplit::replicated},
    {"ffn_gate_exps", TensorRole::gate, TpSplit::column, k_experts, true},
    {"ffn_up_exps", TensorRole::up, TpSplit::column, k_experts, true},
    {"ffn_gate_up_exps", TensorRole::gate_up, TpSplit::column, k_experts, true},
    {"ffn_down_exps", TensorRole::down, TpSplit::row, k_experts, true},
    {"ffn_gate_shexp", TensorRole::gate, TpSplit::column, k_experts},
    {"ffn_up_shexp", TensorRole::up, TpSplit::column, k_experts},
    {"ffn_down_shexp", TensorRole::down, TpSplit::row, k_experts},
    {"attn_q", TensorRole::q, TpSplit::column},
    {"attn_k", TensorRole::k, TpSplit::kv_heads},
    {"attn_v", TensorRole::v, TpSplit::kv_heads},
    {"attn_qkv", TensorRole::qkv, TpSplit::column},
    {"attn_output", TensorRole::o, TpSplit::row},
    {"attn_q_a", TensorRole::q_a, TpSplit::replicated},
    {"attn_q_b", TensorRole::q_b, TpSplit::column},
    {"attn_kv_a_mqa", TensorRole::kv_a, TpSplit::replicated},
    {"attn_kv_b", TensorRole::kv_b, TpSplit::column},
    {"attn_k_b", TensorRole::kv_b, TpSplit::column},
    {"attn_v_b", TensorRole::kv_b, TpSplit::column},
    {"ffn_gate", TensorRole::gate, TpSplit::column},
    {"ffn_up", TensorRole::up, TpSplit::column},
    {"ffn_down", TensorRole::down, TpSplit::row},
    {"ssm_in", TensorRole::ssm_in, TpSplit::replicated},
    {"ssm_x", TensorRole::ssm_in, TpSplit::replicated},
    {"ssm_dt", TensorRole::ssm_in, TpSplit::replicated},
    {"ssm_out", TensorRole::ssm_out, TpSplit::replicated},
    {"ssm_conv1d", TensorRole::ssm_conv, TpSplit::replicated},
    {"ssm_*", TensorRole::ssm_param, TpSplit::replicated},
    {"attn_*", TensorRole::attn_other, TpSplit::replicated},
    {"ffn_*", TensorRole::other, TpSplit::replicated, WeightGroup::mlp},
};

bool matches(std::string_view stem, std::string_view rule) {
  if (ends_with(rule, "*")) return starts_with(stem, rule.substr(0, rule.size() - 1));
  return stem == rule;
}

DType dense_dtype(GgmlType t) {
  switch (t) {
    case GgmlType::f32:
      return DType::f32;
    case GgmlType::f16:
      return DType::f16;
    case GgmlType::f64:
      return DType::f64;
    case GgmlType::i8:
      return DType::i8;
    case GgmlType::i16:
      return DType::i16;
    case GgmlType::i32:
      return DType::i32;
    case GgmlType::i64:
      return DType::i64;
    default:
      return DType::bf16;  // bf16 itself, and the compute dtype assumed for block formats
  }
}

}  // namespace

Tensor to_tensor(const GgufTensorInfo& info) {
  Tensor t;
  t.name = info.name;
  for (auto it = info.dims.rbegin(); it != info.dims.rend(); ++it) {
    t.shape.push_back(static_cast<int64_t>(*it));  // the reader bounds each dim by 2^63-1
  }
  std::string_view stem;
  split_name(info.name, t.layer, stem);
  // Norms: any stem ending in "norm" ("attn_norm", "attn_q_norm", "ffn_norm", "post_ffw_norm").
  if (ends_with(stem, "norm") || ends_with(stem, "norm_1") || ends_with(stem, "norm_2")) {
    t.role = TensorRole::norm;
    t.group = WeightGroup::norms;
  } else {
    for (const auto& r : k_rules) {
      if (matches(stem, r.stem)) {
        t.role = r.role;
        t.split = r.split;
        t.group = r.group == WeightGroup::count ? default_group(r.role) : r.group;
        t.routed = r.routed;
        break;
      }
    }
  }
  // Fused experts: ggml ne = [in, out, n_expert], so the expert count is the outermost dim.
  if (t.routed) {
    t.experts = info.dims.size() == 3
                    ? static_cast<int32_t>(std::min<uint64_t>(info.dims[2], INT32_MAX))
                    : 1;
  }
  // A bias keeps the rule of its weight, except a row-parallel bias, which stays whole.
  t.bias = ends_with(info.name, ".bias");
  if (t.bias && t.split == TpSplit::row) t.split = TpSplit::replicated;
  t.storage = TensorStorage::ggml;
  t.ggml_type = info.type;
  t.dtype = dense_dtype(info.type);
  t.bytes = info.bytes;
  return t;
}

}  // namespace llmem::gguf
