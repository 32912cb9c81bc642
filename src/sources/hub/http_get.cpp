#include "sources/hub/http_get.h"

#include <httplib.h>

#include <chrono>

namespace llmem::hub {
namespace {

constexpr const char* k_user_agent = "llmem/0.1 (+cpp-httplib)";

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

struct Hop {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  bool truncated = false;
  bool too_big = false;
};

[[noreturn]] void throw_transport(const HttpRequest& rq, const Url& url, httplib::Error err,
                                  std::chrono::steady_clock::duration elapsed) {
  const std::string where = rq.who + ": ";
  const std::string offline_hint = "set HF_HUB_OFFLINE=1 to use only the local cache";
  bool read_timed_out =
      err == httplib::Error::Read && elapsed + std::chrono::milliseconds(50) >= rq.read_timeout;
  if (err == httplib::Error::ConnectionTimeout || read_timed_out) {
    auto limit = err == httplib::Error::ConnectionTimeout ? rq.connect_timeout : rq.read_timeout;
    throw Unreachable(where + url.site() + " did not answer within " + seconds_text(limit) +
                      " (timeout) for " + rq.what + "; retry, raise HF_HUB_DOWNLOAD_TIMEOUT, or " +
                      offline_hint);
  }
  if (err == httplib::Error::Connection) {
    throw Unreachable(where + "cannot reach " + url.site() + " for " + rq.what +
                      " (connection refused, unknown host or no network); check the network "
                      "and HF_ENDPOINT, or " +
                      offline_hint);
  }
  if (err == httplib::Error::SSLConnection || err == httplib::Error::SSLServerVerification ||
      err == httplib::Error::SSLLoadingCerts) {
    throw InputError(where + "TLS connection to " + url.site() + " failed (" +
                     httplib::to_string(err) +
                     "); check the system's CA certificates, the clock and HF_ENDPOINT");
  }
  throw Unreachable(where + "the connection to " + url.site() + " failed while fetching " +
                    rq.what + " (" + httplib::to_string(err) + "); retry, or " + offline_hint);
}

Hop send_one(const HttpRequest& rq, const Url& url, bool send_token) {
  httplib::Client client(url.origin());
  client.set_follow_location(false);
  client.set_url_encode(false);  // paths are percent-encoded already; Locations come encoded
  client.set_connection_timeout(rq.connect_timeout);
  client.set_read_timeout(rq.read_timeout);
  client.set_write_timeout(rq.read_timeout);
  client.set_keep_alive(false);

  httplib::Headers headers{{"User-Agent", k_user_agent}};
  if (rq.range) {
    headers.emplace("Range", "bytes=" + std::to_string(rq.range->first) + "-" +
                                 std::to_string(rq.range->second));
    headers.emplace("Accept-Encoding", "identity");  // byte offsets must be the file's own
  }
  if (send_token) headers.emplace("Authorization", "Bearer " + rq.token);

  Hop hop;
  auto on_response = [&](const httplib::Response& r) {
    hop.status = r.status;
    hop.headers = r.headers;
    return true;
  };
  auto on_data = [&](const char* data, size_t n) {
    if (is_redirect(hop.status)) return true;  // a redirect's body is ignored
    uint64_t room = rq.max_body_bytes - hop.body.size();
    if (n > room) {
      hop.body.append(data, static_cast<size_t>(room));
      (rq.stop_at_cap ? hop.truncated : hop.too_big) = true;
      return false;  // stop reading: httplib reports Canceled
    }
    hop.body.append(data, n);
    return true;
  };
  auto start = std::chrono::steady_clock::now();
  httplib::Result res = client.Get(url.path, headers, on_response, on_data);
  if (res.error() == httplib::Error::Canceled && (hop.truncated || hop.too_big)) return hop;
  if (res.error() != httplib::Error::Success || hop.status == 0) {
    throw_transport(rq, url, res.error(), std::chrono::steady_clock::now() - start);
  }
  return hop;
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
    Hop hop = send_one(rq, url, token_allowed);
    auto header = [&](const char* name) {
      auto it = hop.headers.find(name);  // httplib::Headers compares names case-insensitively
      return it == hop.headers.end() ? std::string() : it->second;
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
