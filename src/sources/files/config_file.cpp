// load_hf_config_file(): a config.json on disk, or the one inside a folder, under the reader's
// size cap. The contract is in include/llmem/sources/files.h.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "llmem/common/error.h"
#include "llmem/sources/files.h"

namespace llmem {

namespace {

namespace fs = std::filesystem;

// The config.json a path names: the file, or the one inside a folder.
fs::path config_path(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    fs::path cfg = p / "config.json";
    if (!fs::exists(cfg, ec)) {
      throw InputError(path +
                       ": folder has no config.json (a model folder needs config.json, "
                       "or pass a .gguf or .safetensors file)");
    }
    p = cfg;
  }
  return p;
}

}  // namespace

std::string read_hf_config_text(const std::string& path) {
  fs::path p = config_path(path);
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(p.string() + ": cannot be opened for reading");
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) throw InputError(p.string() + ": cannot be read");
  if (static_cast<uint64_t>(size) > k_max_config_json_bytes) {
    throw FormatError(p.string() + ": " + std::to_string(size) + " bytes is larger than the " +
                      std::to_string(k_max_config_json_bytes) + "-byte limit for a config.json");
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  return text;
}

std::string read_quantize_config_beside(const std::string& path) {
  // AutoGPTQ's quantize_config.json beside config.json (read only when small, as config.json is).
  std::error_code ec;
  fs::path qc = config_path(path).parent_path() / "quantize_config.json";
  if (!fs::is_regular_file(qc, ec) || fs::file_size(qc, ec) >= (size_t{1} << 20)) return "";
  std::ifstream q(qc, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(q), {});
}

ModelDescription load_hf_config_file(const std::string& path, HfConfigOptions options) {
  fs::path p = config_path(path);
  std::string text = read_hf_config_text(path);
  if (options.quantize_config_json.empty()) {
    options.quantize_config_json = read_quantize_config_beside(path);
  }
  if (options.source.empty()) options.source = p.string();
  if (options.name.empty()) {
    options.name = p.parent_path().filename().string();
    if (options.name.empty()) options.name = p.stem().string();
  }
  return load_hf_config(text, options);
}

}  // namespace llmem
