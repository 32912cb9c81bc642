// load_model_path(): the contract is in include/llmem/sources/model_source.h.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "formats/json/json_display.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/formats/gguf.h"
#include "llmem/formats/safetensors.h"
#include "llmem/sources/files.h"
#include "llmem/sources/model_source.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_config = "config.json";
constexpr std::string_view k_index = "model.safetensors.index.json";
constexpr std::string_view k_single = "model.safetensors";
constexpr uint64_t k_max_index_file_bytes = 64u << 20;

// A .gguf file (the first shard of a split model names the rest): header only.
ModelDescription load_gguf(const fs::path& file, const std::string& shown) {
  ModelDescription m = gguf_to_model_description(read_gguf_model(file.string()));
  std::string stem = file.stem().string();
  auto split = stem.find("-00001-of-");
  m.name = split == std::string::npos ? stem : stem.substr(0, split);
  m.source = shown;
  m.notes.push_back("used " + file.filename().string() + " (GGUF header only)");
  return m;
}

// The one model among a folder's .gguf files: a single file, or the first shard of one split.
fs::path pick_gguf(const fs::path& dir, const std::string& path,
                   const std::vector<std::string>& files) {
  std::vector<std::string> models;
  for (const auto& f : files) {
    auto of = f.find("-of-");
    if (of == std::string::npos || f.find("-00001-of-") != std::string::npos) models.push_back(f);
  }
  if (models.size() != 1) {
    std::string list;
    for (const auto& f : models) list += (list.empty() ? "" : ", ") + f;
    throw InputError(path + ": folder holds " + std::to_string(models.size()) + " GGUF models (" +
                     list + "); name the .gguf file to use");
  }
  return dir / models.front();
}

bool has_extension(const fs::path& p, std::string_view ext) { return p.extension() == ext; }

struct FolderListing {
  bool config = false;
  bool index = false;
  std::vector<std::string> safetensors;  // file names, sorted
  std::vector<std::string> gguf;
};

FolderListing list_folder(const fs::path& dir) {
  FolderListing l;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec)) continue;
    if (name == k_config) l.config = true;
    if (name == k_index) l.index = true;
    if (has_extension(e.path(), ".safetensors")) l.safetensors.push_back(name);
    if (has_extension(e.path(), ".gguf")) l.gguf.push_back(name);
  }
  if (ec) throw InputError(dir.string() + ": cannot list the folder (" + ec.message() + ")");
  std::sort(l.safetensors.begin(), l.safetensors.end());
  std::sort(l.gguf.begin(), l.gguf.end());
  return l;
}

std::string read_small_file(const fs::path& p, uint64_t cap) {
  std::error_code ec;
  uint64_t size = fs::file_size(p, ec);
  if (ec) throw InputError(p.string() + ": cannot be read (" + ec.message() + ")");
  if (size > cap) {
    throw FormatError(p.string() + ": " + std::to_string(size) + " bytes is larger than the " +
                      std::to_string(cap) + "-byte limit for this file");
  }
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Weights {
  Checkpoint checkpoint;
  std::string used;  // "4 safetensors shards (headers only)"
};

Weights read_shards(const fs::path& dir, const std::vector<std::string>& files,
                    const SafetensorsIndex* index, const std::string& index_source) {
  std::vector<CheckpointShard> shards;
  for (const auto& f : files) {
    fs::path p = dir / f;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      throw InputError(p.string() + ": shard listed in " + index_source + " is missing");
    }
    shards.push_back({f, read_safetensors_header_file(p.string())});
  }
  Weights w{make_checkpoint(shards, index, index_source), ""};
  if (index != nullptr) {
    w.used = std::to_string(files.size()) + " safetensors shard" + (files.size() == 1 ? "" : "s") +
             " via " + std::string(k_index) + " (headers only)";
  } else {
    w.used = files.front() + " (header only)";
  }
  return w;
}

// The folder's weights: the index if there is one, else model.safetensors, else the only
// .safetensors file. nullopt when the folder holds none.
std::optional<Weights> folder_weights(const fs::path& dir, const FolderListing& l) {
  if (l.index) {
    fs::path ip = dir / k_index;
    auto index = parse_safetensors_index(read_small_file(ip, k_max_index_file_bytes), ip.string());
    Weights w = read_shards(dir, index.shards, &index, ip.string());
    size_t ignored =
        l.safetensors.size() > index.shards.size() ? l.safetensors.size() - index.shards.size() : 0;
    if (ignored > 0) {
      w.checkpoint.notes.push_back(dir.string() + ": " + std::to_string(ignored) +
                                   " .safetensors files not in the index are ignored");
    }
    return w;
  }
  if (l.safetensors.empty()) return std::nullopt;
  if (std::find(l.safetensors.begin(), l.safetensors.end(), k_single) != l.safetensors.end()) {
    return read_shards(dir, {std::string(k_single)}, nullptr, "");
  }
  if (l.safetensors.size() == 1) return read_shards(dir, l.safetensors, nullptr, "");
  std::string names;
  for (const auto& f : l.safetensors) names += (names.empty() ? "" : ", ") + f;
  throw InputError(dir.string() + ": " + std::to_string(l.safetensors.size()) +
                   " .safetensors files (" + names + ") but no " + std::string(k_index) + " or " +
                   std::string(k_single) + " to say which form the model");
}

ModelDescription with_config(const std::string& config, const ModelPathOptions& o,
                             const std::string& default_name, bool tensors_follow = false) {
  HfConfigOptions hf = o.hf;
  if (hf.name.empty()) hf.name = default_name;
  hf.tensors_follow = tensors_follow;
  return load_hf_config_file(config, hf);
}

// config.json with the stored tensors: a supported type is reconciled with them, any other type
// takes its weights from them (load_hf_model).
ModelDescription with_config_and_weights(const std::string& config, const ModelPathOptions& o,
                                         const std::string& default_name, const Weights& w) {
  HfConfigOptions hf = o.hf;
  if (hf.name.empty()) hf.name = default_name;
  if (hf.source.empty()) hf.source = config;
  hf.tensors_follow = true;
  if (hf.quantize_config_json.empty()) hf.quantize_config_json = read_quantize_config_beside(config);
  return load_hf_model(read_hf_config_text(config), w.checkpoint, hf);
}

ModelDescription load_folder(const fs::path& dir, const std::string& path,
                             const ModelPathOptions& o) {
  FolderListing l = list_folder(dir);
  std::string name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  std::string config;
  if (l.config) {
    config = (dir / k_config).string();
  } else if (!o.config_path.empty()) {
    config = o.config_path;
  } else if (!l.safetensors.empty()) {
    throw InputError(path +
                     ": folder has no config.json; a model folder needs config.json "
                     "beside its .safetensors files (or pass --config FILE)");
  } else if (!l.gguf.empty()) {
    return load_gguf(pick_gguf(dir, path, l.gguf), path);
  } else {
    throw InputError(path +
                     ": folder has no config.json, .safetensors or .gguf files; a "
                     "model folder needs config.json with *.safetensors or " +
                     std::string(k_index));
  }
  std::optional<Weights> w = folder_weights(dir, l);
  std::string config_used = l.config ? std::string(k_config) : config;
  if (w) {
    ModelDescription m = with_config_and_weights(config, o, name, *w);
    m.source = path;
    m.notes.push_back("used " + config_used + " + " + w->used);
    return m;
  }
  if (!l.gguf.empty()) {
    ModelDescription g = load_gguf(pick_gguf(dir, path, l.gguf), path);
    g.notes.push_back(
        "the folder's config.json is not used: the GGUF file holds the "
        "architecture and the stored bytes");
    return g;
  }
  ModelDescription m = with_config(config, o, name);
  m.source = path;
  m.notes.push_back("used " + config_used +
                    " only: the folder has no .safetensors files, so weights are counted from "
                    "the config");
  return m;
}

ModelDescription load_safetensors_file(const fs::path& p, const std::string& path,
                                       const ModelPathOptions& o) {
  std::string file = p.filename().string();
  Weights w =
      read_shards(p.parent_path().empty() ? fs::path(".") : p.parent_path(), {file}, nullptr, "");
  std::string name = o.hf.name.empty() ? p.stem().string() : o.hf.name;
  if (o.config_path.empty()) {
    ModelDescription m = describe_checkpoint(w.checkpoint, name, path);
    m.notes.push_back("used " + w.used);
    return m;
  }
  ModelDescription m = with_config_and_weights(o.config_path, o, name, w);
  m.source = path;
  m.notes.push_back("used " + o.config_path + " + " + w.used);
  return m;
}

}  // namespace

bool is_model_path(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::exists(path, ec);
}

ModelDescription load_model_path(const std::string& path, const ModelPathOptions& options) {
  fs::path p(path);
  std::error_code ec;
  auto status = fs::status(p, ec);
  if (ec || !fs::exists(status)) throw InputError(path + ": no such file or folder");
  if (fs::is_directory(status)) return load_folder(p, path, options);
  std::string file = p.filename().string();
  if (file == k_index) {
    return load_folder(p.parent_path().empty() ? fs::path(".") : p.parent_path(), path, options);
  }
  if (has_extension(p, ".safetensors")) return load_safetensors_file(p, path, options);
  if (has_extension(p, ".gguf")) return load_gguf(p, path);
  if (has_extension(p, ".json")) {
    ModelDescription m = load_hf_config_file(path, options.hf);
    m.notes.push_back("used " + file + " only: weights are counted from the config");
    return m;
  }
  throw InputError(path +
                   ": not a model file; expected config.json, a .safetensors or .gguf "
                   "file, or a model folder");
}

}  // namespace llmem
