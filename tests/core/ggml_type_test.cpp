// The ggml type table against independent figures: gguf-py's GGML_QUANT_SIZES
// (ggml-org/llama.cpp gguf-py/gguf/constants.py, "(block size, type size)"), and the OCP
// Microscaling spec for MXFP4. Our table is written from ggml-common.h's structs instead.
#include "llmem/core/ggml_type.h"

#include <gtest/gtest.h>

#include <set>

#include "llmem/common/error.h"
#include "test_util.h"

namespace llmem {
namespace {

struct Expected {
  uint32_t id;
  uint32_t block_elements;
  uint32_t block_bytes;
};

TEST(GgmlType, MatchesGgufPyQuantSizes) {
  // gguf-py GGML_QUANT_SIZES, evaluated with QK_K = 256 (ids from GGMLQuantizationType).
  const Expected expected[] = {
      {0, 1, 4},       // F32
      {1, 1, 2},       // F16
      {2, 32, 18},     // Q4_0: 2 + 16
      {3, 32, 20},     // Q4_1: 2 + 2 + 16
      {6, 32, 22},     // Q5_0: 2 + 4 + 16
      {7, 32, 24},     // Q5_1: 2 + 2 + 4 + 16
      {8, 32, 34},     // Q8_0: 2 + 32
      {10, 256, 84},   // Q2_K: 2 + 2 + QK_K//16 + QK_K//4
      {11, 256, 110},  // Q3_K: 2 + QK_K//4 + QK_K//8 + 12
      {12, 256, 144},  // Q4_K: 2 + 2 + QK_K//2 + 12
      {13, 256, 176},  // Q5_K: 2 + 2 + QK_K//2 + QK_K//8 + 12
      {14, 256, 210},  // Q6_K: 2 + QK_K//2 + QK_K//4 + QK_K//16
      {15, 256, 292},  // Q8_K: 4 + QK_K + QK_K//8
      {16, 256, 66},   // IQ2_XXS: 2 + QK_K//4
      {17, 256, 74},   // IQ2_XS: 2 + QK_K//4 + QK_K//32
      {18, 256, 98},   // IQ3_XXS: 2 + QK_K//4 + QK_K//8
      {19, 256, 50},   // IQ1_S: 2 + QK_K//8 + QK_K//16
      {20, 32, 18},    // IQ4_NL: 2 + 16
      {21, 256, 110},  // IQ3_S: 2 + QK_K//4 + QK_K//8 + QK_K//32 + 4
      {22, 256, 82},   // IQ2_S: 2 + QK_K//4 + QK_K//16
      {23, 256, 136},  // IQ4_XS: 2 + 2 + QK_K//2 + QK_K//64
      {24, 1, 1},      // I8
      {25, 1, 2},      // I16
      {26, 1, 4},      // I32
      {27, 1, 8},      // I64
      {28, 1, 8},      // F64
      {29, 256, 56},   // IQ1_M: QK_K//8 + QK_K//16 + QK_K//32
      {30, 1, 2},      // BF16
      {34, 256, 54},   // TQ1_0: 2 + 4 * 13
      {35, 256, 66},   // TQ2_0: 2 + 64
  };
  for (const auto& e : expected) {
    auto info = ggml_type_info(e.id);
    ASSERT_TRUE(info.has_value()) << e.id;
    EXPECT_FALSE(info->removed) << info->name;
    EXPECT_EQ(info->block_elements, e.block_elements) << info->name;
    EXPECT_EQ(info->block_bytes, e.block_bytes) << info->name;
  }
}

TEST(GgmlType, Q8_1FollowsGgmlNotTheOlderGgufPyFigure) {
  // gguf-py still lists Q8_1 as (32, 4 + 4 + 32) from when d and s were floats; ggml-common.h's
  // block_q8_1 now holds two ggml_half (static_assert: 2*sizeof(ggml_half) + QK8_1 = 36).
  // Q8_1 is a compute-time type that quantizers never write, so files do not disagree.
  EXPECT_EQ(ggml_type_info(GgmlType::q8_1).block_bytes, 36u);
}

TEST(GgmlType, Mxfp4MatchesOcpMicroscaling) {
  // OCP Microscaling Formats (MX) v1.0, MXFP4: 32 FP4 (E2M1) elements share one E8M0 scale,
  // 32 * 4 bits + 8 bits = 17 bytes.
  auto info = ggml_type_info(39);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "mxfp4");
  EXPECT_EQ(info->block_elements, 32u);
  EXPECT_EQ(info->block_bytes, 17u);
}

TEST(GgmlType, RemovedIdsAreMarkedAndUnknownIdsAreAbsent) {
  // ggml.h: "GGML_TYPE_Q4_2 = 4, support has been removed", 5, and the repacked 31-33, 36-38.
  std::set<uint32_t> removed_ids;
  for (uint32_t id = 0; id < static_cast<uint32_t>(GgmlType::count); ++id) {
    auto info = ggml_type_info(id);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(static_cast<uint32_t>(info->type), id);
    if (info->removed) removed_ids.insert(id);
  }
  EXPECT_EQ(removed_ids, (std::set<uint32_t>{4, 5, 31, 32, 33, 36, 37, 38}));
  EXPECT_FALSE(ggml_type_info(43).has_value());
  EXPECT_FALSE(ggml_type_info(0xFFFFFFFFu).has_value());
}

TEST(GgmlType, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(parse_ggml_type("q4_K"), GgmlType::q4_K);
  EXPECT_EQ(parse_ggml_type("Q4_K"), GgmlType::q4_K);
  EXPECT_EQ(parse_ggml_type("bf16"), GgmlType::bf16);
  EXPECT_EQ(parse_ggml_type("q4_2"), std::nullopt);    // removed
  EXPECT_EQ(parse_ggml_type("q4_k_m"), std::nullopt);  // a file type (mix), not a tensor type
}

TEST(GgmlType, RowBytes) {
  // Llama-3-8B's token_embd row (4096 elements) in Q4_K: 16 super-blocks of 144 bytes.
  EXPECT_EQ(ggml_row_bytes(GgmlType::q4_K, 4096), 16u * 144u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::f32, 3), 12u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::q8_0, 0), 0u);
  EXPECT_THROW_MSG(ggml_row_bytes(GgmlType::q4_K, 100), InputError,
                   "ggml type q4_K stores whole blocks of 256 elements; 100 elements is not a "
                   "multiple of 256");
  EXPECT_THROW_MSG(ggml_row_bytes(GgmlType::q4_2_removed, 32), InputError,
                   "ggml type q4_2 (id 4) was removed from ggml and has no block layout");
  EXPECT_THROW_MSG(ggml_row_bytes(GgmlType::f64, 1ull << 62), RangeError,
                   "ggml row bytes overflows 64 bits: the input values are too large");
}

}  // namespace
}  // namespace llmem
