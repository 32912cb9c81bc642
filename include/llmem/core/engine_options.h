// The options of each serving engine, with the engines' own names as the settings keys (SPEC §1:
// vLLM's --gpu-memory-utilization is `gpu_memory_utilization`, llama.cpp's --n-gpu-layers is
// `n_gpu_layers`), and the GPU an engine's allocation depends on. Plain structs with documented
// defaults; an unset optional takes the engine's own default for the version, the GPU and the
// entry point (docs/engines.md lists them with their sources).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llmem/core/kv_cache.h"

namespace llmem {

struct PreparedModel;

// The GPU the engine runs on. vLLM's budget is a share of its memory and its batch defaults
// follow its size and name (vllm/engine/arg_utils.py, EngineArgs.get_batch_defaults); llama.cpp's
// --fit fills it. memory_bytes 0: no GPU named, so nothing that depends on one is computed.
struct GpuTarget {
  std::string name;                // catalog name ("H100-80GB"); vLLM tests it for "a100"
  uint64_t memory_bytes = 0;       // one GPU's total memory as CUDA reports it; 0 = not given
  int32_t count = 1;               // GPUs of this kind
  int32_t sm_count = 0;            // streaming multiprocessors (vLLM's Triton sampler buffer); 0 =
                                   // unknown, taken as an H100 SXM's 132
  std::string compute_capability;  // "9.0"; "" when unknown
  bool nvswitch = false;           // NVLink/NVSwitch-connected (NCCL NVLS, vLLM custom all-reduce)
};

// How vLLM is started: `vllm serve` (UsageContext.OPENAI_API_SERVER) or the `LLM` class
// (UsageContext.LLM_CLASS); the batch defaults differ (arg_utils.get_batch_defaults).
enum class VllmEntryPoint : uint8_t { serve, llm, count };

// --speculative-config's method (vllm/config/speculative.py).
enum class SpeculativeMethod : uint8_t { none, draft_model, eagle, eagle3, mtp, ngram, count };

struct SpeculativeConfig {
  SpeculativeMethod method = SpeculativeMethod::none;
  int32_t num_speculative_tokens = 0;
  // draft_model / eagle / eagle3: the drafter, prepared; mtp uses the model's own MTP layers.
  std::shared_ptr<const PreparedModel> draft;
};

// vLLM (V1 engine) options, by vLLM's names. Defaults per version in docs/vllm-rules.md §3.
struct VllmOptions {
  std::optional<double> gpu_memory_utilization;  // (0, 1]; 0.9 in v0.19, 0.92 from v0.21
  // max_model_len: tokens per request; unset: `context` when given, else the model's derived
  // maximum (max_position_embeddings). max_model_len_auto: --max-model-len auto (-1), the
  // longest length the pool holds one request of (_auto_fit_max_model_len).
  std::optional<int64_t> max_model_len;
  bool max_model_len_auto = false;
  std::optional<int64_t> max_num_seqs;            // default: get_batch_defaults
  std::optional<int64_t> max_num_batched_tokens;  // default: get_batch_defaults
  std::optional<int32_t> block_size;              // default: 16, or the backend's smallest
  bool enforce_eager = false;                     // no CUDA graphs, no graph profiling
  int32_t max_loras = 0;       // 0: LoRA off (no --enable-lora); else adapters per batch
  int32_t max_lora_rank = 16;  // one of 1, 8, 16, 32, 64, 128, 256, 320, 512
  double cpu_offload_gb = 0;   // GiB of weights per GPU held in host memory (UVA)
  std::optional<uint64_t> kv_cache_memory_bytes;  // the pool exactly; profiling skipped
  SpeculativeConfig speculative_config;
  VllmEntryPoint entry_point = VllmEntryPoint::serve;
  // VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS: subtract vLLM's graph estimate from the budget;
  // unset: the version's default (off in v0.19, on from v0.21).
  std::optional<bool> estimate_cudagraphs;
};

// llama.cpp's flash attention switch (-fa on|off|auto; common/arg.cpp).
enum class FlashAttn : uint8_t { off, on, automatic, count };

// -ot/--override-tensor PATTERN=BUFFER_TYPE: a regular expression searched in the GGUF tensor
// name, and the buffer type ("CPU", "CUDA0" …) the matching weights go to.
struct TensorOverride {
  std::string pattern;
  std::string buffer_type;
};

// llama.cpp (build v0.5.0) options, by llama.cpp's names; llama-server's defaults.
struct LlamaCppOptions {
  // n_ctx (-c): total cells; unset: context × batch when a context is given, else llama-server's
  // choice (the training context per slot, reduced by --fit to the device).
  std::optional<int64_t> n_ctx;
  std::optional<int64_t> batch_size;   // n_batch (-b), default 2048
  std::optional<int64_t> ubatch_size;  // n_ubatch (-ub), default 512
  int32_t n_gpu_layers = -1;           // -ngl; -1 all (unless --fit lowers it), else from the back
  FlashAttn flash_attn = FlashAttn::automatic;
  std::vector<double> tensor_split;       // -ts, one share per device
  std::optional<KvDType> type_k, type_v;  // -ctk / -ctv; default kv_dtype, else f16
  std::optional<bool> kv_unified;         // -kvu; default: on for llama-server's automatic 4 slots
  bool swa_full = false;                  // --swa-full
  bool mmap = true;                       // --no-mmap turns it off
  bool no_host = false;                   // --no-host: CPU weights skip the GPU's pinned host type
  bool kv_offload = true;                 // --no-kv-offload turns it off
  bool cpu_moe = false;                   // --cpu-moe: every layer's experts on the host
  int32_t n_cpu_moe = 0;  // --n-cpu-moe N: experts of the first N layers on the host
  std::vector<TensorOverride> override_tensor;  // -ot, first match wins
  // The ggml CPU library variant ggml loads (ggml_backend_load_best): "x64", "sse42",
  // "sandybridge", "haswell", "alderlake", "skylakex", "icelake", "zen4", "sapphirerapids" …; it
  // decides CPU_REPACK (AVX2) and AMX buffers. Default haswell: AVX2, no AVX-512, no AMX.
  std::string cpu_variant = "haswell";
  int32_t devices = -1;           // GPUs used; -1: tp × pp; 0: CPU only (--device none)
  bool fit = true;                // llama-server's --fit (on by default)
  int64_t fit_target_mib = 1024;  // -fitt: MiB left free per device
  int64_t fit_ctx = 4096;         // -fitc: the smallest context fit reduces to
};

// Hugging Face transformers' attention implementation (attn_implementation).
enum class HfAttention : uint8_t { sdpa, eager, flash_attention_2, count };

// transformers generate()'s cache (cache_implementation); automatic: the model's own default.
enum class HfCache : uint8_t { automatic, dynamic, static_cache, count };

struct HfOptions {
  HfAttention attn_implementation = HfAttention::sdpa;
  HfCache cache_implementation = HfCache::automatic;
  bool kernels = false;  // the format's kernels are installed (MXFP4 via triton kernels)
};

}  // namespace llmem
