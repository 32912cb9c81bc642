#include "llmem/core/dtype.h"

#include <array>

#include "common/checked.h"

namespace llmem {
namespace {

// Sources: safetensors dtype list (huggingface/safetensors, safetensors/src/tensor.rs `Dtype` and
// `Dtype::bitsize`, F4/F6/F8_E8M0/FNUZ/C64 included),
// PyTorch dtype names (torch.float16 …) as written in config.json `torch_dtype`.
constexpr std::array<DTypeInfo, static_cast<size_t>(DType::count)> k_dtypes = {{
    {"f64", "F64", "float64", 64, true},
    {"f32", "F32", "float32", 32, true},
    {"f16", "F16", "float16", 16, true},
    {"bf16", "BF16", "bfloat16", 16, true},
    {"f8_e4m3", "F8_E4M3", "float8_e4m3fn", 8, true},
    {"f8_e5m2", "F8_E5M2", "float8_e5m2", 8, true},
    {"f8_e8m0", "F8_E8M0", "float8_e8m0fnu", 8, true},
    {"f4_e2m1", "F4", "float4_e2m1fn_x2", 4, true},
    {"i64", "I64", "int64", 64, false},
    {"i32", "I32", "int32", 32, false},
    {"i16", "I16", "int16", 16, false},
    {"i8", "I8", "int8", 8, false},
    {"u64", "U64", "uint64", 64, false},
    {"u32", "U32", "uint32", 32, false},
    {"u16", "U16", "uint16", 16, false},
    {"u8", "U8", "uint8", 8, false},
    {"bool", "BOOL", "bool", 8, false},
    {"f6_e2m3", "F6_E2M3", "", 6, true},
    {"f6_e3m2", "F6_E3M2", "", 6, true},
    {"f8_e4m3fnuz", "F8_E4M3FNUZ", "float8_e4m3fnuz", 8, true},
    {"f8_e5m2fnuz", "F8_E5M2FNUZ", "float8_e5m2fnuz", 8, true},
    {"c64", "C64", "complex64", 64, true},
}};
static_assert(k_dtypes.size() == static_cast<size_t>(DType::count));

struct Alias {
  std::string_view name;
  DType type;
};
constexpr std::array<Alias, 12> k_aliases = {{
    {"fp64", DType::f64},
    {"double", DType::f64},
    {"fp32", DType::f32},
    {"float", DType::f32},
    {"fp16", DType::f16},
    {"half", DType::f16},
    {"fp8", DType::f8_e4m3},
    {"fp8_e4m3", DType::f8_e4m3},
    {"float8_e4m3", DType::f8_e4m3},
    {"fp8_e5m2", DType::f8_e5m2},
    {"int8", DType::i8},
    {"uint8", DType::u8},
}};

}  // namespace

const DTypeInfo& dtype_info(DType t) { return k_dtypes.at(static_cast<size_t>(t)); }

std::optional<DType> parse_dtype(std::string_view name) {
  for (size_t i = 0; i < k_dtypes.size(); ++i) {
    if (k_dtypes[i].name == name ||
        (!k_dtypes[i].torch_name.empty() && k_dtypes[i].torch_name == name)) {
      return static_cast<DType>(i);
    }
  }
  for (const auto& a : k_aliases) {
    if (a.name == name) return a.type;
  }
  return std::nullopt;
}

std::optional<DType> parse_safetensors_dtype(std::string_view name) {
  for (size_t i = 0; i < k_dtypes.size(); ++i) {
    if (k_dtypes[i].safetensors_name == name) return static_cast<DType>(i);
  }
  return std::nullopt;
}

uint64_t dtype_bytes(DType t, uint64_t elements) {
  uint64_t bits = checked_mul(elements, dtype_bits(t), "tensor bytes");
  return ceil_div(bits, 8);
}

}  // namespace llmem
