// The generic engine: measured constants of its framework overhead, with their sources
// (docs/inference.md): vLLM v0.19.0 start-up logs on H100-80GB in
// tests/data/shared/validation/measurements.json.
#include <array>

#include "llmem/core/engine.h"

namespace llmem {

std::string_view to_string(Engine e) {
  static constexpr std::array<std::string_view, static_cast<size_t>(Engine::count)> names = {
      "generic", "hf", "vllm", "llamacpp"};
  return names.at(static_cast<size_t>(e));
}

const EngineModel& generic_engine() {
  static const EngineModel engine = [] {
    EngineModel e;
    e.id = Engine::generic;
    // 8192 is vLLM's max_num_batched_tokens in the measured v0.19 runs; HF's generate() does
    // not chunk (context × batch), llama.cpp uses n_ubatch = 512.
    e.default_prefill_chunk_tokens = 8192;
    e.min_prefill_tokens = 512;
    // non_torch_memory at vLLM worker init: 0.51 GiB (H100, CUDA 12); other GPUs and drivers
    // measure 0.3–0.9 GiB.
    e.cuda_context = {547'608'330, 300ull << 20, 900ull << 20};
    // the non-torch rise during the first forward, tp 1: 0.25 GiB.
    e.cublas_workspace = {268'435'456, 268'435'456, 268'435'456};
    // the init rise with tp/pp > 1: 1.00 GiB; vLLM's custom all-reduce buffers add up to
    // 1.8 GiB more during the forward (2.82 GiB).
    e.nccl_buffers = {1'073'741'824, 536'870'912, 3'027'951'944};
    return e;
  }();
  return engine;
}

}  // namespace llmem
