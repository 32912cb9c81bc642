// A tiny safetensors writer for tests (STYLE.md §13b-c): files are built here, never committed.
// It follows the README's layout (8-byte little-endian length, JSON header padded with spaces to
// a multiple of 8, then the data) and writes files of any size as sparse files, so a test can
// declare a real 16 GB checkpoint without writing 16 GB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <unistd.h>

namespace llmem::test {

struct WTensor {
  std::string name;
  std::string dtype;  // safetensors spelling: "BF16"
  std::vector<uint64_t> shape;
  uint64_t bytes = 0;  // data bytes
};

// Bytes per element ×8 (bits) for the safetensors spellings, from the README / tensor.rs list.
inline uint64_t writer_bits(const std::string& dtype) {
  if (dtype == "F4") return 4;
  if (dtype == "F6_E2M3" || dtype == "F6_E3M2") return 6;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 16;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 32;
  if (dtype == "F64" || dtype == "I64" || dtype == "U64" || dtype == "C64") return 64;
  return 8;  // BOOL U8 I8 F8_*
}

inline WTensor wt(std::string name, std::string dtype, std::vector<uint64_t> shape) {
  uint64_t n = 1;
  for (auto d : shape) n *= d;
  uint64_t bits = n * writer_bits(dtype);
  return {std::move(name), std::move(dtype), std::move(shape), bits / 8};
}

// The 8-byte length + the header text (padded with spaces to a multiple of 8 when `pad`).
inline std::string prefix_and_header(std::string header, bool pad = true) {
  if (pad) header.append((8 - header.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header;
}

// The JSON header for tensors laid out back to back in the order given.
inline std::string header_for(const std::vector<WTensor>& tensors,
                              const nlohmann::json& metadata = nullptr) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata.is_null()) h["__metadata__"] = metadata;
  uint64_t at = 0;
  for (const auto& t : tensors) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {at, at + t.bytes}}};
    at += t.bytes;
  }
  return h.dump();
}

inline uint64_t data_bytes(const std::vector<WTensor>& tensors) {
  uint64_t n = 0;
  for (const auto& t : tensors) n += t.bytes;
  return n;
}

// A whole file in memory: prefix, header and `data` zero bytes.
inline std::vector<std::byte> file_bytes(const std::string& header, uint64_t data,
                                         bool pad = true) {
  std::string s = prefix_and_header(header, pad);
  std::vector<std::byte> out(s.size() + data, std::byte{0});
  for (size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

// Writes prefix + header, then extends the file to hold `data` more bytes without writing them.
inline void write_sparse(const std::filesystem::path& p, const std::string& header, uint64_t data) {
  std::string s = prefix_and_header(header);
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  std::filesystem::resize_file(p, s.size() + data);
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A fresh, empty folder under the system temp folder.
inline std::filesystem::path temp_folder(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("llmem_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace llmem::test
