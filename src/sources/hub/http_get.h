// One HTTP GET with redirects followed by hand (each hop goes through the network module,
// sources/hub/transport.h), so that the token is sent only to the Hub: Authorization goes out
// while the request is on the endpoint's origin (scheme, host, port) and is dropped for good once
// a redirect leaves it. requests and curl drop it on a host change too; the Hub's LFS/Xet
// redirects carry presigned URLs that need no token.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "llmem/common/error.h"
#include "sources/hub/url.h"

namespace llmem::hub {

struct HttpRequest {
  Url url;            // first URL asked
  Url endpoint;       // the Hub's origin: the only one that sees the token
  std::string token;  // bearer token; empty: none
  std::optional<std::pair<uint64_t, uint64_t>> range;  // inclusive byte range
  uint64_t max_body_bytes = 0;                         // body cap
  bool stop_at_cap = false;  // true: keep the first max_body_bytes and stop (range reads)
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{10000};
  int max_redirects = 10;
  std::string who;   // "hf:org/name", starts every message
  std::string what;  // the file, for messages
};

struct HttpResponse {
  int status = 0;
  std::string body;
  bool truncated = false;     // stop_at_cap cut the body
  std::string content_range;  // Content-Range of the final answer
  std::optional<uint64_t> content_length;
  std::string commit;                   // X-Repo-Commit, from whichever hop sent it
  std::optional<uint64_t> linked_size;  // X-Linked-Size (the LFS file's size), from any hop
  std::string error_code;               // X-Error-Code of the final answer (Hub errors)
  std::string error_message;            // X-Error-Message of the final answer
  Url final_url;
  int redirects = 0;
  bool authorization_sent = false;  // on the final hop
};

// The Hub could not be reached (refused, unknown host, no network, timeout): the caller may
// fall back to a cached copy.
class Unreachable : public InputError {
 public:
  using InputError::InputError;
};

// Sends the request, following up to max_redirects redirects. Throws Unreachable, InputError
// (TLS failure, too many redirects) or FormatError (a malformed redirect, an oversized body).
HttpResponse http_get(const HttpRequest& request);

// "0.25 s" / "10 s", for messages.
std::string seconds_text(std::chrono::milliseconds ms);

}  // namespace llmem::hub
