// The seam between the Hub client and the network stack. One HTTP(S) GET — no redirects followed,
// no token policy; http_get.cpp does both — is all the client asks of cpp-httplib and OpenSSL, and
// it is the only code that needs them. It is built as a separate shared module
// (libllmem_hub_net.so, src/sources/hub/net/) that the library loads the first time a Hub request
// goes out, so that a process estimating a catalog model or a local file never maps OpenSSL,
// never runs its initialisers and never resolves their symbols at start (docs/hub.md, "Network
// module").
//
// The module exports one function with C linkage and C types only (LlmemHttpGet): the llmem
// executable links libstdc++ statically while the module uses the shared one, so no C++ object,
// allocation or exception crosses the edge. The module calls back into the caller's sink for the
// status, each header and each piece of the body; the callbacks never throw. The ABI version is
// part of the symbol's name, so a module from another build is refused rather than misread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

extern "C" {

struct LlmemHttpHeader {
  const char* name;  // NUL-terminated
  const char* value;
};

struct LlmemHttpRequest {
  const char* origin;  // "scheme://host:port" (Url::origin)
  const char* path;    // percent-encoded, query included
  const LlmemHttpHeader* headers;
  size_t header_count;
  int64_t connect_timeout_ms;
  int64_t read_timeout_ms;  // also the write timeout
  uint64_t max_body_bytes;  // body cap
  int stop_at_cap;          // nonzero: keep the first max_body_bytes and stop (else too_big)
};

// The caller's callbacks; `self` is handed back to each. They must not throw.
struct LlmemHttpSink {
  void* self;
  void (*status)(void* self, int status);
  void (*header)(void* self, const char* name, size_t name_bytes, const char* value,
                 size_t value_bytes);
  void (*body)(void* self, const char* data, size_t bytes);  // not called for a redirect's body
};

// Why a request got no HTTP answer.
enum LlmemHttpError {
  llmem_http_ok = 0,
  llmem_http_connection_timeout = 1,  // no connection within connect_timeout
  llmem_http_read = 2,                // reading the answer failed (a read timeout among others)
  llmem_http_connection = 3,          // refused, unknown host, no network
  llmem_http_tls = 4,                 // TLS handshake, verification or CA loading failed
  llmem_http_other = 5,               // anything else cpp-httplib reports
};

struct LlmemHttpResult {
  int error;             // an LlmemHttpError
  char error_text[128];  // cpp-httplib's name for the error, NUL-terminated, for messages
  int64_t elapsed_ns;    // time the request took
  int truncated;         // stop_at_cap cut the body at max_body_bytes
  int too_big;           // the body passed max_body_bytes and stop_at_cap was 0
};

// Sends the request; fills `result` and returns result->error.
using LlmemHttpGet = int (*)(const LlmemHttpRequest* request, const LlmemHttpSink* sink,
                             LlmemHttpResult* result);

}  // extern "C"

namespace llmem::hub {

inline constexpr const char* k_transport_symbol = "llmem_hub_http_get_v1";
inline constexpr const char* k_transport_module = "libllmem_hub_net.so";

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One GET as the client sees it, on the library's side of the edge.
struct TransportRequest {
  std::string origin;
  std::string path;
  HeaderList headers;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{10000};
  uint64_t max_body_bytes = 0;
  bool stop_at_cap = false;
};

struct TransportResponse {
  LlmemHttpError error = llmem_http_ok;
  std::string error_text;
  std::chrono::nanoseconds elapsed{};
  int status = 0;
  HeaderList headers;  // as received; names compare case-insensitively (RFC 9110 §5.1)
  std::string body;    // empty for a redirect (its body is not kept)
  bool truncated = false;
  bool too_big = false;
};

// Sends `request` through the network module: the one already in the process (a program may link
// libllmem_hub_net), else the module loaded once from the directory of the running executable
// (/proc/self/exe). Throws InputError starting with `who` and naming the path looked at when the
// module is missing or from another build.
TransportResponse transport_get(const TransportRequest& request, const std::string& who);

}  // namespace llmem::hub
