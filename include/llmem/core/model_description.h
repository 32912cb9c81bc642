// The plain description of a model that every estimate starts from: its tensors, held as a few
// grouped records, and each decoder layer's cache layout (attention, MLA, sliding window, SSM
// state). Readers in src/formats/ build it (from config.json, safetensors, GGUF); the core only
// reads it, and never decodes a tensor name: what a tensor is for travels as its role and group,
// set by the readers, which know it.
//
// A record stands for every tensor that shares a name pattern, a shape, a role and a storage
// format over a run of consecutive decoder layers, `per_layer` times in each layer (the experts
// of an MoE layer, the layers of a vision tower): Mixtral's 32 × 8 w1 tensors are one record, so
// an estimate walks tens of records, not tens of thousands, and memory never grows with a count a
// config chooses.
//
//   auto model = llmem::load_hf_config(text, {});
//   uint64_t n = llmem::total_params(model);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/dtype.h"
#include "llmem/core/ggml_type.h"
#include "llmem/core/weight_format.h"

namespace llmem {

// What a tensor is: the module kind, as Hugging Face and llama.cpp name their modules. Decides
// tensor-parallel placement, which tensors a format quantises, llama.cpp's per-tensor types and
// (for training) which modules LoRA targets.
enum class TensorRole : uint8_t {
  embedding,           // token embedding (vocab × hidden)
  position_embedding,  // learned absolute positions (GPT-2, OPT)
  lm_head,             // output projection; absent when tied to the embedding
  q,                   // attention query projection
  k,                   // attention key projection
  v,                   // attention value projection
  qkv,                 // fused q/k/v (GPT-2 c_attn, Falcon query_key_value, Phi-3 qkv_proj)
  o,                   // attention output projection
  q_a,                 // MLA: query down-projection (q_a_proj)
  q_b,                 // MLA: query up-projection (q_b_proj)
  kv_a,                // MLA: latent down-projection with the rope key (kv_a_proj_with_mqa)
  kv_b,                // MLA: latent up-projection to K and V (kv_b_proj)
  attn_other,          // other attention tensors (sinks, relative biases)
  gate,                // feed-forward gate projection (SwiGLU's w1)
  up,                  // feed-forward up projection
  gate_up,             // fused gate and up (Phi-3 gate_up_proj, gpt-oss gate_up_proj)
  down,                // feed-forward down projection
  router,              // MoE gate: hidden → experts
  norm,                // layer norms, RMS norms, q/k norms
  ssm_in,              // Mamba in_proj
  ssm_out,             // Mamba out_proj
  ssm_conv,            // Mamba conv1d (weight and bias): not a linear layer
  ssm_param,           // Mamba A_log, D, dt_bias, its inner norm
  vision,              // a tensor of the vision tower
  projector,           // the multimodal projector between vision and text
  other,
  count
};

// Which weights row (SPEC §3's children of `weights`) a tensor is counted in.
enum class WeightGroup : uint8_t {
  embeddings,      // token and position embeddings
  attention,       // attention projections, MLA's latent projections
  mlp,             // dense feed-forward
  experts,         // MoE: routed and shared experts, the router
  ssm,             // Mamba mixers
  norms,           // every norm of the decoder stack and the final norm
  vision_encoder,  // the vision tower
  projector,       // the multimodal projector
  mtp,             // multi-token-prediction layers outside num_hidden_layers (DeepSeek-V3)
  lm_head,         // the output projection
  other,
  count
};

// How tensor parallelism splits a tensor across ranks (Megatron-LM's parallel linear layers).
enum class TpSplit : uint8_t {
  replicated,  // every rank holds it (norms, routers, small vectors)
  column,      // output dimension split (q, gate, up; their biases)
  row,         // input dimension split (o, down); a row bias stays whole
  vocab,       // vocabulary rows split (embedding, LM head)
  kv_heads,    // split by KV heads, replicated when ranks exceed heads (k, v projections)
  count
};

// How a tensor is stored.
enum class TensorStorage : uint8_t {
  dense,      // `dtype` elements
  quantised,  // the model's quantisation scheme (ModelDescription::stored_format)
  ggml,       // a ggml block type (`ggml_type`) of a GGUF file
  count
};

struct Tensor {
  // Hugging Face (or GGUF) name. In a record of several instances, each index that varies
  // across them is written '#' ("model.layers.#.mlp.experts.#.w1.weight").
  std::string name;
  std::vector<int64_t> shape;  // one instance's logical (unquantised) shape, PyTorch order
  TensorRole role = TensorRole::other;
  WeightGroup group = WeightGroup::other;
  TpSplit split = TpSplit::replicated;
  bool bias = false;      // a bias vector (never quantised)
  bool routed = false;    // a routed expert: k of E are used per token
  int32_t layer = -1;     // first decoder layer of the record; -1 outside the stack
  int32_t layers = 1;     // consecutive decoder layers the record covers (1 outside the stack)
  int64_t per_layer = 1;  // instances in each layer: E per-expert tensors, a tower's layers …
  int32_t experts = 0;    // routed experts held in one instance (1 per-expert, E when fused)
  TensorStorage storage = TensorStorage::dense;
  DType dtype = DType::bf16;           // element dtype (dense), or of the stored values
  GgmlType ggml_type = GgmlType::f32;  // when storage is ggml
  uint64_t bytes = 0;  // storage bytes of one instance, including scales, zeros and absmax
  bool keep_unquantised = false;  // the checkpoint's quantisation config leaves it dense

  uint64_t elements() const;        // one instance: product of shape (checked)
  uint64_t count() const;           // instances: layers × per_layer
  uint64_t total_elements() const;  // elements() × count()
  uint64_t total_bytes() const;     // bytes × count()
  bool in_stack() const { return layer >= 0; }
};

// The cache a decoder layer needs while generating.
enum class LayerKind : uint8_t {
  attention,         // K and V per token (MHA, GQA, MQA), optionally windowed or chunked
  mla,               // multi-head latent attention: one latent + one rope key per token
  mamba,             // Mamba-1 SSM: conv and state per sequence, no per-token cache
  mamba2,            // Mamba-2 SSM (Mamba2, Nemotron-H)
  linear_attention,  // linear attention (gated delta rule, lightning): a fixed state per sequence
  mlp_only,          // no sequence mixing at all (Nemotron-H's '-' layers)
  count
};

struct LayerSpec {
  LayerKind kind = LayerKind::attention;
  bool moe = false;  // feed-forward is a mixture of experts
  // attention / mla
  int32_t num_heads = 0;         // query heads
  int32_t num_kv_heads = 0;      // K/V heads (== num_heads for MHA, 1 for MQA)
  int32_t head_dim_k = 0;        // K (and Q) head size
  int32_t head_dim_v = 0;        // V head size
  int64_t window_tokens = 0;     // sliding window; 0 = full attention
  int64_t chunk_tokens = 0;      // chunked local attention (Llama 4); 0 = none
  int32_t kv_lora_rank = 0;      // MLA latent size
  int32_t qk_rope_head_dim = 0;  // MLA decoupled rope key size
  // mamba / mamba2 / linear_attention, and an attention layer with an SSM mixer in parallel
  // (Falcon-H1, Zamba2's hybrid layers): elements per sequence, held in the compute dtype (the
  // KV dtype does not apply)
  int64_t conv_state_elements = 0;
  int64_t ssm_state_elements = 0;

  bool operator==(const LayerSpec&) const = default;
};

// One tensor of a GGUF file in file order: which record and layer it is an instance of, and
// where its bytes lie in the data section (llama.cpp maps the file: its CPU_Mapped buffer spans
// the first to the last host tensor in this order).
struct FileTensor {
  uint32_t record = 0;  // index into ModelDescription::tensors
  int32_t layer = -1;   // decoder layer, -1 outside the stack
  uint64_t offset = 0;  // from the start of the data section
  uint64_t bytes = 0;
};

struct ModelDescription {
  std::string name;                 // catalog name, file stem or Hub id
  std::string source;               // where it came from: "catalog:NAME", a path, "hf:org/name@rev"
  std::string model_type;           // config.json model_type as written
  std::string architecture;         // architectures[0], or ""
  DType torch_dtype = DType::bf16;  // checkpoint dtype (config torch_dtype); bf16 when absent
  bool torch_dtype_given = false;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;  // decoder layers (num_hidden_layers), MTP excluded
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;  // 0 when the config does not say
  // The longest context the model supports, as vLLM derives max_model_len from the config:
  // max_position_embeddings (or the smallest of its spellings), times the rope scaling factor
  // unless the scaling is already in it (llama3, longrope, Gemma 3); 0 when unknown.
  int64_t context_limit = 0;
  std::string context_limit_basis;  // how it was derived ("max_position_embeddings = 8192")
  int32_t num_attention_heads = 0;
  int32_t num_kv_heads = 0;
  int32_t head_dim = 0;
  bool tied_embeddings = false;
  // Dropout the config trains with (BERT: attention_probs_dropout_prob, hidden_dropout_prob);
  // 0 for the decoders llmem reads, whose configs train without it.
  double attention_dropout = 0.0;
  double hidden_dropout = 0.0;
  int32_t num_experts = 0;  // routed experts per MoE layer
  int32_t experts_per_token = 0;
  int32_t num_shared_experts = 0;
  // llama.cpp's quantisation rules that differ by family (llama-quant.cpp: LLM_ARCH_FALCON, and
  // LLM_TYPE_70B for an 80-layer Llama); set by the readers.
  bool gguf_falcon_rules = false;
  bool gguf_70b_rules = false;
  std::vector<Tensor> tensors;    // grouped records, in layer order (the order llama.cpp sorts)
  std::vector<LayerSpec> layers;  // one per decoder layer, size num_layers
  std::string weights_format;  // label of the stored weight format ("bf16", "gptq-4bit-g128" …)
  WeightFormat stored_format;  // the scheme of the tensors stored `quantised`, typed
  std::string quantization_config_json;  // config.json quantization_config as written; "" if none
  std::vector<std::string> notes;        // warnings and choices made while reading
  std::vector<FileTensor> file_tensors;  // a GGUF file's tensors in file order; empty otherwise
  // The reader was asked to hold the MTP layers (HfConfigOptions::include_mtp): a bridge for the
  // command line until the request layer sets InferenceOptions::include_mtp itself.
  bool mtp_requested = false;
};

// Parameters, counting each stored tensor once (a tied LM head is not a separate tensor).
uint64_t total_params(const ModelDescription& m);

// Parameters used per token (SPEC §2): everything except routed experts, plus k/E of them.
uint64_t active_params(const ModelDescription& m);

// Parameters outside the embedding and LM head (the "non-embedding" count model cards print).
uint64_t non_embedding_params(const ModelDescription& m);

// Storage bytes of all tensors: the checkpoint as stored (MTP layers, vision tower and
// projector included), what a user downloads.
uint64_t weight_bytes(const ModelDescription& m);

// Parameters of the tensors in one weights row (WeightGroup::mtp: the MTP layers).
uint64_t group_params(const ModelDescription& m, WeightGroup g);

// Stored tensors (Σ instances of every record).
uint64_t tensor_count(const ModelDescription& m);

// The group a role falls in when nothing else decides it (a routed or shared expert's
// projections are `experts`; an MTP layer's tensors `mtp`: the readers say so).
WeightGroup default_group(TensorRole role);

std::string_view to_string(TensorRole r);
std::string_view to_string(WeightGroup g);
std::string_view to_string(LayerKind k);

}  // namespace llmem
