// Private pieces shared by the Hub client's files (hub_client.cpp: small files and ranges;
// hub_headers.cpp: safetensors headers).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "llmem/common/error.h"
#include "llmem/sources/hub.h"
#include "sources/hub/hub_cache.h"
#include "sources/hub/url.h"

namespace llmem::hub {

// Everything one request needs: the id, the options, the parsed endpoint and both caches.
struct Context {
  Context(const HubId& id, const HubOptions& options);

  HubId id;
  HubOptions options;
  Url endpoint;               // parsed HF_ENDPOINT (its path is a prefix for every URL)
  std::string endpoint_text;  // as given, without a trailing '/', for messages
  RepoCache hf;               // Hugging Face cache, read only
  RepoCache ours;             // llmem's cache
  std::string who;            // "hf:org/name[@revision]"

  // {endpoint}/{org}/{name}/resolve/{revision}/{filename}, percent-encoded.
  Url resolve_url(const std::string& filename) const;
};

// A small file, or its absence when the caller allowed it.
struct SmallFile {
  std::optional<std::string> text;  // nullopt: the file does not exist at this revision
  std::string commit;               // the commit, when known
  std::string origin;               // "network" or a cache path
};

// Fetches a small file whole (see fetch_hub_file). With may_be_missing, a 404 for the file
// itself (not the repo or revision) answers an empty SmallFile instead of throwing.
SmallFile fetch_small(const Context& c, const std::string& filename, bool may_be_missing);

// Bytes [first, last] of a file over the network. When the range starts past the end (HTTP
// 416) the answer has no bytes and the file size from Content-Range.
HubRange range_get(const Context& c, const std::string& filename, uint64_t first, uint64_t last);

// A file (not the repo or the revision) is not on the Hub: HTTP 404.
class EntryNotFound : public InputError {
 public:
  using InputError::InputError;
};

// HF_HUB_OFFLINE is set and no cache holds what is needed.
class NotCachedOffline : public InputError {
 public:
  using InputError::InputError;
};

// Throws InputError (EntryNotFound for a missing file) for an HTTP status that is not a success,
// using the Hub's error codes. that is not a success, with the Hub's error codes.
[[noreturn]] void throw_http_status(const Context& c, const std::string& filename, int status,
                                    const std::string& error_code, const std::string& error_message,
                                    const Url& url);

// Throws NotCachedOffline: `what` is needed, HF_HUB_OFFLINE is set and no cache holds it.
[[noreturn]] void throw_offline(const Context& c, const std::string& what);

// True when `filename` is a safe relative path inside a repo (no "..", no leading '/', no
// backslash or control characters, at most 1000 characters).
bool is_safe_repo_path(std::string_view filename);

}  // namespace llmem::hub
