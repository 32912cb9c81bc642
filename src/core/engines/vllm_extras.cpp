// vLLM's multi-LoRA buffers and the speculative drafter's weights (docs/vllm-rules.md §6).
// LoRA: vllm/lora/layers/*.py create_lora_weights allocates, for every wrapped linear layer and
// each of its slices (q/k/v of a packed qkv, gate/up of a packed gate_up), lora_a of
// (max_loras, 1, max_lora_rank, in) and lora_b of (max_loras, 1, out, max_lora_rank) zeros in the
// model dtype; column-parallel layers (q, k, v, gate, up) keep `in` whole and split `out`,
// row-parallel ones (o, down) split `in` and keep `out` (fully_sharded_loras off, the default).
// The wrapped modules are the attention and dense MLP projections (the model's
// packed_modules_mapping); embeddings, the LM head and fused MoE experts are not counted here
// (an assumption: vllm/lora/model_manager.py was not read in detail).
#include <algorithm>

#include "core/engines/vllm.h"

namespace llmem::engines::vllm {

uint64_t lora_slot_bytes(const PreparedModel& p, const InferenceOptions& o, StageSpan span,
                         int32_t /*stage*/) {
  const VllmOptions& v = o.vllm;
  if (v.max_loras <= 0) return 0;
  const uint64_t b = dtype_bytes(p.compute_dtype, 1);
  const uint64_t loras = static_cast<uint64_t>(v.max_loras);
  const uint64_t r = static_cast<uint64_t>(v.max_lora_rank);
  const uint64_t tp = static_cast<uint64_t>(o.tp);
  uint64_t total = 0;
  for (const auto& run : p.runs) {
    const int64_t n = layers_in_span(run, span);
    if (n == 0) continue;
    uint64_t per_layer = 0;
    for (uint32_t i = 0; i < run.member_count; ++i) {
      const Tensor& t = p.records[p.members[run.first_member + i]];
      if (t.bias || t.routed || t.shape.size() != 2) continue;
      const uint64_t out = static_cast<uint64_t>(t.shape[0]);
      const uint64_t in = static_cast<uint64_t>(t.shape[1]);
      uint64_t slices = 1;
      bool column = true;
      switch (t.role) {
        case TensorRole::q:
        case TensorRole::k:
        case TensorRole::v:
        case TensorRole::gate:
        case TensorRole::up:
          break;
        case TensorRole::qkv:
          slices = 3;
          break;
        case TensorRole::gate_up:
          slices = 2;
          break;
        case TensorRole::o:
        case TensorRole::down:
          column = false;
          break;
        default:
          continue;
      }
      const uint64_t a = column ? slices * r * in : r * ceil_div(in, tp);
      const uint64_t bb = column ? ceil_div(out, tp) * r : out * r;
      per_layer += (a + bb) * static_cast<uint64_t>(t.per_layer);
    }
    total = checked_add(total,
                        checked_mul(checked_mul(per_layer, static_cast<uint64_t>(n), "LoRA bytes"),
                                    loras * b, "LoRA bytes"),
                        "LoRA bytes");
  }
  return total;
}

uint64_t drafter_weight_bytes(const PreparedModel& /*p*/, const InferenceOptions& o) {
  const SpeculativeConfig& sc = o.vllm.speculative_config;
  if (!sc.draft) return 0;
  // The drafter runs with the target's tensor-parallel size on the last pipeline stage; EAGLE
  // heads without their own embedding or LM head share the target's.
  return split_bytes(sc.draft->stored.total_bytes, o.tp);
}

}  // namespace llmem::engines::vllm
