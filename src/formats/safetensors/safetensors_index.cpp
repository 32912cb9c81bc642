// model.safetensors.index.json, as transformers writes it (modeling_utils.py save_pretrained):
//   {"metadata": {"total_size": BYTES, ...}, "weight_map": {"TENSOR":
//   "model-00001-of-00004.safetensors", ...}}
// total_size is the sum of the tensors' bytes (not of the files). Other metadata keys
// (total_parameters …) are ignored.
#include <set>

#include "formats/json/json_display.h"
#include "formats/json/json_text.h"
#include "llmem/formats/safetensors.h"

namespace llmem {
namespace {

constexpr uint64_t k_max_index_bytes = 64u << 20;  // real index files are < 2 MB
constexpr std::string_view k_shard_suffix = ".safetensors";

// A shard is a plain file name in the index's folder: nothing that could walk out of it.
bool is_safe_shard_name(std::string_view s) {
  if (s.size() <= k_shard_suffix.size() || !s.ends_with(k_shard_suffix)) return false;
  if (s.front() == '.') return false;  // hidden files, "..", "./x"
  return s.find_first_of(std::string_view("/\\:\0", 4)) == std::string_view::npos;
}

}  // namespace

SafetensorsIndex parse_safetensors_index(std::string_view json_text, const std::string& source) {
  if (json_text.size() > k_max_index_bytes) {
    throw FormatError(source + ": " + std::to_string(json_text.size()) +
                      " bytes is larger than the " + std::to_string(k_max_index_bytes) +
                      "-byte limit for an index file");
  }
  nlohmann::json j = parse_json_strict(json_text, source);
  auto fail = [&](const std::string& m) -> void { throw FormatError(source + ": " + m); };
  if (!j.is_object()) fail("the top level must be a JSON object, got " + json_type_name(j));

  SafetensorsIndex index;
  if (auto it = j.find("metadata"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) fail("metadata must be an object, got " + json_type_name(*it));
    if (auto t = it->find("total_size"); t != it->end() && !t->is_null()) {
      // Some writers store the integer as a float (7642159104.0); an integral value is accepted.
      if (t->is_number_unsigned()) {
        index.total_size = t->get<uint64_t>();
      } else if (t->is_number_float() && t->get<double>() >= 0 && t->get<double>() < 1.8e19 &&
                 t->get<double>() == static_cast<double>(static_cast<uint64_t>(t->get<double>()))) {
        index.total_size = static_cast<uint64_t>(t->get<double>());
      } else {
        fail("metadata.total_size is " + json_show(*t) + " but must be a non-negative integer");
      }
    }
  }
  auto wm = j.find("weight_map");
  if (wm == j.end()) fail("weight_map is missing");
  if (!wm->is_object()) fail("weight_map must be an object, got " + json_type_name(*wm));
  if (wm->empty()) fail("weight_map is empty: an index must name at least one tensor");
  std::set<std::string> shards;
  for (const auto& [name, file] : wm->items()) {
    if (!file.is_string()) {
      fail("weight_map " + display_name(name) + " must be a shard file name, got " +
           json_type_name(file) + " " + json_show(file));
    }
    const auto& f = file.get_ref<const std::string&>();
    if (!is_safe_shard_name(f)) {
      fail("weight_map " + display_name(name) + " names shard " + display_name(f) +
           "; a shard must be a file name in the same folder ending in .safetensors (no '/', "
           "'\\', ':' or leading '.')");
    }
    index.weight_map.emplace(name, f);
    shards.insert(f);
  }
  index.shards.assign(shards.begin(), shards.end());
  return index;
}

}  // namespace llmem
