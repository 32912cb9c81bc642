// Storage bytes of one quantised weight under each format's own layout, and what engines change at
// load time. Every term names the tensor the format saves; sources in docs/quantization.md.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "common/checked.h"
#include "llmem/common/error.h"
#include "llmem/core/load_path.h"
#include "llmem/core/weight_plan.h"

namespace llmem {
namespace {

constexpr uint64_t k_i32 = 4;  // int32 packing word, g_idx, qzeros
constexpr uint64_t k_f32 = 4;  // fp32 scales, absmax, SCB
constexpr uint64_t k_f16 = 2;  // GPTQ/AWQ scales are float16 (AutoGPTQ/AutoAWQ QuantLinear)
constexpr uint64_t k_i64 = 8;  // compressed-tensors weight_shape entries

struct Dims {
  uint64_t lead = 1;  // fused experts (product of the leading dimensions)
  uint64_t out = 0;   // N: output features (rows)
  uint64_t in = 0;    // K: input features (the reduction dimension, ggml's ne[0])
};

Dims dims_of(const std::vector<int64_t>& shape) {
  if (shape.size() < 2) throw InputError("a quantised weight needs at least 2 dimensions");
  Dims d;
  for (size_t i = 0; i + 2 < shape.size(); ++i) {
    d.lead = checked_mul(d.lead, static_cast<uint64_t>(shape[i]), "weight bytes");
  }
  d.out = static_cast<uint64_t>(shape[shape.size() - 2]);
  d.in = static_cast<uint64_t>(shape.back());
  return d;
}

uint64_t mul(uint64_t a, uint64_t b) { return checked_mul(a, b, "weight bytes"); }
uint64_t add(uint64_t a, uint64_t b) { return checked_add(a, b, "weight bytes"); }

// Groups along the input dimension: ceil(K / group), one for per-channel (group 0).
uint64_t groups(uint64_t in, int64_t group_size) {
  return group_size <= 0 ? 1 : ceil_div(in, static_cast<uint64_t>(group_size));
}

// int32 words holding `values` values of `bits` bits (packing pads the last word).
uint64_t packed_words(uint64_t values, int32_t bits) {
  return ceil_div(mul(values, static_cast<uint64_t>(bits)), 32);
}

uint64_t scale_bytes(const WeightFormat& f) {
  return dtype_bits(f.scale_dtype.value_or(f.dtype)) / 8;
}

// bitsandbytes QuantState.as_dict(packed=True): the non-tensor entries are json.dumps'ed into the
// uint8 tensor "quant_state.bitsandbytes__nf4". Its length depends on the digits of the shape and
// of the nested offset; the offset is taken as a 20-character float repr (documented estimate).
uint64_t bnb_packed_state_bytes(const WeightFormat& f, const Dims& d) {
  std::string dtype = f.dtype == DType::f16   ? "float16"
                      : f.dtype == DType::f32 ? "float32"
                                              : "bfloat16";
  std::string s = std::string("{\"quant_type\": \"") + (f.fp4_nf4 ? "nf4" : "fp4") +
                  "\", \"blocksize\": 64, \"dtype\": \"" + dtype + "\", \"shape\": [" +
                  std::to_string(d.out) + ", " + std::to_string(d.in) + "]";
  if (f.double_quant) {
    s += ", \"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": " +
         std::string(20, '0');
  }
  s += "}";
  return s.size();
}

uint64_t round_up(uint64_t v, uint64_t m) { return ceil_div(v, m) * m; }

// HQQ's meta tensors per module (hqq/core/quantize.py HQQLinear.state_dict, each value made a
// tensor by utils.encode_safetensor_type): nbits, group_size, axis int32 (4 B each); shape int64
// [2]; packing ("4bit_u8" …, 7 chars) and unpack_view_dtype ("torch.uint8", 11) as uint8 text;
// compute_dtype text ("torch.float16" 13, "torch.bfloat16" 14); the bools view_as_float,
// quant_scale, quant_zero, offload_meta, encoded_state_dict, stores_quant_config, channel_wise,
// optimize, round_zero (1 B each). Counted as 55 B + the compute_dtype text: an estimate within a
// few bytes per module (docs/quantization.md).
uint64_t hqq_meta_bytes(const WeightFormat& f) {
  return 55 + (f.scale_dtype.value_or(f.dtype) == DType::bf16 ? 14 : 13);
}

// HQQ W_q (hqq/core/bitpack.py): the weight is reshaped to rows of `group` values (axis 1) and
// packed along the rows: 8/6/5 bits stay one uint8 each ("todo: bitpacking"), 4 bits two a byte,
// 2 bits (and 1.58) four, 1 bit eight, 3 bits ten rows per int32 (rows padded to a multiple of 10).
uint64_t hqq_packed_bytes(uint64_t elements, uint64_t group, int32_t bits) {
  const uint64_t rows = ceil_div(elements, group);
  switch (bits) {
    case 4:
      return mul(ceil_div(rows, 2), group);
    case 3:
      return mul(mul(ceil_div(rows, 10), group), 4);
    case 2:
      return mul(ceil_div(rows, 4), group);
    case 1:
      return mul(ceil_div(rows, 8), group);
    default:
      return mul(rows, group);
  }
}

// ExLlamaV2's QParams.total_bits for a [rows = K, columns = N] weight (exllamav2
// conversion/qparams.py): q_weight at each bit width's share of the rows, q_scale_max fp16 and
// q_groups 2×int16 per group, 4-bit q_scale per group and column, q_invperm int32 per row.
struct Exl2Params {
  int64_t group;
  int32_t bits[2];
  double share[2];
  int count;
};

uint64_t exl2_total_bits(const Exl2Params& p, uint64_t rows, uint64_t columns) {
  uint64_t groups = 0;
  int64_t remaining = static_cast<int64_t>(rows);
  uint64_t per_bits[2] = {0, 0};
  for (int i = 0; i < p.count; ++i) {
    const double want =
        std::min(static_cast<double>(rows) * p.share[i], static_cast<double>(remaining));
    const uint64_t g = static_cast<uint64_t>(std::ceil(want / static_cast<double>(p.group)));
    groups += g;
    remaining -= static_cast<int64_t>(g) * p.group;
    per_bits[i] = g;
  }
  uint64_t bits = 0;
  uint64_t left = rows;
  for (int i = 0; i < p.count; ++i) {
    uint64_t r = std::min<uint64_t>(static_cast<uint64_t>(p.group) * per_bits[i], left);
    left -= r;
    bits = add(bits, mul(mul(r, columns), static_cast<uint64_t>(p.bits[i])));
  }
  bits = add(bits, mul(groups, 16 + 32));
  bits = add(bits, mul(mul(groups, columns), 4));
  return add(bits, mul(rows, 32));
}

// exllamav2 conversion/qparams.py qparams_headoptions: the head layer's layout per head_bits.
std::optional<Exl2Params> exl2_head_params(int32_t head_bits) {
  switch (head_bits) {
    case 2:
      return Exl2Params{32, {4, 2}, {0.3, 0.7}, 2};
    case 3:
      return Exl2Params{32, {4, 3}, {0.15, 0.85}, 2};
    case 4:
      return Exl2Params{32, {6, 4}, {0.15, 0.85}, 2};
    case 5:
      return Exl2Params{128, {6, 5}, {0.15, 0.85}, 2};
    case 6:
      return Exl2Params{128, {8, 6}, {0.15, 0.85}, 2};
    case 8:
      return Exl2Params{128, {8, 0}, {1.0, 0.0}, 1};
    default:
      return std::nullopt;
  }
}

// EXL3 (exllamav3 modules/quant/exl3.py LinearEXL3.get_tensors): trellis int16
// [K/16, N/16, 16·bits] (bits·K·N/8 bytes), suh fp16 [K], svh fp16 [N].
uint64_t exl3_bytes(uint64_t n, uint64_t k, double bits) {
  const double trellis =
      static_cast<double>(round_up(k, 16)) * static_cast<double>(round_up(n, 16)) * bits / 8.0;
  return add(static_cast<uint64_t>(std::llround(trellis)), mul(add(n, k), k_f16));
}

uint64_t one_matrix(const WeightFormat& f, const Dims& d) {
  const uint64_t n = d.out;
  const uint64_t k = d.in;
  const uint64_t elements = mul(n, k);
  const uint64_t g = groups(k, f.group_size);
  switch (f.scheme) {
    case WeightScheme::fp8: {
      uint64_t scales = 0;
      if (f.granularity == ScaleGranularity::tensor) {
        scales = k_f32;  // weight_scale: fp32, shape []
      } else if (f.granularity == ScaleGranularity::channel) {
        scales = mul(n, scale_bytes(f));  // weight_scale [N, 1]
      } else {                            // weight_scale_inv fp32 [ceil(N/br), ceil(K/bc)]
        scales = mul(mul(ceil_div(n, static_cast<uint64_t>(f.block_rows)),
                         ceil_div(k, static_cast<uint64_t>(f.block_cols))),
                     k_f32);
      }
      return add(add(elements, scales), f.activation_scale ? k_f32 : 0);
    }
    case WeightScheme::int8: {
      uint64_t per = f.granularity == ScaleGranularity::tensor ? 1 : n;
      uint64_t scales = mul(per, scale_bytes(f));
      uint64_t zeros = f.symmetric ? 0 : per;  // int8 weight_zero_point
      return add(add(add(elements, scales), zeros), f.activation_scale ? k_f32 : 0);
    }
    case WeightScheme::gptq: {
      // qweight int32 [K*b/32, N]; qzeros int32 [G, N*b/32]; scales fp16 [G, N]; g_idx int32 [K].
      uint64_t qweight = mul(mul(packed_words(k, f.bits), n), k_i32);
      uint64_t qzeros = mul(mul(g, packed_words(n, f.bits)), k_i32);
      uint64_t scales = mul(mul(g, n), k_f16);
      return add(add(add(qweight, qzeros), scales), mul(k, k_i32));
    }
    case WeightScheme::awq: {
      // qweight int32 [K, N*b/32]; qzeros int32 [G, N*b/32]; scales fp16 [G, N].
      uint64_t qweight = mul(mul(k, packed_words(n, f.bits)), k_i32);
      uint64_t qzeros = mul(mul(g, packed_words(n, f.bits)), k_i32);
      return add(add(qweight, qzeros), mul(mul(g, n), k_f16));
    }
    case WeightScheme::packed_int: {
      // weight_packed int32 [N, K*b/32]; weight_scale [N, G]; weight_shape int64 [2];
      // asymmetric: weight_zero_point int32 [N*b/32, G]; actorder=group: weight_g_idx int32 [K].
      uint64_t packed = mul(mul(n, packed_words(k, f.bits)), k_i32);
      uint64_t scales = mul(mul(n, g), scale_bytes(f));
      uint64_t zeros = f.symmetric ? 0 : mul(mul(packed_words(n, f.bits), g), k_i32);
      uint64_t g_idx = f.act_order ? mul(k, k_i32) : 0;
      return add(add(add(add(packed, scales), zeros), g_idx), 2 * k_i64);
    }
    case WeightScheme::bnb_4bit: {
      // weight uint8 [ceil(numel/2), 1]; quant_map fp32 [16]; absmax fp32 [blocks of 64], or
      // with double quant: absmax uint8 [blocks] + nested_absmax fp32 [ceil(blocks/256)] +
      // nested_quant_map fp32 [256]; plus the packed quant state.
      uint64_t blocks = ceil_div(elements, 64);
      uint64_t absmax = f.double_quant
                            ? add(add(blocks, mul(ceil_div(blocks, 256), k_f32)), 256 * k_f32)
                            : mul(blocks, k_f32);
      return add(add(add(ceil_div(elements, 2), absmax), 16 * k_f32), bnb_packed_state_bytes(f, d));
    }
    case WeightScheme::bnb_int8:
      return add(elements, mul(n, k_f32));  // weight int8 [N, K]; SCB fp32 [N]
    case WeightScheme::mxfp4:
      // *_blocks uint8 [..., K/32, 16] (two e2m1 a byte); *_scales uint8 (e8m0) [..., K/32].
      return add(ceil_div(elements, 2), ceil_div(elements, 32));
    case WeightScheme::nvfp4:
      // weight uint8 [N, K/2]; weight_scale fp8 e4m3 [N, K/16]; weight_scale_2 fp32 []; plus
      // input_scale fp32 [] for w4a4.
      return add(add(add(ceil_div(elements, 2), mul(n, ceil_div(k, 16))), k_f32),
                 f.activation_scale ? k_f32 : 0);
    case WeightScheme::mlx: {
      // mlx ops.cpp affine_quantize / fp_quantize: weight uint32 [N, K·bits/32]; scales [N, K/G]
      // (affine: weight dtype, plus biases of the same shape; fp modes: uint8).
      uint64_t packed = mul(mul(n, packed_words(k, f.bits)), k_i32);
      uint64_t per_group = f.mlx_mode == MlxMode::affine ? 2 * scale_bytes(f) : 1;
      return add(packed, mul(mul(n, g), per_group));
    }
    case WeightScheme::torchao: {
      const uint64_t s = scale_bytes(f);
      switch (f.torchao_kind) {
        case TorchaoKind::int4_plain:  // qdata int8 [N, K/2]; scale, zero_point [K/G, N]
          return add(mul(n, ceil_div(k, 2)), mul(mul(g, n), 2 * s));
        case TorchaoKind::int4_tile_packed: {
          // pads K to a multiple of 1024 and N to 8; qdata int32 [N/8, K/(8·16), 32, 4];
          // scale_and_zero [K/G, N, 2] in the weight dtype.
          const uint64_t kp = round_up(k, 1024);
          const uint64_t np = round_up(n, 8);
          return add(mul(np, kp / 2), mul(mul(groups(kp, f.group_size), np), 2 * s));
        }
        case TorchaoKind::int4_plain_int32:  // qdata int32 [N, K/8]; scale [K/G, N]; int8 zero
          return add(mul(mul(n, packed_words(k, 4)), k_i32), mul(mul(g, n), s + 1));
        case TorchaoKind::int8_v2:  // qdata int8 [N, K]; scale fp32 [N, 1]; zero_point int8
          return add(elements, mul(n, k_f32 + 1));
        case TorchaoKind::int8_v1:  // int_data int8; scale [N] (weight dtype); zero int64 [N]
          return add(elements, mul(n, s + 8));
        case TorchaoKind::fp8_row:  // qdata f8 [N, K]; scale fp32 [N, 1]
          return add(elements, mul(n, k_f32));
        case TorchaoKind::fp8_tensor:  // qdata f8 [N, K]; scale fp32 [1, 1]
          return add(elements, k_f32);
        case TorchaoKind::count:
          break;
      }
      break;
    }
    case WeightScheme::hqq: {
      // W_q packed (hqq_packed_bytes); scale and zero [numel/G, 1] in the compute dtype; meta.
      const uint64_t group = f.group_size <= 0 ? k : static_cast<uint64_t>(f.group_size);
      const uint64_t rows = ceil_div(elements, group);
      return add(add(hqq_packed_bytes(elements, group, f.bits), mul(rows, 2 * scale_bytes(f))),
                 hqq_meta_bytes(f));
    }
    case WeightScheme::eetq:
      return add(elements, mul(n, k_f16));  // weight int8 [K, N]; weight_scales fp16 [N]
    case WeightScheme::aqlm: {
      // AQLM inference.py QuantizedLinear: codes [N/O, K/I, C] (int8 up to 8 bits, int16 up to
      // 16, else int32); codebooks fp16 [C, 2^B, O, I]; scales fp16 [N/O, 1, 1, 1].
      const uint64_t og = static_cast<uint64_t>(f.out_group_size);
      const uint64_t ig = static_cast<uint64_t>(std::max<int64_t>(f.group_size, 1));
      const uint64_t code_bytes = f.codebook_bits <= 8 ? 1 : f.codebook_bits <= 16 ? 2 : 4;
      const uint64_t cb = static_cast<uint64_t>(f.num_codebooks);
      uint64_t codes = mul(mul(mul(ceil_div(n, og), ceil_div(k, ig)), cb), code_bytes);
      uint64_t codebooks = mul(mul(mul(cb, uint64_t{1} << f.codebook_bits), mul(og, ig)), k_f16);
      return add(add(codes, codebooks), mul(ceil_div(n, og), k_f16));
    }
    case WeightScheme::exl2:
      // The converter's budget: every stored byte of the decoder linears (q_weight, q_scale,
      // q_scale_max, q_groups, q_invperm) fits in numel × bits / 8 (optimize.py weight_budget);
      // the chosen layout is at most that, typically a little below (docs/quantization.md).
      return static_cast<uint64_t>(static_cast<double>(elements) * f.bits_per_weight / 8.0);
    case WeightScheme::exl3:
      return exl3_bytes(n, k, f.bits_per_weight);
    case WeightScheme::bitnet:
      // transformers integrations/bitnet.py BitLinear: weight uint8 [ceil(N/4), K] (four
      // ternary values a byte, packed along the outputs); weight_scale [1] in the model dtype.
      return add(mul(ceil_div(n, 4), k), scale_bytes(f));
    case WeightScheme::dense:
    case WeightScheme::gguf:
    case WeightScheme::count:
      break;
  }
  throw InternalError("internal: quantised_weight_bytes called for a dense or gguf format");
}

}  // namespace

uint64_t quantised_weight_bytes(const WeightFormat& f, const std::vector<int64_t>& shape) {
  Dims d = dims_of(shape);
  return mul(d.lead, one_matrix(f, d));
}

uint64_t head_weight_bytes(const WeightFormat& f, const std::vector<int64_t>& shape) {
  Dims d = dims_of(shape);
  if (f.scheme == WeightScheme::exl2) {
    auto p = exl2_head_params(f.head_bits);
    if (!p) return quantised_weight_bytes(f, shape);
    // exllamav2 quantises the transposed weight: rows are the K inputs, columns the N outputs.
    return mul(d.lead, ceil_div(exl2_total_bits(*p, d.in, d.out), 8));
  }
  if (f.scheme == WeightScheme::exl3) {
    return mul(d.lead, exl3_bytes(d.out, d.in, static_cast<double>(f.head_bits)));
  }
  return quantised_weight_bytes(f, shape);
}

uint64_t load_time_bytes(const Tensor& t, const WeightFormat& stored, LoadPath path) {
  if (t.storage != TensorStorage::quantised || path == LoadPath::as_stored) return t.bytes;
  const WeightFormat* f = &stored;
  Dims d = dims_of(t.shape);
  const uint64_t g_idx = mul(mul(d.lead, d.in), k_i32);
  switch (path) {
    case LoadPath::vllm_marlin:
      if (f->scheme == WeightScheme::gptq) {
        // gptq_marlin uses uint4b8/uint8b128 (zero_points=False): qzeros are replaced by an empty
        // tensor; g_idx too unless act-order, which adds g_idx_sort_indices.
        uint64_t qzeros =
            mul(mul(mul(d.lead, groups(d.in, f->group_size)), packed_words(d.out, f->bits)), k_i32);
        uint64_t b = checked_sub(checked_sub(t.bytes, qzeros, "weight bytes"), g_idx);
        return f->act_order ? add(b, mul(g_idx, 2)) : b;
      }
      if (f->scheme == WeightScheme::packed_int && f->act_order) return add(t.bytes, g_idx);
      return t.bytes;
    case LoadPath::vllm_machete:
      if ((f->scheme == WeightScheme::gptq || f->scheme == WeightScheme::packed_int) &&
          f->act_order) {
        return add(t.bytes, g_idx);  // the act_perm index kept by the kernel
      }
      return t.bytes;
    case LoadPath::hf_dequantised:
      if (f->scheme == WeightScheme::mxfp4) return mul(t.elements(), 2);  // bf16
      return t.bytes;
    case LoadPath::as_stored:
    case LoadPath::count:
      break;
  }
  return t.bytes;
}

std::string_view to_string(LoadPath p) {
  switch (p) {
    case LoadPath::as_stored:
      return "as_stored";
    case LoadPath::vllm_marlin:
      return "vllm_marlin";
    case LoadPath::vllm_machete:
      return "vllm_machete";
    case LoadPath::hf_dequantised:
      return "hf_dequantised";
    case LoadPath::count:
      break;
  }
  return "unknown";
}

}  // namespace llmem
