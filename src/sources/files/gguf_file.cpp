// Local .gguf files: map the file and parse the header in place (the parser touches only the
// header's pages, never the tensor data), or, where a file cannot be mapped, read a growing prefix
// as parse_gguf asks; and find the other shards of a split model beside the first.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <span>

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

// A read-only private mapping of a whole file, unmapped on destruction.
class Mapping {
 public:
  Mapping(void* p, size_t n) : p_(p), n_(n) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { ::munmap(p_, n_); }
  std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(p_), n_}; }

 private:
  void* p_;
  size_t n_;
};

// Parses the header straight from a mapping of the file, which the GgufFile's string arrays then
// share: no copy of the header and no second parse, which for a Llama-3 vocabulary (an 8.9 MB
// header) is most of the cost of reading it. nullopt when the file cannot be mapped (an empty
// file, a pipe, a file system without mmap). A file cut short by another process while it is
// mapped would raise SIGBUS, as it would for llama.cpp, which maps model files the same way.
std::optional<GgufFile> parse_mapped(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open the file: " + std::strerror(errno));
  struct stat st {};
  void* p = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      static_cast<uint64_t>(st.st_size) == size) {
    p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) return std::nullopt;
  auto map = std::make_shared<const Mapping>(p, static_cast<size_t>(st.st_size));
  return parse_gguf(map->bytes(), size, path, map);
}

}  // namespace

GgufFile read_gguf_file(const std::string& path) {
  uint64_t size = file_size_of(path);
  if (auto f = parse_mapped(path, size)) return std::move(*f);
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
