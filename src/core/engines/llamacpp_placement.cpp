// Which device holds a llama.cpp layer, and each tensor's ggml type and GGUF name. Sources
// (docs/llamacpp-rules.md §2.1): src/llama-model.cpp llama_model_base::load_tensors
// (i_gpu_start = max(n_layer_all + 1 − n_gpu_layers, 0); the output layer is index n_layer_all;
// the input layer stays on the CPU; layer il goes to the first device whose cumulative split
// exceeds (il − i_gpu_start) / gpu layers, std::upper_bound); llama.cpp's converter
// (convert_hf_to_gguf.py: 1-D tensors stay f32, the rest in the output type) for a description
// that is not a GGUF file; llama-quantize's per-tensor choice (src/core/gguf_file_type.h).
#include <algorithm>

#include "core/engines/llamacpp.h"
#include "core/gguf_file_type.h"

namespace llmem::engines::llamacpp {

int32_t Placement::device_of(int32_t il) const {
  if (devices == 0 || gpu_layers == 0 || il < i_gpu_start || il - i_gpu_start >= gpu_layers) {
    return -1;
  }
  const double frac = static_cast<double>(il - i_gpu_start) / static_cast<double>(gpu_layers);
  for (int32_t d = 0; d < devices; ++d) {
    if (splits[static_cast<size_t>(d)] > frac) return d;
  }
  return devices - 1;
}

Placement place(const PreparedModel& p, const InferenceOptions& o, int32_t n_gpu_layers) {
  Placement pl;
  const LlamaCppOptions& l = o.llamacpp;
  pl.devices = l.devices >= 0 ? l.devices : std::max(o.tp * o.pp, 1);
  pl.devices = std::min<int32_t>(pl.devices, static_cast<int32_t>(k_max_llamacpp_devices));
  pl.n_layer_all = static_cast<int32_t>(p.num_layers);
  const int32_t ngl = n_gpu_layers < 0 ? pl.n_layer_all + 1 : n_gpu_layers;
  if (pl.devices > 0) {
    pl.i_gpu_start = std::max(pl.n_layer_all + 1 - ngl, 0);
    pl.gpu_layers = std::min(ngl, pl.n_layer_all + 1);
  }
  // --tensor-split, cumulative and normalised; without it the devices' free memory, taken as
  // equal (devices of one kind).
  double total = 0;
  for (int32_t d = 0; d < pl.devices; ++d) {
    total += l.tensor_split.empty() ? 1.0 : l.tensor_split[static_cast<size_t>(d)];
  }
  double acc = 0;
  for (int32_t d = 0; d < pl.devices; ++d) {
    acc += l.tensor_split.empty() ? 1.0 : l.tensor_split[static_cast<size_t>(d)];
    pl.splits[static_cast<size_t>(d)] = total > 0 ? acc / total : 1.0;
  }
  return pl;
}

GgmlType tensor_type(const PreparedModel& p, const WeightPlan& /*w*/, uint32_t record,
                     int32_t /*layer*/) {
  const Tensor& t = p.records[record];
  if (t.storage == TensorStorage::ggml) return t.ggml_type;
  if (t.shape.size() < 2 || t.bias) return GgmlType::f32;
  switch (t.dtype) {
    case DType::f32:
      return GgmlType::f32;
    case DType::f16:
      return GgmlType::f16;
    default:
      return GgmlType::bf16;
  }
}

namespace {

std::string_view base_name(const Tensor& t) {
  const bool exps = t.routed;
  switch (t.role) {
    case TensorRole::embedding:
      return "token_embd";
    case TensorRole::position_embedding:
      return "position_embd";
    case TensorRole::lm_head:
      return "output";
    case TensorRole::q:
      return "attn_q";
    case TensorRole::k:
      return "attn_k";
    case TensorRole::v:
      return "attn_v";
    case TensorRole::qkv:
      return "attn_qkv";
    case TensorRole::o:
      return "attn_output";
    case TensorRole::q_a:
      return "attn_q_a";
    case TensorRole::q_b:
      return "attn_q_b";
    case TensorRole::kv_a:
      return "attn_kv_a_mqa";
    case TensorRole::kv_b:
      return "attn_kv_b";
    case TensorRole::gate:
      return exps ? "ffn_gate_exps"
                  : (t.group == WeightGroup::experts ? "ffn_gate_shexp" : "ffn_gate");
    case TensorRole::up:
      return exps ? "ffn_up_exps" : (t.group == WeightGroup::experts ? "ffn_up_shexp" : "ffn_up");
    case TensorRole::gate_up:
      return exps ? "ffn_gate_up_exps" : "ffn_up";
    case TensorRole::down:
      return exps ? "ffn_down_exps"
                  : (t.group == WeightGroup::experts ? "ffn_down_shexp" : "ffn_down");
    case TensorRole::router:
      return "ffn_gate_inp";
    case TensorRole::norm:
      return t.layer < 0 ? "output_norm" : "attn_norm";
    case TensorRole::ssm_in:
      return "ssm_in";
    case TensorRole::ssm_out:
      return "ssm_out";
    case TensorRole::ssm_conv:
      return "ssm_conv1d";
    default:
      return "tensor";
  }
}

}  // namespace

std::string gguf_name(const Tensor& t, int32_t layer) {
  // A GGUF record keeps its file name with '#' for the layer.
  if (t.name.rfind("blk.", 0) == 0 || t.name == "token_embd.weight" || t.name == "output.weight" ||
      t.name.rfind("output_norm", 0) == 0) {
    std::string out;
    for (char c : t.name) {
      if (c == '#') {
        out += std::to_string(layer);
      } else {
        out += c;
      }
    }
    return out;
  }
  std::string base(base_name(t));
  std::string suffix = t.bias ? ".bias" : ".weight";
  if (t.layer < 0) return base + suffix;
  return "blk." + std::to_string(layer) + "." + base + suffix;
}

}  // namespace llmem::engines::llamacpp
