// Typed, range-checked reads of GGUF metadata for the model mapper and the split merger. Every
// failure is a FormatError naming the file and the key: "m.gguf: missing required key
// 'llama.block_count'", "m.gguf: key 'llama.block_count' must be an integer but is string",
// "m.gguf: llama.block_count is 0 but must be in [1, 4096]".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/formats/gguf.h"

namespace llmem::gguf {

class MetaView {
 public:
  explicit MetaView(const GgufFile& f) : f_(f) {}

  const GgufFile& file() const { return f_; }
  bool has(std::string_view key) const { return f_.find(key) != nullptr; }

  // An integer scalar (any integer type or bool) in [lo, hi]; nullopt when absent.
  std::optional<int64_t> find_int(std::string_view key, int64_t lo, int64_t hi) const;
  int64_t get_int(std::string_view key, int64_t lo, int64_t hi) const;  // required
  std::string get_string(std::string_view key) const;                   // required

  // A value that is either one integer for every layer or an array with one per layer
  // (llama.cpp's get_key_or_arr); nullopt when absent.
  std::optional<std::vector<int64_t>> find_per_layer(std::string_view key, int64_t layers,
                                                     int64_t lo, int64_t hi) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  int64_t to_int(std::string_view key, const GgufValue& v, int64_t lo, int64_t hi) const;
  const GgufFile& f_;
};

}  // namespace llmem::gguf
