// Combining safetensors shard headers into a Checkpoint, and the weights-only description.
#include <set>
#include <unordered_map>

#include "common/checked.h"
#include "formats/json/json_display.h"
#include "llmem/formats/checkpoint.h"

namespace llmem {
namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The decoder layer index in "model.layers.7.mlp…", "h.7.attn…", "blocks.7…"; -1 otherwise.
int32_t guess_layer(const std::string& name) {
  for (std::string_view marker : {"layers.", "h.", "blocks.", "layer."}) {
    for (size_t at = name.find(marker); at != std::string::npos; at = name.find(marker, at + 1)) {
      if (at != 0 && name[at - 1] != '.') continue;
      size_t i = at + marker.size();
      int64_t n = 0;
      size_t digits = 0;
      while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 9) {
        n = n * 10 + (name[i] - '0');
        ++i;
        ++digits;
      }
      if (digits > 0 && (i == name.size() || name[i] == '.')) return static_cast<int32_t>(n);
    }
  }
  return -1;
}

}  // namespace

TensorRole guess_tensor_role(const std::string& name) {
  if (contains(name, "vision") || contains(name, "visual") || contains(name, "image_") ||
      contains(name, "vit.")) {
    return TensorRole::vision;
  }
  if (contains(name, "projector") || contains(name, "mm_proj")) return TensorRole::projector;
  if (contains(name, "lm_head")) return TensorRole::lm_head;
  if (contains(name, "embed_tokens") || contains(name, "wte.") ||
      contains(name, "word_embeddings")) {
    return TensorRole::embedding;
  }
  if (contains(name, "shared_expert")) return TensorRole::shared_expert;
  if (contains(name, "experts")) return TensorRole::routed_expert;
  if (contains(name, "norm") || contains(name, "ln_")) return TensorRole::norm;
  if (contains(name, "attn") || contains(name, "attention")) return TensorRole::attention;
  if (contains(name, "mixer")) return TensorRole::ssm;
  if (contains(name, "mlp.gate.") || contains(name, "router")) return TensorRole::router;
  if (contains(name, "mlp") || contains(name, "ffn") || contains(name, "feed_forward")) {
    return TensorRole::mlp;
  }
  return TensorRole::other;
}

Checkpoint make_checkpoint(const std::vector<CheckpointShard>& shards,
                           const SafetensorsIndex* index, const std::string& index_source) {
  Checkpoint c;
  std::unordered_map<std::string, size_t> where;  // tensor name → index in c.tensors
  for (const auto& s : shards) {
    c.files.push_back(s.file);
    if (c.files.size() == 1) c.metadata = s.header.metadata;
    for (const auto& t : s.header.tensors) {
      auto [it, fresh] = where.emplace(t.name, c.tensors.size());
      if (!fresh) {
        throw FormatError(s.file + ": tensor " + display_name(t.name) + " is also in " +
                          c.tensors[it->second].file + "; a tensor must be stored once");
      }
      c.tensors.push_back({t.name, t.dtype, t.shape, t.bytes(), s.file});
      c.total_bytes = checked_add(c.total_bytes, t.bytes(), "checkpoint bytes");
      uint64_t& per_dtype = c.bytes_per_dtype[t.dtype];
      per_dtype = checked_add(per_dtype, t.bytes(), "checkpoint bytes");
    }
  }
  if (index == nullptr) return c;

  std::set<std::string> given(c.files.begin(), c.files.end());
  for (const auto& f : index->shards) {
    if (!given.contains(f)) {
      throw FormatError(index_source + ": shard " + display_name(f) +
                        " is listed in weight_map but was not read");
    }
  }
  for (const auto& [name, file] : index->weight_map) {
    auto it = where.find(name);
    if (it == where.end() || c.tensors[it->second].file != file) {
      throw FormatError(index_source + ": weight_map puts tensor " + display_name(name) + " in " +
                        file + ", but that shard's header has no such tensor");
    }
  }
  size_t unlisted = 0;
  std::string first_unlisted;
  for (const auto& t : c.tensors) {
    if (!index->weight_map.contains(t.name)) {
      if (unlisted++ == 0) first_unlisted = t.name;
    }
  }
  if (unlisted > 0) {
    c.notes.push_back(
        index_source + ": " + std::to_string(unlisted) +
        " tensors in the shards are not in weight_map (first: " + display_name(first_unlisted) +
        "); they are counted, as loading the "
        "shards reads them");
  }
  c.index_total_size = index->total_size;
  if (index->total_size && *index->total_size != c.total_bytes) {
    c.notes.push_back(index_source + ": metadata.total_size is " +
                      std::to_string(*index->total_size) + " bytes but the shards' headers hold " +
                      std::to_string(c.total_bytes) + " bytes of tensors; the headers are used");
  }
  return c;
}

ModelDescription describe_checkpoint(const Checkpoint& c, const std::string& name,
                                     const std::string& source) {
  ModelDescription m;
  m.name = name;
  m.source = source;
  uint64_t most = 0;
  for (const auto& [dtype, bytes] : c.bytes_per_dtype) {
    if (bytes > most) {
      most = bytes;
      m.torch_dtype = dtype;
    }
  }
  m.weights_format = std::string(dtype_info(m.torch_dtype).name);
  for (const auto& s : c.tensors) {
    Tensor t;
    t.name = s.name;
    t.shape = s.shape;
    t.dtype = s.dtype;
    t.bytes = s.bytes;
    t.role = guess_tensor_role(s.name);
    t.layer = guess_layer(s.name);
    if (t.role == TensorRole::embedding && t.shape.size() == 2) {
      m.vocab_size = t.shape[0];
      m.hidden_size = t.shape[1];
    }
    m.tensors.push_back(std::move(t));
  }
  m.notes = c.notes;
  m.notes.push_back(
      "weights only: no config.json, so tensor roles are guessed from their names "
      "and the KV cache and activations cannot be estimated (pass --config FILE)");
  return m;
}

}  // namespace llmem
