// Reading safetensors headers: tensor names, dtypes, shapes and byte ranges, never the data.
//
// Accepted layout (huggingface/safetensors README "Format", safetensors/src/tensor.rs):
// 1. 8 bytes: N, the header length, a little-endian u64; 2 <= N <= 100,000,000 (the crate's
//    MAX_HEADER_SIZE) and 8 + N <= the file size.
// 2. N bytes: a UTF-8 JSON object that begins with '{' (trailing 0x20 padding is allowed):
//    {"NAME": {"dtype": "BF16", "shape": [4096, 4096], "data_offsets": [BEGIN, END]}, ...,
//     "__metadata__": {"key": "string value", ...}}   (__metadata__ optional)
// 3. The data section: each tensor's bytes at [BEGIN, END) relative to 8 + N. Sorted by
//    offset, the tensors tile the section exactly: the first begins at 0, each begins where the
//    previous one ends (no gap, no overlap), END - BEGIN = elements x dtype bits / 8 (a whole
//    number of bytes), and the last one ends exactly at the end of the file.
// Deliberate choices (docs/safetensors.md): duplicate keys anywhere are errors (the README
// disallows them; serde_json would keep the last); the '{' first byte is enforced (the README's
// MUST; the crate does not check it); shape dimensions must fit in int64; unknown keys inside a
// tensor entry are ignored, as serde does.
//
// Every parser takes the header bytes plus the file's declared total size, so the same code
// serves a local file, a Hub range read and a browser's slice:
//   uint64_t need = llmem::safetensors_header_end(first8, file_size, "model.safetensors");
//   auto h = llmem::parse_safetensors_header(first_need_bytes, file_size, "model.safetensors");
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/common/error.h"
#include "llmem/core/dtype.h"

namespace llmem {

// Bytes of the header-length prefix.
inline constexpr uint64_t k_safetensors_prefix_bytes = 8;
// The largest accepted JSON header: MAX_HEADER_SIZE = 100_000_000 in
// huggingface/safetensors, safetensors/src/tensor.rs.
inline constexpr uint64_t k_safetensors_max_header_bytes = 100'000'000;

// Thrown when the bytes given stop before the header does although the file is long enough:
// the caller fetches `needed_bytes()` bytes from the start of the file and calls again.
class IncompleteHeaderError : public FormatError {
 public:
  IncompleteHeaderError(const std::string& what, uint64_t needed_bytes)
      : FormatError(what), needed_bytes_(needed_bytes) {}
  uint64_t needed_bytes() const { return needed_bytes_; }

 private:
  uint64_t needed_bytes_;
};

struct SafetensorsTensor {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;  // as stored; [] is a scalar
  uint64_t begin = 0;          // data_offsets, relative to the data section
  uint64_t end = 0;

  uint64_t bytes() const { return end - begin; }
};

struct SafetensorsHeader {
  uint64_t header_bytes = 0;                    // N, the JSON header's length (padding included)
  uint64_t data_offset = 0;                     // 8 + N: where the data section starts in the file
  uint64_t data_bytes = 0;                      // the data section's length: file size - 8 - N
  bool has_metadata = false;                    // __metadata__ present
  std::map<std::string, std::string> metadata;  // __metadata__ ("format": "pt" …)
  std::vector<SafetensorsTensor> tensors;       // sorted by data offset
};

// Checks the 8-byte length prefix against the cap and `file_size`, and returns how many bytes
// from the start of the file the header occupies (8 + N). `first8` may be longer than 8 bytes.
// Throws IncompleteHeaderError (needed_bytes 8) when fewer than 8 bytes are given, FormatError
// for a bad length.
uint64_t safetensors_header_end(std::span<const std::byte> first8, uint64_t file_size,
                                const std::string& source);

// Parses and validates the header of a file of `file_size` bytes from its first bytes (at least
// 8 + N of them; more is fine). `source` names the file in messages. Throws
// IncompleteHeaderError when `bytes` stops before 8 + N, FormatError for a malformed header.
SafetensorsHeader parse_safetensors_header(std::span<const std::byte> bytes, uint64_t file_size,
                                           const std::string& source);

// model.safetensors.index.json: which shard holds each tensor.
struct SafetensorsIndex {
  std::optional<uint64_t> total_size;             // metadata.total_size: the tensors' bytes
  std::map<std::string, std::string> weight_map;  // tensor name → shard file name
  std::vector<std::string> shards;                // distinct shard file names, sorted
};

// Parses an index file. Requires a non-empty weight_map whose values are plain file names
// ending in ".safetensors" (no '/', '\\' or "..", so a shard never points outside its folder).
SafetensorsIndex parse_safetensors_index(std::string_view json_text, const std::string& source);

}  // namespace llmem
