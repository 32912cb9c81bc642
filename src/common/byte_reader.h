// The one checked cursor every binary reader goes through (STYLE.md §4). Every primitive checks
// the bytes remaining before it reads and copies with memcpy; the reader tracks its offset so
// errors can say where. Failures throw FormatError "<source>: <what> at offset N: ...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {

class ByteReader {
 public:
  // `source` names the input in messages (a file name such as "model.gguf").
  ByteReader(std::span<const std::byte> data, std::string source)
      : data_(data), source_(std::move(source)) {}

  uint64_t offset() const { return offset_; }
  uint64_t remaining() const { return data_.size() - offset_; }
  const std::string& source() const { return source_; }

  uint8_t read_u8(std::string_view what) { return read_le<uint8_t>(what); }
  uint16_t read_u16_le(std::string_view what) { return read_le<uint16_t>(what); }
  uint32_t read_u32_le(std::string_view what) { return read_le<uint32_t>(what); }
  uint64_t read_u64_le(std::string_view what) { return read_le<uint64_t>(what); }
  int8_t read_i8(std::string_view what) { return static_cast<int8_t>(read_le<uint8_t>(what)); }
  int16_t read_i16_le(std::string_view what) {
    return static_cast<int16_t>(read_le<uint16_t>(what));
  }
  int32_t read_i32_le(std::string_view what) {
    return static_cast<int32_t>(read_le<uint32_t>(what));
  }
  int64_t read_i64_le(std::string_view what) {
    return static_cast<int64_t>(read_le<uint64_t>(what));
  }
  float read_f32_le(std::string_view what) {
    uint32_t bits = read_u32_le(what);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  double read_f64_le(std::string_view what) {
    uint64_t bits = read_u64_le(what);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

  // Reads `n` bytes as a string (no terminator, no encoding check).
  std::string read_string(uint64_t n, std::string_view what) {
    require(n, what);
    std::string s(reinterpret_cast<const char*>(data_.data() + offset_), static_cast<size_t>(n));
    offset_ += n;
    return s;
  }

  std::span<const std::byte> read_bytes(uint64_t n, std::string_view what) {
    require(n, what);
    auto s = data_.subspan(static_cast<size_t>(offset_), static_cast<size_t>(n));
    offset_ += n;
    return s;
  }

  void skip(uint64_t n, std::string_view what) {
    require(n, what);
    offset_ += n;
  }

  // Throws a FormatError located at the current offset.
  [[noreturn]] void fail(std::string_view message) const { fail_at(offset_, message); }
  [[noreturn]] void fail_at(uint64_t offset, std::string_view message) const {
    throw FormatError(source_ + ": " + std::string(message) + " (at byte offset " +
                      std::to_string(offset) + ")");
  }

 private:
  void require(uint64_t n, std::string_view what) const {
    if (n > remaining()) {
      fail("truncated " + std::string(what) + ": needs " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
    }
  }

  template <typename T>
  T read_le(std::string_view what) {
    require(sizeof(T), what);
    T v;
    std::memcpy(&v, data_.data() + offset_, sizeof(T));  // little-endian hosts only (x86-64, arm64)
    offset_ += sizeof(T);
    return v;
  }

  std::span<const std::byte> data_;
  std::string source_;
  uint64_t offset_ = 0;
};

}  // namespace llmem
