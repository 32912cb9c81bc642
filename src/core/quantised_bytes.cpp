// Storage bytes of one quantised weight under each format's own layout, and what engines change at
// load time. Every term names the tensor the format saves; sources in docs/quantization.md.
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
