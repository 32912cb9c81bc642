// A tiny GGUF writer for tests and benchmarks (STYLE.md §13b/c): files are built in memory from
// the same value types the reader returns, so a round trip compares like with like. Written from
// the layout in ggml-org/ggml docs/gguf.md; it writes the header and declares the data size
// without materialising the tensor data.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/formats/gguf.h"

namespace llmem::test {

class GgufBytes {
 public:
  std::string bytes;

  template <typename T>
  GgufBytes& raw(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    bytes.append(b, sizeof(T));
    return *this;
  }
  GgufBytes& u8(uint8_t v) { return raw(v); }
  GgufBytes& u32(uint32_t v) { return raw(v); }
  GgufBytes& u64(uint64_t v) { return raw(v); }
  GgufBytes& str(std::string_view s) {
    u64(s.size());
    bytes.append(s);
    return *this;
  }
  GgufBytes& text(std::string_view s) {
    bytes.append(s);
    return *this;
  }

  // One value of scalar type `t` taken from the category held in `data`.
  void scalar(GgufValueType t, uint64_t u, int64_t i, double f, const std::string* s) {
    switch (t) {
      case GgufValueType::u8:
      case GgufValueType::boolean:
        raw(static_cast<uint8_t>(u));
        break;
      case GgufValueType::u16:
        raw(static_cast<uint16_t>(u));
        break;
      case GgufValueType::u32:
        raw(static_cast<uint32_t>(u));
        break;
      case GgufValueType::u64:
        raw(u);
        break;
      case GgufValueType::i8:
        raw(static_cast<int8_t>(i));
        break;
      case GgufValueType::i16:
        raw(static_cast<int16_t>(i));
        break;
      case GgufValueType::i32:
        raw(static_cast<int32_t>(i));
        break;
      case GgufValueType::i64:
        raw(i);
        break;
      case GgufValueType::f32:
        raw(static_cast<float>(f));
        break;
      case GgufValueType::f64:
        raw(f);
        break;
      default:
        str(*s);
    }
  }

  GgufBytes& kv(std::string_view key, const GgufValue& v) {
    str(key);
    u32(static_cast<uint32_t>(v.type));
    if (!v.is_array()) {
      if (auto* u = std::get_if<uint64_t>(&v.data)) scalar(v.type, *u, 0, 0, nullptr);
      if (auto* i = std::get_if<int64_t>(&v.data)) scalar(v.type, 0, *i, 0, nullptr);
      if (auto* f = std::get_if<double>(&v.data)) scalar(v.type, 0, 0, *f, nullptr);
      if (auto* s = std::get_if<std::string>(&v.data)) scalar(v.type, 0, 0, 0, s);
      return *this;
    }
    u32(static_cast<uint32_t>(v.element_type));
    u64(v.array_size());
    if (auto* u = std::get_if<std::vector<uint64_t>>(&v.data)) {
      for (auto x : *u) scalar(v.element_type, x, 0, 0, nullptr);
    }
    if (auto* i = std::get_if<std::vector<int64_t>>(&v.data)) {
      for (auto x : *i) scalar(v.element_type, 0, x, 0, nullptr);
    }
    if (auto* f = std::get_if<std::vector<double>>(&v.data)) {
      for (auto x : *f) scalar(v.element_type, 0, 0, x, nullptr);
    }
    if (auto* s = std::get_if<GgufStringArray>(&v.data)) {
      for (std::string_view x : *s) str(x);
    }
    return *this;
  }

  GgufBytes& tensor_info(std::string_view name, const std::vector<uint64_t>& dims, uint32_t type,
                         uint64_t offset) {
    str(name);
    u32(static_cast<uint32_t>(dims.size()));
    for (auto d : dims) u64(d);
    u32(type);
    u64(offset);
    return *this;
  }

  GgufBytes& pad_to(uint64_t alignment) {
    while (bytes.size() % alignment != 0) bytes.push_back('\0');
    return *this;
  }

  std::span<const std::byte> span() const {
    return {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()};
  }
};

// Value constructors.
inline GgufValue gguf_u(GgufValueType t, uint64_t v) { return {t, GgufValueType::u8, v}; }
inline GgufValue gguf_i(GgufValueType t, int64_t v) { return {t, GgufValueType::u8, v}; }
inline GgufValue gguf_f(GgufValueType t, double v) { return {t, GgufValueType::u8, v}; }
inline GgufValue gguf_u32(uint64_t v) { return gguf_u(GgufValueType::u32, v); }
inline GgufValue gguf_str(std::string s) {
  return {GgufValueType::string, GgufValueType::u8, std::move(s)};
}
template <typename T>
GgufValue gguf_array(GgufValueType element, std::vector<T> v) {
  return {GgufValueType::array, element, std::move(v)};
}

// A whole file: header, packed tensor offsets, and the declared size of the data.
struct GgufSpec {
  uint32_t version = 3;
  uint32_t alignment = 32;  // used for packing; put general.alignment in `metadata` to declare it
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::vector<GgufTensorInfo> tensors;  // name, dims, type, bytes (offsets are computed)
};

struct GgufImage {
  GgufBytes header;        // everything up to the data section, padded to the alignment
  uint64_t file_size = 0;  // header + packed tensor data
};

inline GgufImage write_gguf(GgufSpec spec) {
  GgufImage img;
  img.header.text("GGUF").u32(spec.version).u64(spec.tensors.size()).u64(spec.metadata.size());
  for (const auto& [k, v] : spec.metadata) img.header.kv(k, v);
  uint64_t offset = 0;
  for (auto& t : spec.tensors) {
    t.offset = offset;
    img.header.tensor_info(t.name, t.dims, static_cast<uint32_t>(t.type), t.offset);
    offset += t.bytes;
    offset += (spec.alignment - offset % spec.alignment) % spec.alignment;
  }
  img.header.pad_to(spec.alignment);
  img.file_size = img.header.bytes.size() + offset;
  return img;
}

}  // namespace llmem::test
