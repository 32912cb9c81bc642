// The two on-disk caches the Hub client uses, both in the Hugging Face cache layout
// (https://huggingface.co/docs/hub/local-cache):
//   <root>/models--<org>--<name>/refs/<revision>              the commit hash the branch/tag was at
//   <root>/models--<org>--<name>/snapshots/<commit>/<file>    a complete file
//   <root>/models--<org>--<name>/.no_exist/<commit>/<file>    the file is known not to exist
// The Hugging Face cache (HF_HUB_CACHE) is only read. Ours ($XDG_CACHE_HOME/llmem/hub) is also
// written, and is the only place a safetensors header goes, as
//   snapshots/<commit>/<file>.llmem-header = "llmem-safetensors-header 1 <file_size>\n" + 8+N bytes
// so that no partial file ever sits where transformers would take it for the whole file.
// Writes are best effort (a read-only home must not stop an estimate) and atomic (temp + rename).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/sources/hub.h"

namespace llmem::hub {

// True for a full 40-hex-digit git commit hash.
bool is_commit_hash(std::string_view text);

// "models--org--name", the folder huggingface_hub names a model repo's cache.
std::string repo_folder(const HubId& id);

class RepoCache {
 public:
  // `root` is the cache root (HF_HUB_CACHE, or our ".../llmem/hub"); empty disables the cache.
  RepoCache(const std::string& root, const HubId& id);

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

  // The commit `revision` resolves to: itself when it is a commit hash, else refs/<revision>.
  std::optional<std::string> commit_for(const std::string& revision) const;

  // snapshots/<commit>/<filename>, when it is a regular file (symlinks followed).
  std::optional<std::string> snapshot_file(const std::string& commit,
                                           const std::string& filename) const;
  // The whole of snapshots/<commit>/<filename> when present and at most max_bytes long.
  std::optional<std::string> read_small(const std::string& commit, const std::string& filename,
                                        uint64_t max_bytes) const;
  // True when .no_exist/<commit>/<filename> exists.
  bool known_missing(const std::string& commit, const std::string& filename) const;
  // A header stored by write_header, when present and consistent.
  std::optional<HubSafetensorsHeader> read_header(const std::string& commit,
                                                  const std::string& filename) const;

  void write_ref(const std::string& revision, const std::string& commit) const;
  void write_small(const std::string& commit, const std::string& filename,
                   const std::string& text) const;
  void mark_missing(const std::string& commit, const std::string& filename) const;
  void write_header(const std::string& commit, const HubSafetensorsHeader& header) const;

 private:
  std::string dir_;
};

}  // namespace llmem::hub
