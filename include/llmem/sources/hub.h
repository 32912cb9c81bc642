// Reading a model from the Hugging Face Hub without downloading its weights.
//
// What is fetched, for a repo id "org/name[@revision]" (docs/hub.md has the details):
// 1. {endpoint}/{org}/{name}/resolve/{revision}/config.json and, when present,
//    .../model.safetensors.index.json: small files, fetched whole (capped at max_file_bytes).
// 2. For each safetensors shard named in the index's weight_map (or model.safetensors when the
//    repo has no index): the 8-byte header length and the JSON header, by HTTP range requests,
//    plus the file's total size from Content-Range. Megabytes, not gigabytes.
// Redirects are followed by hand (at most max_redirects); the Authorization header is sent only
// while the request stays on the endpoint's scheme+host+port, and is dropped for good once a
// redirect leaves it (LFS/Xet storage answers presigned URLs that must not see the token).
// Caches: complete files are reused from the Hugging Face cache (read only); our partial
// downloads (headers) and copies of small files go only under llmem_cache_dir, never into the
// Hugging Face cache, where a header would look like a complete file to transformers.
// Errors are InputError (the user can act: access, not found, offline, network) or FormatError
// (the server sent something malformed), each one line starting with "hf:org/name".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem {

// A Hub model repository and the revision (branch, tag or commit) to read.
struct HubId {
  std::string org;                // namespace: user or organisation
  std::string name;               // repository name
  std::string revision = "main";  // branch, tag or commit hash

  // "org/name", as the Hub writes it.
  std::string repo() const { return org + "/" + name; }
  // "hf:org/name", with "@revision" unless the revision is "main"; used to start messages.
  std::string display() const;
};

// Parses "org/name" or "org/name@revision". Throws InputError naming the rule broken, e.g.
// parse_hub_id("meta-llama/Llama-3.1-8B@v1") -> {"meta-llama", "Llama-3.1-8B", "v1"}.
HubId parse_hub_id(std::string_view text);

// How to reach the Hub and where the caches are. Fill it with hub_options_from_env() or by hand
// (tests do, so they never read or change the process environment).
struct HubOptions {
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT; http or https, optional path
  std::string token;         // HF_TOKEN or the token file; empty: anonymous requests
  std::string token_source;  // where the token came from, for messages ("HF_TOKEN", a path)
  bool offline = false;      // HF_HUB_OFFLINE: no network at all, caches only
  std::chrono::milliseconds connect_timeout{10000};  // huggingface_hub's default: 10 s
  std::chrono::milliseconds read_timeout{10000};     // HF_HUB_DOWNLOAD_TIMEOUT (seconds)
  std::string hf_cache_dir;               // Hugging Face hub cache, read only; empty: not used
  std::string llmem_cache_dir;            // our cache root (".../llmem"); empty: nothing is written
  int max_redirects = 10;                 // redirects followed per request
  uint64_t max_file_bytes = 64ull << 20;  // cap for config.json / index downloads
  uint64_t header_probe_bytes = 256ull << 10;  // first range read; most headers fit
};

// Reads the options from the environment, as huggingface_hub does: HF_ENDPOINT, HF_TOKEN (else
// the file at HF_TOKEN_PATH or $HF_HOME/token), HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE
// (1, ON, YES, TRUE), HF_HUB_DOWNLOAD_TIMEOUT, HF_HUB_CACHE / $HF_HOME/hub /
// $XDG_CACHE_HOME/huggingface/hub, and $XDG_CACHE_HOME/llmem or ~/.cache/llmem for our cache.
HubOptions hub_options_from_env();

// The same, with `getenv` supplying the variables (nullptr: unset); for tests.
HubOptions hub_options_from_env(const std::function<const char*(const char*)>& getenv);

// A small file read whole.
struct HubFile {
  std::string text;    // the file's bytes
  std::string commit;  // the commit it came from, when the Hub or the cache said (else empty)
  std::string origin;  // "network", or the cache path it was read from
};

// Fetches `filename` from the repo: from a cache when the revision is a commit hash or when
// offline, else from the network (falling back to a cached copy when the Hub is unreachable).
HubFile fetch_hub_file(const HubId& id, const std::string& filename, const HubOptions& options);

// Bytes [first, last] of a file, cut short at its end, with its total size.
struct HubRange {
  std::vector<std::byte> bytes;
  uint64_t file_size = 0;  // from Content-Range (or Content-Length if the server ignored Range)
  std::string commit;      // from X-Repo-Commit, when the Hub sent it
};

// Fetches bytes [first, last] of `filename` with an HTTP range request (never cached; needs the
// network). Throws InputError when first is past the end of the file.
HubRange fetch_hub_range(const HubId& id, const std::string& filename, uint64_t first,
                         uint64_t last, const HubOptions& options);

// One safetensors file's header as stored at the start of the file.
struct HubSafetensorsHeader {
  std::string filename;           // e.g. "model-00001-of-00004.safetensors"
  std::vector<std::byte> header;  // the 8-byte little-endian length N, then N bytes of JSON
  uint64_t file_size = 0;         // the whole file's size in bytes
};

// The header of every safetensors file of the model: the shards listed in the index's
// weight_map (in name order), or model.safetensors when the repo has no index. Reads caches
// first (a complete shard in the Hugging Face cache, then our header cache).
std::vector<HubSafetensorsHeader> hub_safetensors_headers(const HubId& id,
                                                          const HubOptions& options);

// config.json's text for the repo (fetch_hub_file(id, "config.json", options).text).
std::string load_hub_config_text(const HubId& id, const HubOptions& options);

// The repo's model: config.json with its safetensors headers (load_hf_model(): a supported
// model_type is reconciled with the stored tensors, any other takes its weights from them).
// `hf.name` defaults to the repo name.
ModelDescription load_hub_model(const HubId& id, const HubOptions& options, HfConfigOptions hf);

}  // namespace llmem
