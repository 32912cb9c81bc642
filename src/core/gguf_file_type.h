// llama.cpp's per-tensor type choice for a file type (llama-quantize's "mixtures"): the default
// ggml type of each file type, the upgrades for sensitive tensors (attn_v, ffn_down, attn_output,
// output) and the fallback for rows that are not whole blocks. Follows
// ggml-org/llama.cpp src/llama-quant.cpp @ 007dbbf3 (llama_ftype_get_default_type,
// tensor_allows_quantization, llama_tensor_get_type_impl, tensor_type_fallback);
// docs/quantization.md lists the rules and where llmem maps Hugging Face tensor names onto
// llama.cpp's categories.
#pragma once

#include <string_view>
#include <vector>

#include "llmem/core/ggml_type.h"
#include "llmem/core/model_description.h"
#include "llmem/core/weight_format.h"

namespace llmem {

// llama.cpp's tensor categories (llama-quant.cpp `tensor_category`).
enum class GgufCategory : uint8_t {
  token_embd,
  attn_q,
  attn_k,
  attn_v,
  attn_qkv,
  attn_kv_b,
  attn_output,
  ffn_up,
  ffn_gate,
  ffn_down,
  output,
  other,
  count
};

// The llama-quantize name of a file type ("Q4_K_M") and its lowercase --weights spelling.
std::string_view gguf_file_type_name(GgufFileType t);
std::string_view gguf_file_type_option(GgufFileType t);

// The ggml type a file type starts every quantisable tensor from (llama_ftype_get_default_type).
GgmlType gguf_default_type(GgufFileType t);

// The category llama.cpp would give the GGUF tensor converted from this Hugging Face tensor.
GgufCategory gguf_category(const Tensor& t);

// Chooses the ggml type of every tensor of `m` under file type `ft`, in the model's tensor order
// (builders add tensors layer by layer, as llama.cpp's loader sorts them). Tensors llama.cpp does
// not quantise keep the converter's type: f32 for 1-D tensors, routers and conv1d, f16 otherwise.
std::vector<GgmlType> choose_gguf_types(const ModelDescription& m, GgufFileType ft);

}  // namespace llmem
