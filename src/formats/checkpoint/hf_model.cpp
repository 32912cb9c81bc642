// load_hf_model(): config.json with the checkpoint it describes. The contract is in
// include/llmem/formats/checkpoint.h; the rule it keeps is issue 10's "no silent guesses": a
// model_type without a builder is never read as another architecture. Its weights are the stored
// tensors, and its KV cache is described only from what can be known (a supported text
// sub-config, or plain attention projections whose shapes give the heads), else refused.
#include <algorithm>

#include "common/checked.h"
#include "formats/hf/config_resolution.h"
#include "formats/hf/context_limit.h"
#include "formats/hf/decoder_params.h"
#include "formats/json/json_text.h"
#include "formats/records/record_set.h"
#include "llmem/common/error.h"
#include "llmem/formats/checkpoint.h"

namespace llmem {
namespace {

using hf::display_text;

// Where tensor parallelism puts a tensor of this role (Megatron-LM's parallel linear layers).
TpSplit split_of(TensorRole role, bool bias) {
  switch (role) {
    case TensorRole::q:
    case TensorRole::qkv:
    case TensorRole::gate:
    case TensorRole::up:
    case TensorRole::gate_up:
    case TensorRole::q_b:
    case TensorRole::kv_b:
      return TpSplit::column;
    case TensorRole::o:
    case TensorRole::down:
      return bias ? TpSplit::replicated : TpSplit::row;
    case TensorRole::k:
    case TensorRole::v:
      return TpSplit::kv_heads;
    case TensorRole::embedding:
    case TensorRole::lm_head:
      return TpSplit::vocab;
    default:
      return TpSplit::replicated;
  }
}

// The decoder layer of a stored tensor ("…layers.12.…"), or -1 for a tensor outside the stack
// (vision tower, projector, MTP layers, embeddings).
int32_t decoder_layer(const std::string& name, WeightGroup group) {
  if (group == WeightGroup::vision_encoder || group == WeightGroup::projector ||
      group == WeightGroup::mtp) {
    return -1;
  }
  for (size_t at = name.find("layers."); at != std::string::npos;
       at = name.find("layers.", at + 1)) {
    if (at != 0 && name[at - 1] != '.') continue;
    size_t i = at + 7;
    int64_t n = 0;
    size_t digits = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 9) {
      n = n * 10 + (name[i] - '0');
      ++i;
      ++digits;
    }
    if (digits > 0 && i < name.size() && name[i] == '.') return static_cast<int32_t>(n);
  }
  return -1;
}

// Every stored tensor as a record, roles guessed from the names.
ModelDescription from_stored(const Checkpoint& c, const HfConfigOptions& o,
                             const std::string& source) {
  ModelDescription m;
  m.name = o.name.empty() ? source : o.name;
  m.source = source;
  uint64_t most = 0;
  for (const auto& [dtype, bytes] : c.bytes_per_dtype) {
    if (bytes > most) {
      most = bytes;
      m.torch_dtype = dtype;
    }
  }
  m.torch_dtype_given = true;
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
    if (s.name.find("mtp") != std::string::npos) t.group = WeightGroup::mtp;
    t.routed = g.routed;
    t.bias = s.name.ends_with(".bias");
    t.split = split_of(t.role, t.bias);
    t.layer = decoder_layer(s.name, t.group);
    if (t.role == TensorRole::embedding && t.shape.size() == 2 && m.vocab_size == 0) {
      m.vocab_size = t.shape[0];
      m.hidden_size = t.shape[1];
    }
    records.add(std::move(t));
  }
  m.tensors = records.finish();
  return m;
}

// Keys that make a layer's cache something other than plain K/V over every token.
const char* non_plain_key(const ConfigView& v) {
  for (const char* k : {"kv_lora_rank", "q_lora_rank", "attn_type_list", "layers_block_type",
                        "hybrid_override_pattern", "attention_chunk_size", "cross_attention_layers",
                        "mamba_d_state", "ssm_state_size", "state_size", "num_kv_shared_layers",
                        "full_attention_interval", "sliding_window_pattern"}) {
    if (const auto* j = v.find(k); j != nullptr && !(j->is_number() && j->get<double>() == 0)) {
      return k;
    }
  }
  if (const auto* w = v.find("sliding_window");
      w != nullptr && !(w->is_number() && w->get<double>() <= 0) && !w->is_boolean()) {
    if (!(v.has("use_sliding_window") && !v.get_bool("use_sliding_window", false))) {
      return "sliding_window";
    }
  }
  if (v.json().is_object()) {
    for (const auto& [k, j] : v.json().items()) {
      if ((k.starts_with("linear_") || k.find("linear_attn") != std::string::npos) &&
          !j.is_null()) {
        return "linear attention keys (linear_*)";
      }
    }
  }
  for (const auto& t : v.get_string_list("layer_types")) {
    if (t != "full_attention") return "layer_types";
  }
  return nullptr;
}

LayerSpec hf_attention_layer(int32_t heads, int32_t kv_heads, int32_t head_dim) {
  LayerSpec s;
  s.kind = LayerKind::attention;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim_k = head_dim;
  s.head_dim_v = head_dim;
  return s;
}

// The record holding layer `layer`'s tensor `suffix` ("self_attn.k_proj.weight").
const Tensor* stored_in_layer(const ModelDescription& m, int32_t layer, std::string_view suffix) {
  for (const auto& t : m.tensors) {
    if (t.layer < 0 || layer < t.layer || layer >= t.layer + t.layers) continue;
    if (t.per_layer == 1 && t.name.ends_with(suffix) &&
        (t.name.size() == suffix.size() || t.name[t.name.size() - suffix.size() - 1] == '.')) {
      return &t;
    }
  }
  return nullptr;
}

// KV layout from the stored shapes: every decoder layer has dense q/k/v/o projections; K/V heads
// = k_proj rows / head_dim. Returns the reason when it cannot.
std::string layers_from_shapes(const ConfigView& text, ModelDescription& m) {
  if (const char* key = non_plain_key(text)) {
    return std::string("config.json has ") + key +
           ", so its layers are not all plain attention over every token";
  }
  auto layers =
      text.opt_int_any({"num_hidden_layers", "n_layer", "num_layers"}, 1, hf::k_max_layers);
  auto heads = text.opt_int_any({"num_attention_heads", "n_head"}, 1, hf::k_max_heads);
  if (!layers || !heads) {
    return "config.json names no num_hidden_layers and num_attention_heads to read them with";
  }
  auto head_dim = text.opt_int("head_dim", 1, hf::k_max_hidden);
  for (int32_t i = 0; i < *layers; ++i) {
    const Tensor* q = stored_in_layer(m, i, "self_attn.q_proj.weight");
    const Tensor* k = stored_in_layer(m, i, "self_attn.k_proj.weight");
    const Tensor* v = stored_in_layer(m, i, "self_attn.v_proj.weight");
    const Tensor* o = stored_in_layer(m, i, "self_attn.o_proj.weight");
    if (q == nullptr || k == nullptr || v == nullptr || o == nullptr) {
      return "decoder layer " + std::to_string(i) +
             " has no plain self_attn.{q,k,v,o}_proj weights in the checkpoint";
    }
    if (q->storage != TensorStorage::dense || q->shape.size() != 2 || k->shape.size() != 2 ||
        k->shape != v->shape) {
      return "decoder layer " + std::to_string(i) +
             "'s q/k/v projections are not plain 2-D weights (quantised or fused)";
    }
    const int64_t hd = head_dim.value_or(q->shape[0] / *heads);
    if (hd <= 0 || q->shape[0] != hd * *heads || k->shape[0] % hd != 0 ||
        *heads % (k->shape[0] / hd) != 0) {
      return "decoder layer " + std::to_string(i) + "'s k_proj rows (" +
             std::to_string(k->shape[0]) + ") are not a whole number of heads of " +
             std::to_string(hd);
    }
    const int64_t kv = k->shape[0] / hd;
    m.layers.push_back(hf_attention_layer(static_cast<int32_t>(*heads), static_cast<int32_t>(kv),
                                          static_cast<int32_t>(hd)));
  }
  m.num_layers = *layers;
  m.num_attention_heads = static_cast<int32_t>(*heads);
  m.num_kv_heads = m.layers.empty() ? 0 : m.layers.front().num_kv_heads;
  m.head_dim = m.layers.empty() ? 0 : m.layers.front().head_dim_k;
  return "";
}

}  // namespace

ModelDescription load_hf_model(std::string_view config_json, const Checkpoint& c,
                               const HfConfigOptions& options) {
  const std::string source = options.source.empty() ? "config.json" : options.source;
  std::vector<std::string> parse_notes;
  nlohmann::json j = parse_json_lenient(config_json, source, &parse_notes);
  if (!j.is_object()) throw FormatError(source + ": the top level must be a JSON object");
  ConfigView cfg(j, source);
  const hf::Resolution r = hf::resolve_architecture(cfg, options);
  if (r.entry != nullptr) {
    ModelDescription m = load_hf_config(config_json, options);
    for (const auto& n : c.notes) m.notes.push_back(n);
    reconcile(m, c);
    return m;
  }

  // No builder: the stored tensors are the weights.
  ModelDescription m = from_stored(c, options, source);
  m.model_type = r.written;
  auto archs = cfg.get_string_list("architectures");
  if (!archs.empty()) m.architecture = archs.front();
  m.notes = parse_notes;
  for (const auto& n : c.notes) m.notes.push_back(n);
  const std::string type =
      r.written.empty() ? "(no model_type)" : "model_type '" + display_text(r.written) + "'";
  m.notes.push_back(type + " has no builder in llmem: the weights are the checkpoint's " +
                    std::to_string(tensor_count(m)) + " stored tensors (" +
                    std::to_string(weight_bytes(m)) +
                    " bytes), with roles guessed from their names");
  if (const auto* q = cfg.find("quantization_config")) m.quantization_config_json = q->dump();

  // The KV cache: a supported text sub-config's builder knows its layers.
  if (r.nested && hf::find_architecture(r.nested->model_type) != nullptr) {
    HfConfigOptions sub = options;
    sub.architecture.clear();
    sub.source = source + " " + r.nested->key;
    ModelDescription text = load_hf_config(j[r.nested->key].dump(), sub);
    m.layers = text.layers;
    m.num_layers = text.num_layers;
    m.num_attention_heads = text.num_attention_heads;
    m.num_kv_heads = text.num_kv_heads;
    m.head_dim = text.head_dim;
    m.hidden_size = text.hidden_size;
    m.intermediate_size = text.intermediate_size;
    m.max_position_embeddings = text.max_position_embeddings;
    m.context_limit = text.context_limit;
    m.context_limit_basis = text.context_limit_basis;
    m.num_experts = text.num_experts;
    m.experts_per_token = text.experts_per_token;
    m.num_shared_experts = text.num_shared_experts;
    m.tied_embeddings = text.tied_embeddings;
    m.notes.push_back("the KV cache layout is its " + r.nested->key + "'s (model_type '" +
                      display_text(r.nested->model_type) + "', read by that builder)");
    m.mtp_requested = options.include_mtp;
    return m;
  }

  const ConfigView text = r.nested ? cfg.sub(r.nested->key) : cfg;
  if (std::string why = layers_from_shapes(text, m); !why.empty()) {
    throw InputError(source + ": " + type + " has no builder in llmem; the checkpoint's " +
                     std::to_string(weight_bytes(m)) +
                     " stored bytes give its weights, but not its KV cache: " + why +
                     ". The architecture setting reads the config as one of the supported types");
  }
  m.hidden_size = text.get_int("hidden_size", m.hidden_size, 0, hf::k_max_hidden);
  m.max_position_embeddings = text.get_int("max_position_embeddings", 0, 0, hf::k_max_positions);
  hf::read_context_limit(text, cfg, m);
  m.tied_embeddings = text.get_bool("tie_word_embeddings", false);
  if (auto e = text.opt_int_any({"num_local_experts", "num_experts", "n_routed_experts"}, 1,
                                hf::k_max_experts)) {
    m.num_experts = static_cast<int32_t>(*e);
    m.experts_per_token = static_cast<int32_t>(
        text.opt_int_any({"num_experts_per_tok", "moe_k", "top_k"}, 1, *e).value_or(*e));
  }
  m.notes.push_back("the KV cache layout is read from the stored q/k/v/o projection shapes: " +
                    std::to_string(m.num_layers) +
                    " plain attention layers, no window, latent or linear-attention key in "
                    "config.json");
  m.mtp_requested = options.include_mtp;
  return m;
}

}  // namespace llmem
