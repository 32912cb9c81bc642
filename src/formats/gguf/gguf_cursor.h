// The GGUF reader's view of its input: the checked ByteReader over the bytes given, plus the file's
// declared size, so that running out of bytes is told apart from a truncated file. A read that
// would pass the end of the file is a FormatError ("truncated …"); one that stays inside the file
// but passes the end of the prefix given is a GgufIncompleteError saying how many bytes to fetch.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/byte_reader.h"
#include "llmem/formats/gguf.h"

namespace llmem::gguf {

class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, uint64_t file_size, std::string source)
      : reader_(bytes, std::move(source)),
        bytes_(bytes),
        file_size_(file_size),
        given_(bytes.size()) {}

  uint64_t offset() const { return reader_.offset(); }
  // Bytes from here to the end of the file (not of the prefix given).
  uint64_t left_in_file() const { return file_size_ - reader_.offset(); }
  uint64_t left_in_buffer() const { return reader_.remaining(); }
  uint64_t file_size() const { return file_size_; }
  const std::string& source() const { return reader_.source(); }

  uint8_t u8(std::string_view what) { return need(1, what).read_u8(what); }
  uint16_t u16(std::string_view what) { return need(2, what).read_u16_le(what); }
  uint32_t u32(std::string_view what) { return need(4, what).read_u32_le(what); }
  uint64_t u64(std::string_view what) { return need(8, what).read_u64_le(what); }
  float f32(std::string_view what) { return need(4, what).read_f32_le(what); }
  double f64(std::string_view what) { return need(8, what).read_f64_le(what); }
  std::string bytes(uint64_t n, std::string_view what) {
    return need(n, what).read_string(n, what);
  }
  // The next n bytes, in place (no copy).
  std::span<const std::byte> view(uint64_t n, std::string_view what) {
    return need(n, what).read_bytes(n, what);
  }
  void skip(uint64_t n, std::string_view what) { need(n, what).skip(n, what); }
  // The next byte (the end of the bytes given when none is left); for loops that check bounds
  // against left_in_buffer() themselves.
  const std::byte* here() const { return bytes_.data() + offset(); }
  // The bytes read since offset `start` (an offset this cursor has passed), in place.
  std::span<const std::byte> since(uint64_t start) const {
    return bytes_.subspan(static_cast<size_t>(start), static_cast<size_t>(offset() - start));
  }

  [[noreturn]] void fail(std::string_view message) const { reader_.fail(message); }
  [[noreturn]] void fail_at(uint64_t at, std::string_view message) const {
    reader_.fail_at(at, message);
  }

 private:
  ByteReader& need(uint64_t n, std::string_view what) {
    if (n > left_in_file()) {
      fail("truncated " + std::string(what) + ": needs " + std::to_string(n) + " bytes, " +
           std::to_string(left_in_file()) + " left in the file");
    }
    if (n > reader_.remaining()) {
      uint64_t needed = reader_.offset() + n;
      throw GgufIncompleteError(source() + ": the " + std::to_string(given_) +
                                    " bytes given end inside the header (" + std::string(what) +
                                    " at byte offset " + std::to_string(reader_.offset()) +
                                    "); read at least " + std::to_string(needed) + " bytes",
                                needed);
    }
    return reader_;
  }

  ByteReader reader_;
  std::span<const std::byte> bytes_;
  uint64_t file_size_;
  uint64_t given_;
};

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace llmem::gguf
