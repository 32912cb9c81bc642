// The safetensors header reader: the format's own examples, a round trip over random valid files
// in every dtype, truncation at every byte, and a catalogue of malformed headers, each with the
// exact message a user reads (STYLE.md §13).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "formats/safetensors_writer.h"
#include "llmem/formats/safetensors.h"
#include "test_util.h"

namespace llmem {
namespace {

using test::file_bytes;
using test::wt;

const std::string k_src = "m.safetensors";

SafetensorsHeader parse(const std::vector<std::byte>& b) {
  return parse_safetensors_header(b, b.size(), k_src);
}

// A file whose header is `header` (padded to 8) followed by `data` bytes.
SafetensorsHeader parse_text(const std::string& header, uint64_t data = 0) {
  return parse(file_bytes(header, data));
}

std::vector<std::byte> from_ints(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int x : v) out.push_back(static_cast<std::byte>(x));
  return out;
}

// --- Files from the format's own test suite -------------------------------------------------

TEST(SafetensorsReader, ReadsTheCratesSerializationExample) {
  // huggingface/safetensors, safetensors/src/tensor.rs test_serialization: 'attn.0', F32 [1, 2, 3],
  // serialized as these exact bytes (64-byte header, 24 data bytes holding 0.0 … 5.0).
  std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  ASSERT_EQ(header.size(), 64u);
  std::vector<std::byte> b = from_ints({64, 0, 0, 0, 0, 0, 0, 0});
  for (char c : header) b.push_back(static_cast<std::byte>(c));
  for (int x :
       {0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}) {
    b.push_back(static_cast<std::byte>(x));
  }
  auto h = parse(b);
  EXPECT_EQ(h.header_bytes, 64u);
  EXPECT_EQ(h.data_offset, 72u);
  EXPECT_EQ(h.data_bytes, 24u);
  ASSERT_EQ(h.tensors.size(), 1u);
  EXPECT_EQ(h.tensors[0].name, "attn.0");
  EXPECT_EQ(h.tensors[0].dtype, DType::f32);
  EXPECT_EQ(h.tensors[0].shape, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(h.tensors[0].begin, 0u);
  EXPECT_EQ(h.tensors[0].end, 24u);
  EXPECT_FALSE(h.has_metadata);
}

TEST(SafetensorsReader, ReadsTheCratesEmptyExamples) {
  // tensor.rs test_empty: no tensors is "{}" padded to 8; with metadata {"framework": "pt"}.
  auto empty = parse(from_ints({8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}));
  EXPECT_TRUE(empty.tensors.empty());
  EXPECT_EQ(empty.data_bytes, 0u);
  std::string meta = R"({"__metadata__":{"framework":"pt"}})";
  std::vector<std::byte> b = from_ints({40, 0, 0, 0, 0, 0, 0, 0});
  for (char c : meta + "     ") b.push_back(static_cast<std::byte>(c));
  auto h = parse(b);
  EXPECT_TRUE(h.has_metadata);
  EXPECT_EQ(h.metadata, (std::map<std::string, std::string>{{"framework", "pt"}}));
}

TEST(SafetensorsReader, AcceptsWhatTheReadmeAllows) {
  // Empty tensors, scalars, any key order, sub-byte dtypes in whole bytes, null __metadata__,
  // unknown keys inside a tensor entry (serde ignores them), an empty name.
  auto h = parse_text(R"({"z":{"dtype":"F16","shape":[2],"data_offsets":[5,9]},)"
                      R"("empty":{"dtype":"F32","shape":[0,7],"data_offsets":[5,5]},)"
                      R"("s":{"dtype":"F4","shape":[2],"data_offsets":[4,5]},)"
                      R"("":{"dtype":"I32","shape":[],"data_offsets":[0,4],"extra":[1,{"x":2}]},)"
                      R"("__metadata__":null})",
                      9);
  ASSERT_EQ(h.tensors.size(), 4u);
  EXPECT_EQ(h.tensors[0].name, "");
  EXPECT_TRUE(h.tensors[0].shape.empty());
  EXPECT_EQ(h.tensors[1].name, "s");
  EXPECT_EQ(h.tensors[1].dtype, DType::f4_e2m1);
  EXPECT_EQ(h.tensors[2].name, "empty");
  EXPECT_EQ(h.tensors[3].name, "z");
  EXPECT_FALSE(h.has_metadata);
}

// --- Round trip ----------------------------------------------------------------------------

TEST(SafetensorsReader, RoundTripsRandomFilesInEveryDtype) {
  std::mt19937_64 rng(20260525);
  std::vector<std::string> dtypes;
  for (size_t i = 0; i < static_cast<size_t>(DType::count); ++i) {
    dtypes.emplace_back(dtype_info(static_cast<DType>(i)).safetensors_name);
  }
  std::set<std::string> seen_dtypes;
  const std::vector<std::string> name_parts = {
      "model", "layers", "0", "é", "权重", "q_proj", "weight", "a\"b", "tab\t", "slash/", "\\"};
  for (int file = 0; file < 200; ++file) {
    size_t n = rng() % 12;
    std::vector<test::WTensor> tensors;
    std::set<std::string> names;
    while (tensors.size() < n) {
      std::string name;
      for (size_t k = 0, parts = 1 + rng() % 4; k < parts; ++k) {
        name += (k ? "." : "") + name_parts[rng() % name_parts.size()];
      }
      name += std::to_string(rng() % 1000);
      if (!names.insert(name).second) continue;
      std::string dtype = dtypes[rng() % dtypes.size()];
      std::vector<uint64_t> shape(rng() % 4);
      for (auto& d : shape) d = rng() % 6;
      if (test::writer_bits(dtype) < 8) {
        shape.push_back(8);  // a whole number of bytes for the 4- and 6-bit types
      }
      tensors.push_back(wt(name, dtype, shape));
      seen_dtypes.insert(dtype);
    }
    nlohmann::json meta = nullptr;
    if (rng() % 2) meta = {{"format", "pt"}, {"k" + std::to_string(rng() % 9), "v\u00e9\n"}};
    // The JSON lists tensors in a shuffled order; the data section stays in writing order.
    std::string header = test::header_for(tensors, meta);
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(header);
    std::vector<std::pair<std::string, nlohmann::ordered_json>> items;
    for (auto it = j.begin(); it != j.end(); ++it) items.emplace_back(it.key(), it.value());
    std::shuffle(items.begin(), items.end(), rng);
    nlohmann::ordered_json shuffled = nlohmann::ordered_json::object();
    for (auto& [k, v] : items) shuffled[k] = v;
    uint64_t data = test::data_bytes(tensors);
    auto bytes = file_bytes(shuffled.dump(), data);
    // Random data bytes, so a wrong offset cannot read the right values by chance.
    std::vector<std::byte> written(data);
    for (auto& b : written) b = std::byte(rng() & 0xff);
    std::copy(written.begin(), written.end(), bytes.end() - static_cast<long>(data));

    auto h = parse(bytes);
    ASSERT_EQ(h.tensors.size(), tensors.size());
    EXPECT_EQ(h.data_bytes, data);
    EXPECT_EQ(h.has_metadata, !meta.is_null());
    if (!meta.is_null()) EXPECT_EQ(nlohmann::json(h.metadata), meta);
    // Tensors come back sorted by offset; empty ones share an offset, so compare by name.
    std::map<std::string, const SafetensorsTensor*> by_name;
    uint64_t previous_end = 0;
    for (const auto& r : h.tensors) {
      by_name[r.name] = &r;
      EXPECT_EQ(r.begin, previous_end);
      previous_end = r.end;
    }
    uint64_t at = 0;
    for (const auto& w : tensors) {
      ASSERT_TRUE(by_name.contains(w.name)) << w.name;
      const auto& r = *by_name[w.name];
      EXPECT_EQ(dtype_info(r.dtype).safetensors_name, w.dtype);
      EXPECT_EQ(std::vector<uint64_t>(r.shape.begin(), r.shape.end()), w.shape);
      EXPECT_EQ(r.begin, at);
      EXPECT_EQ(r.bytes(), w.bytes);
      // The stored bytes at the reported offset are the ones written there.
      if (w.bytes > 0) {
        EXPECT_EQ(bytes[h.data_offset + r.begin], written[at]);
        EXPECT_EQ(bytes[h.data_offset + r.end - 1], written[at + w.bytes - 1]);
      }
      at += w.bytes;
    }
  }
  EXPECT_EQ(seen_dtypes.size(), static_cast<size_t>(DType::count));
}

// --- Truncation at every byte --------------------------------------------------------------

TEST(SafetensorsReader, EveryTruncationIsRejectedOrAsksForMore) {
  std::vector<test::WTensor> t = {wt("a", "BF16", {3, 2}), wt("b", "I64", {2})};
  auto full = file_bytes(test::header_for(t, {{"format", "pt"}}), test::data_bytes(t));
  uint64_t end = safetensors_header_end(full, full.size(), k_src);
  for (size_t k = 0; k < full.size(); ++k) {
    std::vector<std::byte> cut(full.begin(), full.begin() + static_cast<long>(k));
    // The file itself ends early: always a malformed file, never a request for more bytes.
    try {
      parse_safetensors_header(cut, k, k_src);
      ADD_FAILURE() << "a file cut to " << k << " bytes was accepted";
    } catch (const IncompleteHeaderError&) {
      ADD_FAILURE() << "a file cut to " << k << " bytes asked for more bytes";
    } catch (const FormatError&) {
    }
    // Only the bytes given end early: more are requested until the header is complete.
    if (k < end) {
      try {
        parse_safetensors_header(cut, full.size(), k_src);
        ADD_FAILURE() << k << " bytes of the header were accepted";
      } catch (const IncompleteHeaderError& e) {
        EXPECT_EQ(e.needed_bytes(), k < 8 ? 8u : end);
      }
    } else {
      EXPECT_EQ(parse_safetensors_header(cut, full.size(), k_src).tensors.size(), 2u);
    }
  }
}

TEST(SafetensorsReader, TruncationMessages) {
  auto good = file_bytes(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
  std::vector<std::byte> first3(good.begin(), good.begin() + 3);
  EXPECT_THROW_MSG(parse_safetensors_header(first3, good.size(), k_src), IncompleteHeaderError,
                   "m.safetensors: the first 8 bytes are needed to read the header length, got 3");
  std::vector<std::byte> first20(good.begin(), good.begin() + 20);
  EXPECT_THROW_MSG(parse_safetensors_header(first20, good.size(), k_src), IncompleteHeaderError,
                   "m.safetensors: the header needs the first 64 bytes of the file, got 20");
  EXPECT_THROW_MSG(parse_safetensors_header(first3, 3, k_src), FormatError,
                   "m.safetensors: the file is 3 bytes, too short for the 8-byte header length");
  EXPECT_THROW_MSG(parse_safetensors_header({}, 0, k_src), FormatError,
                   "m.safetensors: the file is 0 bytes, too short for the 8-byte header length");
  std::vector<std::byte> first30(good.begin(), good.begin() + 30);
  EXPECT_THROW_MSG(parse_safetensors_header(first30, 30, k_src), FormatError,
                   "m.safetensors: header length is 56 bytes but the file has only 22 bytes after "
                   "the 8-byte length");
  std::vector<std::byte> no_data(good.begin(), good.end() - 1);
  EXPECT_THROW_MSG(parse(no_data), FormatError,
                   "m.safetensors: tensor 'a' ends at data offset 4, past the end of the file (the "
                   "data section has 3 bytes)");
  EXPECT_THROW_MSG(parse_safetensors_header(good, 10, k_src), FormatError,
                   "m.safetensors: 68 bytes given but the file size is declared as 10");
}

// --- The malformed-header catalogue --------------------------------------------------------

// Every catalogue case is also written to a file and given to the CLI, which must exit 2 with
// the same message (the file's path in place of "m.safetensors").
SafetensorsHeader parse_corrupt(const std::vector<std::byte>& b) {
  try {
    return parse(b);
  } catch (const IncompleteHeaderError&) {
    throw;
  } catch (const FormatError& e) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("llmem_st_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "m.safetensors";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    auto r = test::run_llmem("infer " + file.string());
    std::string expected = e.what();
    if (expected.rfind(k_src, 0) == 0) expected.replace(0, k_src.size(), file.string());
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "llmem: error: " + expected + "\n");
    throw;
  }
}

SafetensorsHeader parse_text_corrupt(const std::string& header, uint64_t data = 0) {
  return parse_corrupt(file_bytes(header, data));
}

std::vector<std::byte> with_length(uint64_t n, size_t extra = 8) {
  std::vector<std::byte> b(8 + extra, std::byte{' '});
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::byte>((n >> (8 * i)) & 0xff);
  return b;
}

TEST(SafetensorsCorrupt, HeaderLength2Pow63) {
  EXPECT_THROW_MSG(parse_corrupt(with_length(uint64_t{1} << 63)), FormatError,
                   "m.safetensors: header length is 9223372036854775808 bytes, more than the limit "
                   "of 100000000 (safetensors' MAX_HEADER_SIZE)");
}

TEST(SafetensorsCorrupt, HeaderLengthMaxU64) {
  EXPECT_THROW_MSG(parse_corrupt(with_length(~uint64_t{0})), FormatError,
                   "m.safetensors: header length is 18446744073709551615 bytes, more than the "
                   "limit of 100000000 (safetensors' MAX_HEADER_SIZE)");
}

TEST(SafetensorsCorrupt, HugeHeaderJustOverTheCap) {
  // The file claims to be 200 MB; only the 8-byte length is needed to reject it.
  auto b = with_length(100'000'001, 0);
  EXPECT_THROW_MSG(parse_safetensors_header(b, 200'000'000, k_src), FormatError,
                   "m.safetensors: header length is 100000001 bytes, more than the limit of "
                   "100000000 (safetensors' MAX_HEADER_SIZE)");
}

TEST(SafetensorsCorrupt, HeaderAtTheCapAsksForIt) {
  auto b = with_length(100'000'000, 0);
  EXPECT_EQ(safetensors_header_end(b, 200'000'000, k_src), 100'000'008u);
}

TEST(SafetensorsCorrupt, HeaderLengthZero) {
  EXPECT_THROW_MSG(parse_corrupt(with_length(0)), FormatError,
                   "m.safetensors: header length is 0 bytes, less than the 2 of the smallest "
                   "header '{}'");
}

TEST(SafetensorsCorrupt, HeaderLengthOne) {
  EXPECT_THROW_MSG(parse_corrupt(with_length(1)), FormatError,
                   "m.safetensors: header length is 1 bytes, less than the 2 of the smallest "
                   "header '{}'");
}

TEST(SafetensorsCorrupt, HeaderLongerThanFile) {
  EXPECT_THROW_MSG(parse_corrupt(with_length(9)), FormatError,
                   "m.safetensors: header length is 9 bytes but the file has only 8 bytes after "
                   "the 8-byte length");
}

TEST(SafetensorsCorrupt, NonUtf8TensorName) {
  std::string h =
      std::string("{\"a") + "\xff" + R"(":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
  EXPECT_THROW_MSG(parse_text_corrupt(h, 1), FormatError,
                   "m.safetensors: header is not valid UTF-8 (byte 0xff at header offset 3)");
}

TEST(SafetensorsCorrupt, OverlongUtf8) {
  EXPECT_THROW_MSG(parse_text_corrupt("{\"\xc0\xaf\":1}"), FormatError,
                   "m.safetensors: header is not valid UTF-8 (byte 0xc0 at header offset 2)");
}

TEST(SafetensorsCorrupt, Utf8EncodedSurrogate) {
  EXPECT_THROW_MSG(parse_text_corrupt("{\"\xed\xa0\x80\":1}"), FormatError,
                   "m.safetensors: header is not valid UTF-8 (byte 0xed at header offset 2)");
}

TEST(SafetensorsCorrupt, Utf8CutAtTheEnd) {
  EXPECT_THROW_MSG(parse_corrupt(file_bytes("{}\xe6\x9d", 0, false)), FormatError,
                   "m.safetensors: header is not valid UTF-8 (byte 0xe6 at header offset 2)");
}

TEST(SafetensorsCorrupt, EscapedLoneSurrogateName) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1),
      FormatError,
      "m.safetensors header: malformed JSON at byte 9: parse error at line 1, column 9: syntax "
      "error while parsing object key - invalid string: surrogate U+D800..U+DBFF must be followed "
      "by U+DC00..U+DFFF; last read: '\"\\ud800\"'; expected string literal");
}

TEST(SafetensorsCorrupt, LeadingWhitespace) {
  EXPECT_THROW_MSG(parse_text_corrupt(" {}"), FormatError,
                   "m.safetensors: header must begin with '{' (0x7b), found 0x20");
}

TEST(SafetensorsCorrupt, TopLevelArray) {
  EXPECT_THROW_MSG(parse_text_corrupt("[1, 2]"), FormatError,
                   "m.safetensors: header must begin with '{' (0x7b), found 0x5b");
}

TEST(SafetensorsCorrupt, NotJson) {
  EXPECT_THROW_MSG(parse_text_corrupt("{dtype: F16}"), FormatError,
                   "m.safetensors header: malformed JSON at byte 2: parse error at line 1, column "
                   "2: syntax error while parsing object key - invalid literal; last read: '{d'; "
                   "expected string literal");
}

TEST(SafetensorsCorrupt, JsonCutShort) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8")"), FormatError,
                   "m.safetensors header: malformed JSON at byte 25: parse error at line 1, column "
                   "25: syntax error while parsing object - unexpected end of input; expected "
                   "'}'");
}

TEST(SafetensorsCorrupt, TrailingGarbageAfterObject) {
  EXPECT_THROW_MSG(parse_text_corrupt("{}x"), FormatError,
                   "m.safetensors header: malformed JSON at byte 3: parse error at line 1, column "
                   "3: syntax error while parsing value - invalid literal; last read: '{}x'; "
                   "expected end of input");
}

TEST(SafetensorsCorrupt, InfinityIsNotJsonHere) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":{"x":Infinity}})"), FormatError,
                   "m.safetensors header: malformed JSON at byte 22: parse error at line 1, column "
                   "22: syntax error while parsing value - invalid literal; last read: '\"x\":I'");
}

TEST(SafetensorsCorrupt, DuplicateTensorName) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                      R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                                      2),
                   FormatError, "m.safetensors header: duplicate key 'a' (keys must be unique)");
}

TEST(SafetensorsCorrupt, DuplicateFieldInTensor) {
  EXPECT_THROW_MSG(parse_text_corrupt(
                       R"({"a":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]}})", 1),
                   FormatError,
                   "m.safetensors header: duplicate key 'a.dtype' (keys must be unique)");
}

TEST(SafetensorsCorrupt, DuplicateMetadata) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":{"a":"1"},"__metadata__":{"a":"2"}})"),
                   FormatError,
                   "m.safetensors header: duplicate key '__metadata__' (keys must be unique)");
}

TEST(SafetensorsCorrupt, DuplicateMetadataKey) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":{"a":"1","a":"2"}})"), FormatError,
                   "m.safetensors header: duplicate key '__metadata__.a' (keys must be unique)");
}

TEST(SafetensorsCorrupt, MetadataNotAnObject) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":["pt"]})"), FormatError,
                   "m.safetensors: __metadata__ must be an object of string values, got an array");
}

TEST(SafetensorsCorrupt, MetadataNestedValue) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":{"format":{"nested":"pt"}}})"),
                   FormatError,
                   "m.safetensors: __metadata__ 'format' must be a string, got an object "
                   "{\"nested\":\"pt\"}");
}

TEST(SafetensorsCorrupt, MetadataNumberValue) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"__metadata__":{"total":123}})"), FormatError,
                   "m.safetensors: __metadata__ 'total' must be a string, got a number 123");
}

TEST(SafetensorsCorrupt, TensorNotAnObject) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":[0,1]})"), FormatError,
                   "m.safetensors: tensor 'a' must be an object with dtype, shape and "
                   "data_offsets, got an array");
}

TEST(SafetensorsCorrupt, MissingDtype) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", 1),
                   FormatError, "m.safetensors: tensor 'a' has no dtype");
}

TEST(SafetensorsCorrupt, DtypeNotAString) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":16,"shape":[1],"data_offsets":[0,2]}})", 2),
                   FormatError, "m.safetensors: tensor 'a': dtype must be a string, got a number");
}

TEST(SafetensorsCorrupt, UnknownDtype) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"bf16","shape":[1],"data_offsets":[0,2]}})", 2),
      FormatError,
      "m.safetensors: tensor 'a' has dtype \"bf16\"; accepted: F64, F32, F16, BF16, F8_E4M3, "
      "F8_E5M2, F8_E8M0, F4, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F6_E2M3, F6_E3M2, "
      "F8_E4M3FNUZ, F8_E5M2FNUZ, C64");
}

TEST(SafetensorsCorrupt, MissingShape) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", 1),
                   FormatError, "m.safetensors: tensor 'a' has no shape");
}

TEST(SafetensorsCorrupt, ShapeNotAnArray) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":4,"data_offsets":[0,4]}})", 4),
                   FormatError,
                   "m.safetensors: tensor 'a': shape must be an array of integers, got a number");
}

TEST(SafetensorsCorrupt, NegativeDimension) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[2,-3],"data_offsets":[0,6]}})", 6),
      FormatError,
      "m.safetensors: tensor 'a': shape[1] is -3 but must be an integer in [0, "
      "9223372036854775807]");
}

TEST(SafetensorsCorrupt, FractionalDimension) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[2.0],"data_offsets":[0,2]}})", 2),
      FormatError,
      "m.safetensors: tensor 'a': shape[0] is 2.0 but must be an integer in [0, "
      "9223372036854775807]");
}

TEST(SafetensorsCorrupt, DimensionAboveInt64) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(
          R"({"a":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,1]}})", 1),
      FormatError,
      "m.safetensors: tensor 'a': shape[0] is 9223372036854775808 but must be an integer in [0, "
      "9223372036854775807]");
}

TEST(SafetensorsCorrupt, ShapeOverflows) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(
          R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4),
      FormatError,
      "m.safetensors: tensor 'a' is F32 [4294967296, 4294967296], whose size overflows 64 bits");
}

TEST(SafetensorsCorrupt, MissingOffsets) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[1]}})", 1), FormatError,
                   "m.safetensors: tensor 'a' has no data_offsets");
}

TEST(SafetensorsCorrupt, ThreeOffsets) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", 1),
      FormatError,
      "m.safetensors: tensor 'a': data_offsets must be [BEGIN, END] with two "
      "non-negative integers, got [0,1,2]");
}

TEST(SafetensorsCorrupt, NegativeOffset) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", 1),
      FormatError,
      "m.safetensors: tensor 'a': data_offsets must be [BEGIN, END] with two "
      "non-negative integers, got [-1,0]");
}

TEST(SafetensorsCorrupt, OffsetsReversed) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 4),
      FormatError, "m.safetensors: tensor 'a': data_offsets [4,0] end before they begin");
}

TEST(SafetensorsCorrupt, ShapeAndOffsetsDisagree) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,10]}})", 10),
      FormatError,
      "m.safetensors: tensor 'a' is F16 [2, 3] = 12 bytes but its data_offsets [0, "
      "10] span 10 bytes");
}

TEST(SafetensorsCorrupt, SubByteTensorNotWholeBytes) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", 2),
      FormatError, "m.safetensors: tensor 'a' is F4 [3] = 12 bits, not a whole number of bytes");
}

TEST(SafetensorsCorrupt, GapAtTheStart) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", 4),
      FormatError,
      "m.safetensors: tensor 'a' starts at data offset 2 but the data section starts "
      "at 0: the data section has a gap");
}

TEST(SafetensorsCorrupt, GapBetweenTensors) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                      R"("b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}})",
                                      5),
                   FormatError,
                   "m.safetensors: tensor 'b' starts at data offset 3 but tensor 'a' ends at 2: "
                   "the data section has a gap");
}

TEST(SafetensorsCorrupt, OverlappingTensors) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                                      R"("b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
                                      4),
                   FormatError,
                   "m.safetensors: tensor 'b' starts at data offset 2, inside tensor 'a' [0, 4): "
                   "tensors overlap");
}

TEST(SafetensorsCorrupt, SameOffsetsTwice) {
  EXPECT_THROW_MSG(parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                                      R"("b":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}})",
                                      4),
                   FormatError,
                   "m.safetensors: tensor 'b' starts at data offset 0, inside tensor 'a' [0, 4): "
                   "tensors overlap");
}

TEST(SafetensorsCorrupt, TensorPastTheEndOfTheFile) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})", 5),
      FormatError,
      "m.safetensors: tensor 'a' ends at data offset 8, past the end of the file (the "
      "data section has 5 bytes)");
}

TEST(SafetensorsCorrupt, OffsetNearU64Max) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[1],)"
                         R"("data_offsets":[18446744073709551614,18446744073709551615]}})",
                         1),
      FormatError,
      "m.safetensors: tensor 'a' starts at data offset 18446744073709551614 but the "
      "data section starts at 0: the data section has a gap");
}

TEST(SafetensorsCorrupt, DataNotEndingAtFileEnd) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 7),
      FormatError,
      "m.safetensors: the tensors end at data offset 4 but the data section has 7 "
      "bytes: 3 bytes at the end of the file belong to no tensor");
}

TEST(SafetensorsCorrupt, DataWithoutTensors) {
  EXPECT_THROW_MSG(parse_text_corrupt("{}", 16), FormatError,
                   "m.safetensors: the tensors end at data offset 0 but the data section has 16 "
                   "bytes: 16 bytes at the end of the file belong to no tensor");
}

TEST(SafetensorsCorrupt, ControlCharactersInNamesAreEscapedInMessages) {
  EXPECT_THROW_MSG(
      parse_text_corrupt(R"({"evil\nname":{"dtype":"X","shape":[],"data_offsets":[0,0]}})"),
      FormatError,
      "m.safetensors: tensor 'evil\\x0aname' has dtype \"X\"; accepted: F64, F32, "
      "F16, BF16, F8_E4M3, F8_E5M2, F8_E8M0, F4, I64, I32, I16, I8, U64, U32, U16, U8, "
      "BOOL, F6_E2M3, F6_E3M2, F8_E4M3FNUZ, F8_E5M2FNUZ, C64");
}

TEST(SafetensorsCorrupt, NestingTooDeep) {
  std::string deep = std::string(70, '[') + std::string(70, ']');
  EXPECT_THROW_MSG(
      parse_text_corrupt(
          R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":)" + deep + "}}", 1),
      FormatError, "m.safetensors header: JSON nested deeper than 64 levels");
}

// --- model.safetensors.index.json ----------------------------------------------------------

const std::string k_idx = "model.safetensors.index.json";

TEST(SafetensorsIndex, ReadsTotalSizeAndWeightMap) {
  auto i = parse_safetensors_index(
      R"({"metadata": {"total_size": 16060522496, "total_parameters": 8030261248},
          "weight_map": {"lm_head.weight": "model-00004-of-00004.safetensors",
                         "model.embed_tokens.weight": "model-00001-of-00004.safetensors",
                         "model.norm.weight": "model-00004-of-00004.safetensors"}})",
      k_idx);
  EXPECT_EQ(i.total_size, 16060522496u);
  EXPECT_EQ(i.weight_map.size(), 3u);
  EXPECT_EQ(i.shards, (std::vector<std::string>{"model-00001-of-00004.safetensors",
                                                "model-00004-of-00004.safetensors"}));
}

TEST(SafetensorsIndex, AcceptsAnIntegralFloatTotalAndNoMetadata) {
  auto i = parse_safetensors_index(
      R"({"metadata": {"total_size": 7642159104.0}, "weight_map": {"a": "x.safetensors"}})", k_idx);
  EXPECT_EQ(i.total_size, 7642159104u);
  auto j = parse_safetensors_index(R"({"weight_map": {"a": "x.safetensors"}})", k_idx);
  EXPECT_FALSE(j.total_size.has_value());
}

TEST(SafetensorsIndex, Rejections) {
  auto bad = [](const std::string& text) { parse_safetensors_index(text, k_idx); };
  EXPECT_THROW_MSG(bad("[]"), FormatError,
                   "model.safetensors.index.json: the top level must be a JSON object, got an "
                   "array");
  EXPECT_THROW_MSG(bad("{}"), FormatError, "model.safetensors.index.json: weight_map is missing");
  EXPECT_THROW_MSG(bad(R"({"weight_map": {}})"), FormatError,
                   "model.safetensors.index.json: weight_map is empty: an index must name at least "
                   "one tensor");
  EXPECT_THROW_MSG(bad(R"({"weight_map": []})"), FormatError,
                   "model.safetensors.index.json: weight_map must be an object, got an array");
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": 1}})"), FormatError,
                   "model.safetensors.index.json: weight_map 'a' must be a shard file name, got a "
                   "number 1");
  const std::string rule =
      "; a shard must be a file name in the same folder ending in .safetensors (no '/', '\\', "
      "':' or leading '.')";
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": "../../etc/x.safetensors"}})"), FormatError,
                   "model.safetensors.index.json: weight_map 'a' names shard "
                   "'../../etc/x.safetensors'" +
                       rule);
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": "sub/x.safetensors"}})"), FormatError,
                   "model.safetensors.index.json: weight_map 'a' names shard "
                   "'sub/x.safetensors'" +
                       rule);
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": "C:\\x.safetensors"}})"), FormatError,
                   "model.safetensors.index.json: weight_map 'a' names shard "
                   "'C:\\x.safetensors'" +
                       rule);
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": "model.bin"}})"), FormatError,
                   "model.safetensors.index.json: weight_map 'a' names shard 'model.bin'" + rule);
  EXPECT_THROW_MSG(
      bad(R"({"weight_map": {"a": ".safetensors"}})"), FormatError,
      "model.safetensors.index.json: weight_map 'a' names shard '.safetensors'" + rule);
  EXPECT_THROW_MSG(bad(R"({"metadata": {"total_size": -1}, "weight_map": {"a": "x.safetensors"}})"),
                   FormatError,
                   "model.safetensors.index.json: metadata.total_size is -1 but must be a "
                   "non-negative integer");
  EXPECT_THROW_MSG(
      bad(R"({"metadata": {"total_size": 1.5}, "weight_map": {"a": "x.safetensors"}})"),
      FormatError,
      "model.safetensors.index.json: metadata.total_size is 1.5 but must be a "
      "non-negative integer");
  EXPECT_THROW_MSG(bad(R"({"metadata": 3, "weight_map": {"a": "x.safetensors"}})"), FormatError,
                   "model.safetensors.index.json: metadata must be an object, got a number");
  EXPECT_THROW_MSG(bad(R"({"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}})"),
                   FormatError,
                   "model.safetensors.index.json: duplicate key 'weight_map.a' (keys must be "
                   "unique)");
}

}  // namespace
}  // namespace llmem
