// vLLM's profile run, term by term: the peak the budget subtracts ("torch peak memory increase").
// Sources (docs/vllm-rules.md §2): vllm/v1/worker/gpu_model_runner.py GPUModelRunner.profile_run,
// _dummy_run (is_profile: eager, no attention metadata, so attention returns early),
// _dummy_sampler_run; vllm/v1/sample/sampler.py Sampler.forward; vllm/v1/sample/ops/
// topk_topp_sampler.py apply_top_k_top_p (Triton kernel for ≥ 8 rows with a per-device buffer,
// else a sort); vllm/model_executor/layers/fused_moe/modular_kernel.py
// FusedMoEModularKernel._allocate_buffers with TritonExperts.workspace_shapes (the persistent
// WorkspaceManager, vllm/v1/worker/workspace.py); vllm/v1/core/encoder_cache_manager.py
// compute_mm_encoder_budget. All at v0.19.0; the v0.21 line's FlashInfer first sampler call is
// taken to peak no higher than the native path (not read; docs/vllm-rules.md §9 question 4).
#include <algorithm>
#include <bit>

#include "core/engines/vllm.h"

namespace llmem::engines::vllm {
namespace {

uint64_t u(int64_t v) { return static_cast<uint64_t>(std::max<int64_t>(v, 0)); }

bool mxfp4_experts(const PreparedModel& p) { return p.stored_format.scheme == WeightScheme::mxfp4; }

}  // namespace

VllmPeakTerms profile_peak(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                           const Settings& s, int32_t stage, StageSpan span) {
  VllmPeakTerms t;
  const uint64_t b = dtype_bytes(w.compute_dtype, 1);
  const uint64_t T = u(s.max_num_batched_tokens);
  const uint64_t R = std::min<uint64_t>(T, u(s.max_num_seqs));  // dummy requests
  const uint64_t H = u(p.hidden_size);
  const uint64_t V = u(p.vocab_size);
  const uint64_t tp = static_cast<uint64_t>(o.tp);
  const bool first = stage == 0;
  const bool last = stage == o.pp - 1;
  // VocabParallelEmbedding pads the vocabulary to 64 per shard; the logits are all-gathered.
  const uint64_t v_pad = ceil_div(V, 64 * tp) * 64 * tp;
  // Non-first stages hold IntermediateTensors (hidden + residual) of T rows for the whole run.
  const uint64_t intermediate = first ? 0 : checked_mul(2 * T * H, b, "activation bytes");

  if (last) {
    uint64_t logits = R * v_pad * b;                         // compute_logits, kept
    uint64_t fp32 = (b == 4 && v_pad == V) ? 0 : R * V * 4;  // logits.to(float32)
    uint64_t probs = R * V * 4;                              // softmax(dtype=float32)
    uint64_t noise = R * V * 4;                              // random_sample: empty_like
    uint64_t topk = 0;
    if (R >= 8) {
      // The Triton top-k/top-p kernel's per-device buffer: min(next_pow2(min(SMs, R)), SMs) rows.
      const uint64_t sms = o.gpu.sm_count > 0 ? static_cast<uint64_t>(o.gpu.sm_count) : 132;
      const uint64_t rows = std::min<uint64_t>(std::bit_ceil(std::min(sms, R)), sms);
      topk = rows * V * 4;
    } else {
      topk = R * V * 12;  // logits.sort: values (fp32) + int64 indices
    }
    const uint64_t hidden = T * H * b + 2 * R * H * b;  // hidden states kept, last rows, rand_like
    t.sampler = logits + fp32 + probs + noise + topk + hidden + intermediate;
    if (s.speculative_tokens > 0) {
      t.drafter = 2 * R * V * b;  // the rejection sampler's randn(R + R, V) draft logits
    }
  }
  // The forward with attention skipped: the o_proj input, residual, norm output, gate-up and
  // activation outputs, and the residual stream of the widest layer (docs/vllm-cases.md: a lower
  // estimate, 3 % low for CodeLlama-7B, 10–16 % low for Llama-3.1-8B in fp32).
  uint64_t widest = 0;
  uint64_t moe = 0;
  for (const auto& run : p.runs) {
    if (layers_in_span(run, span) == 0) continue;
    const FfnShape f = ffn_shape(p, run);
    const uint64_t q_local = u(f.q_width) / tp;
    const int64_t inter = f.intermediate > 0 ? f.intermediate : f.expert_intermediate;
    const uint64_t mult = (f.gated || (f.intermediate == 0 && f.expert_intermediate > 0)) ? 3 : 1;
    widest = std::max(widest, q_local + 3 * H + mult * (u(inter) / tp));
    if (f.expert_intermediate > 0 && p.experts_per_token > 0 && !mxfp4_experts(p)) {
      const uint64_t ie = u(f.expert_intermediate) / tp;
      const uint64_t k = u(p.experts_per_token);
      moe = std::max(moe, T * k * (std::max(ie, H) + std::max(2 * ie, H)) * b);
    }
  }
  t.forward =
      checked_add(checked_mul(T * b, widest, "activation bytes"), intermediate, "activation bytes");
  t.moe_workspace = moe;
  // Multimodal: the encoder outputs of a T-token budget stay in the encoder cache through the
  // profile run (the first stage runs the encoder).
  if (first && has_vision(p)) t.encoder_cache = T * H * b;
  t.sampler_dominates = t.sampler + t.drafter >= t.forward;
  t.constant = k_peak_constant;
  return t;
}

}  // namespace llmem::engines::vllm
