// Combining safetensors shard headers into a Checkpoint, and the weights-only description.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/checked.h"
#include "formats/json/json_display.h"
#include "formats/records/record_set.h"
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

RoleGuess guess_tensor_role(const std::string& name) {
  if (contains(name, "vision") || contains(name, "visual") || contains(name, "image_") ||
      contains(name, "vit.")) {
    return {TensorRole::vision, WeightGroup::vision_encoder};
  }
  if (contains(name, "projector") || contains(name, "mm_proj")) {
    return {TensorRole::projector, WeightGroup::projector};
  }
  if (contains(name, "lm_head")) return {TensorRole::lm_head, WeightGroup::lm_head};
  if (contains(name, "embed_tokens") || contains(name, "wte.") ||
      contains(name, "word_embeddings")) {
    return {TensorRole::embedding, WeightGroup::embeddings};
  }
  if (contains(name, "norm") || contains(name, "ln_"))
    return {TensorRole::norm, WeightGroup::norms};
  // The module: the last component before ".weight" / ".bias".
  std::string_view module = name;
  for (std::string_view suffix : {".weight", ".bias"}) {
    if (module.ends_with(suffix)) module.remove_suffix(suffix.size());
  }
  if (size_t dot = module.rfind('.'); dot != std::string_view::npos) {
    module.remove_prefix(dot + 1);
  }
  auto is = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), module) != names.end();
  };
  const bool experts = contains(name, "experts");
  const bool shared = contains(name, "shared_expert");
  const bool attention = contains(name, "attn") || contains(name, "attention");
  const WeightGroup ffn = experts || shared ? WeightGroup::experts : WeightGroup::mlp;
  const bool routed = experts && !shared;
  if (contains(name, "mlp.gate.") || contains(name, "router")) {
    return {TensorRole::router, WeightGroup::experts};
  }
  if (is({"q_proj", "wq", "query"})) return {TensorRole::q, WeightGroup::attention};
  if (is({"k_proj", "wk", "key"})) return {TensorRole::k, WeightGroup::attention};
  if (is({"v_proj", "wv", "value"})) return {TensorRole::v, WeightGroup::attention};
  if (is({"qkv_proj", "query_key_value", "c_attn", "Wqkv", "W_pack", "qkv"})) {
    return {TensorRole::qkv, WeightGroup::attention};
  }
  if (is({"o_proj", "wo"}) || (attention && is({"dense", "c_proj", "out_proj"}))) {
    return {TensorRole::o, WeightGroup::attention};
  }
  if (is({"q_a_proj"})) return {TensorRole::q_a, WeightGroup::attention};
  if (is({"q_b_proj"})) return {TensorRole::q_b, WeightGroup::attention};
  if (is({"kv_a_proj_with_mqa"})) return {TensorRole::kv_a, WeightGroup::attention};
  if (is({"kv_b_proj"})) return {TensorRole::kv_b, WeightGroup::attention};
  if (contains(name, "mixer") || contains(name, "ssm")) {
    if (contains(name, "conv1d")) return {TensorRole::ssm_conv, WeightGroup::ssm};
    if (is({"in_proj", "x_proj", "dt_proj"})) return {TensorRole::ssm_in, WeightGroup::ssm};
    if (is({"out_proj"})) return {TensorRole::ssm_out, WeightGroup::ssm};
    return {TensorRole::ssm_param, WeightGroup::ssm};
  }
  if (is({"gate_proj", "w1"})) return {TensorRole::gate, ffn, routed};
  if (is({"up_proj", "w3", "fc1", "c_fc", "dense_h_to_4h"})) return {TensorRole::up, ffn, routed};
  if (is({"down_proj", "w2", "fc2", "c_proj", "dense_4h_to_h"})) {
    return {TensorRole::down, ffn, routed};
  }
  if (is({"gate_up_proj"})) return {TensorRole::gate_up, ffn, routed};
  if (attention) return {TensorRole::attn_other, WeightGroup::attention};
  if (experts || shared) return {TensorRole::other, WeightGroup::experts, routed};
  if (contains(name, "mlp") || contains(name, "ffn") || contains(name, "feed_forward")) {
    return {TensorRole::other, WeightGroup::mlp};
  }
  return {TensorRole::other, WeightGroup::other};
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
  m.stored_format.dtype = m.torch_dtype;
  RecordSet records;
  for (const auto& s : c.tensors) {
    Tensor t;
    t.name = s.name;
    t.shape = s.shape;
    t.dtype = s.dtype;
    t.bytes = s.bytes;
    RoleGuess g = guess_tensor_role(s.name);
    t.role = g.role;
    t.group = g.group;
    t.routed = g.routed;
    t.bias = s.name.ends_with(".bias");
    t.layer = guess_layer(s.name);
    if (t.role == TensorRole::embedding && t.shape.size() == 2) {
      m.vocab_size = t.shape[0];
      m.hidden_size = t.shape[1];
    }
    records.add(std::move(t));
  }
  m.tensors = records.finish();
  m.notes = c.notes;
  m.notes.push_back(
      "weights only: no config.json, so tensor roles are guessed from their names "
      "and the KV cache and activations cannot be estimated (pass --config FILE)");
  return m;
}

}  // namespace llmem
