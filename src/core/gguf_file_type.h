// llama.cpp's per-tensor type choice for a file type (llama-quantize's "mixtures"): the default
// ggml type of each file type, the upgrades for sensitive tensors (attn_v, ffn_down, attn_output,
// output) and the fallback for rows that are not whole blocks. Follows
// ggml-org/llama.cpp src/llama-quant.cpp @ 007dbbf3 (llama_ftype_get_default_type,
// tensor_allows_quantization, llama_tensor_get_type_impl, tensor_type_fallback);
// docs/quantization.md lists the rules and where llmem maps Hugging Face tensor names onto
// llama.cpp's categories.
#pragma once

#include <span>
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

// The llama-quantize name of a file type ("Q4_K_M") and its lowercase spelling as a weights format.
std::string_view gguf_file_type_name(GgufFileType t);
std::string_view gguf_file_type_option(GgufFileType t);

// The ggml type a file type starts every quantisable tensor from (llama_ftype_get_default_type).
GgmlType gguf_default_type(GgufFileType t);

// The category llama.cpp would give the GGUF tensor converted from this tensor.
GgufCategory gguf_category(const Tensor& t);

// What llama.cpp's rules read of the model (llama-quant.cpp llama_model_quantize_impl).
struct GgufFacts {
  int n_layer = 0;
  int n_expert = 0;
  int n_gqa = 1;
  bool falcon = false;  // LLM_ARCH_FALCON
  bool is_70b = false;  // LLM_TYPE_70B
};
GgufFacts gguf_facts(const ModelDescription& m);

// Chooses the ggml type of every tensor under file type `ft`, walking the records in llama.cpp's
// order (the tensors outside the stack, then layer by layer). A record outside the stack gets one
// type at types[offsets[r]]; one in the stack a type per layer at types[offsets[r] + layer −
// first layer] (its instances in one layer share it). Tensors llama.cpp does not quantise keep
// the converter's type: f32 for 1-D tensors, biases, routers and conv1d, f16 otherwise.
std::vector<GgmlType> choose_gguf_types(std::span<const Tensor> records, const GgufFacts& facts,
                                        GgufFileType ft, std::vector<uint32_t>& offsets);

}  // namespace llmem
