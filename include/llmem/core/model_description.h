// The plain description of a model that every estimate starts from: each tensor's name, logical
// shape and storage bytes, and each decoder layer's cache layout (attention, MLA, sliding window,
// SSM state). Readers in src/formats/ build it (from config.json, safetensors, GGUF); the core
// only reads it.
//
//   auto model = llmem::load_hf_config_file("config.json");
//   uint64_t n = llmem::total_params(model);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llmem/core/dtype.h"

namespace llmem {

// What a tensor is for. Decides TP/PP placement and which tensors a format leaves unquantised.
enum class TensorRole : uint8_t {
  embedding,           // token embedding (vocab × hidden)
  position_embedding,  // learned absolute positions (GPT-2, OPT)
  lm_head,             // output projection; absent when tied to the embedding
  attention,           // q/k/v/o projections and their biases, MLA's low-rank projections
  mlp,                 // dense feed-forward
  routed_expert,       // an MoE expert chosen by the router (counts k/E toward active params)
  shared_expert,       // an MoE expert every token uses
  router,              // MoE gate
  norm,                // layer norms, RMS norms, q/k norms
  ssm,                 // Mamba mixer (in_proj, conv1d, A, D, dt, out_proj, norm)
  vision,              // the vision tower of a multimodal model
  projector,           // multimodal projector between vision and text
  mtp,                 // multi-token-prediction layer outside num_hidden_layers (DeepSeek-V3)
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

struct Tensor {
  std::string name;  // Hugging Face parameter name ("model.layers.0.self_attn.q_proj.weight")
  std::vector<int64_t> shape;  // logical (unquantised) shape, PyTorch order
  TensorRole role = TensorRole::other;
  TpSplit split = TpSplit::replicated;
  int32_t layer = -1;         // decoder layer index; -1 outside the stack
  int32_t experts = 0;        // routed experts held in this tensor (1 per-expert, E when fused);
                              // also set on an MTP layer's routed experts (role mtp)
  DType dtype = DType::bf16;  // element dtype when stored densely
  std::string format;         // "" when dense; otherwise the quantisation format's label
  uint64_t bytes = 0;         // storage bytes, including any scales, zeros and absmax
  bool keep_unquantised = false;  // the checkpoint's quantisation config leaves it dense

  uint64_t elements() const;  // product of shape (checked)
};

// The cache a decoder layer needs while generating.
enum class LayerKind : uint8_t {
  attention,  // K and V per token (MHA, GQA, MQA), optionally windowed or chunked
  mla,        // multi-head latent attention: one latent + one rope key per token (DeepSeek-V2/V3)
  mamba,      // Mamba-1 SSM: conv and state per sequence, no per-token cache
  mamba2,     // Mamba-2 SSM (Mamba2, Nemotron-H)
  mlp_only,   // no sequence mixing at all (Nemotron-H's '-' layers)
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
  // mamba / mamba2 (elements per sequence, held in the compute dtype; --kv-dtype does not apply)
  int64_t conv_state_elements = 0;
  int64_t ssm_state_elements = 0;
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
  int32_t num_attention_heads = 0;
  int32_t num_kv_heads = 0;
  int32_t head_dim = 0;
  bool tied_embeddings = false;
  int32_t num_experts = 0;  // routed experts per MoE layer
  int32_t experts_per_token = 0;
  int32_t num_shared_experts = 0;
  std::vector<Tensor> tensors;
  std::vector<LayerSpec> layers;  // one per decoder layer, size num_layers
  std::string weights_format;  // label of the stored weight format ("bf16", "gptq-4bit-g128" …)
  std::string quantization_config_json;  // config.json quantization_config as written; "" if none
  std::vector<std::string> notes;        // warnings and choices made while reading
};

// Parameters, counting each stored tensor once (a tied LM head is not a separate tensor).
uint64_t total_params(const ModelDescription& m);

// Parameters used per token (SPEC §2): everything except routed experts, plus k/E of them.
uint64_t active_params(const ModelDescription& m);

// Parameters outside the embedding and LM head (the "non-embedding" count model cards print).
uint64_t non_embedding_params(const ModelDescription& m);

// Storage bytes of all tensors.
uint64_t weight_bytes(const ModelDescription& m);

std::string_view to_string(TensorRole r);
std::string_view to_string(LayerKind k);

}  // namespace llmem
