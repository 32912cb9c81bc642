// Small files and byte ranges from the Hub: URLs, cache policy and HTTP status messages.
// Status handling follows huggingface_hub's hf_raise_for_status
// (src/huggingface_hub/utils/_http.py, huggingface/huggingface_hub): the Hub names the cause in
// X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and answers 401 for a
// private or missing repo when no token is sent.
#include "sources/hub/hub_client.h"

#include "common/checked.h"
#include "llmem/common/error.h"
#include "sources/hub/http_get.h"

namespace llmem::hub {
namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

struct ContentRange {
  std::optional<uint64_t> first, last;  // absent for "bytes */total"
  uint64_t total = 0;
};

// "bytes first-last/total" or "bytes */total" (RFC 9110 §14.4); nullopt when malformed or when
// the total is unknown ("*").
std::optional<ContentRange> parse_content_range(std::string_view text) {
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto total = parse_u64(text.substr(slash + 1));
  if (!total) return std::nullopt;
  ContentRange r;
  r.total = *total;
  std::string_view span = text.substr(0, slash);
  if (span == "*") return r;
  auto dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  r.first = parse_u64(span.substr(0, dash));
  r.last = parse_u64(span.substr(dash + 1));
  if (!r.first || !r.last || *r.first > *r.last || *r.last >= r.total) return std::nullopt;
  return r;
}

HttpRequest make_request(const Context& c, const std::string& filename) {
  HttpRequest rq;
  rq.url = c.resolve_url(filename);
  rq.endpoint = c.endpoint;
  rq.token = c.options.token;
  rq.connect_timeout = c.options.connect_timeout;
  rq.read_timeout = c.options.read_timeout;
  rq.max_redirects = c.options.max_redirects;
  rq.who = c.who;
  rq.what = filename;
  return rq;
}

// A cached copy: the Hugging Face cache first, then ours, at the commit either one's ref names.
std::optional<SmallFile> from_cache(const Context& c, const std::string& filename,
                                    bool may_be_missing) {
  for (const RepoCache* refs : {&c.hf, &c.ours}) {
    auto commit = refs->commit_for(c.id.revision);
    if (!commit) continue;
    for (const RepoCache* files : {&c.hf, &c.ours}) {
      if (auto text = files->read_small(*commit, filename, c.options.max_file_bytes)) {
        return SmallFile{std::move(text), *commit, *files->snapshot_file(*commit, filename)};
      }
    }
    for (const RepoCache* files : {&c.hf, &c.ours}) {
      if (may_be_missing && files->known_missing(*commit, filename)) {
        return SmallFile{std::nullopt, *commit, files->dir()};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Context::Context(const HubId& id_in, const HubOptions& options_in)
    : id(id_in),
      options(options_in),
      hf(options_in.hf_cache_dir, id_in),
      ours(options_in.llmem_cache_dir.empty() ? "" : options_in.llmem_cache_dir + "/hub", id_in),
      who(id_in.display()) {
  endpoint_text = options.endpoint;
  while (!endpoint_text.empty() && endpoint_text.back() == '/') endpoint_text.pop_back();
  auto url = parse_url(endpoint_text);
  if (!url || url->path.find('?') != std::string::npos) {
    throw InputError("HF_ENDPOINT is \"" + options.endpoint +
                     "\" but must be an http:// or https:// URL such as https://huggingface.co");
  }
  endpoint = *url;
  if (endpoint.path == "/") endpoint.path.clear();
}

Url Context::resolve_url(const std::string& filename) const {
  Url u = endpoint;
  u.path.append("/").append(percent_encode(id.org, false));
  u.path.append("/").append(percent_encode(id.name, false));
  u.path.append("/resolve/").append(percent_encode(id.revision, false));
  u.path.append("/").append(percent_encode(filename, true));
  return u;
}

bool is_safe_repo_path(std::string_view filename) {
  if (filename.empty() || filename.size() > 1000 || filename.front() == '/') return false;
  for (unsigned char ch : filename) {
    if (ch < 0x20 || ch == 0x7f || ch == '\\') return false;
  }
  size_t start = 0;
  while (start <= filename.size()) {
    size_t end = filename.find('/', start);
    if (end == std::string_view::npos) end = filename.size();
    std::string_view part = filename.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

void throw_http_status(const Context& c, const std::string& filename, int status,
                       const std::string& error_code, const std::string& error_message,
                       const Url& url) {
  const std::string& ep = c.endpoint_text;
  const std::string code = "(HTTP " + std::to_string(status) + ")";
  const bool token = !c.options.token.empty();
  if (error_code == "RepoNotFound") {
    throw InputError(c.who + ": repository not found " + code + "; check the id" +
                     (token ? " and that the token from " + c.options.token_source + " can read it"
                            : ", or set HF_TOKEN if the repository is private"));
  }
  if (status == 401 || status == 403) {
    if (token) {
      throw InputError(
          c.who + ": access denied " + code + " with the token from " + c.options.token_source +
          ": the model is gated or private; accept its licence at " + ep + "/" + c.id.repo() +
          " with that token's account, or check the token at " + ep + "/settings/tokens");
    }
    throw InputError(c.who + ": access denied " + code +
                     ": the model is gated or private; accept its licence at " + ep + "/" +
                     c.id.repo() + " and set HF_TOKEN to a read token from " + ep +
                     "/settings/tokens");
  }
  if (status == 404 && error_code == "RevisionNotFound") {
    throw InputError(c.who + ": revision \"" + c.id.revision + "\" not found " + code +
                     "; check the branch, tag or commit");
  }
  if (status == 404) {
    throw EntryNotFound(c.who + ": " + filename + " not found at revision " + c.id.revision + " " +
                        code);
  }
  if (status == 429) {
    throw InputError(c.who + ": the Hub is limiting the request rate " + code + " for " + filename +
                     "; wait and retry" + (token ? "" : ", or set HF_TOKEN"));
  }
  throw InputError(c.who + ": " + filename + ": HTTP " + std::to_string(status) + " from " +
                   url.site() + (error_message.empty() ? "" : ": " + error_message));
}

void throw_offline(const Context& c, const std::string& what) {
  std::string looked;
  for (const RepoCache* cache : {&c.hf, &c.ours}) {
    if (cache->enabled()) looked += (looked.empty() ? "" : " and ") + cache->dir();
  }
  throw NotCachedOffline(c.who + ": " + what + " for revision " + c.id.revision +
                         " is not in the local cache" +
                         (looked.empty() ? "" : " (looked in " + looked + ")") +
                         " and HF_HUB_OFFLINE is set; run once with the network, or unset "
                         "HF_HUB_OFFLINE");
}

SmallFile fetch_small(const Context& c, const std::string& filename, bool may_be_missing) {
  if (c.options.offline || is_commit_hash(c.id.revision)) {
    if (auto cached = from_cache(c, filename, may_be_missing)) return *cached;
    if (c.options.offline) throw_offline(c, filename);
  }
  HttpRequest rq = make_request(c, filename);
  rq.max_body_bytes = c.options.max_file_bytes;
  HttpResponse resp;
  try {
    resp = http_get(rq);
  } catch (const Unreachable&) {
    // As huggingface_hub does: when the Hub cannot be reached, a cached copy will do.
    if (auto cached = from_cache(c, filename, may_be_missing)) return *cached;
    throw;
  }
  std::string commit = is_commit_hash(resp.commit) ? resp.commit : "";
  if (resp.status == 404 && resp.error_code != "RepoNotFound" &&
      resp.error_code != "RevisionNotFound") {
    c.ours.mark_missing(commit, filename);
    if (may_be_missing) return SmallFile{std::nullopt, commit, "network"};
  }
  if (resp.status != 200) {
    throw_http_status(c, filename, resp.status, resp.error_code, resp.error_message,
                      resp.final_url);
  }
  c.ours.write_ref(c.id.revision, commit);
  c.ours.write_small(commit, filename, resp.body);
  return SmallFile{std::move(resp.body), commit, "network"};
}

HubRange range_get(const Context& c, const std::string& filename, uint64_t first, uint64_t last) {
  HttpRequest rq = make_request(c, filename);
  rq.range = {first, last};
  // A server that ignores Range sends the file from byte 0: keep up to `last`, then stop.
  rq.max_body_bytes = checked_add(last, 1, "a byte range");
  rq.stop_at_cap = true;
  HttpResponse resp = http_get(rq);
  HubRange out;
  out.commit = is_commit_hash(resp.commit) ? resp.commit : "";
  const std::string where = c.who + ": " + filename + ": ";
  if (resp.status == 416) {
    auto cr = parse_content_range(resp.content_range);
    if (!cr) {
      throw FormatError(where + "HTTP 416 with Content-Range \"" + resp.content_range +
                        "\", expected \"bytes */<size>\"");
    }
    out.file_size = cr->total;
    return out;
  }
  if (resp.status == 206) {
    auto cr = parse_content_range(resp.content_range);
    if (!cr || !cr->first || *cr->first != first || *cr->last > last ||
        resp.body.size() != *cr->last - *cr->first + 1) {
      throw FormatError(where + "HTTP 206 for bytes " + std::to_string(first) + "-" +
                        std::to_string(last) + " came with Content-Range \"" + resp.content_range +
                        "\" and " + std::to_string(resp.body.size()) +
                        " bytes, which do not match");
    }
    out.file_size = cr->total;
  } else if (resp.status == 200) {
    // Range ignored: the body is the file from byte 0, cut at `last` + 1 bytes.
    auto size = resp.content_length ? resp.content_length : resp.linked_size;
    if (!size) {
      throw FormatError(where +
                        "the server ignored the Range request and sent no "
                        "Content-Length, so the file size is unknown");
    }
    out.file_size = *size;
    if (first >= resp.body.size()) {
      resp.body.clear();
    } else {
      resp.body.erase(0, static_cast<size_t>(first));
    }
  } else {
    throw_http_status(c, filename, resp.status, resp.error_code, resp.error_message,
                      resp.final_url);
  }
  out.bytes.resize(resp.body.size());
  for (size_t i = 0; i < resp.body.size(); ++i) out.bytes[i] = static_cast<std::byte>(resp.body[i]);
  return out;
}

}  // namespace llmem::hub

namespace llmem {

HubFile fetch_hub_file(const HubId& id, const std::string& filename, const HubOptions& options) {
  hub::Context c(id, options);
  if (!hub::is_safe_repo_path(filename)) {
    throw InputError(c.who + ": file name \"" + filename +
                     "\" must be a relative path inside the repository, without . or .. parts");
  }
  hub::SmallFile f = hub::fetch_small(c, filename, false);
  return HubFile{std::move(*f.text), std::move(f.commit), std::move(f.origin)};
}

HubRange fetch_hub_range(const HubId& id, const std::string& filename, uint64_t first,
                         uint64_t last, const HubOptions& options) {
  hub::Context c(id, options);
  if (!hub::is_safe_repo_path(filename)) {
    throw InputError(c.who + ": file name \"" + filename +
                     "\" must be a relative path inside the repository, without . or .. parts");
  }
  if (first > last) {
    throw InputError(c.who + ": " + filename + ": byte range " + std::to_string(first) + "-" +
                     std::to_string(last) + " is empty; first must be at most last");
  }
  if (options.offline) {
    throw InputError(c.who + ": " + filename +
                     ": a byte range needs the network, and HF_HUB_OFFLINE is set");
  }
  HubRange r = hub::range_get(c, filename, first, last);
  if (r.bytes.empty()) {
    throw InputError(c.who + ": " + filename + ": bytes " + std::to_string(first) + "-" +
                     std::to_string(last) + " start past the end of the file (" +
                     std::to_string(r.file_size) + " bytes)");
  }
  return r;
}

std::string load_hub_config_text(const HubId& id, const HubOptions& options) {
  return fetch_hub_file(id, "config.json", options).text;
}

}  // namespace llmem
