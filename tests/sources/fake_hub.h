// A fake Hugging Face Hub for tests: two in-process cpp-httplib servers on 127.0.0.1 (random free
// ports), the "hub" serving files under the Hub's URL layout /{org}/{name}/resolve/{rev}/{file}
// and a "storage" server standing for LFS/Xet storage (another origin: another port), to which
// the hub redirects LFS files with a presigned-looking URL, as huggingface.co does. Both record
// every request (path, Authorization, Range) so tests can assert what was sent. Range requests
// are answered by httplib's own range support (206 + Content-Range). No traffic leaves
// 127.0.0.1; the servers stop in their destructors.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace llmem::test {

// The commit every fake repo is at (any 40 hex digits will do).
inline constexpr const char* k_fake_commit = "0123456789abcdef0123456789abcdef01234567";

// One httplib server bound to 127.0.0.1 on a free port, running on its own thread.
class LocalServer {
 public:
  // Binds (the port is known at once); start() serves, after the routes are in place.
  LocalServer() {
    port_ = server.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a test server on 127.0.0.1");
  }
  ~LocalServer() { stop(); }

  void start() {
    thread_ = std::thread([this] { server.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server.is_running(); ++i) {  // at most 5 s
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void stop() {
    if (!thread_.joinable()) return;
    server.stop();
    thread_.join();
  }
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  httplib::Server server;

 private:
  int port_ = 0;
  std::thread thread_;
};

// What a server saw.
struct SeenRequest {
  std::string path;
  std::string authorization;  // empty when absent
  std::string range;          // empty when absent
};

class FakeHub {
 public:
  struct Repo {
    std::map<std::string, std::string> files;  // filename -> content
    std::vector<std::string> lfs;              // files served by a redirect to storage
    std::string token;                         // non-empty: gated, needs "Bearer <token>"
    std::string moved_to;                      // non-empty: 307 to this repo on the same host
    std::string bounce_to;  // non-empty: 302 to storage, which sends it back to this repo
    int sleep_ms = 0;       // delay before answering (timeout tests)
  };

  FakeHub() {
    hub.server.Get(
        R"(/([^/]+)/([^/]+)/resolve/([^/]+)/(.+))",
        [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); });
    storage.server.Get(R"(/blobs/(.+))",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         record(storage_log_, req);
                         std::lock_guard<std::mutex> lock(mutex_);
                         auto it = blobs_.find(req.matches[1].str());
                         if (it == blobs_.end()) {
                           res.status = 404;
                           return;
                         }
                         serve_range(req, res, it->second);
                       });
    // Storage that redirects back to the hub: the token must stay dropped.
    storage.server.Get(R"(/bounce/(.+))",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         record(storage_log_, req);
                         res.status = 302;
                         res.set_header("Location", hub.origin() + "/" + req.matches[1].str());
                       });
    hub.start();
    storage.start();
  }
  ~FakeHub() {  // stop serving before the state the handlers use goes away
    hub.stop();
    storage.stop();
  }

  void add_repo(const std::string& repo, Repo r) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& name : r.lfs) blobs_[blob_key(repo, name)] = r.files.at(name);
    repos_[repo] = std::move(r);
  }

  std::string endpoint() const { return hub.origin(); }
  std::vector<SeenRequest> hub_log() const { return copy(hub_log_); }
  std::vector<SeenRequest> storage_log() const { return copy(storage_log_); }

  bool ignore_range = false;  // storage ignores Range headers (answers 200 with everything)
  LocalServer hub;
  LocalServer storage;

 private:
  static std::string blob_key(const std::string& repo, const std::string& file) {
    std::string key = repo + "/" + file;
    for (char& ch : key) ch = ch == '/' ? '_' : ch;
    return key;
  }

  // Single-range requests per RFC 9110 §14: 206 with Content-Range (the last byte clamped to the
  // file's end), 416 with "bytes */size" when the range starts past the end. httplib 0.11.4's
  // own range support does not clamp, so it is switched off by clearing the parsed ranges.
  void serve_range(const httplib::Request& req, httplib::Response& res, const std::string& data) {
    auto ranges = req.ranges;
    const_cast<httplib::Request&>(req).ranges.clear();
    if (ignore_range || ranges.size() != 1 || ranges[0].first < 0) {
      res.set_content(data, "application/octet-stream");
      return;
    }
    const size_t size = data.size();
    const size_t first = static_cast<size_t>(ranges[0].first);
    size_t last = ranges[0].second < 0 ? size - 1 : static_cast<size_t>(ranges[0].second);
    if (first >= size) {
      res.status = 416;
      res.set_header("Content-Range", "bytes */" + std::to_string(size));
      return;
    }
    last = std::min(last, size - 1);
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                        "/" + std::to_string(size));
    res.set_content(data.substr(first, last - first + 1), "application/octet-stream");
  }

  void record(std::vector<SeenRequest>& log, const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mutex_);
    log.push_back({req.path, req.get_header_value("Authorization"), req.get_header_value("Range")});
  }

  std::vector<SeenRequest> copy(const std::vector<SeenRequest>& log) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return log;
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    record(hub_log_, req);
    const std::string repo = req.matches[1].str() + "/" + req.matches[2].str();
    const std::string rev = req.matches[3].str();
    const std::string file = req.matches[4].str();
    Repo r;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = repos_.find(repo);
      if (it == repos_.end()) {  // the Hub answers 401 for a missing (or private) repo
        res.status = 401;
        res.set_header("X-Error-Code", "RepoNotFound");
        return;
      }
      r = it->second;
    }
    if (r.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(r.sleep_ms));
    if (!r.moved_to.empty()) {
      res.status = 307;
      res.set_header("Location", "/" + r.moved_to + "/resolve/" + rev + "/" + file);
      return;
    }
    if (!r.bounce_to.empty()) {
      res.status = 302;
      res.set_header("Location",
                     storage.origin() + "/bounce/" + r.bounce_to + "/resolve/" + rev + "/" + file);
      return;
    }
    if (rev != "main" && rev != k_fake_commit) {
      res.status = 404;
      res.set_header("X-Error-Code", "RevisionNotFound");
      return;
    }
    if (!r.token.empty()) {
      std::string auth = req.get_header_value("Authorization");
      if (auth != "Bearer " + r.token) {
        res.status = auth.empty() ? 401 : 403;
        res.set_header("X-Error-Code", "GatedRepo");
        res.set_header("X-Error-Message", "Access to model " + repo + " is restricted.");
        return;
      }
    }
    res.set_header("X-Repo-Commit", k_fake_commit);
    auto f = r.files.find(file);
    if (f == r.files.end()) {
      res.status = 404;
      res.set_header("X-Error-Code", "EntryNotFound");
      return;
    }
    for (const auto& name : r.lfs) {
      if (name == file) {
        res.status = 302;
        res.set_header("X-Linked-Size", std::to_string(f->second.size()));
        res.set_header("Location", storage.origin() + "/blobs/" + blob_key(repo, file) +
                                       "?X-Amz-Signature=fake&X-Amz-Expires=3600");
        return;
      }
    }
    res.set_content(f->second, "application/octet-stream");
  }

  mutable std::mutex mutex_;
  std::map<std::string, Repo> repos_;
  std::map<std::string, std::string> blobs_;
  std::vector<SeenRequest> hub_log_, storage_log_;
};

}  // namespace llmem::test
