// Memory to serve a model (SPEC §1 `infer`, §3 components), in two layers:
// 1. prepare_inference() reduces a ModelDescription to per-layer numbers once;
// 2. inference_numbers() turns prepared numbers + options into plain byte counts for the most
//    loaded GPU — no strings, no maps, no allocation: the planner calls it millions of times;
// 3. estimate_inference() renders the same numbers as an itemised, explained MemoryEstimate.
//
//   auto prepared = llmem::prepare_inference(model);
//   llmem::InferenceOptions o; o.context_tokens = 8192;
//   uint64_t total = llmem::inference_numbers(prepared, o).total_bytes;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/kv_cache.h"
#include "llmem/core/model_description.h"
#include "llmem/core/weight_format.h"

namespace llmem {

enum class Engine : uint8_t { generic, hf, vllm, llamacpp, count };
std::string_view to_string(Engine e);

// Every option of `llmem infer`; the CLI, a --settings file and the server all fill this struct.
struct InferenceOptions {
  // --weights: how the weights are held. nullopt: the checkpoint's stored format, except that a
  // float32 checkpoint is served as bf16 (SPEC §1 defaults; vLLM's dtype "auto"), with a note.
  std::optional<WeightFormat> weights;
  int64_t context_tokens = 4096;    // --context: tokens per sequence (SPEC §1 default)
  bool context_given = false;       // false: the default, capped at max_position_embeddings
  int64_t batch = 1;                // --batch: concurrent sequences
  std::optional<KvDType> kv_dtype;  // --kv-dtype; default: the compute dtype
  int32_t tp = 1;                   // --tp: tensor-parallel ranks
  int32_t pp = 1;                   // --pp: pipeline stages
  std::vector<int64_t> pp_layers;   // --pp-layers: decoder layers per stage (uneven split)
  Engine engine = Engine::generic;
  // --prefill-chunk: prompt tokens processed in one forward. 8192 is vLLM's
  // max_num_batched_tokens in the measured v0.19 runs (../shared/validation); HF's generate()
  // does not chunk (give context × batch), llama.cpp uses n_ubatch = 512.
  int64_t prefill_chunk_tokens = 8192;
};

// One pipeline stage's layers and non-layer tensors, at tp = 1.
struct PreparedLayer {
  LayerSpec spec;
  uint64_t split_bytes = 0;         // column/row/vocab-split tensors: ÷ tp
  uint64_t kv_head_bytes = 0;       // k/v projections: split by heads, replicated past them
  uint64_t replicated_bytes = 0;    // norms, routers, latent projections
  uint64_t act_split_elements = 0;  // widest per-token intermediate (attention or FFN), ÷ tp
};

struct PreparedModel {
  std::vector<PreparedLayer> layers;
  uint64_t first_split_bytes = 0, first_replicated_bytes = 0;  // embeddings, vision (stage 0)
  uint64_t last_split_bytes = 0, last_replicated_bytes = 0;    // LM head, final norm, MTP
  uint64_t tied_embedding_bytes = 0;  // copied onto the last stage when tied and pp > 1
  DType compute_dtype = DType::bf16;
  int64_t hidden_size = 0;
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  int32_t num_attention_heads = 0;
};

PreparedModel prepare_inference(const ModelDescription& m);

// One GPU's bytes (all TP ranks of a stage are alike, up to rounding).
struct StageNumbers {
  int32_t stage = 0;
  int32_t first_layer = 0;
  int32_t num_layers = 0;
  uint64_t weights = 0;
  uint64_t kv_cache = 0;
  uint64_t recurrent_state = 0;
  uint64_t activations = 0;
  uint64_t activations_unchunked = 0;  // the same for one unchunked prefill (upper bound)
  uint64_t activations_ubatch = 0;     // the same for llama.cpp's 512-token ubatch (lower bound)
  uint64_t logits = 0;
  uint64_t cuda_context = 0;
  uint64_t cublas_workspace = 0;
  uint64_t nccl_buffers = 0;
  uint64_t total_bytes = 0;
};

struct InferenceNumbers {
  StageNumbers worst;          // the most loaded stage: it decides whether the setup fits
  int64_t context_tokens = 0;  // after the default cap
  KvDType kv_dtype = KvDType::bf16;
  uint64_t total_bytes = 0;  // == worst.total_bytes
};

// Layers per stage: `pp_layers` when given (must sum to the layer count), else vLLM's split
// (vllm/distributed/utils.py get_pp_indices: ⌊L/pp⌋ each, the remainder to the stages before
// the last). Throws InputError for bad splits.
std::vector<int64_t> pipeline_layers(int64_t layers, int32_t pp, const std::vector<int64_t>& given);

// Checks options against the model (tp divides heads, context within limits …).
void validate_inference_options(const PreparedModel& p, const InferenceOptions& o);

// The fast path. Options must have been validated.
InferenceNumbers inference_numbers(const PreparedModel& p, const InferenceOptions& o);
StageNumbers stage_numbers(const PreparedModel& p, const InferenceOptions& o, int32_t stage,
                           int64_t first_layer, int64_t num_layers, int64_t context,
                           KvDType kv_dtype);

// The itemised, explained estimate (validates the options first).
MemoryEstimate estimate_inference(const ModelDescription& m, const InferenceOptions& o);

// Measured constants of the generic engine's framework overhead, with their sources (docs/).
inline constexpr uint64_t k_cuda_context_bytes = 547'608'330;      // 0.51 GiB, vLLM v0.19 H100 init
inline constexpr uint64_t k_cublas_workspace_bytes = 268'435'456;  // 0.25 GiB first-forward rise
inline constexpr uint64_t k_nccl_bytes = 1'073'741'824;            // 1.00 GiB TP/PP init rise
inline constexpr uint64_t k_nccl_bytes_high = 3'027'951'944;       // 2.82 GiB incl. forward rise

}  // namespace llmem
