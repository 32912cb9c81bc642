#include "llmem/core/ggml_type.h"

#include <array>
#include <string>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

// Building blocks of ggml's block structs (ggml-org/ggml src/ggml-common.h). Each entry's byte
// count below is the sum of its struct's members, in the order ggml's own static_assert writes it.
constexpr uint32_t k_half = 2;           // sizeof(ggml_half): an IEEE fp16
constexpr uint32_t k_u16 = 2;            // sizeof(uint16_t)
constexpr uint32_t k_u32 = 4;            // sizeof(uint32_t)
constexpr uint32_t k_float = 4;          // sizeof(float)
constexpr uint32_t k_qk_k = 256;         // QK_K: the k-quant and i-quant super-block
constexpr uint32_t k_scale_size = 12;    // K_SCALE_SIZE: q4_K/q5_K 6-bit scales and mins
constexpr uint32_t k_qk1_0 = 128;        // QK1_0
constexpr uint32_t k_qk2_0 = 64;         // QK2_0
constexpr uint32_t k_qk4_0 = 32;         // QK4_0 (also QK4_1, QK5_0, QK5_1, QK8_0, QK8_1, QK4_NL)
constexpr uint32_t k_qk_mxfp4 = 32;      // QK_MXFP4
constexpr uint32_t k_qk_nvfp4 = 64;      // QK_NVFP4
constexpr uint32_t k_qk_nvfp4_sub = 16;  // QK_NVFP4_SUB: elements per UE4M3 scale

using T = GgmlType;
constexpr GgmlTypeInfo removed(T t, std::string_view name) { return {t, name, 0, 0, true}; }

// Ids, names and block sizes: ggml-org/ggml include/ggml.h (enum ggml_type) and src/ggml.c
// (type_traits: type_name, blck_size, type_size = sizeof(block_*)). Byte sums: the static_asserts
// in src/ggml-common.h. Checked independently against gguf-py GGML_QUANT_SIZES in
// tests/core/ggml_type_test.cpp.
constexpr std::array<GgmlTypeInfo, static_cast<size_t>(T::count)> k_types = {{
    {T::f32, "f32", 1, k_float, false},                               // float
    {T::f16, "f16", 1, k_half, false},                                // ggml_fp16_t
    {T::q4_0, "q4_0", k_qk4_0, k_half + k_qk4_0 / 2, false},          // block_q4_0: d, qs
    {T::q4_1, "q4_1", k_qk4_0, 2 * k_half + k_qk4_0 / 2, false},      // block_q4_1: d, m, qs
    removed(T::q4_2_removed, "q4_2"),                                 // "support has been removed"
    removed(T::q4_3_removed, "q4_3"),                                 // "support has been removed"
    {T::q5_0, "q5_0", k_qk4_0, k_half + k_u32 + k_qk4_0 / 2, false},  // block_q5_0: d, qh, qs
    {T::q5_1, "q5_1", k_qk4_0, 2 * k_half + k_u32 + k_qk4_0 / 2, false},  // d, m, qh, qs
    {T::q8_0, "q8_0", k_qk4_0, k_half + k_qk4_0, false},                  // block_q8_0: d, qs
    {T::q8_1, "q8_1", k_qk4_0, 2 * k_half + k_qk4_0, false},              // block_q8_1: d, s, qs
    {T::q2_K, "q2_K", k_qk_k, 2 * k_half + k_qk_k / 16 + k_qk_k / 4, false},  // d, dmin, scales, qs
    {T::q3_K, "q3_K", k_qk_k, k_half + k_qk_k / 4 + k_qk_k / 8 + 12,
     false},  // d, qs, hmask, scales
    {T::q4_K, "q4_K", k_qk_k, 2 * k_half + k_scale_size + k_qk_k / 2,
     false},  // d, dmin, scales, qs
    {T::q5_K, "q5_K", k_qk_k, 2 * k_half + k_scale_size + k_qk_k / 2 + k_qk_k / 8, false},  // + qh
    {T::q6_K, "q6_K", k_qk_k, k_half + k_qk_k / 16 + 3 * k_qk_k / 4, false},   // d, scales, ql+qh
    {T::q8_K, "q8_K", k_qk_k, k_float + k_qk_k + k_qk_k / 16 * k_u16, false},  // d, qs, bsums
    {T::iq2_xxs, "iq2_xxs", k_qk_k, k_half + k_qk_k / 8 * k_u16, false},       // d, qs
    {T::iq2_xs, "iq2_xs", k_qk_k, k_half + k_qk_k / 8 * k_u16 + k_qk_k / 32, false},  // + scales
    {T::iq3_xxs, "iq3_xxs", k_qk_k, k_half + 3 * (k_qk_k / 8), false},                // d, qs
    {T::iq1_s, "iq1_s", k_qk_k, k_half + k_qk_k / 8 + k_qk_k / 16, false},            // d, qs, qh
    {T::iq4_nl, "iq4_nl", k_qk4_0, k_half + k_qk4_0 / 2, false},                      // d, qs
    {T::iq3_s, "iq3_s", k_qk_k, k_half + 13 * (k_qk_k / 32) + k_qk_k / 64,
     false},  // d, qs, qh, signs, scales (IQ3S_N_SCALE = QK_K/64)
    {T::iq2_s, "iq2_s", k_qk_k, k_half + k_qk_k / 4 + k_qk_k / 16, false},  // d, qs, qh+scales
    {T::iq4_xs, "iq4_xs", k_qk_k, k_half + k_u16 + k_qk_k / 64 + k_qk_k / 2,
     false},                       // d, scales_h, scales_l, qs
    {T::i8, "i8", 1, 1, false},    // int8_t
    {T::i16, "i16", 1, 2, false},  // int16_t
    {T::i32, "i32", 1, 4, false},  // int32_t
    {T::i64, "i64", 1, 8, false},  // int64_t
    {T::f64, "f64", 1, 8, false},  // double
    {T::iq1_m, "iq1_m", k_qk_k, k_qk_k / 8 + k_qk_k / 16 + k_qk_k / 32, false},  // qs, qh, scales
    {T::bf16, "bf16", 1, 2, false},                                              // ggml_bf16_t
    removed(T::q4_0_4_4_removed, "q4_0_4_4"),  // "removed, use Q4_0 with runtime repacking"
    removed(T::q4_0_4_8_removed, "q4_0_4_8"),
    removed(T::q4_0_8_8_removed, "q4_0_8_8"),
    {T::tq1_0, "tq1_0", k_qk_k, k_half + k_qk_k / 64 + (k_qk_k - 4 * k_qk_k / 64) / 5,
     false},                                                  // d, qh, qs (5 trits a byte)
    {T::tq2_0, "tq2_0", k_qk_k, k_half + k_qk_k / 4, false},  // d, qs
    removed(T::iq4_nl_4_4_removed, "iq4_nl_4_4"),  // "removed, use IQ4_NL with runtime repacking"
    removed(T::iq4_nl_4_8_removed, "iq4_nl_4_8"),
    removed(T::iq4_nl_8_8_removed, "iq4_nl_8_8"),
    {T::mxfp4, "mxfp4", k_qk_mxfp4, 1 + k_qk_mxfp4 / 2, false},  // e (E8M0 scale), qs
    {T::nvfp4, "nvfp4", k_qk_nvfp4, k_qk_nvfp4 / k_qk_nvfp4_sub + k_qk_nvfp4 / 2,
     false},                                                  // d (UE4M3 per 16), qs
    {T::q1_0, "q1_0", k_qk1_0, k_half + k_qk1_0 / 8, false},  // d, qs (1 bit each)
    {T::q2_0, "q2_0", k_qk2_0, k_half + k_qk2_0 / 4, false},  // d, qs (2 bits each)
}};
static_assert(k_types.size() == static_cast<size_t>(T::count));

constexpr bool ids_match_positions() {
  for (size_t i = 0; i < k_types.size(); ++i) {
    if (static_cast<size_t>(k_types[i].type) != i) return false;
    if (!k_types[i].removed && (k_types[i].block_elements == 0 || k_types[i].block_bytes == 0)) {
      return false;
    }
  }
  return true;
}
static_assert(ids_match_positions(), "every table row must sit at its ggml id");

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<GgmlTypeInfo> ggml_type_info(uint32_t id) {
  if (id >= k_types.size()) return std::nullopt;
  return k_types[id];
}

const GgmlTypeInfo& ggml_type_info(GgmlType type) { return k_types.at(static_cast<size_t>(type)); }

std::optional<GgmlType> parse_ggml_type(std::string_view name) {
  for (const auto& t : k_types) {
    if (!t.removed && iequals(t.name, name)) return t.type;
  }
  return std::nullopt;
}

uint64_t ggml_row_bytes(GgmlType type, uint64_t elements) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  if (info.removed) {
    throw InputError("ggml type " + std::string(info.name) + " (id " +
                     std::to_string(static_cast<uint32_t>(type)) +
                     ") was removed from ggml and has no block layout");
  }
  if (elements % info.block_elements != 0) {
    throw InputError("ggml type " + std::string(info.name) + " stores whole blocks of " +
                     std::to_string(info.block_elements) + " elements; " +
                     std::to_string(elements) + " elements is not a multiple of " +
                     std::to_string(info.block_elements));
  }
  return checked_mul(elements / info.block_elements, info.block_bytes, "ggml row bytes");
}

}  // namespace llmem
