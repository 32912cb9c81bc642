// The named parts of one GPU's memory that the fast paths return: plain byte counts in a fixed
// array, no strings and no allocation. Each part is a row of SPEC §3 under its parent (weights,
// kv_cache, framework_overhead) or at the top level; an engine adds a part by adding a name here,
// not a field to a result struct.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "llmem/core/model_description.h"

namespace llmem {

enum class Part : uint8_t {
  // weights, one per WeightGroup, in its order
  weights_embeddings,
  weights_attention,
  weights_mlp,
  weights_experts,
  weights_ssm,
  weights_norms,
  weights_vision_encoder,
  weights_projector,
  weights_mtp,
  weights_lm_head,
  weights_other,
  // kv_cache, by layer kind
  kv_full_attention,
  kv_sliding_window,
  kv_latent,
  kv_linear_attention,
  recurrent_state,
  activations,
  logits,
  // training (SPEC §3): for trainable parameters only
  lora_adapters,
  gradients,
  optimizer_states,
  master_weights,
  // framework_overhead
  cuda_context,
  cublas_workspace,
  nccl_buffers,
  cuda_graphs,
  // engine parts (SPEC §3: engines add rows under the same parents)
  lora_slots,               // weights: vLLM's multi-LoRA buffers (max_loras × rank)
  draft_model,              // weights: the speculative drafter's weights
  kv_block_padding,         // kv_cache: budget left over below one block row (vLLM)
  act_forward,              // activations: the profile run's forward (vLLM)
  act_sampler,              // activations: the profile run's sampler phase (vLLM)
  moe_workspace,            // activations: the persistent fused-MoE workspace (vLLM)
  encoder_cache,            // activations: multimodal encoder outputs (vLLM)
  act_drafter,              // activations: the drafter's forward and rejection sampler (vLLM)
  act_unattributed,         // activations: the part of a measured peak no term explains
  allocator_fragmentation,  // framework_overhead: memory an allocator holds beyond its tensors
  count
};

// The rows parts are counted under.
enum class PartParent : uint8_t { none, weights, kv_cache, activations, framework_overhead, count };

struct PartInfo {
  std::string_view name;  // the row's name (SPEC §3)
  PartParent parent;
};

const PartInfo& part_info(Part p);
std::string_view to_string(PartParent p);  // "weights", "kv_cache", "activations" …

inline Part weights_part(WeightGroup g) {
  return static_cast<Part>(static_cast<uint8_t>(Part::weights_embeddings) +
                           static_cast<uint8_t>(g));
}

struct Parts {
  std::array<uint64_t, static_cast<size_t>(Part::count)> bytes{};

  uint64_t& operator[](Part p) { return bytes[static_cast<size_t>(p)]; }
  uint64_t operator[](Part p) const { return bytes[static_cast<size_t>(p)]; }
  uint64_t sum(PartParent parent) const;  // the parts under `parent`
  uint64_t total() const;                 // every part (checked)
};

}  // namespace llmem
