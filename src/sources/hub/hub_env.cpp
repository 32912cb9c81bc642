// HubOptions from the environment, with huggingface_hub's names, defaults and precedence
// (src/huggingface_hub/constants.py, huggingface/huggingface_hub):
//   HF_HOME        = $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
//   hub cache      = $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub
//   token          = $HF_TOKEN, else the file $HF_TOKEN_PATH, else the file $HF_HOME/token
//   offline        = $HF_HUB_OFFLINE or $TRANSFORMERS_OFFLINE in {1, ON, YES, TRUE}
//   timeouts       = $HF_HUB_DOWNLOAD_TIMEOUT seconds (default 10)
// Our own cache (headers, copies of small files) is $XDG_CACHE_HOME/llmem or ~/.cache/llmem.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "llmem/common/error.h"
#include "llmem/sources/hub.h"

namespace llmem {
namespace {

using Getenv = std::function<const char*(const char*)>;

std::string env(const Getenv& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

bool is_true(const std::string& value) {
  std::string up = value;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  return up == "1" || up == "ON" || up == "YES" || up == "TRUE";
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// The first line of a token file, trimmed; empty when the file is absent or unreadable.
std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  return trim(line);
}

std::chrono::milliseconds parse_timeout(const std::string& text) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) ||
      seconds <= 0 || seconds > 86400) {
    throw InputError("HF_HUB_DOWNLOAD_TIMEOUT is \"" + text +
                     "\" but must be a number of seconds in (0, 86400]");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1000)));
}

}  // namespace

HubOptions hub_options_from_env(const Getenv& getenv) {
  HubOptions o;
  if (std::string ep = env(getenv, "HF_ENDPOINT"); !ep.empty()) {
    while (!ep.empty() && ep.back() == '/') ep.pop_back();
    o.endpoint = ep;
  }
  const std::string home = env(getenv, "HOME");
  const std::string xdg = env(getenv, "XDG_CACHE_HOME");
  const std::string cache_root = !xdg.empty() ? xdg : (!home.empty() ? home + "/.cache" : "");
  std::string hf_home = env(getenv, "HF_HOME");
  if (hf_home.empty() && !cache_root.empty()) hf_home = cache_root + "/huggingface";

  o.hf_cache_dir = env(getenv, "HF_HUB_CACHE");
  if (o.hf_cache_dir.empty()) o.hf_cache_dir = env(getenv, "HUGGINGFACE_HUB_CACHE");
  if (o.hf_cache_dir.empty() && !hf_home.empty()) o.hf_cache_dir = hf_home + "/hub";
  if (!cache_root.empty()) o.llmem_cache_dir = cache_root + "/llmem";

  o.token = trim(env(getenv, "HF_TOKEN"));
  if (!o.token.empty()) {
    o.token_source = "HF_TOKEN";
  } else {
    std::string path = env(getenv, "HF_TOKEN_PATH");
    if (path.empty() && !hf_home.empty()) path = hf_home + "/token";
    if (!path.empty()) {
      o.token = read_token_file(path);
      if (!o.token.empty()) o.token_source = path;
    }
  }

  o.offline =
      is_true(env(getenv, "HF_HUB_OFFLINE")) || is_true(env(getenv, "TRANSFORMERS_OFFLINE"));
  if (std::string t = env(getenv, "HF_HUB_DOWNLOAD_TIMEOUT"); !t.empty()) {
    o.read_timeout = parse_timeout(t);
    o.connect_timeout = o.read_timeout;
  }
  return o;
}

HubOptions hub_options_from_env() {
  return hub_options_from_env([](const char* name) { return std::getenv(name); });
}

}  // namespace llmem
