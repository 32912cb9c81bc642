// What an engine's loader does to the stored bytes of a quantised tensor (vLLM's Marlin and
// Machete repacking, transformers dequantising MXFP4 without its kernels). Sources in
// docs/quantization.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "llmem/core/model_description.h"
#include "llmem/core/weight_format.h"

namespace llmem {

enum class LoadPath : uint8_t {
  as_stored,       // the checkpoint's bytes: llama.cpp, HF with kernels, vLLM fp8/int8/AWQ-Marlin
  vllm_marlin,     // vLLM Marlin (GPUs before sm90): symmetric GPTQ drops qzeros; g_idx dropped
                   // without act-order, else kept plus an int32 sort index per input element
  vllm_machete,    // vLLM Machete (sm90, chosen before Marlin): qzeros and g_idx stay loaded;
                   // act-order adds an int32 permutation per input element
  hf_dequantised,  // transformers without the format's kernels: MXFP4 dequantised to bf16
  count
};

// Bytes of one instance of `t` once loaded along `path`, where `stored` is the scheme of the
// model's quantised records (ModelDescription::stored_format); t.bytes when the path does not
// change this tensor.
uint64_t load_time_bytes(const Tensor& t, const WeightFormat& stored, LoadPath path);

std::string_view to_string(LoadPath p);

}  // namespace llmem
