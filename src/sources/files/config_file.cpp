// load_hf_config_file(): a config.json on disk, or the one inside a folder, under the reader's
// size cap. The contract is in include/llmem/sources/files.h.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "llmem/common/error.h"
#include "llmem/sources/files.h"

namespace llmem {

ModelDescription load_hf_config_file(const std::string& path, HfConfigOptions options) {
  namespace fs = std::filesystem;
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
  // AutoGPTQ's quantize_config.json beside it (read only when small, as config.json is).
  if (fs::path qc = p.parent_path() / "quantize_config.json";
      options.quantize_config_json.empty() && fs::is_regular_file(qc, ec) &&
      fs::file_size(qc, ec) < (size_t{1} << 20)) {
    std::ifstream q(qc, std::ios::binary);
    options.quantize_config_json.assign(std::istreambuf_iterator<char>(q), {});
  }
  if (options.source.empty()) options.source = p.string();
  if (options.name.empty()) {
    options.name = p.parent_path().filename().string();
    if (options.name.empty()) options.name = p.stem().string();
  }
  return load_hf_config(text, options);
}

}  // namespace llmem
