// reconcile(): the checkpoint's stored bytes replace the config-derived ones, tensor by tensor.
// Quantisation parts are recognised by the names their writers give them:
// - GPTQ / AutoGPTQ / AWQ: MODULE.{qweight,qzeros,scales,g_idx} (no MODULE.weight);
// - compressed-tensors and vLLM fp8/int8: MODULE.{weight_packed,weight_scale,weight_zero_point,
//   weight_g_idx,weight_shape,weight_global_scale,input_scale,input_global_scale}, k_scale/v_scale;
// - DeepSeek-V3 fp8: MODULE.weight_scale_inv; MLX: MODULE.{scales,biases};
// - bitsandbytes: MODULE.weight.{absmax,quant_map,nested_absmax,nested_quant_map,quant_state.*},
//   int8's MODULE.SCB and MODULE.weight_format;
// - gpt-oss MXFP4: PARAM_blocks and PARAM_scales beside PARAM;
// - HQQ (hqq HQQLinear.state_dict): MODULE.{W_q,scale,zero} and its meta tensors (nbits, shape …);
// - AQLM: MODULE.{codes,codebooks,scales}; EETQ: MODULE.weight_scales;
// - EXL2: MODULE.{q_weight,q_scale,q_scale_max,q_groups,q_invperm,q_perm};
// - EXL3: MODULE.{trellis,suh,svh,su,sv,mcg,mul1};
// - torchao safetensors (prototype/safetensors flatten_tensor_state_dict): MODULE._weight_<data>.
#include <algorithm>
#include <array>
#include <bitset>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "common/checked.h"
#include "formats/json/json_display.h"
#include "formats/records/record_set.h"
#include "llmem/formats/checkpoint.h"

namespace llmem {
namespace {

constexpr std::array<std::string_view, 60> k_module_parts = {
    "qweight", "qzeros", "scales", "g_idx", "biases", "weight_scale", "weight_scale_inv",
    "weight_zero_point", "weight_packed", "weight_shape", "weight_g_idx", "weight_global_scale",
    "input_scale", "input_global_scale", "output_scale", "k_scale", "v_scale", "q_scale", "SCB",
    "weight_format",
    // HQQ
    "W_q", "scale", "zero", "nbits", "group_size", "shape", "axis", "packing", "unpack_view_dtype",
    "view_as_float", "quant_scale", "quant_zero", "compute_dtype", "offload_meta",
    "encoded_state_dict", "stores_quant_config", "channel_wise", "optimize", "round_zero",
    // AQLM, EETQ
    "codes", "codebooks", "weight_scales",
    // EXL2
    "q_weight", "q_scale_max", "q_groups", "q_invperm", "q_perm",
    // EXL3
    "trellis", "suh", "svh", "su", "sv", "mcg", "mul1",
    // torchao
    "_weight_qdata", "_weight_scale", "_weight_zero_point", "_weight_scale_and_zero",
    "_weight_act_pre_scale"};

// Quantisation parts of a weight, as one bit each: the module parts above, then the parts
// bitsandbytes writes under the weight's own name, then MXFP4's suffixes.
constexpr std::array<std::string_view, 7> k_weight_parts = {"weight.absmax",
                                                            "weight.quant_map",
                                                            "weight.nested_absmax",
                                                            "weight.nested_quant_map",
                                                            "weight.quant_state",
                                                            "blocks",
                                                            "scales"};
using PartBits = std::bitset<96>;
constexpr size_t k_own_index = 95;  // the tensor stored under the described name itself
static_assert(k_module_parts.size() + k_weight_parts.size() < k_own_index);

PartBits bit_at(size_t i) {
  PartBits b;
  b.set(i);
  return b;
}

PartBits part_bit(std::string_view part) {
  for (size_t i = 0; i < k_module_parts.size(); ++i) {
    if (k_module_parts[i] == part) return bit_at(i);
  }
  for (size_t i = 0; i < k_weight_parts.size(); ++i) {
    if (k_weight_parts[i] == part) return bit_at(k_module_parts.size() + i);
  }
  return {};
}

std::set<std::string> part_names(const PartBits& bits) {
  std::set<std::string> names;
  for (size_t i = 0; i < k_module_parts.size(); ++i) {
    if (bits.test(i)) names.insert(std::string(k_module_parts[i]));
  }
  for (size_t i = 0; i < k_weight_parts.size(); ++i) {
    if (bits.test(k_module_parts.size() + i)) names.insert(std::string(k_weight_parts[i]));
  }
  return names;
}

// What the checkpoint stores for one instance of a described tensor.
struct Stored {
  uint64_t bytes = 0;
  uint64_t main_bytes = 0;
  DType main_dtype = DType::bf16;
  uint64_t own_elements = 0;  // elements of the tensor stored under the described name
  PartBits parts;             // part bits, k_own_index when the name itself is stored
};

// Finds the record a stored tensor name belongs to: the same name template, and the record
// whose layers hold the name's layer index.
class Matcher {
 public:
  explicit Matcher(const ModelDescription& m) : m_(m) {
    for (size_t i = 0; i < m.tensors.size(); ++i) {
      std::string t = name_template(m.tensors[i].name);
      by_template_[t].push_back(i);
      sorted_.emplace(std::move(t), i);
    }
  }

  // Exact template, else the same name with or without a leading "model." / "transformer."
  // (GPT-2's checkpoints store "h.0.attn…" for transformers' "transformer.h.0.attn…").
  std::optional<size_t> find(const std::string& name) const {
    const std::string t = name_template(name);
    const int64_t index = first_index(name);
    if (auto i = exact(t, index)) return i;
    for (std::string_view p : {"model.", "transformer."}) {
      if (auto i = exact(std::string(p) + t, index)) return i;
      if (t.starts_with(p)) {
        if (auto i = exact(t.substr(p.size()), index)) return i;
      }
    }
    // The layouts a wrapper's checkpoint has been saved in: transformers before 4.52
    // (language_model.model.*, vision_tower.*) and after (model.language_model.*,
    // model.vision_tower.*), and mlx-vlm's vision_tower for a Qwen visual tower.
    static constexpr std::pair<std::string_view, std::string_view> k_aliases[] = {
        {"language_model.model.", "model.language_model."},
        {"language_model.lm_head.", "lm_head."},
        {"vision_tower.", "model.vision_tower."},
        {"multi_modal_projector.", "model.multi_modal_projector."},
        {"model.visual.", "model.vision_tower."},
    };
    for (auto [a, b] : k_aliases) {
      for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
        if (!t.starts_with(from)) continue;
        if (auto i = exact(std::string(to) + t.substr(from.size()), index)) return i;
      }
    }
    return std::nullopt;
  }

  // The described weight an auxiliary quantisation tensor belongs to, its concrete name and the
  // part's bit.
  struct Owner {
    size_t record;
    std::string name;
    PartBits bit;
  };
  std::optional<Owner> owner(const std::string& n) const {
    size_t dot = n.rfind('.');
    if (dot != std::string::npos) {
      std::string leaf = n.substr(dot + 1);
      std::string module = n.substr(0, dot);
      if (PartBits bit = part_bit(leaf);
          bit.any() &&
          std::find(k_module_parts.begin(), k_module_parts.end(), leaf) != k_module_parts.end()) {
        if (auto i = find(module + ".weight")) return Owner{*i, module + ".weight", bit};
        if (auto i = first_under(module)) return Owner{*i, module, bit};
      }
    }
    if (size_t w = n.find(".weight."); w != std::string::npos) {
      std::string weight = n.substr(0, w + 7);
      if (auto i = find(weight)) {
        std::string part = n.substr(w + 1);
        if (size_t d = part.find('.', 7); d != std::string::npos) part.resize(d);
        if (PartBits bit = part_bit(part); bit.any()) return Owner{*i, weight, bit};
      }
    }
    for (std::string_view suffix : {"_blocks", "_scales"}) {
      if (n.ends_with(suffix)) {
        std::string param = n.substr(0, n.size() - suffix.size());
        if (auto i = find(param)) return Owner{*i, param, part_bit(suffix.substr(1))};
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<size_t> exact(const std::string& t, int64_t index) const {
    auto it = by_template_.find(t);
    if (it == by_template_.end()) return std::nullopt;
    std::optional<size_t> outside;
    for (size_t i : it->second) {
      const Tensor& r = m_.tensors[i];
      if (r.layer < 0) {
        if (!outside) outside = i;
        continue;
      }
      if (index >= r.layer && index < int64_t{r.layer} + r.layers) return i;
    }
    return outside;
  }
  std::optional<size_t> first_under(const std::string& module) const {
    std::string prefix = name_template(module) + ".";
    auto it = sorted_.lower_bound(prefix);
    if (it != sorted_.end() && it->first.starts_with(prefix)) {
      // the record of that module in the right layer, when there are several
      return exact(it->first, first_index(module)).value_or(it->second);
    }
    return std::nullopt;
  }

  const ModelDescription& m_;
  std::unordered_map<std::string, std::vector<size_t>> by_template_;
  std::multimap<std::string, size_t> sorted_;
};

std::string join(const std::set<std::string>& parts, std::string_view sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : std::string(sep)) + p;
  return s;
}

uint64_t stored_elements(const CheckpointTensor& t) {
  uint64_t n = 1;
  for (int64_t d : t.shape) n = checked_mul(n, static_cast<uint64_t>(d), "element count");
  return n;
}

// Extras keep only the roles a name can tell reliably.
RoleGuess extra_role(const std::string& name) {
  RoleGuess g = guess_tensor_role(name);
  if (g.role == TensorRole::vision || g.role == TensorRole::projector ||
      g.role == TensorRole::lm_head) {
    return g;
  }
  return {TensorRole::other, WeightGroup::other, false};
}

std::string dtype_name(DType t) { return std::string(dtype_info(t).name); }

void note_dtypes(ModelDescription& m, const Checkpoint& c, bool quantised) {
  DType dominant = m.torch_dtype;
  uint64_t most = 0;
  std::string list;
  for (const auto& [dtype, bytes] : c.bytes_per_dtype) {
    list += (list.empty() ? "" : ", ") + dtype_name(dtype) + " " + std::to_string(bytes);
    if (bytes > most) {
      most = bytes;
      dominant = dtype;
    }
  }
  if (c.bytes_per_dtype.size() > 1) {
    m.notes.push_back("checkpoint bytes per dtype: " + list);
  }
  if (quantised || !m.quantization_config_json.empty()) return;
  if (dominant != m.torch_dtype) {
    m.notes.push_back("the checkpoint stores mostly " + dtype_name(dominant) +
                      " although config.json torch_dtype is " + dtype_name(m.torch_dtype) +
                      ": the stored bytes are used");
  }
  m.weights_format = dtype_name(dominant);
  m.stored_format = WeightFormat{};
  m.stored_format.dtype = dominant;
}

}  // namespace

void reconcile(ModelDescription& m, const Checkpoint& c) {
  Matcher match(m);
  // Per instance (keyed by the described tensor's concrete name): what is stored for it.
  std::unordered_map<std::string, std::pair<size_t, Stored>> stored;
  std::vector<const CheckpointTensor*> extras;
  PartBits part_kinds;
  auto count = [](Stored& s, const CheckpointTensor& t) {
    s.bytes = checked_add(s.bytes, t.bytes, "weight bytes");
    if (t.bytes >= s.main_bytes) {
      s.main_bytes = t.bytes;
      s.main_dtype = t.dtype;
    }
  };
  for (const auto& t : c.tensors) {
    if (auto i = match.find(t.name)) {
      auto& [record, s] = stored[t.name];
      record = *i;
      s.parts.set(k_own_index);
      s.own_elements = stored_elements(t);
      count(s, t);
    } else if (auto o = match.owner(t.name)) {
      auto& [record, s] = stored[o->name];
      record = o->record;
      s.parts |= o->bit;
      part_kinds |= o->bit;
      count(s, t);
    } else {
      extras.push_back(&t);
    }
  }
  const uint64_t described = tensor_count(m);
  if (described > 0 && stored.size() * 2 < described) {
    m.notes.push_back("checkpoint tensor names do not follow config.json's model (" +
                      std::to_string(stored.size()) + " of " + std::to_string(described) +
                      " described tensors found, e.g. " + display_name(m.tensors.front().name) +
                      "): weights stay as config.json describes them; the checkpoint holds " +
                      std::to_string(c.total_bytes) + " bytes");
    return;
  }

  // Instances per record and layer, as stored; the rest keep their config-derived bytes.
  std::vector<std::map<int32_t, std::vector<const Stored*>>> found(m.tensors.size());
  for (const auto& [name, entry] : stored) {
    const Tensor& r = m.tensors[entry.first];
    int32_t layer = r.layer < 0 ? -1 : static_cast<int32_t>(first_index(name));
    found[entry.first][layer].push_back(&entry.second);
  }
  const uint64_t config_bytes = weight_bytes(m);
  uint64_t quantised = 0, missing = 0, reshaped = 0, quantised_bytes = 0;
  std::string first_missing, first_reshaped;
  RecordSet records;
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const Tensor& r = m.tensors[i];
    const int32_t first = r.layer < 0 ? -1 : r.layer;
    const int32_t last = r.layer < 0 ? -1 : r.layer + r.layers - 1;
    for (int32_t layer = first; layer <= last; ++layer) {
      auto it = found[i].find(layer);
      const size_t have = it == found[i].end() ? 0 : it->second.size();
      Tensor instance = r;
      instance.layer = layer;
      instance.layers = 1;
      if (have < static_cast<size_t>(r.per_layer)) {
        const uint64_t absent = static_cast<uint64_t>(r.per_layer) - have;
        if (r.role == TensorRole::lm_head) {
          m.notes.push_back(r.name +
                            " is not in the checkpoint although tie_word_embeddings is "
                            "false: transformers would initialise it randomly; its "
                            "config-derived " +
                            std::to_string(r.bytes * absent) + " bytes are kept");
        } else if (missing == 0) {
          first_missing = r.name;
        }
        if (r.role != TensorRole::lm_head) missing += absent;
        records.add(instance, static_cast<int64_t>(absent));
      }
      if (have == 0) continue;
      for (const Stored* s : it->second) {
        Tensor t = instance;
        t.bytes = s->bytes;
        t.dtype = s->main_dtype;
        if ((s->parts & ~bit_at(k_own_index)).any()) {
          ++quantised;
          quantised_bytes = checked_add(quantised_bytes, s->bytes, "weight bytes");
          t.storage = TensorStorage::quantised;
        } else {
          t.storage = TensorStorage::dense;
          if (s->own_elements != r.elements() && reshaped++ == 0) first_reshaped = r.name;
        }
        records.add(std::move(t));
      }
    }
  }
  if (missing > 0) {
    m.notes.push_back(std::to_string(missing) +
                      " tensors of config.json's model are not in the "
                      "checkpoint (first: " +
                      display_name(first_missing) + "); their config-derived bytes are kept");
  }
  if (reshaped > 0) {
    m.notes.push_back(std::to_string(reshaped) +
                      " stored tensors have another element count "
                      "than config.json implies (first: " +
                      display_name(first_reshaped) +
                      "); the stored bytes are used and the parameter count stays config.json's");
  }
  if (quantised > 0) {
    m.notes.push_back(std::to_string(quantised) + " weights are stored quantised (parts: " +
                      join(part_names(part_kinds), ", ") + "): " + std::to_string(quantised_bytes) +
                      " bytes with their scales and zeros, counted from the checkpoint");
  }

  std::map<TensorRole, std::pair<size_t, uint64_t>> added;
  std::map<TensorRole, std::string> first_added;
  for (const auto* e : extras) {
    Tensor t;
    t.name = e->name;
    t.shape = e->shape;
    t.dtype = e->dtype;
    t.bytes = e->bytes;
    RoleGuess g = extra_role(e->name);
    t.role = g.role;
    t.group = g.group;
    auto& [n, bytes] = added[t.role];
    if (n++ == 0) first_added[t.role] = e->name;
    bytes = checked_add(bytes, e->bytes, "weight bytes");
    records.add(std::move(t));
  }
  m.tensors = records.finish();
  for (const auto& [role, nb] : added) {
    std::string what = role == TensorRole::vision ? " (a vision tower config.json's model lacks)"
                       : role == TensorRole::lm_head && m.tied_embeddings
                           ? " (an LM head although tie_word_embeddings is true)"
                           : "";
    m.notes.push_back("the checkpoint has " + std::to_string(nb.first) + " " +
                      std::string(to_string(role)) + " tensors config.json does not describe" +
                      what + ", first " + display_name(first_added[role]) + ": " +
                      std::to_string(nb.second) + " bytes added");
  }
  note_dtypes(m, c, quantised > 0);
  m.notes.push_back("weights from the checkpoint headers: " + std::to_string(weight_bytes(m)) +
                    " bytes (config.json alone gives " + std::to_string(config_bytes) + ")");
}

}  // namespace llmem
