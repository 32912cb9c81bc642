// reconcile(): the checkpoint's stored bytes replace the config-derived ones, tensor by tensor.
// Quantisation parts are recognised by the names their writers give them:
// - GPTQ / AutoGPTQ / AWQ: MODULE.{qweight,qzeros,scales,g_idx} (no MODULE.weight);
// - compressed-tensors and vLLM fp8/int8: MODULE.{weight_packed,weight_scale,weight_zero_point,
//   weight_g_idx,weight_shape,weight_global_scale,input_scale,input_global_scale}, k_scale/v_scale;
// - DeepSeek-V3 fp8: MODULE.weight_scale_inv; MLX: MODULE.{scales,biases};
// - bitsandbytes: MODULE.weight.{absmax,quant_map,nested_absmax,nested_quant_map,quant_state.*},
//   int8's MODULE.SCB and MODULE.weight_format;
// - gpt-oss MXFP4: PARAM_blocks and PARAM_scales beside PARAM.
#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

#include "common/checked.h"
#include "formats/json/json_display.h"
#include "llmem/formats/checkpoint.h"

namespace llmem {
namespace {

constexpr std::array<std::string_view, 20> k_module_parts = {"qweight",
                                                             "qzeros",
                                                             "scales",
                                                             "g_idx",
                                                             "biases",
                                                             "weight_scale",
                                                             "weight_scale_inv",
                                                             "weight_zero_point",
                                                             "weight_packed",
                                                             "weight_shape",
                                                             "weight_g_idx",
                                                             "weight_global_scale",
                                                             "input_scale",
                                                             "input_global_scale",
                                                             "output_scale",
                                                             "k_scale",
                                                             "v_scale",
                                                             "q_scale",
                                                             "SCB",
                                                             "weight_format"};

struct Stored {
  uint64_t bytes = 0;
  uint64_t main_bytes = 0;
  DType main_dtype = DType::bf16;
  const CheckpointTensor* own = nullptr;  // the tensor stored under the described name
  std::set<std::string> parts;            // quantisation parts counted in
};

class Matcher {
 public:
  explicit Matcher(const ModelDescription& m) {
    for (size_t i = 0; i < m.tensors.size(); ++i) {
      by_name_.emplace(m.tensors[i].name, i);
      sorted_.emplace(m.tensors[i].name, i);
    }
  }

  // Exact name, else the same name with or without a leading "model." / "transformer." (GPT-2's
  // checkpoints store "h.0.attn…" for transformers' "transformer.h.0.attn…").
  std::optional<size_t> find(const std::string& n) const {
    if (auto i = exact(n)) return i;
    for (std::string_view p : {"model.", "transformer."}) {
      if (auto i = exact(std::string(p) + n)) return i;
      if (n.starts_with(p)) {
        if (auto i = exact(n.substr(p.size()))) return i;
      }
    }
    return std::nullopt;
  }

  // The described weight an auxiliary quantisation tensor belongs to, and the part's label.
  std::optional<std::pair<size_t, std::string>> owner(const std::string& n) const {
    size_t dot = n.rfind('.');
    if (dot != std::string::npos) {
      std::string leaf = n.substr(dot + 1);
      std::string module = n.substr(0, dot);
      if (std::find(k_module_parts.begin(), k_module_parts.end(), leaf) != k_module_parts.end()) {
        if (auto i = find(module + ".weight")) return std::pair{*i, leaf};
        if (auto i = first_under(module)) return std::pair{*i, leaf};
      }
    }
    if (size_t w = n.find(".weight."); w != std::string::npos) {
      if (auto i = find(n.substr(0, w + 7))) {
        std::string part = n.substr(w + 1);
        if (size_t d = part.find('.', 7); d != std::string::npos) part.resize(d);
        return std::pair{*i, part};
      }
    }
    for (std::string_view suffix : {"_blocks", "_scales"}) {
      if (n.ends_with(suffix)) {
        if (auto i = find(n.substr(0, n.size() - suffix.size()))) {
          return std::pair{*i, std::string(suffix.substr(1))};
        }
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<size_t> exact(const std::string& n) const {
    auto it = by_name_.find(n);
    if (it == by_name_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<size_t> first_under(const std::string& module) const {
    std::string prefix = module + ".";
    auto it = sorted_.lower_bound(prefix);
    if (it != sorted_.end() && it->first.starts_with(prefix)) return it->second;
    return std::nullopt;
  }

  std::unordered_map<std::string, size_t> by_name_;
  std::map<std::string, size_t> sorted_;
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
TensorRole extra_role(const std::string& name) {
  TensorRole r = guess_tensor_role(name);
  if (r == TensorRole::vision || r == TensorRole::projector || r == TensorRole::lm_head) return r;
  return TensorRole::other;
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
}

}  // namespace

void reconcile(ModelDescription& m, const Checkpoint& c) {
  Matcher match(m);
  std::vector<Stored> stored(m.tensors.size());
  std::vector<const CheckpointTensor*> extras;
  std::set<std::string> part_kinds;
  auto count = [](Stored& s, const CheckpointTensor& t) {
    s.bytes = checked_add(s.bytes, t.bytes, "weight bytes");
    if (t.bytes >= s.main_bytes) {
      s.main_bytes = t.bytes;
      s.main_dtype = t.dtype;
    }
  };
  for (const auto& t : c.tensors) {
    if (auto i = match.find(t.name)) {
      stored[*i].own = &t;
      count(stored[*i], t);
    } else if (auto o = match.owner(t.name)) {
      stored[o->first].parts.insert(o->second);
      part_kinds.insert(o->second);
      count(stored[o->first], t);
    } else {
      extras.push_back(&t);
    }
  }
  size_t covered = 0;
  for (const auto& s : stored) covered += (s.own != nullptr || !s.parts.empty()) ? 1 : 0;
  if (!m.tensors.empty() && covered * 2 < m.tensors.size()) {
    m.notes.push_back("checkpoint tensor names do not follow config.json's model (" +
                      std::to_string(covered) + " of " + std::to_string(m.tensors.size()) +
                      " described tensors found, e.g. " + display_name(m.tensors.front().name) +
                      "): weights stay as config.json describes them; the checkpoint holds " +
                      std::to_string(c.total_bytes) + " bytes");
    return;
  }

  uint64_t config_bytes = weight_bytes(m);
  size_t quantised = 0, missing = 0, reshaped = 0;
  uint64_t quantised_bytes = 0;
  std::string first_missing, first_reshaped;
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    Tensor& t = m.tensors[i];
    const Stored& s = stored[i];
    if (s.own == nullptr && s.parts.empty()) {
      if (t.role == TensorRole::lm_head) {
        m.notes.push_back(t.name +
                          " is not in the checkpoint although tie_word_embeddings is "
                          "false: transformers would initialise it randomly; its "
                          "config-derived " +
                          std::to_string(t.bytes) + " bytes are kept");
      } else if (missing++ == 0) {
        first_missing = t.name;
      }
      continue;
    }
    t.bytes = s.bytes;
    t.dtype = s.main_dtype;
    if (!s.parts.empty()) {
      ++quantised;
      quantised_bytes = checked_add(quantised_bytes, s.bytes, "weight bytes");
      std::set<std::string> all = s.parts;
      if (s.own != nullptr) all.insert("weight");
      t.format = join(all, "+");
    } else if (stored_elements(*s.own) != t.elements() && reshaped++ == 0) {
      first_reshaped = t.name;
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
                      join(part_kinds, ", ") + "): " + std::to_string(quantised_bytes) +
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
    t.role = extra_role(e->name);
    auto& [n, bytes] = added[t.role];
    if (n++ == 0) first_added[t.role] = e->name;
    bytes = checked_add(bytes, e->bytes, "weight bytes");
    m.tensors.push_back(std::move(t));
  }
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
