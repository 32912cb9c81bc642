// The library's side of the network module (src/sources/hub/transport.h): finds the module's
// function — in the process already, or loaded once, on first use, from beside the executable —
// and converts between the client's C++ request and the module's C one.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "llmem/common/error.h"
#include "sources/hub/transport.h"

namespace llmem::hub {
namespace {

struct Loaded {
  LlmemHttpGet fn = nullptr;
  std::string problem;  // why fn is null, for the message
};

// The directory of the running executable, with a trailing '/'; empty when unknown.
std::string executable_dir() {
  std::string path(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<size_t>(n) >= path.size()) return "";
  path.resize(static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1);
}

Loaded load() {
  Loaded out;
  // A program that links libllmem_hub_net (the Hub tests, a Python module) has the function.
  if (void* sym = ::dlsym(RTLD_DEFAULT, k_transport_symbol)) {
    out.fn = reinterpret_cast<LlmemHttpGet>(sym);
    return out;
  }
  std::string dir = executable_dir();
  if (dir.empty()) {
    out.problem = std::string("the executable's directory is unknown (/proc/self/exe: ") +
                  std::strerror(errno) + ")";
    return out;
  }
  std::string path = dir + k_transport_module;
  // RTLD_LOCAL: cpp-httplib's and OpenSSL's symbols stay out of the global scope.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    out.problem =
        path + " could not be loaded (" + (why != nullptr ? why : "no reason given") + ")";
    return out;
  }
  void* sym = ::dlsym(handle, k_transport_symbol);
  if (sym == nullptr) {
    out.problem = path + " has no " + k_transport_symbol + " (it comes from another build)";
    ::dlclose(handle);
    return out;
  }
  out.fn = reinterpret_cast<LlmemHttpGet>(sym);
  return out;  // the module stays loaded for the life of the process
}

// The sink the module writes into. Its callbacks run inside the module's frames, so they catch
// everything (an exception must not unwind through code built against another libstdc++) and
// report out-of-memory after the call.
struct Sink {
  TransportResponse* out;
  bool out_of_memory = false;

  template <typename F>
  static void guarded(void* self, F&& f) noexcept {
    auto* s = static_cast<Sink*>(self);
    try {
      f(*s->out);
    } catch (...) {
      s->out_of_memory = true;
    }
  }
  static void status(void* self, int status) noexcept {
    guarded(self, [&](TransportResponse& r) { r.status = status; });
  }
  static void header(void* self, const char* name, size_t name_bytes, const char* value,
                     size_t value_bytes) noexcept {
    guarded(self, [&](TransportResponse& r) {
      r.headers.emplace_back(std::string(name, name_bytes), std::string(value, value_bytes));
    });
  }
  static void body(void* self, const char* data, size_t bytes) noexcept {
    guarded(self, [&](TransportResponse& r) { r.body.append(data, bytes); });
  }
};

}  // namespace

TransportResponse transport_get(const TransportRequest& request, const std::string& who) {
  static const Loaded loaded = load();  // once, thread-safe (C++11 static initialisation)
  if (loaded.fn == nullptr) {
    throw InputError(who + ": reading from the Hub needs llmem's network module, but " +
                     loaded.problem +
                     "; it is built with llmem (target llmem_hub_net) and must sit beside the "
                     "executable");
  }
  std::vector<LlmemHttpHeader> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers)
    headers.push_back({name.c_str(), value.c_str()});
  LlmemHttpRequest rq{};
  rq.origin = request.origin.c_str();
  rq.path = request.path.c_str();
  rq.headers = headers.data();
  rq.header_count = headers.size();
  rq.connect_timeout_ms = request.connect_timeout.count();
  rq.read_timeout_ms = request.read_timeout.count();
  rq.max_body_bytes = request.max_body_bytes;
  rq.stop_at_cap = request.stop_at_cap ? 1 : 0;

  TransportResponse out;
  Sink sink{&out};
  LlmemHttpSink c_sink{&sink, &Sink::status, &Sink::header, &Sink::body};
  LlmemHttpResult result{};
  loaded.fn(&rq, &c_sink, &result);
  if (sink.out_of_memory) throw std::bad_alloc();
  out.error = static_cast<LlmemHttpError>(result.error);
  out.error_text = result.error_text;
  out.elapsed = std::chrono::nanoseconds(result.elapsed_ns);
  out.truncated = result.truncated != 0;
  out.too_big = result.too_big != 0;
  return out;
}

}  // namespace llmem::hub
