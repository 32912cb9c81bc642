// Local .gguf files: read only the header, growing the read as the parser asks (the prefix
// protocol of parse_gguf), and find the other shards of a split model beside the first.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "formats/gguf/gguf_keys.h"
#include "formats/gguf/gguf_meta.h"
#include "llmem/formats/gguf.h"
#include "llmem/sources/files.h"

namespace llmem {
namespace {

constexpr uint64_t k_first_read_bytes = uint64_t{1}
                                        << 20;  // most headers fit; vocabularies may not

uint64_t file_size_of(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot read the file: " + ec.message());
  return size;
}

}  // namespace

GgufFile read_gguf_file(const std::string& path) {
  uint64_t size = file_size_of(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the file: " + std::strerror(errno));
  std::vector<std::byte> buf;
  uint64_t want = std::min(size, k_first_read_bytes);
  for (;;) {
    uint64_t have = buf.size();
    buf.resize(static_cast<size_t>(want));
    in.read(reinterpret_cast<char*>(buf.data() + have), static_cast<std::streamsize>(want - have));
    if (static_cast<uint64_t>(in.gcount()) != want - have) {
      throw InputError(path + ": the file shrank while it was read");
    }
    try {
      return parse_gguf(buf, size, path);
    } catch (const GgufIncompleteError& e) {
      want = std::min(size, std::max(e.bytes_needed(), 2 * want));
    }
  }
}

GgufFile read_gguf_model(const std::string& path) {
  GgufFile first = read_gguf_file(path);
  gguf::MetaView meta(first);
  int64_t count = meta.find_int(gguf::keys::k_split_count, 0, 99999).value_or(1);
  if (count <= 1) return first;
  static const std::regex k_shard(R"((.*)-(\d{5})-of-(\d{5})\.gguf)");
  std::smatch match;
  if (!std::regex_match(path, match, k_shard)) {
    throw InputError(path + ": " + std::string(gguf::keys::k_split_count) + " is " +
                     std::to_string(count) +
                     " but the name does not end in -NNNNN-of-NNNNN.gguf, so the other shards "
                     "cannot be found");
  }
  std::vector<GgufFile> shards;
  for (int64_t i = 1; i <= count; ++i) {
    char part[64];
    std::snprintf(part, sizeof part, "-%05lld-of-%05lld.gguf", static_cast<long long>(i),
                  static_cast<long long>(count));
    std::string shard_path = match[1].str() + part;
    shards.push_back(shard_path == path ? first : read_gguf_file(shard_path));
  }
  return merge_gguf_splits(std::move(shards));
}

}  // namespace llmem
