// The safetensors headers of a Hub model: the shard list from model.safetensors.index.json's
// weight_map (transformers' sharded-checkpoint index), or model.safetensors alone; then, per
// shard, the first 8 bytes (the header length N, little-endian u64) and the N-byte JSON header,
// as the safetensors format lays them out (huggingface/safetensors, README "Format").
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/checked.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"
#include "sources/hub/http_get.h"
#include "sources/hub/hub_client.h"

namespace llmem::hub {
namespace {

constexpr const char* k_index_name = "model.safetensors.index.json";  // transformers' name
constexpr const char* k_single_name = "model.safetensors";
// safetensors' own cap on the JSON header (MAX_HEADER_SIZE, safetensors/src/tensor.rs).
constexpr uint64_t k_max_header_bytes = 100'000'000;
constexpr size_t k_max_shards = 100'000;  // bounds the number of requests a hostile index causes

std::vector<std::string> shard_names(const Context& c, const std::string& text) {
  const std::string source = c.who + ": " + k_index_name;
  nlohmann::json j = parse_json_lenient(text, source);
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
    throw FormatError(source + ": weight_map must be an object mapping tensor names to files");
  }
  std::set<std::string> names;
  for (const auto& [tensor, file] : j["weight_map"].items()) {
    if (!file.is_string()) {
      throw FormatError(source + ": weight_map[\"" + tensor +
                        "\"] must be a file name string, "
                        "got " +
                        file.type_name());
    }
    const std::string& name = file.get_ref<const std::string&>();
    if (!is_safe_repo_path(name) || !name.ends_with(".safetensors")) {
      throw FormatError(source + ": weight_map[\"" + tensor + "\"] is \"" + name +
                        "\" but must be a relative .safetensors path without . or .. parts");
    }
    names.insert(name);
    if (names.size() > k_max_shards) {
      throw FormatError(source + ": weight_map names more than " + std::to_string(k_max_shards) +
                        " files");
    }
  }
  if (names.empty()) throw FormatError(source + ": weight_map is empty");
  return {names.begin(), names.end()};
}

uint64_t header_length(const std::vector<std::byte>& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);  // little-endian hosts only (x86-64, aarch64)
  return n;
}

// Checks the declared length against the file size and safetensors' cap; returns 8 + N.
uint64_t header_end(const Context& c, const std::string& filename, uint64_t n, uint64_t size) {
  if (size < 8) {
    throw FormatError(c.who + ": " + filename + " is " + std::to_string(size) +
                      " bytes, too small for a safetensors header (8-byte length, then JSON)");
  }
  uint64_t limit = std::min(k_max_header_bytes, size - 8);
  if (n > limit) {
    throw FormatError(c.who + ": " + filename + " declares a " + std::to_string(n) +
                      "-byte header, but it must be at most " + std::to_string(limit) +
                      " (the file is " + std::to_string(size) +
                      " bytes; safetensors caps "
                      "headers at 100000000)");
  }
  return n + 8;
}

// The header of a complete file in the Hugging Face cache.
HubSafetensorsHeader header_from_file(const Context& c, const std::string& filename,
                                      const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  HubSafetensorsHeader h;
  h.filename = filename;
  std::error_code ec;
  h.file_size = std::filesystem::file_size(path, ec);
  if (!in || ec) throw FormatError(path + ": cannot be read");
  h.header.resize(8);
  if (h.file_size >= 8) in.read(reinterpret_cast<char*>(h.header.data()), 8);
  uint64_t end =
      header_end(c, filename, h.file_size >= 8 ? header_length(h.header) : 0, h.file_size);
  h.header.resize(end);
  in.read(reinterpret_cast<char*>(h.header.data()) + 8, static_cast<std::streamsize>(end - 8));
  if (!in) throw FormatError(path + ": cannot be read");
  return h;
}

// The header over the network: one range read of header_probe_bytes, and a second one when the
// header is longer.
HubSafetensorsHeader header_from_network(const Context& c, const std::string& filename,
                                         std::string& commit) {
  uint64_t probe = std::max<uint64_t>(c.options.header_probe_bytes, 8);
  HubRange first = range_get(c, filename, 0, probe - 1);
  if (commit.empty()) commit = first.commit;
  HubSafetensorsHeader h;
  h.filename = filename;
  h.file_size = first.file_size;
  uint64_t n = first.bytes.size() >= 8 ? header_length(first.bytes) : 0;
  uint64_t end = header_end(c, filename, n, h.file_size);
  h.header = std::move(first.bytes);
  if (h.header.size() < 8) {
    throw FormatError(c.who + ": " + filename + ": the server sent " +
                      std::to_string(h.header.size()) + " of the first 8 bytes");
  }
  if (h.header.size() < end) {
    HubRange rest = range_get(c, filename, h.header.size(), end - 1);
    if (rest.file_size != h.file_size || h.header.size() + rest.bytes.size() != end) {
      throw FormatError(c.who + ": " + filename + ": the second range read returned " +
                        std::to_string(rest.bytes.size()) + " bytes of a " +
                        std::to_string(rest.file_size) + "-byte file, expected " +
                        std::to_string(end - h.header.size()) + " bytes of a " +
                        std::to_string(h.file_size) + "-byte file");
    }
    h.header.insert(h.header.end(), rest.bytes.begin(), rest.bytes.end());
  }
  h.header.resize(end);
  return h;
}

HubSafetensorsHeader shard_header(const Context& c, const std::string& filename,
                                  const std::string& commit) {
  if (auto path = c.hf.snapshot_file(commit, filename)) return header_from_file(c, filename, *path);
  if (auto cached = c.ours.read_header(commit, filename)) return *cached;
  if (c.options.offline) throw_offline(c, "the header of " + filename);
  std::string got_commit = commit;
  HubSafetensorsHeader h = header_from_network(c, filename, got_commit);
  c.ours.write_header(got_commit, h);
  return h;
}

// A cached single-file model with no record of the index (transformers never asks for the
// index when model.safetensors exists) counts as having none.
std::optional<SmallFile> cached_single_file(const Context& c) {
  for (const RepoCache* refs : {&c.hf, &c.ours}) {
    auto commit = refs->commit_for(c.id.revision);
    if (commit && (c.hf.snapshot_file(*commit, k_single_name) ||
                   c.ours.read_header(*commit, k_single_name))) {
      return SmallFile{std::nullopt, *commit, refs->dir()};
    }
  }
  return std::nullopt;
}

// The index, or its absence; offline or with the Hub unreachable, from the caches.
SmallFile index_file(const Context& c) {
  try {
    return fetch_small(c, k_index_name, true);
  } catch (const NotCachedOffline&) {
    if (auto single = cached_single_file(c)) return *single;
    throw;
  } catch (const Unreachable&) {
    if (auto single = cached_single_file(c)) return *single;
    throw;
  }
}

}  // namespace
}  // namespace llmem::hub

namespace llmem {

std::vector<HubSafetensorsHeader> hub_safetensors_headers(const HubId& id,
                                                          const HubOptions& options) {
  hub::Context c(id, options);
  hub::SmallFile index = hub::index_file(c);
  std::vector<std::string> files =
      index.text ? hub::shard_names(c, *index.text) : std::vector<std::string>{hub::k_single_name};
  std::vector<HubSafetensorsHeader> out;
  out.reserve(files.size());
  for (const auto& file : files) {
    try {
      out.push_back(hub::shard_header(c, file, index.commit));
    } catch (const hub::EntryNotFound&) {
      if (index.text) throw;
      // No index and no model.safetensors: say what was looked for.
      throw InputError(c.who + ": neither " + hub::k_index_name + " nor " + hub::k_single_name +
                       " exists at revision " + id.revision +
                       "; llmem reads weights from safetensors headers (a local .gguf or "
                       "config.json also works)");
    }
  }
  return out;
}

}  // namespace llmem
