// The network module (libllmem_hub_net.so): one HTTP(S) GET through cpp-httplib and OpenSSL, for
// the Hub client's http_get. src/sources/hub/transport.h has the contract: C types across the
// edge, results through the caller's sink, nothing thrown out of the module.
#include <httplib.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <string_view>

#include "sources/hub/transport.h"

namespace {

constexpr const char* k_user_agent = "llmem/0.1 (+cpp-httplib)";

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

LlmemHttpError classify(httplib::Error err) {
  switch (err) {
    case httplib::Error::ConnectionTimeout:
      return llmem_http_connection_timeout;
    case httplib::Error::Read:
      return llmem_http_read;
    case httplib::Error::Connection:
      return llmem_http_connection;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::SSLLoadingCerts:
      return llmem_http_tls;
    default:
      return llmem_http_other;
  }
}

void set_error(LlmemHttpResult& out, LlmemHttpError error, std::string_view text) {
  out.error = error;
  size_t n = std::min(text.size(), sizeof out.error_text - 1);
  std::memcpy(out.error_text, text.data(), n);
  out.error_text[n] = '\0';
}

void get(const LlmemHttpRequest& rq, const LlmemHttpSink& sink, LlmemHttpResult& out) {
  httplib::Client client(rq.origin);
  client.set_follow_location(false);
  client.set_url_encode(false);  // paths are percent-encoded already; Locations come encoded
  client.set_connection_timeout(std::chrono::milliseconds(rq.connect_timeout_ms));
  client.set_read_timeout(std::chrono::milliseconds(rq.read_timeout_ms));
  client.set_write_timeout(std::chrono::milliseconds(rq.read_timeout_ms));
  client.set_keep_alive(false);

  httplib::Headers headers{{"User-Agent", k_user_agent}};
  for (size_t i = 0; i < rq.header_count; ++i) {
    headers.emplace(rq.headers[i].name, rq.headers[i].value);
  }

  int status = 0;
  uint64_t kept = 0;
  auto on_response = [&](const httplib::Response& r) {
    status = r.status;
    sink.status(sink.self, r.status);
    for (const auto& [name, value] : r.headers) {
      sink.header(sink.self, name.data(), name.size(), value.data(), value.size());
    }
    return true;
  };
  auto on_data = [&](const char* data, size_t n) {
    if (is_redirect(status)) return true;  // a redirect's body is ignored
    uint64_t room = rq.max_body_bytes - kept;
    if (n > room) {
      sink.body(sink.self, data, static_cast<size_t>(room));
      kept += room;
      (rq.stop_at_cap != 0 ? out.truncated : out.too_big) = 1;
      return false;  // stop reading: httplib reports Canceled
    }
    sink.body(sink.self, data, n);
    kept += n;
    return true;
  };
  auto start = std::chrono::steady_clock::now();
  httplib::Result res = client.Get(rq.path, headers, on_response, on_data);
  out.elapsed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  if (res.error() == httplib::Error::Canceled && (out.truncated != 0 || out.too_big != 0)) return;
  if (res.error() != httplib::Error::Success || status == 0) {
    set_error(out, classify(res.error()), httplib::to_string(res.error()));
  }
}

}  // namespace

static_assert(std::string_view(llmem::hub::k_transport_symbol) == "llmem_hub_http_get_v1",
              "the exported name below must be k_transport_symbol");

extern "C" __attribute__((visibility("default"))) int llmem_hub_http_get_v1(
    const LlmemHttpRequest* request, const LlmemHttpSink* sink, LlmemHttpResult* result) {
  *result = LlmemHttpResult{};
  try {
    get(*request, *sink, *result);
  } catch (const std::exception& e) {
    set_error(*result, llmem_http_other, e.what());
  } catch (...) {
    set_error(*result, llmem_http_other, "unknown failure");
  }
  return result->error;
}
