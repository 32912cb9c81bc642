// GGUF metadata + tensor infos → ModelDescription. Keys: ggml-org/llama.cpp src/llama-arch.cpp
// (LLM_KV_NAMES); per-architecture cache rules: llama.cpp's model loaders (src/models/<arch>.cpp
// and llama-model.cpp: set_swa_pattern, MLA, SSM) and llama-hparams.cpp (n_embd_r, n_embd_s).
// docs/gguf.md lists what each architecture reads.
#include <algorithm>
#include <array>
#
#include <map>
#include <set>

#include "formats/gguf/gguf_keys.h"
#include "formats/gguf/gguf_meta.h"
#include "formats/gguf/gguf_tensors.h"
#include "formats/json/json_display.h"
#include "formats/records/record_set.h"
#include "llmem/common/error.h"
#include "llmem/formats/gguf.h"

namespace llmem {
namespace {

using gguf::MetaView;
namespace keys = gguf::keys;

// Bounds that reject nonsense before arithmetic; far above any released model (as hf/builder.h).
constexpr int64_t k_max_hidden = int64_t{1} << 20;
constexpr int64_t k_max_layers = 4096;
constexpr int64_t k_max_heads = int64_t{1} << 16;
constexpr int64_t k_max_vocab = int64_t{1} << 24;
constexpr int64_t k_max_ff = int64_t{1} << 24;
constexpr int64_t k_max_experts = int64_t{1} << 16;
constexpr int64_t k_max_positions = int64_t{1} << 40;
constexpr int64_t k_max_head_dim = int64_t{1} << 16;

enum class CacheKind { attention, mla, mamba, mamba2 };

struct ArchRule {
  std::string_view arch;
  CacheKind kind;
  int64_t swa_period;  // llama.cpp set_swa_pattern(n): layer i slides when i % n < n - 1; 0 none
};

// Architectures with a cache rule beyond plain attention, plus the plain ones we have checked.
// swa_period: gemma2 2, gemma3 6, cohere2 4, gpt-oss 2 (llama.cpp's loaders for each arch).
constexpr std::array<ArchRule, 23> k_arch_rules = {{
    {"llama", CacheKind::attention, 0},      {"mistral3", CacheKind::attention, 0},
    {"qwen2", CacheKind::attention, 0},      {"qwen2moe", CacheKind::attention, 0},
    {"qwen3", CacheKind::attention, 0},      {"qwen3moe", CacheKind::attention, 0},
    {"gemma", CacheKind::attention, 0},      {"gemma2", CacheKind::attention, 2},
    {"gemma3", CacheKind::attention, 6},     {"cohere2", CacheKind::attention, 4},
    {"gpt-oss", CacheKind::attention, 2},    {"phi2", CacheKind::attention, 0},
    {"phi3", CacheKind::attention, 0},       {"gptneox", CacheKind::attention, 0},
    {"falcon", CacheKind::attention, 0},     {"mpt", CacheKind::attention, 0},
    {"starcoder2", CacheKind::attention, 0}, {"command-r", CacheKind::attention, 0},
    {"deepseek2", CacheKind::mla, 0},        {"mamba", CacheKind::mamba, 0},
    {"mamba2", CacheKind::mamba2, 0},        {"granite", CacheKind::attention, 0},
    {"jamba", CacheKind::attention, 0},
}};

std::string supported_list() {
  std::string s;
  for (const auto& r : k_arch_rules) s += (s.empty() ? "" : ", ") + std::string(r.arch);
  return s;
}

class Mapper {
 public:
  explicit Mapper(const GgufFile& f) : f_(f), meta_(f) {}

  ModelDescription map() {
    ModelDescription m;
    m.source = f_.source;
    arch_ = meta_.get_string(keys::k_architecture);
    m.model_type = arch_;
    m.architecture = arch_;
    m.name = name();
    const ArchRule* rule = find_rule();
    CacheKind kind = rule ? rule->kind : CacheKind::attention;
    if (!rule) check_plain_decoder();

    m.num_layers = meta_.get_int(k(keys::k_block_count), 1, k_max_layers);
    m.hidden_size = meta_.get_int(k(keys::k_embedding_length), 1, k_max_hidden);
    m.max_position_embeddings = meta_.get_int(k(keys::k_context_length), 1, k_max_positions);
    m.vocab_size = vocab_size();
    bool ssm = kind == CacheKind::mamba || kind == CacheKind::mamba2;
    if (!ssm)
      m.intermediate_size = max_of(require_per_layer(keys::k_feed_forward_length, 0, k_max_ff));

    RecordSet records;
    for (const auto& info : f_.tensors) records.add(gguf::to_tensor(info));
    m.tensors = records.finish();
    map_file_tensors(m);
    if (m.tensors.empty()) {
      m.notes.push_back(f_.source +
                        " lists no tensors (a vocabulary-only GGUF?): the weights "
                        "count as 0 bytes");
    }
    m.tied_embeddings = std::none_of(m.tensors.begin(), m.tensors.end(),
                                     [](const Tensor& t) { return t.role == TensorRole::lm_head; });
    read_experts(m);
    m.weights_format = dominant_format(m);
    m.stored_format.scheme = WeightScheme::gguf;
    m.gguf_falcon_rules = arch_ == "falcon";

    if (!rule) {
      m.notes.push_back(f_.source + ": architecture '" + arch_ +
                        "' has no dedicated mapping: the weights are its stored tensors, and every "
                        "layer has plain attn_q/attn_k/attn_v/attn_output tensors and no window, "
                        "latent or SSM key, so its attention keys are read as a standard "
                        "decoder's (mapped: " +
                        supported_list() + ")");
    }
    if (ssm) {
      add_ssm_layers(m, kind);
    } else {
      add_attention_layers(m, kind, rule ? rule->swa_period : 0);
      if (arch_ == "jamba") add_jamba_mamba_layers(m);
    }
    std::vector<bool> moe(static_cast<size_t>(m.num_layers), false);
    for (const auto& t : m.tensors) {
      if (!t.routed || t.layer < 0) continue;
      for (int64_t l = t.layer; l < std::min<int64_t>(t.layer + t.layers, m.num_layers); ++l) {
        moe[static_cast<size_t>(l)] = true;
      }
    }
    for (size_t i = 0; i < m.layers.size(); ++i) m.layers[i].moe = moe[i];
    return m;
  }

 private:
  std::string k(std::string_view suffix) const { return arch_ + "." + std::string(suffix); }

  // Each tensor of the file, in file order, as (record, layer, offset): what llama.cpp's mapped
  // buffer spans (llama_model_loader::get_mapping_range). Only single-file models: a split model's
  // offsets are per shard.
  void map_file_tensors(ModelDescription& m) const {
    if (f_.tensors.empty() || f_.tensors.back().split != 0) return;
    std::map<std::string, std::vector<uint32_t>> by_name;
    for (uint32_t r = 0; r < m.tensors.size(); ++r) by_name[m.tensors[r].name].push_back(r);
    m.file_tensors.reserve(f_.tensors.size());
    std::string name;
    for (const auto& info : f_.tensors) {
      name_template_into(name, info.name);
      const int64_t index = first_index(info.name);
      const Tensor probe = gguf::to_tensor(info);
      auto it = by_name.find(name);
      if (it == by_name.end()) continue;
      for (uint32_t r : it->second) {
        const Tensor& t = m.tensors[r];
        const bool covers = t.layer < 0
                                ? probe.layer < 0
                                : probe.layer >= t.layer && probe.layer < t.layer + t.layers;
        if (!covers || t.shape != probe.shape || t.ggml_type != probe.ggml_type) continue;
        m.file_tensors.push_back({r, probe.layer, info.offset, info.bytes});
        break;
      }
      (void)index;
    }
  }

  // An architecture without a mapping is read only when nothing says its cache is other than
  // plain attention over every token (issue 10: never a silent guess): every block has
  // attn_q/attn_k/attn_v/attn_output tensors and no key names a window, a latent, an SSM or a
  // linear-attention state. Otherwise an InputError says what stops it.
  void check_plain_decoder() const {
    const std::string prefix = arch_ + ".";
    for (const auto& [key, value] : f_.metadata) {
      if (key.rfind(prefix, 0) != 0) continue;
      const std::string rest = key.substr(prefix.size());
      for (std::string_view part : {"sliding_window", "kv_lora_rank", "key_length_mla", "ssm.",
                                    "wkv.", "shortconv", "linear", "swa", "chunk"}) {
        if (rest.find(part) != std::string::npos) {
          refuse("it has the key '" + display_name(key).substr(1, display_name(key).size() - 2) +
                 "', so its layers are not all plain attention over every token");
        }
      }
    }
    const int64_t layers = layers_or_zero();
    std::set<std::string> names;
    for (const auto& t : f_.tensors) names.insert(t.name);
    for (int64_t i = 0; i < layers; ++i) {
      for (const char* part : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
        const std::string n = "blk." + std::to_string(i) + "." + part + ".weight";
        if (!names.contains(n)) {
          refuse("block " + std::to_string(i) + " has no " + n +
                 " tensor (plain q/k/v/o projections in every block are needed to read its "
                 "cache as a standard decoder's)");
        }
      }
    }
  }

  [[noreturn]] void refuse(const std::string& why) const {
    throw InputError(f_.source + ": architecture '" +
                     display_name(arch_).substr(1, display_name(arch_).size() - 2) +
                     "' has no mapping in llmem; its stored tensors give the weights but not its "
                     "KV cache: " +
                     why + " (mapped: " + supported_list() + ")");
  }

  std::string name() const {
    const GgufValue* v = f_.find(keys::k_name);
    if (v != nullptr && v->type == GgufValueType::string) return std::get<std::string>(v->data);
    // The file stem of the source, as std::filesystem::path::stem() gives it.
    std::string_view base = f_.source;
    if (size_t slash = base.find_last_of('/'); slash != std::string_view::npos) {
      base.remove_prefix(slash + 1);
    }
    if (size_t dot = base.rfind('.'); dot != std::string_view::npos && dot > 0) {
      base = base.substr(0, dot);
    }
    return std::string(base);
  }

  const ArchRule* find_rule() const {
    for (const auto& r : k_arch_rules) {
      if (r.arch == arch_) return &r;
    }
    return nullptr;
  }

  std::vector<int64_t> require_per_layer(std::string_view suffix, int64_t lo, int64_t hi) const {
    auto v = meta_.find_per_layer(k(suffix), layers_or_zero(), lo, hi);
    if (!v) meta_.fail("missing required key '" + k(suffix) + "'");
    return *v;
  }
  int64_t layers_or_zero() const {
    return meta_.find_int(k(keys::k_block_count), 1, k_max_layers).value_or(0);
  }
  static int64_t max_of(const std::vector<int64_t>& v) {
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  }

  int64_t vocab_size() const {
    if (auto v = meta_.find_int(k(keys::k_vocab_size), 1, k_max_vocab)) return *v;
    if (const GgufValue* t = f_.find(keys::k_tokens); t != nullptr && t->is_array()) {
      if (t->array_size() == 0 || t->array_size() > static_cast<uint64_t>(k_max_vocab)) {
        meta_.fail(std::string(keys::k_tokens) + " has " + std::to_string(t->array_size()) +
                   " entries but must have [1, " + std::to_string(k_max_vocab) + "]");
      }
      return static_cast<int64_t>(t->array_size());
    }
    // Without either key, the token embedding's row count is the vocabulary (ggml order:
    // token_embd.weight is [n_embd, n_vocab]).
    for (const auto& info : f_.tensors) {
      if (info.name == "token_embd.weight" && info.dims.size() == 2 && info.dims[1] >= 1 &&
          info.dims[1] <= static_cast<uint64_t>(k_max_vocab)) {
        return static_cast<int64_t>(info.dims[1]);
      }
    }
    meta_.fail("missing required key '" + k(keys::k_vocab_size) + "' (or '" +
               std::string(keys::k_tokens) +
               "' or a token_embd.weight tensor to count the "
               "vocabulary)");
  }

  void read_experts(ModelDescription& m) const {
    auto experts = meta_.find_int(k(keys::k_expert_count), 0, k_max_experts).value_or(0);
    m.num_experts = static_cast<int32_t>(experts);
    if (experts > 0) {
      m.experts_per_token =
          static_cast<int32_t>(meta_.get_int(k(keys::k_expert_used_count), 1, experts));
      m.num_shared_experts = static_cast<int32_t>(
          meta_.find_int(k(keys::k_expert_shared_count), 0, k_max_experts).value_or(0));
    }
    for (auto& t : m.tensors) {
      if (t.routed && experts > 0 && t.experts != 1 && t.experts != experts) {
        meta_.fail("tensor '" + t.name + "' holds " + std::to_string(t.experts) + " experts but " +
                   k(keys::k_expert_count) + " is " + std::to_string(experts));
      }
    }
  }

  // The ggml type holding the most bytes, as "gguf-q4_K"; mixes are named by their bulk.
  static std::string dominant_format(const ModelDescription& m) {
    std::map<std::string, uint64_t> by_format;
    for (const auto& t : m.tensors) {
      by_format[std::string(ggml_type_info(t.ggml_type).name)] += t.total_bytes();
    }
    std::string best;
    uint64_t most = 0;
    for (const auto& [f, b] : by_format) {
      if (b > most || best.empty()) best = f, most = b;
    }
    return best.empty() ? "gguf" : "gguf-" + best;
  }

  // Per-layer sliding windows: llama.cpp's period rule, or a per-layer bool array in
  // <arch>.attention.sliding_window_pattern, or a period there overriding the arch default.
  std::vector<int64_t> windows(int64_t layers, int64_t period, ModelDescription& m) const {
    std::vector<int64_t> w(static_cast<size_t>(layers), 0);
    auto window = meta_.find_int(k(keys::k_sliding_window), 0, k_max_positions);
    if (arch_ == "phi3" && window.value_or(0) > 0) {
      m.notes.push_back(f_.source + ": " + k(keys::k_sliding_window) + "=" +
                        std::to_string(*window) +
                        " is not applied: llama.cpp disables Phi-3 sliding-window attention");
      return w;
    }
    const GgufValue* pattern = f_.find(k(keys::k_sliding_window_pattern));
    if (pattern == nullptr && period == 0) return w;
    if (!window) meta_.fail("missing required key '" + k(keys::k_sliding_window) + "'");
    if (*window == 0) return w;  // a window of 0 switches sliding attention off
    std::vector<bool> slides(static_cast<size_t>(layers), false);
    if (pattern != nullptr && pattern->is_array()) {
      auto flags = meta_.find_per_layer(k(keys::k_sliding_window_pattern), layers, 0, 1);
      for (size_t i = 0; i < slides.size(); ++i) slides[i] = (*flags)[i] == 1;
    } else {
      if (pattern != nullptr) {
        period = meta_.get_int(k(keys::k_sliding_window_pattern), 0, k_max_layers);
      }
      for (int64_t i = 0; i < layers; ++i) {
        slides[static_cast<size_t>(i)] = period == 0 || i % period < period - 1;
      }
    }
    for (size_t i = 0; i < w.size(); ++i) w[i] = slides[i] ? *window : 0;
    return w;
  }

  void add_attention_layers(ModelDescription& m, CacheKind kind, int64_t period) const {
    int64_t layers = m.num_layers;
    auto heads = require_per_layer(keys::k_head_count, 0, k_max_heads);
    auto kv_heads =
        meta_.find_per_layer(k(keys::k_head_count_kv), layers, 0, k_max_heads).value_or(heads);
    int64_t first_heads = 0;
    for (auto h : heads) first_heads = first_heads == 0 ? h : first_heads;
    if (first_heads == 0) meta_.fail(k(keys::k_head_count) + " is 0 on every layer");
    int64_t default_dim = 0;
    if (m.hidden_size % first_heads == 0) default_dim = m.hidden_size / first_heads;
    auto dim_key = [&](std::string_view mla_key, std::string_view key) -> int64_t {
      if (kind == CacheKind::mla) {
        if (auto v = meta_.find_int(k(mla_key), 1, k_max_head_dim)) return *v;
      }
      if (auto v = meta_.find_int(k(key), 1, k_max_head_dim)) return *v;
      if (default_dim == 0) {
        meta_.fail("missing required key '" + k(key) + "': " + k(keys::k_embedding_length) + "=" +
                   std::to_string(m.hidden_size) + " is not a multiple of " +
                   k(keys::k_head_count) + "=" + std::to_string(first_heads));
      }
      return default_dim;
    };
    int64_t dim_k = dim_key(keys::k_key_length_mla, keys::k_key_length);
    int64_t dim_v = dim_key(keys::k_value_length_mla, keys::k_value_length);
    std::vector<int64_t> w = windows(layers, period, m);

    LayerSpec mla;
    if (kind == CacheKind::mla) {
      mla.kind = LayerKind::mla;
      mla.kv_lora_rank =
          static_cast<int32_t>(meta_.get_int(k(keys::k_kv_lora_rank), 1, k_max_head_dim));
      mla.qk_rope_head_dim =
          static_cast<int32_t>(meta_.get_int(k(keys::k_rope_dimension_count), 1, k_max_head_dim));
    }
    for (int64_t i = 0; i < layers; ++i) {
      auto idx = static_cast<size_t>(i);
      LayerSpec s = mla;
      s.num_heads = static_cast<int32_t>(heads[idx]);
      s.num_kv_heads = static_cast<int32_t>(kv_heads[idx]);
      s.head_dim_k = static_cast<int32_t>(dim_k);
      s.head_dim_v = static_cast<int32_t>(dim_v);
      s.window_tokens = w[idx];
      if (s.num_heads == 0 || s.num_kv_heads == 0) {
        s.kind = LayerKind::mlp_only;  // a per-layer 0 marks a layer without attention
      } else if (s.num_heads % s.num_kv_heads != 0) {
        meta_.fail(k(keys::k_head_count) + "=" + std::to_string(s.num_heads) +
                   " is not a multiple of " + k(keys::k_head_count_kv) + "=" +
                   std::to_string(s.num_kv_heads) + " on layer " + std::to_string(i));
      }
      m.layers.push_back(s);
    }
    m.num_attention_heads = static_cast<int32_t>(first_heads);
    m.num_kv_heads = m.layers.front().num_kv_heads;
    for (const auto& l : m.layers) {
      if (l.num_kv_heads > 0) {
        m.num_kv_heads = l.num_kv_heads;
        break;
      }
    }
    m.head_dim = static_cast<int32_t>(dim_k);
  }

  // Jamba (llama.cpp src/models/jamba.cpp, llama_hparams::is_recurrent): a layer whose
  // head_count_kv is 0 is a Mamba-1 layer.
  void add_jamba_mamba_layers(ModelDescription& m) const {
    ModelDescription tmp;
    tmp.num_layers = m.num_layers;
    add_ssm_layers(tmp, CacheKind::mamba);
    for (auto& l : m.layers) {
      if (l.kind == LayerKind::mlp_only) l = tmp.layers.front();
    }
  }

  // Mamba caches per sequence (llama.cpp llama-hparams.cpp): conv (d_conv - 1) ·
  // (d_inner + 2 · n_group · d_state) and state d_state · d_inner elements.
  void add_ssm_layers(ModelDescription& m, CacheKind kind) const {
    int64_t d_conv = meta_.get_int(k(keys::k_ssm_conv_kernel), 1, 1024);
    int64_t d_inner = meta_.get_int(k(keys::k_ssm_inner_size), 1, k_max_ff);
    int64_t d_state = meta_.get_int(k(keys::k_ssm_state_size), 1, 1 << 16);
    int64_t groups = 0;
    if (kind == CacheKind::mamba2) groups = meta_.get_int(k(keys::k_ssm_group_count), 1, 1 << 16);
    LayerSpec s;
    s.kind = kind == CacheKind::mamba ? LayerKind::mamba : LayerKind::mamba2;
    s.conv_state_elements = (d_conv - 1) * (d_inner + 2 * groups * d_state);
    s.ssm_state_elements = d_state * d_inner;
    m.layers.assign(static_cast<size_t>(m.num_layers), s);
  }

  const GgufFile& f_;
  MetaView meta_;
  std::string arch_;
};

}  // namespace

ModelDescription gguf_to_model_description(const GgufFile& file) { return Mapper(file).map(); }

}  // namespace llmem
