// What an engine reports besides memory parts: vLLM's pool in blocks, tokens and concurrency;
// llama.cpp's context sizes and buffers per device; the host memory an engine holds. Plain
// integers, filled by the fast path without allocating; SPEC §2's `engine` object and
// `cpu_components` are rendered from them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace llmem {

// A figure known only within bounds, with the point value the estimate uses.
struct ByteRange {
  uint64_t bytes = 0;
  uint64_t low = 0;
  uint64_t high = 0;
};

// Host (CPU) memory an engine holds, by row of SPEC §3 (cpu_components).
enum class HostPart : uint8_t {
  weights_mapped,     // llama.cpp CPU_Mapped: the mmap'd file span of the host weights
  weights_cpu,        // llama.cpp CPU buffer (no mmap, CPU-only)
  weights_cuda_host,  // llama.cpp CUDA_Host: pinned host weights (no mmap, with a GPU)
  weights_repack,     // llama.cpp CPU_REPACK: repacked copies of quantised weights
  weights_amx,        // llama.cpp AMX: AMX-layout copies (sapphirerapids variant)
  weights_offloaded,  // vLLM --cpu-offload-gb: parameters held in pinned host memory
  kv_cache,           // KV of layers on the host (llama.cpp CPU layers, --no-kv-offload)
  recurrent_state,    // recurrent state of layers on the host
  activations,        // llama.cpp host compute buffer (CPU or CUDA_Host)
  logits,             // llama.cpp output buffer (n_seq_max × n_vocab × 4)
  prompt_cache,       // llama-server's prompt cache limit (--cache-ram)
  count
};

struct HostParts {
  std::array<uint64_t, static_cast<size_t>(HostPart::count)> bytes{};
  uint64_t& operator[](HostPart p) { return bytes[static_cast<size_t>(p)]; }
  uint64_t operator[](HostPart p) const { return bytes[static_cast<size_t>(p)]; }
  uint64_t total() const;
};

// vLLM versions whose rules llmem has read (docs/vllm-rules.md §0).
enum class VllmRules : uint8_t {
  v0_19,  // v0.19.0 (2a69949b); also taken for v0.17 and v0.18, whose profile peak matches
  v0_21,  // the v0.21 line (upstream main c02c758ea, before the v0.21.0 cut); also v0.20 and later
  count
};

// The profile run's peak, term by term (GPUModelRunner.profile_run).
struct VllmPeakTerms {
  uint64_t sampler = 0;        // _dummy_sampler_run: logits, fp32 copy, softmax, noise, top-k/p
  uint64_t forward = 0;        // _dummy_run's forward over max_num_batched_tokens
  uint64_t moe_workspace = 0;  // persistent fused-MoE workspace (WorkspaceManager)
  uint64_t encoder_cache = 0;  // multimodal encoder outputs held through the profile
  uint64_t drafter = 0;        // the drafter's forward and the rejection sampler
  uint64_t constant = 0;       // the fitted allocator constant (docs/vllm-cases.md §4)
  bool sampler_dominates = true;
  uint64_t total() const;
};

struct VllmFigures {
  VllmRules rules = VllmRules::v0_19;
  bool gpu_given = false;  // the pool follows from the GPU's memory; else from batch × length
  double gpu_memory_utilization = 0.9;
  int64_t max_model_len = 0;
  int64_t max_num_seqs = 0;
  int64_t max_num_batched_tokens = 0;
  int32_t block_size = 16;
  int32_t kv_groups = 0;            // KV cache groups sharing the pool
  int32_t group_size = 0;           // layers (KV tensors) per group
  uint64_t page_bytes = 0;          // one block of one layer, after page unification
  uint64_t requested_bytes = 0;     // ceil(total × gpu_memory_utilization)
  uint64_t available_kv_bytes = 0;  // "Available KV cache memory"
  uint64_t pool_bytes = 0;          // num_gpu_blocks × page × group_size
  int64_t num_gpu_blocks = 0;       // the smallest over pipeline stages
  int64_t blocks_per_request = 0;   // Σ over groups at max_model_len
  int64_t kv_cache_tokens = 0;      // "GPU KV cache size" (the version's formula)
  double max_concurrency = 0;       // "Maximum concurrency for L tokens per request"
  int64_t max_model_len_max = 0;    // the longest max_model_len that starts (auto-fit)
  bool starts = true;               // one request of max_model_len fits the pool
  uint64_t weights_bytes = 0;       // "Model loading took" (weights, LoRA slots, drafter)
  VllmPeakTerms peak;               // "torch peak memory increase"
  ByteRange non_torch_increase;     // "non-torch forward increase memory"
  ByteRange baseline;               // non-torch at the init snapshot (outside the budget)
  ByteRange cuda_graphs;            // the captured pool ("Graph capturing finished … took")
  uint64_t cuda_graph_estimate_bytes = 0;  // profile_cudagraph_memory's estimate
  bool graph_estimate_subtracted = false;  // VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS
  int32_t capture_sizes = 0;               // CUDA graph capture sizes per mode
  int32_t graph_modes = 0;                 // 0 eager, 1 PIECEWISE, 2 FULL_AND_PIECEWISE
  uint64_t device_bytes = 0;               // baseline + requested + graphs (what the GPU holds)
  uint64_t offloaded_bytes = 0;            // --cpu-offload-gb: weights moved to the host
};

// The most devices llama.cpp's figures record.
inline constexpr size_t k_max_llamacpp_devices = 16;

// One llama.cpp device's buffers ("<name> model/KV/RS/compute buffer size").
struct LlamaCppDeviceBuffers {
  uint64_t model = 0;
  uint64_t kv = 0;
  uint64_t recurrent = 0;
  uint64_t compute = 0;
  int32_t layers = 0;  // repeating layers (and the output layer) on the device
};

struct LlamaCppFigures {
  int64_t n_ctx = 0;
  int64_t n_ctx_seq = 0;
  int64_t n_batch = 0;
  int64_t n_ubatch = 0;
  int64_t n_seq_max = 1;
  int64_t n_stream = 1;
  bool kv_unified = false;
  bool flash_attn = false;
  int32_t n_gpu_layers = 0;     // as llama.cpp counts them (the output layer is one)
  int32_t n_layer_all = 0;      // repeating layers + 1 (the output layer)
  int32_t devices = 0;          // GPUs (0: CPU only)
  int64_t swa_cells = 0;        // cells per stream of the SWA cache (0: none)
  int64_t recurrent_cells = 0;  // recurrent state cells (max(1, n_seq_max))
  uint64_t kv_size_bytes = 0;   // "llama_kv_cache: size" (Σ nbytes, all devices)
  uint64_t kv_swa_size_bytes = 0;
  uint64_t kv_buffer_bytes = 0;      // the non-SWA cache's "KV buffer size" (all devices + host)
  uint64_t kv_swa_buffer_bytes = 0;  // the SWA cache's
  uint64_t rs_buffer_bytes = 0;      // "RS buffer size" (all devices + host)
  uint64_t output_bytes = 0;         // output buffer (n_seq_max × n_vocab × 4)
  bool output_on_gpu_host = false;   // CUDA_Host rather than CPU
  bool fit_applied = false;          // --fit changed n_ctx or n_gpu_layers
  int64_t fit_n_ctx = 0;
  int32_t fit_n_gpu_layers = 0;
  bool pipeline_parallel = false;  // the scheduler keeps 4 graph copies
  std::array<LlamaCppDeviceBuffers, k_max_llamacpp_devices> device{};
  LlamaCppDeviceBuffers host;  // the CPU's buffers (mapped, repack, AMX, CPU, CUDA_Host)
};

struct HfFigures {
  uint64_t cache_bytes_per_token = 0;  // per layer summed, per sequence
  bool mla_decompressed = false;
  bool eager_scores = false;  // eager attention materialises the score matrix
};

struct EngineFigures {
  VllmFigures vllm;
  LlamaCppFigures llamacpp;
  HfFigures hf;
};

}  // namespace llmem
