// GGUF header reader: a round trip of random valid files over every ggml type and value type,
// the catalogue of malformed files (one named case per rejection rule, each with its exact
// message), and the incomplete-prefix protocol used for range reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <limits>
#include <random>

#include "formats/gguf_test_writer.h"
#include "llmem/common/error.h"
#include "llmem/formats/gguf.h"
#include "test_util.h"

namespace llmem {
namespace {

using test::GgufBytes;
using test::GgufSpec;
using V = GgufValueType;

constexpr uint64_t k_u64_max = std::numeric_limits<uint64_t>::max();

// "GGUF", version, tensor count, key-value count: 24 bytes, then the key-value pairs.
GgufBytes preamble(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
  GgufBytes b;
  b.text("GGUF").u32(version).u64(tensors).u64(kvs);
  return b;
}

// A header with general.alignment = 32 (bytes 24..64) followed by tensor infos.
GgufBytes with_alignment(uint64_t tensors, uint32_t alignment = 32) {
  GgufBytes b = preamble(tensors, 1);
  b.kv("general.alignment", test::gguf_u32(alignment));  // 8 + 17 + 4 + 4 = 33 bytes
  return b;
}

GgufFile parse(const GgufBytes& b, uint64_t file_size) {
  return parse_gguf(b.span(), file_size, "m.gguf");
}
GgufFile parse(const GgufBytes& b) { return parse(b, b.bytes.size()); }

// ---- round trip ------------------------------------------------------------------------------

GgufValue random_scalar(std::mt19937_64& rng, V t) {
  std::uniform_int_distribution<uint64_t> any;
  uint64_t bits = any(rng);
  switch (t) {
    case V::u8:
      return test::gguf_u(t, bits & 0xFF);
    case V::u16:
      return test::gguf_u(t, bits & 0xFFFF);
    case V::u32:
      return test::gguf_u(t, bits & 0xFFFFFFFF);
    case V::u64:
      return test::gguf_u(t, bits);
    case V::boolean:
      return test::gguf_u(t, bits & 1);
    case V::i8:
      return test::gguf_i(t, static_cast<int8_t>(bits));
    case V::i16:
      return test::gguf_i(t, static_cast<int16_t>(bits));
    case V::i32:
      return test::gguf_i(t, static_cast<int32_t>(bits));
    case V::i64:
      return test::gguf_i(t, static_cast<int64_t>(bits));
    case V::f32:
      return test::gguf_f(t, static_cast<float>(static_cast<int32_t>(bits)) / 7.0f);
    case V::f64:
      return test::gguf_f(t, static_cast<double>(static_cast<int64_t>(bits)) / 3.0);
    default: {
      std::string s(bits % 40, 'x');
      for (auto& c : s) c = static_cast<char>('a' + any(rng) % 26);
      return test::gguf_str(s);
    }
  }
}

GgufValue random_array(std::mt19937_64& rng, V element) {
  size_t n = rng() % 20;
  GgufValue v{V::array, element, std::vector<uint64_t>{}};
  std::vector<uint64_t> u;
  std::vector<int64_t> i;
  std::vector<double> f;
  std::vector<std::string> s;
  for (size_t k = 0; k < n; ++k) {
    GgufValue x = random_scalar(rng, element);
    if (auto* p = std::get_if<uint64_t>(&x.data)) u.push_back(*p);
    if (auto* p = std::get_if<int64_t>(&x.data)) i.push_back(*p);
    if (auto* p = std::get_if<double>(&x.data)) f.push_back(*p);
    if (auto* p = std::get_if<std::string>(&x.data)) s.push_back(*p);
  }
  if (element == V::i8 || element == V::i16 || element == V::i32 || element == V::i64)
    v.data = i;
  else if (element == V::f32 || element == V::f64)
    v.data = f;
  else if (element == V::string)
    v.data = s;
  else
    v.data = u;
  return v;
}

TEST(GgufReader, RoundTripsRandomFilesWithEveryType) {
  std::mt19937_64 rng(20240607);
  for (int round = 0; round < 50; ++round) {
    GgufSpec spec;
    spec.version = (round % 2 == 0) ? 3 : 2;
    spec.alignment = 1u << (rng() % 8);  // 1 … 128
    spec.metadata.emplace_back("general.alignment", test::gguf_u32(spec.alignment));
    for (uint32_t t = 0; t < static_cast<uint32_t>(V::count); ++t) {
      V type = static_cast<V>(t);
      std::string key = "test.k" + std::to_string(t);
      if (type == V::array) {
        V element = static_cast<V>(rng() % static_cast<uint32_t>(V::count));
        if (element == V::array) element = V::string;
        spec.metadata.emplace_back(key, random_array(rng, element));
      } else {
        spec.metadata.emplace_back(key, random_scalar(rng, type));
        spec.metadata.emplace_back(key + ".array", random_array(rng, type));
      }
    }
    for (uint32_t id = 0; id < static_cast<uint32_t>(GgmlType::count); ++id) {
      auto info = ggml_type_info(id);
      if (info->removed) continue;
      GgufTensorInfo t;
      t.name = "blk." + std::to_string(id) + ".weight";
      t.type = info->type;
      size_t n_dims = rng() % 5;
      uint64_t elements = 1;
      for (size_t d = 0; d < n_dims; ++d) {
        uint64_t dim = (d == 0 ? info->block_elements : 1) * (1 + rng() % 3);
        t.dims.push_back(dim);
        elements *= dim;
      }
      if (n_dims == 0 && info->block_elements != 1)
        t.dims.push_back(info->block_elements), elements = info->block_elements;
      t.bytes = elements / info->block_elements * info->block_bytes;
      spec.tensors.push_back(t);
    }
    auto img = test::write_gguf(spec);
    GgufFile f = parse(img.header, img.file_size);
    EXPECT_EQ(f.version, spec.version);
    EXPECT_EQ(f.alignment, spec.alignment);
    EXPECT_EQ(f.data_offset, img.header.bytes.size());
    ASSERT_EQ(f.metadata.size(), spec.metadata.size());
    for (size_t k = 0; k < f.metadata.size(); ++k) {
      EXPECT_EQ(f.metadata[k].first, spec.metadata[k].first);
      EXPECT_EQ(f.metadata[k].second.type, spec.metadata[k].second.type);
      if (f.metadata[k].second.is_array()) {
        EXPECT_EQ(f.metadata[k].second.element_type, spec.metadata[k].second.element_type);
      }
      EXPECT_TRUE(f.metadata[k].second.data == spec.metadata[k].second.data) << f.metadata[k].first;
    }
    ASSERT_EQ(f.tensors.size(), spec.tensors.size());
    uint64_t offset = 0;
    for (size_t k = 0; k < f.tensors.size(); ++k) {
      const auto& got = f.tensors[k];
      const auto& want = spec.tensors[k];
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(got.dims, want.dims);
      EXPECT_EQ(got.type, want.type);
      EXPECT_EQ(got.bytes, want.bytes) << got.name;
      EXPECT_EQ(got.offset, offset);
      offset += want.bytes;
      offset += (spec.alignment - offset % spec.alignment) % spec.alignment;
    }
  }
}

TEST(GgufReader, Version2AndDefaultAlignment) {
  GgufBytes b = preamble(1, 0, 2);
  b.tensor_info("t", {32}, static_cast<uint32_t>(GgmlType::q8_0), 0);  // 24 + 8+1 + 4+8 + 4+8 = 57
  GgufFile f = parse(b, 64 + 34);
  EXPECT_EQ(f.version, 2u);
  EXPECT_EQ(f.alignment, 32u);
  EXPECT_EQ(f.header_bytes, 57u);
  EXPECT_EQ(f.data_offset, 64u);
  EXPECT_EQ(f.tensors[0].bytes, 34u);  // one q8_0 block: gguf-py GGML_QUANT_SIZES (32, 2 + 32)
}

// ---- incomplete prefixes ---------------------------------------------------------------------

TEST(GgufReader, PrefixShorterThanHeaderAsksForMore) {
  GgufSpec spec;
  spec.metadata.emplace_back("general.architecture", test::gguf_str("llama"));
  spec.tensors.push_back({"token_embd.weight", {64, 10}, GgmlType::f16, 0, 1280});
  auto img = test::write_gguf(spec);
  const auto& full = img.header.bytes;
  uint64_t given = 30;
  int attempts = 0;
  for (;;) {
    ++attempts;
    try {
      GgufFile f = parse_gguf(img.header.span().first(given), img.file_size, "m.gguf");
      EXPECT_EQ(f.tensors.size(), 1u);
      break;
    } catch (const GgufIncompleteError& e) {
      ASSERT_GT(e.bytes_needed(), given);
      ASSERT_LE(e.bytes_needed(), full.size());
      given = std::max<uint64_t>(e.bytes_needed(), std::min<uint64_t>(2 * given, full.size()));
    }
  }
  EXPECT_GE(attempts, 2);
  // 24-byte preamble, then key length 8 + 20 key bytes: the key needs bytes 32..52.
  GgufBytes prefix;
  prefix.bytes = full.substr(0, 40);
  EXPECT_THROW_MSG(parse(prefix, img.file_size), GgufIncompleteError,
                   "m.gguf: the 40 bytes given end inside the header (key at byte offset 32); "
                   "read at least 52 bytes");
}

TEST(GgufReader, EveryTruncationIsRejectedAndEveryPrefixAsksForMore) {
  // Cutting a valid header at every byte: as a whole file it is malformed (never accepted, never
  // a crash); as a prefix of the real file the reader asks for more than it was given.
  GgufSpec spec;
  spec.metadata.emplace_back("general.architecture", test::gguf_str("llama"));
  spec.metadata.emplace_back("general.alignment", test::gguf_u32(64));
  spec.metadata.emplace_back("a.f", test::gguf_array(V::f32, std::vector<double>{1.5, 2.5}));
  spec.metadata.emplace_back("a.s", test::gguf_array(V::string, std::vector<std::string>{"x", ""}));
  spec.alignment = 64;
  spec.tensors.push_back({"token_embd.weight", {256, 3}, GgmlType::q4_K, 0, 3 * 144});
  spec.tensors.push_back({"output_norm.weight", {256}, GgmlType::f32, 0, 1024});
  auto img = test::write_gguf(spec);
  const uint64_t header_end = parse(img.header, img.file_size).header_bytes;
  for (uint64_t cut = 0; cut < header_end; ++cut) {
    SCOPED_TRACE(cut);
    auto prefix = img.header.span().first(cut);
    try {
      parse_gguf(prefix, cut, "m.gguf");
      ADD_FAILURE() << "a header cut at byte " << cut << " was accepted as a whole file";
    } catch (const GgufIncompleteError&) {
      ADD_FAILURE() << "a whole file cannot be incomplete";
    } catch (const FormatError&) {
    }
    try {
      parse_gguf(prefix, img.file_size, "m.gguf");
      ADD_FAILURE() << "a prefix of " << cut << " bytes was accepted";
    } catch (const GgufIncompleteError& e) {
      EXPECT_GT(e.bytes_needed(), cut);
      EXPECT_LE(e.bytes_needed(), header_end);
    }
  }
}

// ---- malformed files ---------------------------------------------------------------------------

struct Corrupt {
  const char* name;
  GgufBytes bytes;
  uint64_t file_size;  // 0: the bytes are the whole file
  const char* message;
};

std::vector<Corrupt> catalogue() {
  std::vector<Corrupt> c;
  auto add = [&](const char* name, GgufBytes b, const char* message, uint64_t file_size = 0) {
    c.push_back({name, std::move(b), file_size, message});
  };
  const auto q4k = static_cast<uint32_t>(GgmlType::q4_K);
  const auto f32 = static_cast<uint32_t>(GgmlType::f32);

  add("empty_file", GgufBytes{},
      "m.gguf: truncated magic: needs 4 bytes, 0 left in the file (at byte offset 0)");
  add("magic_truncated", GgufBytes{}.text("GG"),
      "m.gguf: truncated magic: needs 4 bytes, 2 left in the file (at byte offset 0)");
  add("magic_wrong", GgufBytes{}.text("PK\x03\x04").u32(3),
      "m.gguf: not a GGUF file: starts with bytes 50 4b 03 04, expected the magic 'GGUF' (47 47 55 "
      "46) (at byte offset 0)");
  add("version_truncated", GgufBytes{}.text("GGUF").u8(3),
      "m.gguf: truncated version: needs 4 bytes, 1 left in the file (at byte offset 4)");
  add("version_1", preamble(0, 0, 1),
      "m.gguf: version 1 is not supported (accepted: 2, 3) (at byte offset 4)");
  add("version_4", preamble(0, 0, 4),
      "m.gguf: version 4 is not supported (accepted: 2, 3) (at byte offset 4)");
  add("version_byte_swapped", preamble(0, 0, 0x03000000),
      "m.gguf: version 50331648 looks byte-swapped: only little-endian GGUF is read (accepted "
      "versions: 2, 3) (at byte offset 4)");
  add("tensor_count_truncated", GgufBytes{}.text("GGUF").u32(3).u32(0),
      "m.gguf: truncated tensor count: needs 8 bytes, 4 left in the file (at byte offset 8)");
  add("kv_count_truncated", GgufBytes{}.text("GGUF").u32(3).u64(0).u32(1),
      "m.gguf: truncated metadata key-value count: needs 8 bytes, 4 left in the file (at byte "
      "offset 16)");
  add("kv_count_2_63", preamble(0, uint64_t{1} << 63),
      "m.gguf: metadata key-value count 9223372036854775808 exceeds the cap of 1048576 (at byte "
      "offset 24)");
  add("kv_count_beyond_file", preamble(0, 1000),
      "m.gguf: metadata key-value count 1000 cannot fit in the 0 bytes left in the file (each "
      "key-value pair takes at least 14 bytes) (at byte offset 24)");
  add("tensor_count_max", preamble(k_u64_max, 0),
      "m.gguf: tensor count 18446744073709551615 exceeds the cap of 1048576 (at byte offset 24)");
  add("tensor_count_beyond_file", preamble(3, 0),
      "m.gguf: tensor count 3 cannot fit in the 0 bytes left in the file (each tensor info takes "
      "at least 24 bytes) (at byte offset 24)");
  add("kv_pair_shorter_than_any_pair", preamble(0, 1).u32(5),
      "m.gguf: metadata key-value count 1 cannot fit in the 4 bytes left in the file (each "
      "key-value pair takes at least 14 bytes) (at byte offset 24)");
  add("key_length_2_63", preamble(0, 1).u64(uint64_t{1} << 63).u64(0),
      "m.gguf: key length 9223372036854775808 exceeds the cap of 65535 bytes (at byte offset 24)");
  add("key_beyond_file", preamble(0, 1).u64(100).text("general."),
      "m.gguf: truncated key: needs 100 bytes, 8 left in the file (at byte offset 32)");
  add("key_empty", preamble(0, 1).str("").u32(4).u32(1),
      "m.gguf: key 0 is empty (at byte offset 24)");
  add("key_not_utf8", preamble(0, 1).str("a\xff\xfe").u32(4).u32(1),
      "m.gguf: key 0 is not valid UTF-8 (at byte offset 24)");
  add("key_overlong_utf8", preamble(0, 1).str("\xc0\xaf").u32(4).u32(1),
      "m.gguf: key 0 is not valid UTF-8 (at byte offset 24)");
  add("key_duplicate", preamble(0, 2).kv("a.b", test::gguf_u32(1)).kv("a.b", test::gguf_u32(2)),
      "m.gguf: duplicate key 'a.b' (at byte offset 43)");
  add("value_type_unknown", preamble(0, 1).str("a.b").u32(13).u32(0),
      "m.gguf: key 'a.b' has unknown value type 13; accepted: 0 (u8), 1 (i8), 2 (u16), 3 (i16), 4 "
      "(u32), 5 (i32), 6 (f32), 7 (bool), 8 (string), 9 (array), 10 (u64), 11 (i64), 12 (f64) (at "
      "byte offset 35)");
  add("value_truncated", preamble(0, 1).str("a.b").u32(4).u8(1).u8(0),
      "m.gguf: truncated u32 value: needs 4 bytes, 2 left in the file (at byte offset 39)");
  add("bool_value_2", preamble(0, 1).str("a.b").u32(7).u8(2),
      "m.gguf: key 'a.b' has bool value 2; accepted: 0, 1 (at byte offset 39)");
  add("string_length_2_63", preamble(0, 1).str("a.b").u32(8).u64(uint64_t{1} << 63),
      "m.gguf: string value length 9223372036854775808 exceeds the cap of 67108864 bytes (at byte "
      "offset 39)");
  add("string_truncated", preamble(0, 1).str("a.b").u32(8).u64(10).text("abc"),
      "m.gguf: truncated string value: needs 10 bytes, 3 left in the file (at byte offset 47)");
  add("array_nested", preamble(0, 1).str("a.b").u32(9).u32(9).u64(1),
      "m.gguf: key 'a.b' holds a nested array (an array of arrays), which llmem does not accept "
      "(at byte offset 39)");
  add("array_element_type_unknown", preamble(0, 1).str("a.b").u32(9).u32(99).u64(1),
      "m.gguf: key 'a.b' has unknown array element type 99; accepted: 0 (u8), 1 (i8), 2 (u16), 3 "
      "(i16), 4 (u32), 5 (i32), 6 (f32), 7 (bool), 8 (string), 9 (array), 10 (u64), 11 (i64), 12 "
      "(f64) (at byte offset 39)");
  add("array_length_2_63", preamble(0, 1).str("a.b").u32(9).u32(0).u64(uint64_t{1} << 63),
      "m.gguf: key 'a.b' has an array of 9223372036854775808 elements, above the cap of 67108864 "
      "(at byte offset 43)");
  add("array_beyond_file", preamble(0, 1).str("a.b").u32(9).u32(4).u64(1000).u32(1),
      "m.gguf: key 'a.b' has an array of 1000 u32 elements, which cannot fit in the 4 bytes left "
      "in the file (at byte offset 43)");
  add("array_string_truncated",
      preamble(0, 1).str("a.b").u32(9).u32(8).u64(3).str("one").str("two").u64(9).text("thr"),
      "m.gguf: truncated string value: needs 9 bytes, 3 left in the file (at byte offset 81)");
  add("array_bool_3", preamble(0, 1).str("a.b").u32(9).u32(7).u64(2).u8(1).u8(3),
      "m.gguf: key 'a.b' has bool value 3; accepted: 0, 1 (at byte offset 52)");
  add("alignment_wrong_type", preamble(0, 1).kv("general.alignment", test::gguf_i(V::i32, 32)),
      "m.gguf: key 'general.alignment' must be of type u32 but is i32 (at byte offset 57)");
  add("alignment_not_power_of_two", with_alignment(0, 48),
      "m.gguf: general.alignment is 48 but must be a power of two (at byte offset 57)");
  add("alignment_zero", with_alignment(0, 0),
      "m.gguf: general.alignment is 0 but must be a power of two (at byte offset 57)");
  add("tensor_name_64_bytes", with_alignment(1).tensor_info(std::string(64, 'n'), {32}, f32, 0),
      "m.gguf: tensor 0 has a name of 64 bytes, above ggml's limit of 63 (at byte offset 57)");
  add("tensor_name_not_utf8", with_alignment(1).tensor_info("blk.\xed\xa0\x80", {32}, f32, 0),
      "m.gguf: tensor 0 has a name that is not valid UTF-8 (at byte offset 57)");
  add("tensor_name_duplicate",
      with_alignment(2).tensor_info("w", {8}, f32, 0).tensor_info("w", {8}, f32, 32),
      "m.gguf: duplicate tensor name 'w' (at byte offset 90)", 1024);
  add("tensor_dims_5", with_alignment(1).str("w").u32(5).u64(0).u64(0),
      "m.gguf: tensor 'w' has 5 dimensions; accepted: 0 to 4 (at byte offset 66)");
  add("tensor_dim_2_63", with_alignment(1).str("w").u32(1).u64(uint64_t{1} << 63).u64(0),
      "m.gguf: tensor 'w' dimension 0 is 9223372036854775808, above 2^63-1 (at byte offset 70)");
  add("tensor_elements_overflow",
      with_alignment(1).str("w").u32(2).u64(uint64_t{1} << 32).u64(uint64_t{1} << 31),
      "m.gguf: tensor 'w' has more than 2^63-1 elements (at byte offset 78)");
  add("tensor_type_unknown", with_alignment(1).tensor_info("w", {32}, 43, 0),
      "m.gguf: tensor 'w' has unknown ggml type 43; accepted: 0 to 42 (docs/ggml-types.md) (at "
      "byte offset 78)");
  add("tensor_type_removed", with_alignment(1).tensor_info("w", {32}, 4, 0),
      "m.gguf: tensor 'w' has ggml type 4 (q4_2), whose support ggml removed (at byte offset 78)");
  add("tensor_row_not_whole_blocks", with_alignment(1).tensor_info("w", {100}, q4k, 0),
      "m.gguf: tensor 'w' has rows of 100 elements, not a multiple of the q4_K block of 256 (at "
      "byte offset 78)");
  add("tensor_info_truncated", with_alignment(1).str("w").u32(1).u64(8).u32(f32),
      "m.gguf: truncated tensor data offset: needs 8 bytes, 0 left in the file (at byte offset "
      "82)");
  add("tensor_offset_misaligned", with_alignment(1).tensor_info("w", {8}, f32, 16),
      "m.gguf: tensor 'w' has data offset 16, not a multiple of general.alignment=32 (at byte "
      "offset 57)",
      1024);
  add("tensor_offsets_overlap",
      with_alignment(2).tensor_info("a", {64}, f32, 0).tensor_info("b", {8}, f32, 128),
      "m.gguf: tensor 'b' at data offset 128 overlaps tensor 'a', which ends at 256 (at byte "
      "offset 90)",
      1024);
  add("tensor_offsets_gap",
      with_alignment(2).tensor_info("a", {8}, f32, 0).tensor_info("b", {8}, f32, 64),
      "m.gguf: tensor 'b' has data offset 64, expected 32 (tensors must be packed in order, each "
      "aligned) (at byte offset 90)",
      1024);
  add("tensor_beyond_file", with_alignment(1).tensor_info("w", {256, 4}, q4k, 0),
      "m.gguf: tensor 'w' data ends at byte 704, beyond the file's 200 bytes (at byte offset 57)",
      200);
  add("data_section_beyond_file", with_alignment(1).tensor_info("w", {0}, f32, 0),
      "m.gguf: the tensor data would start at byte 96, beyond the file's 92 bytes (at byte offset "
      "90)",
      92);
  add("tensor_bytes_overflow",
      with_alignment(1).tensor_info("w", {uint64_t{1} << 31, uint64_t{1} << 31}, f32, 0),
      "m.gguf: tensor 'w' would take more than 2^64-1 bytes (at byte offset 86)");
  return c;
}

TEST(GgufReader, RejectsEachMalformedFileWithItsMessage) {
  auto cases = catalogue();
  EXPECT_GE(cases.size(), 30u);
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    uint64_t size = k.file_size != 0 ? k.file_size : k.bytes.bytes.size();
    std::string what;
    try {
      parse(k.bytes, size);
      ADD_FAILURE() << k.name << " was accepted";
      continue;
    } catch (const GgufIncompleteError& e) {
      what = std::string("INCOMPLETE ") + e.what();
    } catch (const Error& e) {
      what = e.what();
    }
    EXPECT_EQ(what, k.message) << "{\"" << k.name << "\", " << what << "}";
  }
}

// Every whole-file corrupt case, written to disk and given to the CLI, exits 2 with its message
// (the reader names the file by its path).
TEST(GgufReader, CliExitsTwoOnEachMalformedFile) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("llmem_gguf_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  int checked = 0;
  for (const auto& k : catalogue()) {
    if (k.file_size != 0) continue;  // cases that need a declared size larger than the bytes
    SCOPED_TRACE(k.name);
    fs::path file = dir / "m.gguf";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(k.bytes.bytes.data()),
               static_cast<std::streamsize>(k.bytes.bytes.size()));
    auto r = test::run_llmem("infer " + file.string());
    EXPECT_EQ(r.status, 2);
    std::string expected = k.message;
    expected.replace(0, std::string("m.gguf").size(), file.string());
    EXPECT_EQ(r.err, "llmem: error: " + expected + "\n");
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(GgufReader, RejectsMoreBytesThanTheFileHolds) {
  GgufBytes b = preamble(0, 0);
  EXPECT_THROW_MSG(parse(b, 10), FormatError, "m.gguf: 24 bytes given but the file size is 10");
}

}  // namespace
}  // namespace llmem
