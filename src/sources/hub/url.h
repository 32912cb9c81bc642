// The little URL handling the Hub client needs: split an absolute http(s) URL into origin and
// path, resolve a redirect's Location against the URL that answered it (RFC 9110 §10.2.2
// allows relative references; the Hub sends "/api/resolve-cache/..." ones), compare origins
// (scheme, host and port: RFC 6454) and percent-encode path segments (RFC 3986 §2.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace llmem::hub {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lowercase; an IPv6 literal keeps its brackets
  int port = 0;        // explicit or the scheme's default (80, 443)
  std::string path;    // starts with '/', query included, fragment removed

  // "scheme://host:port", the form httplib::Client takes.
  std::string origin() const { return scheme + "://" + host + ":" + std::to_string(port); }
  // "scheme://host[:port]", the port shown only when it is not the scheme's default; for messages.
  std::string site() const {
    bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    std::string s = scheme;
    s.append("://").append(host);
    if (!default_port) s.append(":").append(std::to_string(port));
    return s;
  }
  std::string str() const { return site() + path; }
};

// An absolute http:// or https:// URL; nullopt when `text` is not one.
std::optional<Url> parse_url(std::string_view text);

// `location` (absolute, scheme-relative "//host/...", absolute-path or relative) resolved
// against `base`; nullopt when it cannot be used.
std::optional<Url> resolve_location(const Url& base, std::string_view location);

// True when both URLs have the same scheme, host and port.
bool same_origin(const Url& a, const Url& b);

// Percent-encodes everything but RFC 3986's unreserved characters (and '/' when keep_slash).
std::string percent_encode(std::string_view text, bool keep_slash);

}  // namespace llmem::hub
