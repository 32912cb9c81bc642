// Reading GGUF headers (versions 2 and 3) and turning them into a ModelDescription.
//
// Layout accepted (ggml-org/ggml docs/gguf.md, "File Structure"; little-endian only):
//   1. magic "GGUF" (4 bytes), version u32 (2 or 3), tensor_count u64, metadata_kv_count u64;
//   2. metadata_kv_count × {key: string, value_type: u32, value}; a string is a u64 length plus
//      that many bytes; an array is {element_type: u32, length: u64, elements};
//   3. tensor_count × {name: string, n_dims: u32, dims: n_dims × u64, ggml type: u32, offset: u64};
//   4. padding to general.alignment (default 32), then the tensor data; each tensor's offset is
//      relative to the start of the data.
// Deliberate divergences from the spec, each following ggml's own reader (src/gguf.cpp) or
// bounding memory (docs/gguf.md in this repository lists them with the caps):
//   - nested arrays are rejected (the spec allows them; no writer emits them);
//   - general.alignment must be a u32 power of two (the spec says "a multiple of 8");
//   - tensors must be packed in order: each offset equals the previous tensor's end rounded up
//     to the alignment, as ggml requires;
//   - keys and tensor names must be valid UTF-8, keys 1..65535 bytes, names at most 63 bytes;
//     bools must be 0 or 1; strings, arrays and counts have caps (k_gguf_max_*).
//
// Every reader takes the header bytes plus the file's declared total size, so one function serves
// a local file, a Hub range read and a browser's slice of a file:
//
//   try {
//     llmem::GgufFile f = llmem::parse_gguf(prefix, file_size, "model.gguf");
//   } catch (const llmem::GgufIncompleteError& e) {
//     // fetch at least e.bytes_needed() bytes from the start of the file, then call again
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "llmem/common/error.h"
#include "llmem/core/ggml_type.h"
#include "llmem/core/model_description.h"

namespace llmem {

// Caps that bound memory before anything is allocated; each is far above any released file.
inline constexpr uint64_t k_gguf_max_tensors = uint64_t{1} << 20;
inline constexpr uint64_t k_gguf_max_metadata = uint64_t{1} << 20;
inline constexpr uint64_t k_gguf_max_key_bytes = 65535;  // docs/gguf.md: 2^16 - 1
inline constexpr uint64_t k_gguf_max_name_bytes = 63;    // ggml GGML_MAX_NAME 64 - NUL
inline constexpr uint64_t k_gguf_max_string_bytes = uint64_t{1} << 26;    // 64 MiB
inline constexpr uint64_t k_gguf_max_array_elements = uint64_t{1} << 26;  // 67,108,864
inline constexpr uint32_t k_gguf_max_dims = 4;                            // ggml GGML_MAX_DIMS
inline constexpr uint32_t k_gguf_default_alignment = 32;  // ggml GGUF_DEFAULT_ALIGNMENT

// On-disk metadata value types (docs/gguf.md `gguf_metadata_value_type`).
enum class GgufValueType : uint32_t {
  u8 = 0,
  i8 = 1,
  u16 = 2,
  i16 = 3,
  u32 = 4,
  i32 = 5,
  f32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  u64 = 10,
  i64 = 11,
  f64 = 12,
  count = 13
};

std::string_view to_string(GgufValueType t);

// An array of strings as GGUF stores them — each string's u64 length, then its bytes — left in
// the bytes read, which `owner` keeps alive: no allocation per string (a Llama-3 header holds
// 128,256 tokens and 280,147 merges), and none at all when the header is a mapped file. Copies
// share the bytes. Strings are read in order, as string_views into the array:
//
//   const auto& tokens = std::get<GgufStringArray>(file.find("tokenizer.ggml.tokens")->data);
//   for (std::string_view t : tokens) …;   tokens.size() is the count
class GgufStringArray {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    const_iterator() = default;
    std::string_view operator*() const {
      return {p_ + sizeof(uint64_t), static_cast<size_t>(length())};
    }
    const_iterator& operator++() {
      p_ += sizeof(uint64_t) + length();
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return p_ == o.p_; }

   private:
    friend class GgufStringArray;
    explicit const_iterator(const char* p) : p_(p) {}
    uint64_t length() const {
      uint64_t n;
      std::memcpy(&n, p_, sizeof n);  // little-endian hosts only, as the reader
      return n;
    }
    const char* p_ = nullptr;
  };

  GgufStringArray() = default;
  // Encodes separate strings (writers and tests); implicit, so a GgufValue can be built from them.
  GgufStringArray(const std::vector<std::string>& strings) {  // NOLINT(google-explicit-constructor)
    auto buffer = std::make_shared<std::string>();
    for (const auto& s : strings) {
      const uint64_t n = s.size();
      buffer->append(reinterpret_cast<const char*>(&n), sizeof n).append(s);
    }
    *this = from_encoded(buffer->data(), buffer->size(), strings.size(), buffer);
  }
  // The reader's constructor: `count` strings encoded as in the file in [data, data + bytes),
  // which `owner` keeps alive. The caller has checked that every length lies inside the bytes.
  static GgufStringArray from_encoded(const char* data, size_t bytes, size_t count,
                                      std::shared_ptr<const void> owner) {
    GgufStringArray a;
    a.owner_ = std::move(owner);
    a.data_ = data;
    a.bytes_ = bytes;
    a.count_ = count;
    return a;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const_iterator begin() const { return const_iterator(data_); }
  const_iterator end() const { return const_iterator(data_ + bytes_); }
  // The array as stored: lengths and bytes, back to back.
  std::string_view encoded() const { return {data_, bytes_}; }

  // Equal strings in the same order (the encoding is one-to-one, so the bytes are compared).
  bool operator==(const GgufStringArray& o) const {
    return count_ == o.count_ && encoded() == o.encoded();
  }

 private:
  std::shared_ptr<const void> owner_;  // keeps data_ alive
  const char* data_ = nullptr;
  size_t bytes_ = 0;
  size_t count_ = 0;
};

// One metadata value. Scalars and arrays are held by category: unsigned integers and bools as
// uint64_t, signed integers as int64_t, floats as double (f32 widens exactly), strings as
// std::string, string arrays as a GgufStringArray. `type` (and `element_type` for arrays) keep the
// on-disk type, so a value can be written back byte for byte.
struct GgufValue {
  GgufValueType type = GgufValueType::u8;
  GgufValueType element_type = GgufValueType::u8;  // arrays only
  std::variant<uint64_t, int64_t, double, std::string, std::vector<uint64_t>, std::vector<int64_t>,
               std::vector<double>, GgufStringArray>
      data;

  bool is_array() const { return type == GgufValueType::array; }
  uint64_t array_size() const;  // 0 for scalars
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ggml order: dims[0] (ne0) is the contiguous row
  GgmlType type = GgmlType::f32;
  uint64_t offset = 0;  // relative to the data section, as stored
  uint64_t bytes = 0;   // exact stored bytes (ggml_nbytes)
  uint32_t split = 0;   // which shard holds the data (split.no); 0 for a single file
};

struct GgufFile {
  std::string source;
  uint32_t version = 0;
  uint32_t alignment = k_gguf_default_alignment;
  std::vector<std::pair<std::string, GgufValue>> metadata;  // in file order
  std::vector<GgufTensorInfo> tensors;                      // in file order
  uint64_t header_bytes = 0;  // where the tensor infos end (the bytes a parse needs)
  uint64_t data_offset = 0;   // absolute offset of the tensor data (header_bytes aligned)
  uint64_t file_size = 0;

  // The value of `key`, or nullptr (a linear search: headers hold tens of keys).
  const GgufValue* find(std::string_view key) const;
};

// Thrown when `header_bytes` ends before the header does but the file (per `file_size`) goes on:
// the bytes given are a prefix, not a corrupt file. bytes_needed() is a lower bound on the prefix
// length the next attempt needs (the end of the field that did not fit); a caller that grows its
// prefix to at least max(bytes_needed(), 2 × the previous length) re-parses O(log n) times.
class GgufIncompleteError : public FormatError {
 public:
  GgufIncompleteError(const std::string& message, uint64_t bytes_needed)
      : FormatError(message), bytes_needed_(bytes_needed) {}
  uint64_t bytes_needed() const { return bytes_needed_; }

 private:
  uint64_t bytes_needed_;
};

// Parses and validates a GGUF header. `header_bytes` is a prefix of the file (or all of it) and
// `file_size` the file's total size; `source` names the file in messages. Reads only the header:
// the cost is that of the header, not the file. Throws GgufIncompleteError when the prefix is too
// short, FormatError for a malformed file, RangeError for sizes beyond 64 bits.
// String arrays hold a copy of their part of `header_bytes` (one allocation per array).
GgufFile parse_gguf(std::span<const std::byte> header_bytes, uint64_t file_size,
                    std::string source);

// The same for bytes that `owner` keeps alive (a mapped file): string arrays then refer to
// `header_bytes` and share `owner` instead of copying.
GgufFile parse_gguf(std::span<const std::byte> header_bytes, uint64_t file_size, std::string source,
                    std::shared_ptr<const void> owner);

// Maps general.architecture and the <arch>.* keys, plus the tensor infos, to a ModelDescription
// (docs/gguf.md lists the architectures and keys). Throws FormatError naming a missing or
// ill-typed required key.
ModelDescription gguf_to_model_description(const GgufFile& file);

// Merges the shards of a split model ("-00001-of-00003.gguf" …), given in any order: checks
// split.count and split.no (0-based) on each, that every shard is present once, and that tensor
// names are unique across shards. Metadata come from shard 0; tensors are concatenated by shard,
// each keeping its offset inside its own shard and recording the shard in `split`; file_size
// becomes the sum of the shards' sizes.
GgufFile merge_gguf_splits(std::vector<GgufFile> shards);

}  // namespace llmem
