// vLLM (V1 engine): the budget and what the GPU holds. Sources (docs/vllm-rules.md §1):
// vllm/v1/worker/gpu_worker.py Worker.init_device (the init snapshot after the distributed
// environment: the baseline lies outside the budget) and Worker.determine_available_memory;
// vllm/v1/worker/utils.py request_memory (requested = ceil(total × gpu_memory_utilization));
// vllm/utils/mem_utils.py memory_profiling (KV = requested − weights − the torch peak increase −
// the non-torch increase, − vLLM's CUDA-graph estimate from v0.21); the captured graph pool comes
// after the KV cache (compile_or_warm_up_model → capture_model), so the device holds
// baseline + requested + graphs. --kv-cache-memory-bytes replaces the profiled budget;
// vllm/v1/core/kv_cache_utils.py get_kv_cache_configs takes every worker's smallest block count.
#include "core/engines/vllm.h"

#include <algorithm>
#include <cmath>

namespace llmem::engines::vllm {
namespace {

// --cpu-offload-gb (vllm/model_executor/offloader/uva.py _maybe_offload_to_cpu): parameters in
// construction order (embeddings, the layers, the head) move to pinned host memory until the
// total reaches the limit; a parameter moves whole. Walks this stage's weight rows in that order.
uint64_t offload(Parts& parts, double gib) {
  if (gib <= 0) return 0;
  const uint64_t limit = static_cast<uint64_t>(std::ceil(gib * static_cast<double>(k_gib)));
  uint64_t moved = 0;
  for (size_t g = 0; g < static_cast<size_t>(WeightGroup::count) && moved < limit; ++g) {
    Part part = weights_part(static_cast<WeightGroup>(g));
    const uint64_t take = std::min(parts[part], limit - moved);
    parts[part] -= take;
    moved += take;
  }
  return moved;
}

// The rotary embedding's cos/sin cache, a buffer inside "Model loading took": one per process
// (get_rope caches the module), [max_position_embeddings, rotary_dim] in the model dtype
// (vllm/model_executor/layers/rotary_embedding/base.py RotaryEmbedding.__init__,
// _compute_cos_sin_cache). rotary_dim is taken as the head size (MLA: qk_rope_head_dim); a partial
// rotary factor (Phi-2, GPT-NeoX) makes it smaller — an upper bound there.
uint64_t rope_cache_bytes(const PreparedModel& p, DType dtype) {
  for (const auto& run : p.runs) {
    uint64_t dim = 0;
    if (run.spec.kind == LayerKind::mla) dim = static_cast<uint64_t>(run.spec.qk_rope_head_dim);
    if (run.spec.kind == LayerKind::attention) dim = static_cast<uint64_t>(run.spec.head_dim_k);
    if (dim == 0 || p.max_position_embeddings <= 0) continue;
    return dtype_bytes(dtype, static_cast<uint64_t>(p.max_position_embeddings) * dim);
  }
  return 0;
}

struct StageBudget {
  Parts parts;
  PoolLayout pool;
  VllmPeakTerms peak;
  Graphs graphs;
  uint64_t weights = 0;
  uint64_t offloaded = 0;
  uint64_t available = 0;  // the KV budget (0 when none is left)
  bool overcommitted = false;
  int64_t blocks = 0;
};

}  // namespace

InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& /*e*/, StageParts* stages, size_t max_stages) {
  const Settings s = resolve_settings(p, o);
  InferenceNumbers n;
  n.compute_dtype = w.compute_dtype;
  n.kv_dtype = o.kv_dtype.value_or(kv_dtype_for(w.compute_dtype));
  n.context_tokens = s.max_model_len;
  const VllmOptions& v = o.vllm;
  const bool gpu = o.gpu.memory_bytes > 0;
  const NonTorch nt = non_torch(p, o);
  const uint64_t requested = gpu ? static_cast<uint64_t>(std::ceil(
                                       static_cast<double>(o.gpu.memory_bytes) * s.utilization))
                                 : 0;
  const bool subtract_graphs =
      !v.enforce_eager && v.estimate_cudagraphs.value_or(s.version.estimate_cudagraphs);
  const uint64_t growth = nt.lazy_kernels.bytes + nt.torch_nccl.bytes;
  const uint64_t batch = static_cast<uint64_t>(std::max<int64_t>(o.batch, 1));

  // Pass 1: every stage's budget and block count.
  int64_t min_blocks = INT64_MAX;
  StageBudget worst_budget;
  VllmFigures& f = n.engine.vllm;
  f.rules = s.version.rules;
  f.gpu_given = gpu;
  f.gpu_memory_utilization = s.utilization;
  f.max_num_seqs = s.max_num_seqs;
  f.max_num_batched_tokens = s.max_num_batched_tokens;
  f.requested_bytes = requested;
  f.graph_estimate_subtracted = subtract_graphs;

  auto budget = [&](int32_t stage, StageSpan span) {
    StageBudget b;
    stage_weight_parts(p, w, o, stage, span, b.parts);
    add_to(b.parts, Part::weights_other, rope_cache_bytes(p, w.compute_dtype));
    b.parts[Part::lora_slots] = lora_slot_bytes(p, o, span, stage);
    if (stage == o.pp - 1) b.parts[Part::draft_model] = drafter_weight_bytes(p, o);
    b.offloaded = offload(b.parts, v.cpu_offload_gb);
    b.weights = b.parts.sum(PartParent::weights);
    b.peak = profile_peak(p, w, o, s, stage, span);
    b.graphs = cuda_graphs(p, o, s, span);
    b.pool = pool_layout(p, o, s, stage, span, n.kv_dtype, w.compute_dtype);
    const uint64_t used =
        b.weights + b.peak.total() + growth + (subtract_graphs ? b.graphs.estimate : 0);
    if (v.kv_cache_memory_bytes) {
      b.available = *v.kv_cache_memory_bytes;
    } else if (gpu) {
      b.overcommitted = used > requested;
      b.available = b.overcommitted ? 0 : requested - used;
    } else {
      // No GPU named: the pool that holds `batch` requests of max_model_len.
      const uint64_t need = static_cast<uint64_t>(blocks_per_request(
          b.pool, s.max_model_len, s.max_num_batched_tokens, s.speculative_tokens));
      b.available = checked_mul(checked_mul(need, batch, "KV blocks"), b.pool.bytes_per_block,
                                "KV pool bytes");
    }
    b.blocks =
        b.pool.bytes_per_block > 0 ? static_cast<int64_t>(b.available / b.pool.bytes_per_block) : 0;
    return b;
  };
  for (int32_t stage = 0; stage < o.pp; ++stage) {
    StageBudget b = budget(stage, stage_span(p.num_layers, o.pp, o.pp_layers, stage));
    if (b.pool.bytes_per_block > 0) min_blocks = std::min(min_blocks, b.blocks);
    if (stage == 0) f.available_kv_bytes = b.available;  // rank 0 prints its own
  }
  if (min_blocks == INT64_MAX) min_blocks = 0;

  // Pass 2: the parts of every stage with the common block count.
  for (int32_t stage = 0; stage < o.pp; ++stage) {
    const StageSpan span = stage_span(p.num_layers, o.pp, o.pp_layers, stage);
    StageBudget b = budget(stage, span);
    StageParts sp;
    sp.stage = stage;
    sp.first_layer = static_cast<int32_t>(span.first_layer);
    sp.num_layers = static_cast<int32_t>(span.num_layers);
    sp.parts = b.parts;
    uint64_t pool_bytes = 0;
    const uint64_t blocks = static_cast<uint64_t>(min_blocks);
    for (size_t i = 0; i < b.pool.n_specs; ++i) {
      const LayerSpecGroup& g = b.pool.specs[i];
      uint64_t bytes = 0;
      if (b.pool.uniform_type) {
        bytes = checked_mul(checked_mul(g.page, static_cast<uint64_t>(g.layers), "KV bytes"),
                            blocks, "KV bytes");
      } else {
        bytes = checked_mul(
            checked_mul(g.page, static_cast<uint64_t>(g.groups * b.pool.group_size), "KV bytes"),
            blocks, "KV bytes");
      }
      add_to(sp.parts, g.part, bytes);
      pool_bytes += bytes;
    }
    sp.parts[Part::kv_block_padding] = b.available > pool_bytes ? b.available - pool_bytes : 0;
    if (b.peak.sampler_dominates) {
      sp.parts[Part::act_sampler] = b.peak.sampler;
      sp.parts[Part::act_drafter] = b.peak.drafter;
    } else {
      sp.parts[Part::act_forward] = b.peak.forward;
    }
    sp.parts[Part::moe_workspace] = b.peak.moe_workspace;
    sp.parts[Part::encoder_cache] = b.peak.encoder_cache;
    sp.parts[Part::act_unattributed] = b.peak.constant;
    sp.parts[Part::cuda_context] = nt.context.bytes;
    sp.parts[Part::cublas_workspace] = nt.lazy_kernels.bytes;
    sp.parts[Part::nccl_buffers] = nt.comms.bytes + nt.torch_nccl.bytes;
    sp.parts[Part::cuda_graphs] = b.graphs.pool.bytes;
    const uint64_t act = b.peak.total();
    sp.activations_low = act - b.peak.constant;
    // The forward term is a lower estimate (10–16 % low on forward-dominated rows) and the
    // encoder cache an approximation of the encoder budget's outputs.
    sp.activations_high = act + b.peak.constant + b.peak.encoder_cache +
                          (b.peak.sampler_dominates ? 0 : b.peak.forward / 5);
    sp.total_bytes = sp.parts.total();
    if (stages != nullptr && static_cast<size_t>(stage) < max_stages) stages[stage] = sp;
    if (stage == 0 || sp.total_bytes > n.worst.total_bytes) {
      n.worst = sp;
      worst_budget = b;
    }
    if (stage == 0) {
      f.kv_groups = static_cast<int32_t>(b.pool.n_groups);
      f.group_size = static_cast<int32_t>(b.pool.group_size);
      f.page_bytes = b.pool.page;
      f.block_size = b.pool.block_size;
    }
    n.host[HostPart::weights_offloaded] += b.offloaded;
  }
  n.total_bytes = n.worst.total_bytes;

  // The figures vLLM prints (rank 0 / the most loaded stage).
  const StageBudget& b = worst_budget;
  f.pool_bytes = static_cast<uint64_t>(min_blocks) * b.pool.bytes_per_block;
  f.num_gpu_blocks = min_blocks;
  f.weights_bytes = b.weights;
  f.peak = b.peak;
  f.non_torch_increase = {growth, nt.lazy_kernels.low + nt.torch_nccl.low,
                          nt.lazy_kernels.high + nt.torch_nccl.high};
  f.baseline = {nt.context.bytes + nt.comms.bytes, nt.context.low + nt.comms.low,
                nt.context.high + nt.comms.high};
  f.cuda_graphs = b.graphs.pool;
  f.cuda_graph_estimate_bytes = b.graphs.estimate;
  f.capture_sizes = b.graphs.sizes;
  f.graph_modes = b.graphs.modes;
  f.offloaded_bytes = b.offloaded;
  int64_t len = s.max_model_len;
  const int64_t longest = longest_fitting_len(b.pool, min_blocks, s.derived_max_len,
                                              s.max_num_batched_tokens, s.speculative_tokens);
  f.max_model_len_max = longest;
  if (v.max_model_len_auto) len = std::max<int64_t>(longest, 0);
  f.max_model_len = len;
  n.context_tokens = len;
  f.blocks_per_request = blocks_per_request(b.pool, std::max<int64_t>(len, 1),
                                            s.max_num_batched_tokens, s.speculative_tokens);
  f.starts = b.pool.n_specs == 0 || (len > 0 && f.blocks_per_request <= min_blocks);
  if (b.overcommitted) f.starts = false;
  f.max_concurrency = f.blocks_per_request > 0 ? static_cast<double>(min_blocks) /
                                                     static_cast<double>(f.blocks_per_request)
                                               : 0.0;
  if (s.version.tokens_from_concurrency) {
    f.kv_cache_tokens = static_cast<int64_t>(f.max_concurrency * static_cast<double>(len));
  } else if (b.pool.n_groups > 0) {
    int64_t min_block = INT64_MAX;
    for (size_t i = 0; i < b.pool.n_specs; ++i) {
      if (b.pool.specs[i].kind != SpecKind::mamba)
        min_block = std::min(min_block, b.pool.specs[i].block_tokens);
    }
    if (min_block == INT64_MAX) min_block = b.pool.block_size;
    f.kv_cache_tokens = min_blocks / b.pool.n_groups * min_block;
  }
  f.device_bytes = n.total_bytes;
  return n;
}

}  // namespace llmem::engines::vllm

namespace llmem {

const EngineModel& vllm_engine() {
  static const EngineModel engine = [] {
    EngineModel e;
    e.id = Engine::vllm;
    e.kv_allocation = KvAllocation::block_pool;
    e.block_tokens = 16;  // CacheConfig.DEFAULT_BLOCK_SIZE
    e.default_prefill_chunk_tokens = 8192;
    e.load_path = LoadPath::as_stored;
    return e;
  }();
  return engine;
}

}  // namespace llmem
