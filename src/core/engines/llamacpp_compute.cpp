// llama.cpp's compute buffers and the output buffer. The compute buffer has no formula in the
// source: llama_context::sched_reserve (src/llama-context.cpp) allocates the worst-case graphs
// (prompt processing of n_ubatch tokens with logits for every one, token generation, then
// prompt processing again) with ggml's graph allocator (ggml/src/ggml-alloc.c), which reuses
// freed tensors; a backend's buffer is the largest live set of its part of the graph. This model
// takes that set from the graph's largest tensors (docs/llamacpp-rules.md §7):
//   the output phase   L + 2E (+ F for a fused gate_up FFN, whose 2·n_ff output is still live)
//   a layer's phase    S + M + F + 2E without flash attention, F + 2E with it
// with L = n_vocab × n_tokens × 4 (f32 logits), S = n_kv × n_tokens × n_head × 4 (scores),
// M = n_kv × n_tokens × 4 (the f32 mask), F = n_ff × n_tokens × 4, E = n_embd × n_tokens × 4,
// n_kv = cells per stream. Each backend holds the phases of the layers it runs; with a GPU, the
// host backend holds the input embeddings (token_embd stays on the CPU) and the mask inputs.
// The reference run of tests/engines/llamacpp (47 CPU cases) and the shared CUDA logs measure its
// error (docs/accuracy.md); the range is ±10 %.
// Output buffer: llama_context::output_reserve, n_vocab × n_seq_max × 4 at creation, in the host
// buffer of the output layer's device (CUDA_Host when that is a GPU).
#include <algorithm>

#include "core/engines/llamacpp.h"

namespace llmem::engines::llamacpp {
namespace {

ByteRange around(uint64_t v) { return {v, v - v / 10, v + v / 10}; }

// A fused gate_up FFN: a gate_up record, or Phi-3's GGUF ffn_up, which holds both halves
// (src/models/phi3.cpp: ffn_up is [n_embd, 2 n_ff], no ffn_gate).
bool fused_gate_up(const PreparedModel& p, bool& gguf_phi3) {
  gguf_phi3 = false;
  for (const auto& t : p.records) {
    if (t.role == TensorRole::gate_up && !t.routed) return true;
  }
  if (p.model_type != "phi3") return false;
  for (const auto& t : p.records) {
    if (t.role == TensorRole::gate) return false;
  }
  gguf_phi3 = true;
  return true;
}

}  // namespace

Compute compute_buffers(const PreparedModel& p, const InferenceOptions& o, const Context& c,
                        const Placement& pl) {
  Compute out;
  const uint64_t T = static_cast<uint64_t>(std::max<int64_t>(c.n_ubatch, 1));
  const uint64_t V = static_cast<uint64_t>(p.vocab_size);
  const uint64_t E = static_cast<uint64_t>(p.hidden_size) * T * 4;
  const uint64_t L = V * T * 4;
  const uint64_t n_kv = static_cast<uint64_t>(c.n_ctx_seq);
  bool gguf_phi3 = false;
  const bool fused = fused_gate_up(p, gguf_phi3);
  std::array<uint64_t, k_max_llamacpp_devices> dev{};
  uint64_t host = 0;
  uint64_t widest_ff = 0;
  // The layers' phases, on each layer's backend.
  for (const auto& run : p.runs) {
    const FfnShape f = ffn_shape(p, run);
    uint64_t ff =
        static_cast<uint64_t>(f.intermediate > 0 ? f.intermediate : f.expert_intermediate);
    if (gguf_phi3) ff /= 2;  // its ffn_up rows are gate and up
    widest_ff = std::max(widest_ff, ff);
    const uint64_t F = ff * T * 4;
    uint64_t phase = F + 2 * E;
    if (!c.flash_attn &&
        (run.spec.kind == LayerKind::attention || run.spec.kind == LayerKind::mla)) {
      const uint64_t heads = static_cast<uint64_t>(std::max(run.spec.num_heads, 1));
      phase += n_kv * T * heads * 4 + n_kv * T * 4;
    }
    for (int32_t il = run.first_layer; il < run.first_layer + run.num_layers; ++il) {
      const int32_t d = pl.device_of(il);
      if (d < 0) {
        host = std::max(host, phase);
      } else {
        dev[static_cast<size_t>(d)] = std::max(dev[static_cast<size_t>(d)], phase);
      }
    }
  }
  // The output phase on the output layer's backend.
  const uint64_t output_phase = L + 2 * E + (fused ? widest_ff * T * 4 : 0);
  const int32_t d_out = pl.device_of(pl.n_layer_all);
  if (d_out < 0) {
    host = std::max(host, output_phase);
  } else {
    dev[static_cast<size_t>(d_out)] = std::max(dev[static_cast<size_t>(d_out)], output_phase);
  }
  // With a GPU the host runs the embedding lookup and builds the mask (f32 without flash
  // attention, f16 with it), and keeps the token, position and output-id inputs.
  if (pl.devices > 0) {
    const uint64_t mask = c.flash_attn ? n_kv * T * 2 : n_kv * T * 4;
    host = std::max(host, E + mask + 3 * T * 4);
  }
  for (int32_t d = 0; d < pl.devices; ++d) {
    if (dev[static_cast<size_t>(d)] > 0)
      out.device[static_cast<size_t>(d)] = around(dev[static_cast<size_t>(d)]);
  }
  out.host = around(host);
  // Pipeline parallelism (several GPUs, everything offloaded, no overrides): the scheduler keeps
  // 4 copies of the graph inputs; the copies' size was not modelled, so the range widens.
  out.pipeline_parallel = pl.devices > 1 && pl.gpu_layers > pl.n_layer_all &&
                          o.llamacpp.override_tensor.empty() && o.llamacpp.n_cpu_moe == 0 &&
                          !o.llamacpp.cpu_moe;
  if (out.pipeline_parallel) {
    for (int32_t d = 0; d < pl.devices; ++d) {
      auto& r = out.device[static_cast<size_t>(d)];
      r.high = r.bytes + r.bytes / 2;
    }
  }
  out.output = V * static_cast<uint64_t>(std::max<int64_t>(c.n_seq, 1)) * 4;
  out.output_on_cuda_host = d_out >= 0;
  return out;
}

}  // namespace llmem::engines::llamacpp
