#include "formats/hf/builder.h"

#include "common/checked.h"
#include "formats/records/record_set.h"
#include "llmem/common/error.h"

namespace llmem::hf {

DecoderParams read_decoder_params(const ConfigView& c, bool tie_default) {
  DecoderParams p;
  p.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  p.layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  p.heads = static_cast<int32_t>(c.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = static_cast<int32_t>(c.get_int("num_key_value_heads", p.heads, 1, p.heads));
  check_gqa(c, p.heads, p.kv_heads);
  if (auto hd = c.opt_int("head_dim", 1, k_max_hidden)) {
    p.head_dim = static_cast<int32_t>(*hd);
  } else {
    if (p.hidden % p.heads != 0) {
      c.fail("num_attention_heads", "is " + std::to_string(p.heads) +
                                        " but must divide hidden_size=" + std::to_string(p.hidden) +
                                        " when head_dim is not given");
    }
    p.head_dim = static_cast<int32_t>(p.hidden / p.heads);
  }
  p.intermediate = c.require_int("intermediate_size", 1, k_max_intermediate);
  p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", tie_default);
  return p;
}

void check_gqa(const ConfigView& c, int64_t heads, int64_t kv_heads, std::string_view heads_key,
               std::string_view kv_key) {
  if (kv_heads < 1 || kv_heads > heads || heads % kv_heads != 0) {
    c.fail(kv_key, "is " + std::to_string(kv_heads) + " but must divide " + std::string(heads_key) +
                       "=" + std::to_string(heads));
  }
}

void set_common(ModelDescription& m, const DecoderParams& p) {
  m.hidden_size = p.hidden;
  m.num_layers = p.layers;
  m.num_attention_heads = p.heads;
  m.num_kv_heads = p.kv_heads;
  m.head_dim = p.head_dim;
  m.intermediate_size = p.intermediate;
  m.vocab_size = p.vocab;
  m.max_position_embeddings = p.max_positions;
  m.tied_embeddings = p.tied;
}

Place routed_experts(int32_t layer, int64_t count) {
  Place p(layer);
  p.group = WeightGroup::experts;
  p.routed = true;
  p.instances = count;
  p.experts = 1;
  return p;
}

Place fused_experts(int32_t layer, int32_t count) {
  Place p(layer);
  p.group = WeightGroup::experts;
  p.routed = true;
  p.experts = count;
  return p;
}

Place shared_expert(int32_t layer) {
  Place p(layer);
  p.group = WeightGroup::experts;
  return p;
}

Place mtp_layer() {
  Place p;
  p.group = WeightGroup::mtp;
  return p;
}

void TensorAdder::add(const std::string& name, std::vector<int64_t> shape, TensorRole role,
                      TpSplit split, const Place& at) {
  add_tensor(name, std::move(shape), role, split, at, false);
}

void TensorAdder::add_tensor(const std::string& name, std::vector<int64_t>&& shape, TensorRole role,
                             TpSplit split, const Place& at, bool bias) {
  // Builders add thousands of tensors per model: the probe and key buffers are reused, and a
  // tensor that extends a record allocates nothing more.
  Tensor& t = probe_;
  name_template_into(t.name, name);
  t.shape = std::move(shape);
  t.role = role;
  t.group = at.group == WeightGroup::count ? default_group(role) : at.group;
  t.split = split;
  t.bias = bias;
  t.routed = at.routed;
  t.layer = at.layer;
  t.layers = 1;
  t.per_layer = at.instances;
  t.experts = at.experts;
  t.dtype = m_.torch_dtype;
  t.bytes = dtype_bytes(t.dtype, t.elements());
  record_key_into(key_, t);
  key_.append(reinterpret_cast<const char*>(&t.per_layer), sizeof t.per_layer);
  auto it = last_.find(key_);
  if (it != last_.end()) {
    Tensor& r = m_.tensors[it->second];
    if (t.layer >= 0 && r.layer + r.layers == t.layer) {
      ++r.layers;
      return;
    }
    if (t.layer < 0) {
      r.per_layer = checked_add(r.per_layer, t.per_layer, "tensor count");
      return;
    }
  }
  m_.tensors.push_back(t);
  last_.insert_or_assign(key_, m_.tensors.size() - 1);
}

void TensorAdder::linear(const std::string& prefix, int64_t in, int64_t out, bool bias,
                         TensorRole role, TpSplit split, const Place& at) {
  add(prefix + ".weight", {out, in}, role, split, at);
  if (bias) {
    TpSplit bias_split = split == TpSplit::row ? TpSplit::replicated : split;
    add_bias(prefix + ".bias", {out}, role, bias_split, at);
  }
}

void TensorAdder::add_bias(const std::string& name, std::vector<int64_t> shape, TensorRole role,
                           TpSplit split, const Place& at) {
  add_tensor(name, std::move(shape), role, split, at, true);
}

void TensorAdder::norm(const std::string& prefix, int64_t dim, bool bias, const Place& at) {
  Place p = at;
  if (p.group == WeightGroup::count || p.group == WeightGroup::experts)
    p.group = WeightGroup::norms;
  p.routed = false;
  add(prefix + ".weight", {dim}, TensorRole::norm, TpSplit::replicated, p);
  if (bias) add_bias(prefix + ".bias", {dim}, TensorRole::norm, TpSplit::replicated, p);
}

void add_llama_attention(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t heads,
                         int64_t kv_heads, int64_t head_dim, bool qkv_bias, bool o_bias,
                         int32_t layer) {
  int64_t q = checked_mul(heads, head_dim, "q_proj size");
  int64_t kv = checked_mul(kv_heads, head_dim, "k_proj size");
  t.linear(prefix + ".q_proj", hidden, q, qkv_bias, TensorRole::q, TpSplit::column, layer);
  t.linear(prefix + ".k_proj", hidden, kv, qkv_bias, TensorRole::k, TpSplit::kv_heads, layer);
  t.linear(prefix + ".v_proj", hidden, kv, qkv_bias, TensorRole::v, TpSplit::kv_heads, layer);
  t.linear(prefix + ".o_proj", q, hidden, o_bias, TensorRole::o, TpSplit::row, layer);
}

void add_llama_attention_block(TensorAdder& t, const std::string& layer_prefix,
                               const DecoderParams& p, bool qkv_bias, bool o_bias, bool qk_norm,
                               int32_t layer) {
  t.norm(layer_prefix + ".input_layernorm", p.hidden, false, layer);
  add_llama_attention(t, layer_prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim,
                      qkv_bias, o_bias, layer);
  if (qk_norm) {
    t.norm(layer_prefix + ".self_attn.q_norm", p.head_dim, false, layer);
    t.norm(layer_prefix + ".self_attn.k_norm", p.head_dim, false, layer);
  }
  t.norm(layer_prefix + ".post_attention_layernorm", p.hidden, false, layer);
}

void add_gated_mlp(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t inter,
                   bool bias, const Place& at) {
  t.linear(prefix + ".gate_proj", hidden, inter, bias, TensorRole::gate, TpSplit::column, at);
  t.linear(prefix + ".up_proj", hidden, inter, bias, TensorRole::up, TpSplit::column, at);
  t.linear(prefix + ".down_proj", inter, hidden, bias, TensorRole::down, TpSplit::row, at);
}

LayerSpec attention_layer(int32_t heads, int32_t kv_heads, int32_t head_dim_k, int32_t head_dim_v,
                          int64_t window_tokens) {
  LayerSpec s;
  s.kind = LayerKind::attention;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim_k = head_dim_k;
  s.head_dim_v = head_dim_v;
  s.window_tokens = window_tokens;
  return s;
}

void add_llama_embeddings(TensorAdder& t, const DecoderParams& p) {
  t.add("model.embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding, TpSplit::vocab);
  if (!p.tied) {
    t.add("lm_head.weight", {p.vocab, p.hidden}, TensorRole::lm_head, TpSplit::vocab);
  }
}

}  // namespace llmem::hf

namespace llmem::hf {

std::vector<int64_t> read_layer_windows(const ConfigView& c, int64_t layers) {
  std::vector<int64_t> windows(static_cast<size_t>(layers), 0);
  auto window = c.opt_int("sliding_window", 0, k_max_positions);
  std::vector<std::string> types = c.get_string_list("layer_types");
  if (!types.empty()) {
    if (static_cast<int64_t>(types.size()) != layers) {
      c.fail("layer_types", "has " + std::to_string(types.size()) +
                                " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "sliding_attention") {
        if (!window || *window == 0) {
          c.fail("sliding_window",
                 "is missing but layer_types[" + std::to_string(i) + "] is \"sliding_attention\"");
        }
        windows[i] = *window;
      } else if (types[i] != "full_attention") {
        c.fail("layer_types", "[" + std::to_string(i) + "] is \"" + types[i] +
                                  "\" but must be \"full_attention\" or \"sliding_attention\"");
      }
    }
    return windows;
  }
  if (c.has("use_sliding_window")) {
    if (!c.get_bool("use_sliding_window", false) || !window || *window == 0) return windows;
    int64_t first = c.get_int("max_window_layers", 0, 0, k_max_layers);
    for (int64_t i = first; i < layers; ++i) windows[static_cast<size_t>(i)] = *window;
    return windows;
  }
  if (window && *window > 0) {
    for (auto& w : windows) w = *window;
  }
  return windows;
}

}  // namespace llmem::hf

namespace llmem::hf {

int64_t int_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                             int64_t class_default, int64_t min, int64_t max,
                             std::string_view config_class) {
  if (auto v = c.opt_int(key, min, max)) return *v;
  m.notes.push_back(c.where(key) + " is absent; transformers' " + std::string(config_class) +
                    " default " + std::to_string(class_default) + " is used");
  return class_default;
}

bool bool_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                           bool class_default, std::string_view config_class) {
  if (c.has(key)) return c.get_bool(key, class_default);
  m.notes.push_back(c.where(key) + " is absent; transformers' " + std::string(config_class) +
                    " default " + (class_default ? "true" : "false") + " is used");
  return class_default;
}

MoeCounts read_moe_counts(const ConfigView& c, std::string_view experts_key,
                          std::string_view per_token_key) {
  MoeCounts n;
  n.experts = static_cast<int32_t>(c.require_int(experts_key, 1, k_max_experts));
  auto k = c.opt_int(per_token_key, 1, k_max_experts);
  if (!k) {
    c.fail(per_token_key, "is missing (an integer in [1, " + std::string(experts_key) + "=" +
                              std::to_string(n.experts) + "] is required)");
  }
  if (*k > n.experts) {
    c.fail(per_token_key, "is " + std::to_string(*k) + " but must be in [1, " +
                              std::string(experts_key) + "=" + std::to_string(n.experts) + "]");
  }
  n.per_token = static_cast<int32_t>(*k);
  return n;
}

}  // namespace llmem::hf
