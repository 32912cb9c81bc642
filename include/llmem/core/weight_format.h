// How weights are stored: a dense dtype, or a quantisation scheme whose own layout decides each
// tensor's storage bytes (packed values + scales + zeros + g_idx + absmax + quant state …) and
// which tensors it leaves unquantised. This header describes a format and names it; what a format
// does to a model's tensors is in weight_plan.h, what engines change at load in load_path.h.
// Layouts, formulas and sources: docs/quantization.md.
//
//   auto f = llmem::parse_weight_format("gptq-4bit-g128");   // --weights gptq-4bit-g128
//
// --weights grammar (case-insensitive; accepted_weight_formats() prints it from the parser table):
//   fp32 | bf16 | fp16                dense
//   fp8 | fp8_e5m2                    fp8 e4m3 (e5m2), one fp32 scale per tensor
//   fp8-channel | fp8-dynamic         fp8, one scale per output channel (compressed-tensors)
//   fp8-block | fp8-block<R>x<C>      fp8, fp32 scale per R×C block (DeepSeek-V3: 128×128)
//   int8 | w8a8 | int8-tensor         int8, one scale per output channel (or per tensor)
//   int4 | w4a16[-g<G>|-channel][-act][-asym] | w8a16[…]   compressed-tensors pack-quantized
//   gptq-<B>bit[-g<G>|-channel][-act] AutoGPTQ layout (B in 2, 3, 4, 8; G default 128)
//   awq-<B>bit[-g<G>]                 AutoAWQ GEMM layout
//   nf4 | fp4 [-dq] | llm-int8        bitsandbytes 4-bit (blocks of 64) / LLM.int8
//   mxfp4 | nvfp4                     OCP MXFP4 (32-blocks, e8m0) / NVIDIA NVFP4 (16, e4m3)
//   mlx-<B>bit[-g<G>]                 MLX affine (mlx-lm): B in 2..6, 8; G 32, 64, 128 (64)
//   mlx-mxfp4 | mlx-nvfp4 | mlx-mxfp8 MLX fp modes; MLX quantises embeddings, head, routers too
//   torchao-int4[-tile|-int32][-g<G>] torchao Int4Tensor / tinygemm tile / plain int32 (G 128)
//   torchao-int8[-v1] | torchao-fp8[-tensor]   torchao Int8Tensor (v1 AQT), Float8Tensor
//   hqq-<B>bit[-g<G>|-channel]        HQQ (B in 1, 2, 3, 4, 5, 6, 8; G default 64)
//   eetq                              EETQ int8 weight-only, fp16 per-channel scales
//   aqlm-<C>x<B>[-g<I>][-o<O>]        AQLM: C codebooks of 2^B entries over I×O groups
//   exl2-<bpw>[-h<H>] | exl3-<bpw>[-h<H>]   ExLlamaV2/V3: average bits, head bits (6)
//   bitnet                            BitNet b1.58: ternary weights, four a byte
//   q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q2_k_s q3_k_s q3_k_m q3_k_l q4_k_s q4_k_m q5_k_s q5_k_m q6_k
//   iq1_s iq1_m iq2_xxs iq2_xs iq2_s iq2_m iq3_xxs iq3_xs iq3_s iq3_m iq4_nl iq4_xs tq1_0 tq2_0
//   mxfp4_moe                         llama.cpp file types (per-tensor ggml types by llama.cpp's
//                                     quantize rules, src/core/gguf_file_type.h)
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
  mlx,         // MLX: uint32-packed values, scales (+ biases in affine mode) per group
  torchao,     // torchao tensor subclasses (int4 / int8 / float8, TorchaoKind)
  hqq,         // HQQ: uint8/int32-packed W_q, scale and zero per group, small meta tensors
  eetq,        // EETQ: int8 weight [K, N] + fp16 weight_scales [N]
  aqlm,        // AQLM: codes per input group, fp16 codebooks, fp16 scale per output row
  exl2,        // ExLlamaV2: variable bits per layer; `bits_per_weight` is the target average
  exl3,        // ExLlamaV3: int16 trellis at integer bits per layer, fp16 suh/svh
  bitnet,      // BitNet b1.58: ternary weights packed 4 a byte, one scale per tensor
  gguf,        // a llama.cpp file type: a ggml type per tensor
  count
};

// Where a scheme keeps its scales (fp8 and int8).
enum class ScaleGranularity : uint8_t { tensor, channel, block, count };

// MLX quantisation modes (mlx `QuantizationMode`): affine stores scales and biases in the weight's
// dtype; the fp modes store one uint8 scale per group (e8m0 for mxfp4/mxfp8, e4m3 for nvfp4).
enum class MlxMode : uint8_t { affine, mxfp4, nvfp4, mxfp8, count };

// torchao's stored tensor subclasses (torchao/quantization/quantize_/workflows).
enum class TorchaoKind : uint8_t {
  int4_plain,        // Int4Tensor: qdata int8 [N, K/2], scale and zero_point [K/G, N] (dtype)
  int4_tile_packed,  // Int4TilePackedTo4dTensor / v1 TensorCoreTiledLayout: K padded to 1024,
                     // N to 8; qdata int32 (K·N/8 words), scale_and_zero [K/G, N, 2] (dtype)
  int4_plain_int32,  // Int4PlainInt32Tensor: qdata int32 [N, K/8], scale (dtype) + int8 zero
  int8_v2,           // Int8Tensor: qdata int8 [N, K], scale fp32 [N, 1], zero_point int8 [N, 1]
  int8_v1,           // v1 AffineQuantizedTensor PlainLayout: int8, scale [N] (dtype), int64 zero
  fp8_row,           // Float8Tensor PerRow: qdata f8 [N, K], scale fp32 [N, 1]
  fp8_tensor,        // Float8Tensor PerTensor: qdata f8 [N, K], scale fp32 [1, 1]
  count
};

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
  // What the format covers beyond attention, MLP, expert and SSM linears (weight_plan.h
  // quantises()): GPTQ `lm_head: true` and MLX quantise the output projection, MLX and torchao
  // `include_input_output_embeddings` the embeddings, MLX the MoE routers (nn.Linear there).
  bool quantise_lm_head = false;
  bool quantise_embeddings = false;
  bool quantise_router = false;
  // A tensor whose input dimension K is not a multiple of group_size stays dense (mlx-lm
  // quantize_model skips it; HQQ and AQLM cannot group it).
  bool skip_indivisible = false;
  MlxMode mlx_mode = MlxMode::affine;
  TorchaoKind torchao_kind = TorchaoKind::int4_plain;
  // AQLM: codebooks per group, log2 of codebook entries, inputs and outputs per group.
  int32_t num_codebooks = 1;
  int32_t codebook_bits = 16;
  int32_t out_group_size = 1;
  // EXL2/EXL3: the average bits per weight of the decoder linears (config `bits`) and the LM
  // head's bits (`head_bits`; 16 or 0 = not quantised).
  double bits_per_weight = 0;
  int32_t head_bits = 0;
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

// What a format's bytes rest on when they are not exact from the shapes alone (EXL2: the
// converter's budget, an upper bound; EXL3: bits rounded to 0.01); nullopt when they are exact.
std::optional<std::string> weight_format_note(const WeightFormat& f);

}  // namespace llmem
