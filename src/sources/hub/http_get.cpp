// The Hub client's GET: redirects followed by hand with the token policy of http_get.h. Each hop
// goes through the network module (sources/hub/transport.h), loaded on the first request.
#include "sources/hub/http_get.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "sources/hub/transport.h"

namespace llmem::hub {
namespace {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::optional<uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

[[noreturn]] void throw_transport(const HttpRequest& rq, const Url& url,
                                  const TransportResponse& r) {
  const std::string where = rq.who + ": ";
  const std::string offline_hint = "set HF_HUB_OFFLINE=1 to use only the local cache";
  bool read_timed_out =
      r.error == llmem_http_read && r.elapsed + std::chrono::milliseconds(50) >= rq.read_timeout;
  if (r.error == llmem_http_connection_timeout || read_timed_out) {
    auto limit = r.error == llmem_http_connection_timeout ? rq.connect_timeout : rq.read_timeout;
    throw Unreachable(where + url.site() + " did not answer within " + seconds_text(limit) +
                      " (timeout) for " + rq.what + "; retry, raise HF_HUB_DOWNLOAD_TIMEOUT, or " +
                      offline_hint);
  }
  if (r.error == llmem_http_connection) {
    throw Unreachable(where + "cannot reach " + url.site() + " for " + rq.what +
                      " (connection refused, unknown host or no network); check the network "
                      "and HF_ENDPOINT, or " +
                      offline_hint);
  }
  if (r.error == llmem_http_tls) {
    throw InputError(where + "TLS connection to " + url.site() + " failed (" + r.error_text +
                     "); check the system's CA certificates, the clock and HF_ENDPOINT");
  }
  throw Unreachable(where + "the connection to " + url.site() + " failed while fetching " +
                    rq.what + " (" + r.error_text + "); retry, or " + offline_hint);
}

TransportResponse send_one(const HttpRequest& rq, const Url& url, bool send_token) {
  TransportRequest t;
  t.origin = url.origin();
  t.path = url.path;
  if (rq.range) {
    t.headers.emplace_back("Range", "bytes=" + std::to_string(rq.range->first) + "-" +
                                        std::to_string(rq.range->second));
    t.headers.emplace_back("Accept-Encoding", "identity");  // byte offsets must be the file's own
  }
  if (send_token) t.headers.emplace_back("Authorization", "Bearer " + rq.token);
  t.connect_timeout = rq.connect_timeout;
  t.read_timeout = rq.read_timeout;
  t.max_body_bytes = rq.max_body_bytes;
  t.stop_at_cap = rq.stop_at_cap;
  TransportResponse r = transport_get(t, rq.who);
  if (r.error != llmem_http_ok) throw_transport(rq, url, r);
  return r;
}

}  // namespace

std::string seconds_text(std::chrono::milliseconds ms) {
  auto count = ms.count();
  std::string s = std::to_string(count / 1000);
  if (count % 1000 != 0) {
    std::string frac = std::to_string(1000 + count % 1000).substr(1);
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s + " s";
}

HttpResponse http_get(const HttpRequest& rq) {
  HttpResponse out;
  Url url = rq.url;
  bool token_allowed = !rq.token.empty();
  for (int redirects = 0;; ++redirects) {
    // Once the chain leaves the Hub's origin the token stays dropped, even if it comes back.
    if (!same_origin(url, rq.endpoint)) token_allowed = false;
    TransportResponse hop = send_one(rq, url, token_allowed);
    auto header = [&](std::string_view name) {
      for (const auto& [k, v] : hop.headers) {
        if (same_name(k, name)) return v;  // the first, as httplib::Headers::find gives it
      }
      return std::string();
    };
    if (out.commit.empty()) out.commit = header("X-Repo-Commit");
    if (!out.linked_size) out.linked_size = parse_u64(header("X-Linked-Size"));
    if (is_redirect(hop.status)) {
      std::string location = header("Location");
      auto next = resolve_location(url, location);
      if (!next) {
        throw FormatError(rq.who + ": HTTP " + std::to_string(hop.status) + " from " + url.site() +
                          " for " + rq.what + " has an unusable Location \"" + location + "\"");
      }
      if (redirects >= rq.max_redirects) {
        throw InputError(rq.who + ": more than " + std::to_string(rq.max_redirects) +
                         " redirects for " + rq.what + ", the last to " + next->site());
      }
      url = *next;
      continue;
    }
    if (hop.too_big) {
      throw FormatError(rq.who + ": " + rq.what + " is larger than the " +
                        std::to_string(rq.max_body_bytes) + "-byte limit for a metadata file");
    }
    out.status = hop.status;
    out.body = std::move(hop.body);
    out.truncated = hop.truncated;
    out.content_range = header("Content-Range");
    out.content_length = parse_u64(header("Content-Length"));
    out.error_code = header("X-Error-Code");
    out.error_message = header("X-Error-Message");
    out.final_url = url;
    out.redirects = redirects;
    out.authorization_sent = token_allowed;
    return out;
  }
}

}  // namespace llmem::hub
