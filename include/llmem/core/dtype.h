// Element types of stored and computed tensors: the dense dtypes of safetensors and PyTorch.
// Block-quantised formats (GPTQ, AWQ, bitsandbytes, GGUF types, MXFP4 …) are not dtypes: they are
// weight formats (weight_format.h) that decide a tensor's storage bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmem {

enum class DType : uint8_t {
  f64,
  f32,
  f16,
  bf16,
  f8_e4m3,
  f8_e5m2,
  f8_e8m0,
  f4_e2m1,
  i64,
  i32,
  i16,
  i8,
  u64,
  u32,
  u16,
  u8,
  boolean,
  f6_e2m3,      // MX FP6 (OCP Microscaling v1.0), safetensors F6_E2M3
  f6_e3m2,      // MX FP6, safetensors F6_E3M2
  f8_e4m3fnuz,  // AMD fp8 variants (safetensors F8_E4M3FNUZ / F8_E5M2FNUZ)
  f8_e5m2fnuz,
  c64,  // complex64: two f32 parts
  count
};

struct DTypeInfo {
  std::string_view name;              // llmem's name, also the CLI spelling ("bf16")
  std::string_view safetensors_name;  // the safetensors header spelling ("BF16")
  std::string_view torch_name;        // config.json torch_dtype spelling ("bfloat16"); "" if none
  uint32_t bits;                      // bits per element
  bool is_float;
};

const DTypeInfo& dtype_info(DType t);

// Bits of one element, and its bytes for the byte-aligned types.
inline uint32_t dtype_bits(DType t) { return dtype_info(t).bits; }

// Accepts llmem names, torch names and common aliases ("fp16", "half", "float16", "bfloat16" …).
std::optional<DType> parse_dtype(std::string_view name);

// Accepts the safetensors header spellings ("F16", "BF16", "F8_E4M3", "I32" …).
std::optional<DType> parse_safetensors_dtype(std::string_view name);

// Bytes of `elements` elements of `t`, rounded up to whole bytes; throws RangeError on overflow.
uint64_t dtype_bytes(DType t, uint64_t elements);

}  // namespace llmem
