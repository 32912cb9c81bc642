// vLLM (V1 engine), private interface: the settings a run resolves to, the KV pool, the profile
// run, non-torch memory and CUDA graphs, each in its own file. The rules and their sources (file
// and function of vLLM's source at v0.19.0 = 2a69949b and the v0.21 line = upstream c02c758ea)
// are in docs/vllm-rules.md; each function cites the one it follows.
#pragma once

#include <array>
#include <cstdint>

#include "core/engines/engine_common.h"
#include "llmem/core/engine_figures.h"

namespace llmem::engines::vllm {

// What differs by version (docs/vllm-rules.md §0, §1.2).
struct VersionRules {
  VllmRules rules = VllmRules::v0_19;
  double default_utilization = 0.9;      // vllm/config/cache.py CacheConfig.gpu_memory_utilization
  bool estimate_cudagraphs = false;      // vllm/envs.py VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS
  bool tokens_from_concurrency = false;  // _report_kv_cache_config: int(concurrency × L)
  bool capture_appends_max_tokens = false;  // _set_cudagraph_sizes appends T when off-stride
};
VersionRules version_rules(const std::string& version);  // throws InputError "engine_version"

// The settings a run resolves to (defaults filled in).
struct Settings {
  VersionRules version;
  double utilization = 0.9;
  int64_t max_model_len = 0;
  int64_t derived_max_len = 0;  // the model's maximum (max_position_embeddings)
  int64_t max_num_seqs = 0;
  int64_t max_num_batched_tokens = 0;
  int32_t block_size = 16;
  bool block_size_given = false;
  int32_t speculative_tokens = 0;
};
Settings resolve_settings(const PreparedModel& p, const InferenceOptions& o);
void validate(const PreparedModel& p, const InferenceOptions& o);  // throws InputError

// One KV cache spec kind (vllm/v1/kv_cache_interface.py).
enum class SpecKind : uint8_t { full, sliding, chunked, mla, mamba, count };

struct LayerSpecGroup {
  SpecKind kind = SpecKind::full;
  int64_t window = 0;         // sliding window or attention chunk
  uint64_t page = 0;          // bytes of one block of one layer (after unification)
  int64_t block_tokens = 16;  // tokens per block (after unification)
  int64_t layers = 0;         // layers of this spec on the stage
  int64_t groups = 0;         // KV cache groups of this spec
  Part part = Part::kv_full_attention;
};

inline constexpr size_t k_max_specs = 8;

// A stage's pool layout (get_kv_cache_groups + get_kv_cache_config_from_groups).
struct PoolLayout {
  std::array<LayerSpecGroup, k_max_specs> specs{};
  size_t n_specs = 0;
  int64_t group_size = 0;        // layers (KV tensors) per group
  int64_t n_groups = 0;          // groups in all
  uint64_t page = 0;             // the one page size
  int32_t block_size = 16;       // the attention block size (raised for Mamba hybrids)
  bool uniform_type = false;     // one attention type, several page sizes: Σ pages per block
  uint64_t bytes_per_block = 0;  // one block across the stage's KV tensors
  uint64_t mamba_padding_per_block = 0;  // padded Mamba page − real page, × Mamba layers
};
// The drafter's attention layers (speculative decoding) join the last stage's pool; MTP adds one
// layer like the model's last.
PoolLayout pool_layout(const PreparedModel& p, const InferenceOptions& o, const Settings& s,
                       int32_t stage, StageSpan span, KvDType kv_dtype, DType state_dtype);

// Blocks one request of `len` tokens needs over every group (max_memory_usage_bytes per spec).
int64_t blocks_per_request(const PoolLayout& pool, int64_t len, int64_t max_batched_tokens,
                           int32_t speculative_tokens);

// The longest length in [1, max_len] whose request fits `num_blocks` (_auto_fit_max_model_len);
// 0 when none does.
int64_t longest_fitting_len(const PoolLayout& pool, int64_t num_blocks, int64_t max_len,
                            int64_t max_batched_tokens, int32_t speculative_tokens);

// The profile run's peak on one stage (GPUModelRunner.profile_run).
VllmPeakTerms profile_peak(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                           const Settings& s, int32_t stage, StageSpan span);
// The fitted allocator constant of the peak (docs/vllm-cases.md §4).
inline constexpr uint64_t k_peak_constant = 38'654'705;  // 0.036 GiB

// Non-torch memory: the init baseline (outside the budget) and the growth during profiling.
struct NonTorch {
  ByteRange context;       // CUDA context and loaded modules
  ByteRange comms;         // vLLM's communicators, custom all-reduce, symmetric memory (init)
  ByteRange lazy_kernels;  // growth at tp 1: lazily loaded kernels, cuBLAS handles
  ByteRange torch_nccl;    // growth with tp > 1: torch's own NCCL communicator
};
NonTorch non_torch(const PreparedModel& p, const InferenceOptions& o);

// CUDA graphs: capture sizes, vLLM's estimate and the captured pool.
struct Graphs {
  int32_t sizes = 0;  // capture sizes per mode
  int32_t modes = 0;  // 0 none, 1 PIECEWISE, 2 FULL_AND_PIECEWISE
  uint64_t estimate = 0;
  ByteRange pool;
};
Graphs cuda_graphs(const PreparedModel& p, const InferenceOptions& o, const Settings& s,
                   StageSpan span);

// vLLM's multi-LoRA buffers on one rank (create_lora_weights of the wrapped layers).
uint64_t lora_slot_bytes(const PreparedModel& p, const InferenceOptions& o, StageSpan span,
                         int32_t stage);

// The drafter's weights on one rank (speculative decoding).
uint64_t drafter_weight_bytes(const PreparedModel& p, const InferenceOptions& o);

// The whole run (all stages; vLLM takes the smallest stage's block count).
InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& e, StageParts* stages, size_t max_stages);

}  // namespace llmem::engines::vllm
