// llama.cpp (build v0.5.0, the source of node-llama-cpp 3.22.1), private interface: context
// sizes, the model buffers per device and host, the KV and recurrent-state buffers, the compute
// and output buffers, and llama-server's --fit. Rules and sources: docs/llamacpp-rules.md; each
// function cites the llama.cpp file and function it follows.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/engines/engine_common.h"
#include "llmem/core/engine_figures.h"

namespace llmem::engines::llamacpp {

void validate(const PreparedModel& p, const InferenceOptions& o);

// The context llama_context::llama_context makes of the request (src/llama-context.cpp).
struct Context {
  int64_t n_ctx = 0;
  int64_t n_ctx_seq = 0;
  int64_t n_batch = 0;
  int64_t n_ubatch = 0;
  int64_t n_seq = 1;
  int64_t n_stream = 1;
  bool unified = false;
  bool flash_attn = true;
  KvDType type_k = KvDType::f16;
  KvDType type_v = KvDType::f16;
};
// n_ctx_request: the -c value (0: the training context).
Context make_context(const PreparedModel& p, const InferenceOptions& o, int64_t n_ctx_request);

// What the ggml CPU library variant supports (ggml/src/CMakeLists.txt,
// ggml_add_cpu_backend_variant).
struct CpuFeatures {
  bool avx2 = false;
  bool avx512 = false;
  bool amx = false;
};
CpuFeatures cpu_features(std::string_view variant);  // throws InputError "cpu_variant"

// Where the layers go: n_gpu_layers counted from the back, the output layer included
// (llama_model_base::load_tensors, src/llama-model.cpp).
struct Placement {
  int32_t devices = 0;      // GPUs (0: CPU only)
  int32_t n_layer_all = 0;  // repeating layers; the output layer is index n_layer_all
  int32_t i_gpu_start = 0;  // first layer on a GPU
  int32_t gpu_layers = 0;   // layers (the output layer counts) on GPUs
  std::array<double, k_max_llamacpp_devices> splits{};  // cumulative, normalised
  int32_t device_of(int32_t il) const;                  // -1: the host
};
Placement place(const PreparedModel& p, const InferenceOptions& o, int32_t n_gpu_layers);

// Buffers of one placement, per device and host (bytes as llama.cpp's buffers hold them).
struct Buffers {
  std::array<Parts, k_max_llamacpp_devices> device{};  // weights by row, KV, recurrent
  std::array<LlamaCppDeviceBuffers, k_max_llamacpp_devices> sizes{};
  HostParts host;
  uint64_t kv_size = 0;      // Σ nbytes of K and V (the "size =" line, non-SWA cache)
  uint64_t kv_swa_size = 0;  // the SWA cache's
  uint64_t kv_buffer = 0;    // the non-SWA cache's buffers (all devices and the host)
  uint64_t kv_swa_buffer = 0;
  uint64_t rs_buffer = 0;  // the recurrent state's buffers
  int64_t swa_cells = 0;
  int64_t recurrent_cells = 0;
};
void model_buffers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                   const Placement& pl, Buffers& b);
void cache_buffers(const PreparedModel& p, const InferenceOptions& o, const Context& c,
                   const Placement& pl, Buffers& b);

// The compute buffer of each backend (llama_context::sched_reserve) and the host output buffer.
struct Compute {
  std::array<ByteRange, k_max_llamacpp_devices> device{};
  ByteRange host;
  uint64_t output = 0;
  bool output_on_cuda_host = false;
  bool pipeline_parallel = false;
};
Compute compute_buffers(const PreparedModel& p, const InferenceOptions& o, const Context& c,
                        const Placement& pl);

// The ggml type llama.cpp holds a record in on layer `layer` under the plan's format.
GgmlType tensor_type(const PreparedModel& p, const WeightPlan& w, uint32_t record, int32_t layer);

// A small regular-expression search (ECMAScript subset: literals, escapes \. \d \w \s, ., classes,
// groups with |, * + ? {m,n}, ^ $) for -ot patterns; throws InputError "override_tensor" on
// syntax it does not accept.
bool pattern_search(std::string_view pattern, std::string_view text);
void check_pattern(std::string_view pattern);

// The GGUF name llama.cpp gives a record's tensor on `layer` ("blk.3.ffn_up_exps.weight").
std::string gguf_name(const Tensor& t, int32_t layer);

InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& e, StageParts* stages, size_t max_stages);

}  // namespace llmem::engines::llamacpp
