// llama.cpp (build v0.5.0): what each device and the host hold, and what llama-server's --fit
// chooses. Sources (docs/llamacpp-rules.md §8): common/common.h common_params (n_batch 2048,
// n_ubatch 512, flash attention auto, f16 K/V, mmap, n_gpu_layers -1), tools/server/server.cpp
// (4 slots with a unified KV when -np is not given), common/fit.cpp (fit on by default, 1024 MiB
// left free per device, minimum context 4096; with -c absent n_ctx = n_ctx_train × n_seq_max,
// reduced in steps of 256 × streams, then layers filled back to front unless -ngl, -ts or -ot was
// given). The CUDA context, the CUDA memory pool and cuBLAS workspaces are in no printed buffer:
// 309 MiB beyond the buffers in the one shared log that shows nvidia-smi (Ollama #6160).
#include "core/engines/llamacpp.h"

#include <algorithm>

#include "llmem/common/error.h"

namespace llmem::engines::llamacpp {
namespace {

struct Build {
  Context c;
  Placement pl;
  Buffers b;
  Compute cp;
};

constexpr ByteRange k_cuda_context = {250 * k_mib, 150 * k_mib, 500 * k_mib};
constexpr ByteRange k_cuda_pool = {60 * k_mib, 0, 400 * k_mib};

Build build(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
            int64_t n_ctx_request, int32_t n_gpu_layers) {
  Build r;
  r.c = make_context(p, o, n_ctx_request);
  r.pl = place(p, o, n_gpu_layers);
  model_buffers(p, w, o, r.pl, r.b);
  cache_buffers(p, o, r.c, r.pl, r.b);
  r.cp = compute_buffers(p, o, r.c, r.pl);
  return r;
}

// The most any device holds (what --fit measures: model + context + compute).
uint64_t most_held(const Build& r) {
  uint64_t most = 0;
  for (int32_t d = 0; d < r.pl.devices; ++d) {
    const auto& s = r.b.sizes[static_cast<size_t>(d)];
    most = std::max(most, s.model + s.kv + s.recurrent + r.cp.device[static_cast<size_t>(d)].bytes);
  }
  return most;
}

}  // namespace

InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& /*e*/, StageParts* stages, size_t max_stages) {
  const LlamaCppOptions& l = o.llamacpp;
  const int64_t n_seq = o.batch_given ? std::max<int64_t>(o.batch, 1) : 4;
  const bool unified = l.kv_unified.value_or(!o.batch_given);
  const int64_t n_streams = unified ? 1 : n_seq;
  const int64_t train = p.max_position_embeddings > 0 ? p.max_position_embeddings : 4096;
  const bool ctx_set = l.n_ctx.has_value() || o.context_given;
  int64_t request = 0;
  if (l.n_ctx) {
    request = *l.n_ctx;
  } else if (o.context_given) {
    request = o.context_tokens * n_seq;
  } else if (l.fit) {
    request = train * n_seq;  // fit: -c absent → the training context for every slot
  }
  int32_t ngl = l.n_gpu_layers;
  Build r = build(p, w, o, request, ngl);

  InferenceNumbers n;
  LlamaCppFigures& f = n.engine.llamacpp;
  // --fit: only with a GPU of known memory.
  if (l.fit && r.pl.devices > 0 && o.gpu.memory_bytes > 0) {
    const uint64_t free =
        o.gpu.memory_bytes > k_cuda_context.bytes ? o.gpu.memory_bytes - k_cuda_context.bytes : 0;
    const uint64_t target = static_cast<uint64_t>(l.fit_target_mib) * k_mib;
    const uint64_t limit = free > target ? free - target : 0;
    auto fits = [&](const Build& b) { return most_held(b) <= limit; };
    if (!fits(r)) {
      if (!ctx_set) {
        const int64_t step = 256 * n_streams;
        const int64_t lo = l.fit_ctx * n_streams;
        int64_t best = 0;
        int64_t a = lo / step, z = request / step;  // in steps
        while (a <= z) {
          const int64_t mid = a + (z - a) / 2;
          Build t = build(p, w, o, std::max<int64_t>(mid * step, 1), ngl);
          if (fits(t)) {
            best = mid * step;
            a = mid + 1;
          } else {
            z = mid - 1;
          }
        }
        request = best > 0 ? best : std::max<int64_t>(lo, step);
        r = build(p, w, o, request, ngl);
        f.fit_applied = true;
      }
      if (!fits(r) && l.n_gpu_layers == -1 && l.tensor_split.empty() && l.override_tensor.empty()) {
        int32_t a = 0, z = r.pl.n_layer_all + 1, best = 0;
        while (a <= z) {
          const int32_t mid = a + (z - a) / 2;
          Build t = build(p, w, o, request, mid);
          if (fits(t)) {
            best = mid;
            a = mid + 1;
          } else {
            z = mid - 1;
          }
        }
        ngl = best;
        r = build(p, w, o, request, ngl);
        f.fit_applied = true;
      }
    }
    f.fit_n_ctx = r.c.n_ctx;
    f.fit_n_gpu_layers = r.pl.gpu_layers;
  }

  n.compute_dtype = w.compute_dtype;
  n.kv_dtype = r.c.type_k;
  n.context_tokens = r.c.n_ctx_seq;
  f.n_ctx = r.c.n_ctx;
  f.n_ctx_seq = r.c.n_ctx_seq;
  f.n_batch = r.c.n_batch;
  f.n_ubatch = r.c.n_ubatch;
  f.n_seq_max = r.c.n_seq;
  f.n_stream = r.c.n_stream;
  f.kv_unified = r.c.unified;
  f.flash_attn = r.c.flash_attn;
  f.n_gpu_layers = r.pl.gpu_layers;
  f.n_layer_all = r.pl.n_layer_all + 1;
  f.devices = r.pl.devices;
  f.swa_cells = r.b.swa_cells;
  f.recurrent_cells = r.b.recurrent_cells;
  f.kv_size_bytes = r.b.kv_size;
  f.kv_swa_size_bytes = r.b.kv_swa_size;
  f.kv_buffer_bytes = r.b.kv_buffer;
  f.kv_swa_buffer_bytes = r.b.kv_swa_buffer;
  f.rs_buffer_bytes = r.b.rs_buffer;
  f.output_bytes = r.cp.output;
  f.output_on_gpu_host = r.cp.output_on_cuda_host;
  f.pipeline_parallel = r.cp.pipeline_parallel;

  // One StageParts per GPU; the host's buffers in host parts.
  for (int32_t d = 0; d < r.pl.devices; ++d) {
    const auto i = static_cast<size_t>(d);
    StageParts s;
    s.stage = d;
    int32_t first = -1, count = 0;
    for (int32_t il = 0; il < r.pl.n_layer_all; ++il) {
      if (r.pl.device_of(il) != d) continue;
      if (first < 0) first = il;
      ++count;
    }
    s.first_layer = std::max(first, 0);
    s.num_layers = count;
    s.parts = r.b.device[i];
    s.parts[Part::activations] = r.cp.device[i].bytes;
    s.activations_low = r.cp.device[i].low;
    s.activations_high = r.cp.device[i].high;
    s.parts[Part::cuda_context] = k_cuda_context.bytes;
    s.parts[Part::cublas_workspace] = k_cuda_pool.bytes;
    s.total_bytes = s.parts.total();
    f.device[i] = r.b.sizes[i];
    f.device[i].compute = r.cp.device[i].bytes;
    if (stages != nullptr && i < max_stages) stages[i] = s;
    if (d == 0 || s.total_bytes > n.worst.total_bytes) n.worst = s;
  }
  n.host = r.b.host;
  n.host[HostPart::activations] = r.cp.host.bytes;
  n.host[HostPart::logits] = r.cp.output;
  f.host.model = r.b.host[HostPart::weights_mapped] + r.b.host[HostPart::weights_cpu] +
                 r.b.host[HostPart::weights_cuda_host] + r.b.host[HostPart::weights_repack] +
                 r.b.host[HostPart::weights_amx];
  f.host.kv = r.b.host[HostPart::kv_cache];
  f.host.recurrent = r.b.host[HostPart::recurrent_state];
  f.host.compute = r.cp.host.bytes;
  n.total_bytes = n.worst.total_bytes;
  return n;
}

}  // namespace llmem::engines::llamacpp

namespace llmem {

const EngineModel& llamacpp_engine() {
  static const EngineModel engine = [] {
    EngineModel e;
    e.id = Engine::llamacpp;
    e.default_prefill_chunk_tokens = 512;  // n_ubatch
    e.min_prefill_tokens = 512;
    e.cuda_context = {250 * (uint64_t{1} << 20), 150 * (uint64_t{1} << 20),
                      500 * (uint64_t{1} << 20)};
    e.cublas_workspace = {60 * (uint64_t{1} << 20), 0, 400 * (uint64_t{1} << 20)};
    return e;
  }();
  return engine;
}

}  // namespace llmem
