// How weights are stored: a dense dtype, or a quantisation scheme whose own layout decides each
// tensor's storage bytes (packed values + scales + zeros + g_idx + absmax + quant state …) and
// which tensors it leaves unquantised. This header describes a format and names it; what a format
// does to a model's tensors is in weight_plan.h, what engines change at load in load_path.h.
// Layouts, formulas and sources: docs/quantization.md.
//
//   auto f = llmem::parse_weight_format("gptq-4bit-g128");   // --weights gptq-4bit-g128
//
// --weights grammar (case-insensitive; accepted_weight_formats() lists it):
//   fp32 | bf16 | fp16                       dense
//   fp8 | fp8_e5m2                           fp8 e4m3 (e5m2), one fp32 scale per tensor
//   fp8-channel | fp8-dynamic                fp8, one scale per output channel (compressed-tensors)
//   fp8-block | fp8-block<R>x<C>             fp8, fp32 scale per R×C block (DeepSeek-V3: 128×128)
//   int8 | w8a8                              int8, one scale per output channel
//   (compressed-tensors) int4 | w4a16[-g<G>|-channel] | w8a16[…]  compressed-tensors pack-quantized
//   (G default 128) gptq-<B>bit[-g<G>|-channel][-act]        AutoGPTQ layout (B in 2,3,4,8; G
//   default 128) awq-<B>bit[-g<G>]                        AutoAWQ GEMM layout nf4 | fp4 [-dq]
//   bitsandbytes 4-bit, blocks of 64, -dq: double quant llm-int8 | bnb-int8 bitsandbytes LLM.int8
//   (int8 + fp32 SCB per row) mxfp4 | nvfp4                            OCP MXFP4 (32-blocks, e8m0)
//   / NVIDIA NVFP4 (16, e4m3) q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q2_k_s q3_k_s q3_k_m q3_k_l q4_k_s
//   q4_k_m q5_k_s q5_k_m q6_k iq1_s iq1_m iq2_xxs iq2_xs iq2_s iq2_m iq3_xxs iq3_xs iq3_s iq3_m
//   iq4_nl iq4_xs tq1_0 tq2_0 mxfp4_moe                                llama.cpp file types
//   (per-tensor ggml types chosen by
//                                            llama.cpp's quantize rules, src/core/gguf_file_type.h)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/dtype.h"

namespace llmem {

enum class WeightScheme : uint8_t {
  dense,       // every tensor at `dtype`
  fp8,         // fp8 values + scales per tensor, output channel or 2-D block
  int8,        // int8 values + scales per tensor or output channel (compressed-tensors w8a8)
  gptq,        // AutoGPTQ: int32 qweight, int32 qzeros, fp16 scales per group, int32 g_idx
  awq,         // AutoAWQ GEMM: int32 qweight, int32 qzeros, fp16 scales per group
  packed_int,  // compressed-tensors pack-quantized: int32 weight_packed, scales, weight_shape
  bnb_4bit,    // bitsandbytes nf4/fp4: uint8 pairs, absmax per block, quant state
  bnb_int8,    // bitsandbytes LLM.int8: int8 weight + fp32 SCB per row
  mxfp4,       // OCP MX fp4 (e2m1) in blocks of 32 with one e8m0 scale (gpt-oss experts)
  nvfp4,       // NVIDIA fp4 (e2m1) in blocks of 16 with one e4m3 scale + fp32 global scale
  gguf,        // a llama.cpp file type: a ggml type per tensor
  count
};

// Where a scheme keeps its scales (fp8 and int8).
enum class ScaleGranularity : uint8_t { tensor, channel, block, count };

// llama.cpp file types (llama.h `enum llama_ftype`, the names llama-quantize prints).
enum class GgufFileType : uint8_t {
  q4_0,
  q4_1,
  q5_0,
  q5_1,
  q8_0,
  q2_k,
  q2_k_s,
  q3_k_s,
  q3_k_m,
  q3_k_l,
  q4_k_s,
  q4_k_m,
  q5_k_s,
  q5_k_m,
  q6_k,
  iq1_s,
  iq1_m,
  iq2_xxs,
  iq2_xs,
  iq2_s,
  iq2_m,
  iq3_xxs,
  iq3_xs,
  iq3_s,
  iq3_m,
  iq4_nl,
  iq4_xs,
  tq1_0,
  tq2_0,
  mxfp4_moe,
  count
};

struct WeightFormat {
  WeightScheme scheme = WeightScheme::dense;
  DType dtype = DType::bf16;  // dense dtype; for a quantised scheme, what it leaves unquantised
  DType quant_dtype = DType::f8_e4m3;  // fp8 element type (e4m3 or e5m2)
  int32_t bits = 16;                   // bits of a quantised value (gptq/awq/packed_int: 2..8)
  int64_t group_size = 128;            // input elements per scale; 0 = one per output channel
  ScaleGranularity granularity = ScaleGranularity::tensor;  // fp8 / int8 scales
  int64_t block_rows = 128;  // fp8 block scales: output rows per block
  int64_t block_cols = 128;  // fp8 block scales: input columns per block
  std::optional<DType>
      scale_dtype;                // scale storage when the format lets it vary; nullopt = `dtype`
  bool symmetric = true;          // packed_int / int8: no zero points stored
  bool act_order = false;         // gptq desc_act / compressed-tensors actorder=group: g_idx
  bool activation_scale = false;  // static activation quantisation: an fp32 input_scale per tensor
  bool fp4_nf4 = true;            // bnb_4bit: nf4 (true) or fp4
  bool double_quant = false;      // bnb_4bit: absmax quantised to uint8 (nested absmax/quant map)
  bool quantise_lm_head = false;  // gptq `lm_head: true` quantises the output projection too
  GgufFileType file_type = GgufFileType::q4_k_m;  // gguf
  // A checkpoint's own format: tensors its config names as left unquantised (Tensor::
  // keep_unquantised, set by the reader from modules_to_not_convert, ignore …) stay dense.
  // Embeddings, norms, routers, vision towers and 1-D tensors are never quantised (except gguf).
  bool honour_keep_unquantised = false;

  // The canonical --weights name ("gptq-4bit-g128", "q4_k_m" …); parse_weight_format(label())
  // gives back the same layout (dtype aside).
  std::string label() const;
};

// Parses a --weights value (grammar above). Returns nullopt for an unknown name.
std::optional<WeightFormat> parse_weight_format(std::string_view name);

// The accepted --weights names, for messages and --help.
std::string accepted_weight_formats();

}  // namespace llmem
