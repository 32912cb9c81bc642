// The ggml tensor types a GGUF file may store (ggml's `enum ggml_type`), with each type's block
// size in elements and bytes per block. The numeric ids are the on-disk values of a GGUF tensor
// info's `type` field; ids whose support ggml removed stay in the table, marked `removed`, so the
// table index always equals the id. Sources and the per-type byte arithmetic: docs/ggml-types.md.
//
//   auto info = llmem::ggml_type_info(12);                       // q4_K: 256 elements, 144 bytes
//   uint64_t b = llmem::ggml_row_bytes(llmem::GgmlType::q4_K, 4096);  // 2304
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmem {

// Values are ggml's ids (ggml-org/ggml include/ggml.h `enum ggml_type`); names follow ggml's
// `type_name` spelling, hence the capital K of the k-quants.
enum class GgmlType : uint32_t {
  f32 = 0,
  f16 = 1,
  q4_0 = 2,
  q4_1 = 3,
  q4_2_removed = 4,
  q4_3_removed = 5,
  q5_0 = 6,
  q5_1 = 7,
  q8_0 = 8,
  q8_1 = 9,
  q2_K = 10,
  q3_K = 11,
  q4_K = 12,
  q5_K = 13,
  q6_K = 14,
  q8_K = 15,
  iq2_xxs = 16,
  iq2_xs = 17,
  iq3_xxs = 18,
  iq1_s = 19,
  iq4_nl = 20,
  iq3_s = 21,
  iq2_s = 22,
  iq4_xs = 23,
  i8 = 24,
  i16 = 25,
  i32 = 26,
  i64 = 27,
  f64 = 28,
  iq1_m = 29,
  bf16 = 30,
  q4_0_4_4_removed = 31,
  q4_0_4_8_removed = 32,
  q4_0_8_8_removed = 33,
  tq1_0 = 34,
  tq2_0 = 35,
  iq4_nl_4_4_removed = 36,
  iq4_nl_4_8_removed = 37,
  iq4_nl_8_8_removed = 38,
  mxfp4 = 39,
  nvfp4 = 40,
  q1_0 = 41,
  q2_0 = 42,
  count = 43
};

struct GgmlTypeInfo {
  GgmlType type;
  std::string_view name;    // ggml's type_name ("q4_K"); the removed ids keep their old name
  uint32_t block_elements;  // elements per block (1 for plain types); 0 when removed
  uint32_t block_bytes;     // bytes per block; 0 when removed
  bool removed;             // ggml no longer reads tensors of this id
};

// The entry for an on-disk id, or nullopt when the id is beyond the table (>= GgmlType::count).
// Removed ids return their entry with `removed` set; callers decide whether to accept them.
std::optional<GgmlTypeInfo> ggml_type_info(uint32_t id);

// The entry for a known type.
const GgmlTypeInfo& ggml_type_info(GgmlType type);

// Looks a type up by ggml's name, case-insensitively ("q4_k", "Q4_K", "bf16"); removed ids are
// not found.
std::optional<GgmlType> parse_ggml_type(std::string_view name);

// Bytes of `elements` consecutive elements of `type` (one row of a tensor). Throws InputError
// when the type is removed or `elements` is not a whole number of blocks, and RangeError on
// overflow.
uint64_t ggml_row_bytes(GgmlType type, uint64_t elements);

}  // namespace llmem
