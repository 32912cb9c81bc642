// Reading a local .safetensors file's header without touching its data: 8 bytes, then exactly
// the 8 + N bytes the length names.
#include <filesystem>
#include <fstream>
#include <vector>

#include "llmem/formats/safetensors.h"
#include "llmem/sources/files.h"

namespace llmem {

SafetensorsHeader read_safetensors_header_file(const std::string& path) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot be read (" + ec.message() + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot be opened for reading");
  auto read = [&](std::vector<std::byte>& buf, size_t n) {
    size_t have = buf.size();
    buf.resize(n);
    in.read(reinterpret_cast<char*>(buf.data() + have), static_cast<std::streamsize>(n - have));
    buf.resize(have + static_cast<size_t>(in.gcount()));
  };
  std::vector<std::byte> bytes;
  read(bytes, static_cast<size_t>(std::min<uint64_t>(size, k_safetensors_prefix_bytes)));
  // Validates the length against the cap and the file size before allocating for it.
  uint64_t end = safetensors_header_end(bytes, size, path);
  read(bytes, static_cast<size_t>(end));
  return parse_safetensors_header(bytes, size, path);
}

}  // namespace llmem
