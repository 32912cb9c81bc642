// vLLM's CUDA graphs: the capture sizes (vllm/config/vllm.py VllmConfig._set_cudagraph_sizes),
// the modes (FULL_AND_PIECEWISE by default; PIECEWISE only where the attention backend has no
// full-graph support, as for Llama-4's chunked attention in the v0.19 logs), the estimate
// profile_cudagraph_memory makes (GPUModelRunner.profile_cudagraph_memory: max over modes of the
// first capture + Σ (n − 1) × the second-capture delta; docs/vllm-rules.md §1.3) and the pool
// the capture really holds. Neither capture's memory follows from the source: both are measured
// at start-up. The pool model here is a fit to the 59 v0.19.0 H100 logs of the llm-d sweep
// (docs/vllm-cases.md §6): a fixed part plus a part per layer and captured graph; vLLM's own
// estimate was a median 12 % below the pool there. The ranges widen with tensor parallelism
// (Kimi-K3 TP8 on MI355X: 4.7–16.9 GiB real against a 1.3 GiB estimate, vllm#51590).
#include <algorithm>
#include <cmath>

#include "core/engines/vllm.h"

namespace llmem::engines::vllm {
namespace {

int32_t capture_count(int64_t max_size) {
  int32_t n = 0;
  for (int64_t s : {1, 2, 4}) n += s <= max_size ? 1 : 0;
  for (int64_t s = 8; s < 256; s += 8) n += s <= max_size ? 1 : 0;
  for (int64_t s = 256; s <= max_size; s += 16) ++n;
  return n;
}

bool on_stride(int64_t s) {
  if (s == 1 || s == 2 || s == 4) return true;
  if (s < 256) return s % 8 == 0;
  return s % 16 == 0;
}

}  // namespace

Graphs cuda_graphs(const PreparedModel& p, const InferenceOptions& o, const Settings& s,
                   StageSpan span) {
  Graphs g;
  if (o.vllm.enforce_eager) return g;
  // max_cudagraph_capture_size = min(max_num_seqs × (1 + speculative tokens) × 2, 512), capped by
  // max_num_batched_tokens; gpt-oss raises the cap to 1024 (GptOssForCausalLMConfig).
  const int64_t cap = p.stored_format.scheme == WeightScheme::mxfp4 ? 1024 : 512;
  int64_t max_size = std::min<int64_t>(s.max_num_seqs * (1 + s.speculative_tokens) * 2, cap);
  max_size = std::min(max_size, s.max_num_batched_tokens);
  g.sizes = capture_count(max_size);
  if (s.version.capture_appends_max_tokens && !on_stride(max_size)) ++g.sizes;
  bool chunked = false;
  for (const auto& run : p.runs) chunked = chunked || run.spec.chunk_tokens > 0;
  g.modes = chunked ? 1 : 2;
  const uint64_t graphs = static_cast<uint64_t>(g.sizes) * static_cast<uint64_t>(g.modes);
  const uint64_t layers = static_cast<uint64_t>(std::max<int64_t>(span.num_layers, 1));
  // Fit to the v0.19.0 H100 logs: 0.40 GiB + 0.175 MiB per layer per graph.
  const uint64_t pool = 429'496'730 + layers * graphs * 183'501;
  const double tp_widen = 1.0 + 0.5 * std::log2(static_cast<double>(o.tp));
  g.pool = {pool, static_cast<uint64_t>(static_cast<double>(pool) * 0.6),
            static_cast<uint64_t>(static_cast<double>(pool) * 1.5 * tp_widen)};
  g.estimate = static_cast<uint64_t>(static_cast<double>(pool) / 1.12);
  return g;
}

}  // namespace llmem::engines::vllm
