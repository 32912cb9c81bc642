#include "sources/hub/hub_cache.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmem::hub {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view k_header_magic = "llmem-safetensors-header 1 ";
constexpr uint64_t k_max_cached_header_bytes = 100'000'008;  // safetensors' 100 MB cap + 8

std::optional<std::string> read_all(const fs::path& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  auto size = fs::file_size(path, ec);
  if (ec || size > max_bytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) return std::nullopt;
  return text;
}

void write_atomic(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return;
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

bool is_commit_hash(std::string_view text) {
  if (text.size() != 40) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string repo_folder(const HubId& id) { return "models--" + id.org + "--" + id.name; }

RepoCache::RepoCache(const std::string& root, const HubId& id) {
  if (!root.empty()) dir_ = (fs::path(root) / repo_folder(id)).string();
}

std::optional<std::string> RepoCache::commit_for(const std::string& revision) const {
  if (is_commit_hash(revision)) return revision;
  if (!enabled()) return std::nullopt;
  auto text = read_all(fs::path(dir_) / "refs" / revision, 1024);
  if (!text) return std::nullopt;
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  if (!is_commit_hash(*text)) return std::nullopt;
  return text;
}

std::optional<std::string> RepoCache::snapshot_file(const std::string& commit,
                                                    const std::string& filename) const {
  if (!enabled() || !is_commit_hash(commit)) return std::nullopt;
  fs::path p = fs::path(dir_) / "snapshots" / commit / filename;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p.string();
}

std::optional<std::string> RepoCache::read_small(const std::string& commit,
                                                 const std::string& filename,
                                                 uint64_t max_bytes) const {
  auto path = snapshot_file(commit, filename);
  if (!path) return std::nullopt;
  return read_all(*path, max_bytes);
}

bool RepoCache::known_missing(const std::string& commit, const std::string& filename) const {
  if (!enabled() || !is_commit_hash(commit)) return false;
  std::error_code ec;
  return fs::exists(fs::path(dir_) / ".no_exist" / commit / filename, ec);
}

std::optional<HubSafetensorsHeader> RepoCache::read_header(const std::string& commit,
                                                           const std::string& filename) const {
  if (!enabled() || !is_commit_hash(commit)) return std::nullopt;
  auto text = read_all(fs::path(dir_) / "snapshots" / commit / (filename + ".llmem-header"),
                       k_max_cached_header_bytes + 64);
  if (!text || !text->starts_with(k_header_magic)) return std::nullopt;
  auto eol = text->find('\n');
  if (eol == std::string::npos) return std::nullopt;
  std::string size_text = text->substr(k_header_magic.size(), eol - k_header_magic.size());
  if (size_text.empty() || size_text.size() > 19 ||
      size_text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  HubSafetensorsHeader h;
  h.filename = filename;
  h.file_size = std::stoull(size_text);
  std::string_view bytes = std::string_view(*text).substr(eol + 1);
  if (bytes.size() < 8) return std::nullopt;
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);  // little-endian host (x86-64, aarch64)
  if (n != bytes.size() - 8 || bytes.size() > h.file_size) return std::nullopt;
  h.header.resize(bytes.size());
  std::memcpy(h.header.data(), bytes.data(), bytes.size());
  return h;
}

void RepoCache::write_ref(const std::string& revision, const std::string& commit) const {
  if (!enabled() || !is_commit_hash(commit) || is_commit_hash(revision)) return;
  write_atomic(fs::path(dir_) / "refs" / revision, commit);
}

void RepoCache::write_small(const std::string& commit, const std::string& filename,
                            const std::string& text) const {
  if (!enabled() || !is_commit_hash(commit)) return;
  write_atomic(fs::path(dir_) / "snapshots" / commit / filename, text);
}

void RepoCache::mark_missing(const std::string& commit, const std::string& filename) const {
  if (!enabled() || !is_commit_hash(commit)) return;
  write_atomic(fs::path(dir_) / ".no_exist" / commit / filename, "");
}

void RepoCache::write_header(const std::string& commit, const HubSafetensorsHeader& header) const {
  if (!enabled() || !is_commit_hash(commit)) return;
  std::string text = std::string(k_header_magic) + std::to_string(header.file_size) + "\n";
  text.append(reinterpret_cast<const char*>(header.header.data()), header.header.size());
  write_atomic(fs::path(dir_) / "snapshots" / commit / (header.filename + ".llmem-header"), text);
}

}  // namespace llmem::hub
