// Shared pieces of the config.json → ModelDescription builders: the standard decoder keys with
// their accepted ranges, and helpers that add tensors in Hugging Face's naming and PyTorch shape
// order (nn.Linear weight is [out_features, in_features]).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem::hf {

// Upper bounds that reject nonsense before any arithmetic (a "number too large" is an error
// naming the key, not an overflow later). Each is far above any released model.
inline constexpr int64_t k_max_hidden = int64_t{1} << 20;
inline constexpr int64_t k_max_layers = 4096;
inline constexpr int64_t k_max_heads = int64_t{1} << 16;
inline constexpr int64_t k_max_vocab = int64_t{1} << 24;
inline constexpr int64_t k_max_intermediate = int64_t{1} << 24;
inline constexpr int64_t k_max_experts = int64_t{1} << 16;
inline constexpr int64_t k_max_positions = int64_t{1} << 40;

// The keys nearly every decoder config has, read and validated once.
struct DecoderParams {
  int64_t hidden = 0;
  int64_t layers = 0;
  int32_t heads = 0;
  int32_t kv_heads = 0;
  int32_t head_dim = 0;
  int64_t intermediate = 0;
  int64_t vocab = 0;
  int64_t max_positions = 0;
  bool tied = false;
};

// Reads hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads (default:
// heads), head_dim (default hidden/heads, which must then divide exactly), intermediate_size,
// vocab_size, max_position_embeddings, tie_word_embeddings (default `tie_default`).
DecoderParams read_decoder_params(const ConfigView& c, bool tie_default = false);

// Checks kv_heads divides heads (GQA groups must be whole) and names both keys if not.
void check_gqa(const ConfigView& c, int64_t heads, int64_t kv_heads,
               std::string_view heads_key = "num_attention_heads",
               std::string_view kv_key = "num_key_value_heads");

// Copies the common fields into the description (hidden, layers, vocab, heads …).
void set_common(ModelDescription& m, const DecoderParams& p);

// Where the tensors being added sit: the decoder layer (-1 outside the stack), the weights row
// when the role alone does not tell it (experts, MTP, vision), and how many instances of the
// tensor the layer holds (an MoE layer's per-expert tensors, whose name writes the expert index
// as '#').
struct Place {
  int32_t layer = -1;
  WeightGroup group = WeightGroup::count;  // count: default_group(role)
  bool routed = false;                     // routed experts: k of E used per token
  int64_t instances = 1;
  int32_t experts = 0;  // routed experts in one instance (E for a fused expert tensor)

  Place() = default;
  Place(int32_t layer_index) : layer(layer_index) {}  // NOLINT: a bare layer is the common case
};

// `count` per-expert instances of a routed expert's tensor in decoder layer `layer`.
Place routed_experts(int32_t layer, int64_t count);
// One fused tensor holding `count` routed experts ([E, …]).
Place fused_experts(int32_t layer, int32_t count);
// A shared expert (every token uses it) of an MoE layer.
Place shared_expert(int32_t layer);
// An MTP layer's tensors (outside num_hidden_layers).
Place mtp_layer();

// Adds tensor records with storage bytes at the model's torch_dtype. A tensor added for
// consecutive layers, with the same shape and instance count, extends one record.
class TensorAdder {
 public:
  explicit TensorAdder(ModelDescription& m) : m_(m) {}

  void add(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
           const Place& at = {});

  // nn.Linear(in, out): weight [out, in] and optional bias [out]. A row-parallel bias stays
  // whole on every rank, so it is recorded as replicated.
  void linear(const std::string& prefix, int64_t in, int64_t out, bool bias, TensorRole role,
              TpSplit split, const Place& at = {});

  // A bias vector (never quantised; 2-D for fused experts' biases, [E, out]).
  void bias(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
            const Place& at = {}) {
    add_bias(name, std::move(shape), role, split, at);
  }

  // A norm with weight [dim] (and bias [dim] for LayerNorm).
  void norm(const std::string& prefix, int64_t dim, bool bias, const Place& at = {});

  ModelDescription& model() { return m_; }

 private:
  void add_bias(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
                const Place& at);
  void add_tensor(const std::string& name, std::vector<int64_t>&& shape, TensorRole role,
                  TpSplit split, const Place& at, bool bias);

  ModelDescription& m_;
  std::unordered_map<std::string, size_t> last_;  // record key → its latest record
  Tensor probe_;                                  // the tensor being added, reused
  std::string key_;                               // its record key, reused
};

// Standard pieces in Llama naming ("model.layers.N.self_attn.q_proj" …).
void add_llama_attention(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t heads,
                         int64_t kv_heads, int64_t head_dim, bool qkv_bias, bool o_bias,
                         int32_t layer);
// The attention half of a Llama-style decoder layer: input_layernorm, self_attn.{q,k,v,o}_proj,
// optional per-head q_norm/k_norm (Qwen3, Gemma 3), post_attention_layernorm.
void add_llama_attention_block(TensorAdder& t, const std::string& layer_prefix,
                               const DecoderParams& p, bool qkv_bias, bool o_bias, bool qk_norm,
                               int32_t layer);
// gate_proj, up_proj, down_proj (SwiGLU), placed `at`.
void add_gated_mlp(TensorAdder& t, const std::string& prefix, int64_t hidden, int64_t inter,
                   bool bias, const Place& at);

// An attention LayerSpec for a standard layer.
LayerSpec attention_layer(int32_t heads, int32_t kv_heads, int32_t head_dim_k, int32_t head_dim_v,
                          int64_t window_tokens = 0);

// Embedding (and lm_head unless tied) in Llama naming.
void add_llama_embeddings(TensorAdder& t, const DecoderParams& p);

}  // namespace llmem::hf

namespace llmem::hf {

// The attention window of each layer, from the keys transformers uses:
// - `layer_types` ("full_attention", "sliding_attention", "chunked_attention") when present;
// - otherwise Qwen2's `use_sliding_window` (default false) with `max_window_layers`: layers
//   i >= max_window_layers slide (transformers Qwen2Config);
// - otherwise `sliding_window` (Mistral) on every layer when it is a positive integer.
// A window present but switched off (use_sliding_window: false) is full attention: 0.
std::vector<int64_t> read_layer_windows(const ConfigView& c, int64_t layers);

}  // namespace llmem::hf

namespace llmem::hf {

// A key transformers fills from its config class when config.json omits it (Gemma 3's sparse
// text_config relies on this): the class default is used and a note names the key and the class.
//   "config.json: text_config.num_attention_heads is absent; transformers' Gemma3TextConfig
//    default 8 is used"
int64_t int_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                             int64_t class_default, int64_t min, int64_t max,
                             std::string_view config_class);
bool bool_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                           bool class_default, std::string_view config_class);

// Routed-expert counts of an MoE config: `experts_key` (num_local_experts, num_experts …) in
// [1, k_max_experts] and `per_token_key` in [1, experts]. Both are required.
struct MoeCounts {
  int32_t experts = 0;
  int32_t per_token = 0;
};
MoeCounts read_moe_counts(const ConfigView& c, std::string_view experts_key,
                          std::string_view per_token_key = "num_experts_per_tok");

}  // namespace llmem::hf
