// Memory to serve a model (SPEC §1 `infer`, §3 components), in three steps:
// 1. prepare_model() reduces a ModelDescription to records and runs of alike layers, once;
// 2. plan_weights() gives the weights under the format asked for (the stored plan is ready);
// 3. inference_numbers() turns prepared numbers, a plan, options and an engine into the named
//    parts of the most loaded GPU — no strings, no allocation: the planner calls it millions of
//    times; estimate_inference() renders the same parts as an itemised, explained estimate.
//
//   auto prepared = llmem::prepare_model(model);
//   llmem::InferenceOptions o; o.context_tokens = 8192;
//   uint64_t total = llmem::inference_numbers(prepared, prepared.stored, o,
//                                             llmem::generic_engine()).total_bytes;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmem/core/engine.h"
#include "llmem/core/engine_figures.h"
#include "llmem/core/engine_options.h"
#include "llmem/core/estimate.h"
#include "llmem/core/kv_cache.h"
#include "llmem/core/model_description.h"
#include "llmem/core/parallel.h"
#include "llmem/core/parts.h"
#include "llmem/core/prepared_model.h"
#include "llmem/core/weight_format.h"

namespace llmem {

// Every option of `llmem infer`; the request layer fills this struct from the CLI, a settings
// object or the server's body. Settings keys in comments.
struct InferenceOptions {
  // weights: how the weights are held. nullopt: the checkpoint's stored format, except that a
  // float32 checkpoint is served as bf16 (SPEC §1 defaults; vLLM's dtype "auto"), with a note.
  std::optional<WeightFormat> weights;
  int64_t context_tokens = 4096;    // context: tokens per sequence (SPEC §1 default)
  bool context_given = false;       // false: the default, capped at max_position_embeddings
  int64_t batch = 1;                // batch: concurrent sequences
  bool batch_given = false;         // false: the default (llama.cpp: llama-server's 4 slots)
  std::optional<KvDType> kv_dtype;  // kv_dtype; default: the compute dtype
  int32_t tp = 1;                   // tp: tensor-parallel ranks
  int32_t pp = 1;                   // pp: pipeline stages
  std::vector<int64_t> pp_layers;   // pp_layers: decoder layers per stage (uneven split)
  Engine engine = Engine::generic;  // engine
  // prefill_chunk: prompt tokens processed in one forward (the generic engine's default 8192 is
  // vLLM's max_num_batched_tokens in the measured v0.19 runs).
  int64_t prefill_chunk_tokens = 8192;
  // engine_version: the engine release whose rules apply ("" = the engine's default: vLLM
  // v0.19.0, llama.cpp v0.5.0); each engine accepts its own (docs/engines.md).
  std::string engine_version;
  GpuTarget gpu;             // gpu: what the engine runs on (vLLM's budget, llama.cpp's --fit)
  VllmOptions vllm;          // engine vllm
  LlamaCppOptions llamacpp;  // engine llamacpp
  HfOptions hf;              // engine hf
  // include_mtp: hold the multi-token-prediction (next-n) layers the checkpoint stores, as an
  // engine does for speculative decoding; by default they are not loaded (SPEC §1).
  bool include_mtp = false;
};

// The largest token count an option may name (2^40).
inline constexpr int64_t k_max_tokens = int64_t{1} << 40;

// The engine model for `e`.
const EngineModel& engine_model(Engine e);

// One pipeline stage's GPU (all TP ranks of a stage are alike, up to rounding).
struct StageParts {
  int32_t stage = 0;
  int32_t first_layer = 0;
  int32_t num_layers = 0;
  Parts parts;
  uint64_t activations_low = 0;   // one smallest forward (llama.cpp's ubatch)
  uint64_t activations_high = 0;  // one unchunked prefill of context × batch tokens
  uint64_t total_bytes = 0;
};

struct InferenceNumbers {
  StageParts worst;            // the most loaded stage (GPU): it decides whether the setup fits
  int64_t context_tokens = 0;  // after the default cap (vLLM: max_model_len; llama.cpp: n_ctx_seq)
  KvDType kv_dtype = KvDType::bf16;
  DType compute_dtype = DType::bf16;
  uint64_t total_bytes = 0;  // == worst.total_bytes
  EngineFigures engine;      // what the engine reports besides memory (blocks, n_ctx …)
  HostParts host;            // host memory the engine holds (cpu_components)
};

// Checks options against the model (tp suits the heads, pp the layers, context within limits);
// throws InputError naming the setting.
void validate_inference_options(const PreparedModel& p, const InferenceOptions& o);

// The fast path. Options must have been validated; allocates nothing.
InferenceNumbers inference_numbers(const PreparedModel& p, const WeightPlan& w,
                                   const InferenceOptions& o, const EngineModel& e);
StageParts stage_parts(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                       const EngineModel& e, int32_t stage, StageSpan span, int64_t context,
                       KvDType kv_dtype);

// The fast path with every stage's (vLLM) or device's (llama.cpp) parts written to `stages`
// (at most `max_stages`); the generic engine and HF write one per pipeline stage.
InferenceNumbers inference_numbers(const PreparedModel& p, const WeightPlan& w,
                                   const InferenceOptions& o, const EngineModel& e,
                                   StageParts* stages, size_t max_stages);

// The weight plan the options ask for (the stored plan, or a new one), and the note that a
// float32 checkpoint is served as bf16 when that default applied. Not the fast path.
WeightPlan requested_plan(const PreparedModel& p, const InferenceOptions& o,
                          std::optional<std::string>* note = nullptr);

// The plan the engine holds once loaded: requested_plan, then what the engine's loader changes
// (transformers without the MXFP4 kernels dequantises the experts to bf16), with a note then.
WeightPlan engine_plan(const PreparedModel& p, const InferenceOptions& o,
                       std::optional<std::string>* note = nullptr);

// The label of the weights the options ask for ("bf16", "gptq-4bit-g128" …).
std::string requested_weights_label(const PreparedModel& p, const InferenceOptions& o);

// The same parts for the plan `o.weights` asks for (validates, plans; not the fast path).
InferenceNumbers inference_numbers(const PreparedModel& p, const InferenceOptions& o);

// The itemised, explained estimate (validates the options first).
MemoryEstimate estimate_inference(const ModelDescription& m, const InferenceOptions& o);

// The name the fast path was first published under.
inline PreparedModel prepare_inference(const ModelDescription& m) { return prepare_model(m); }

}  // namespace llmem
