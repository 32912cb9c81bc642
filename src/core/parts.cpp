#include "llmem/core/parts.h"

#include "common/checked.h"

namespace llmem {
namespace {

using P = PartParent;
constexpr std::array<PartInfo, static_cast<size_t>(Part::count)> k_parts = {{
    {"embeddings", P::weights},
    {"attention", P::weights},
    {"mlp", P::weights},
    {"experts", P::weights},
    {"ssm", P::weights},
    {"norms", P::weights},
    {"vision_encoder", P::weights},
    {"projector", P::weights},
    {"mtp", P::weights},
    {"lm_head", P::weights},
    {"other_weights", P::weights},
    {"full_attention", P::kv_cache},
    {"sliding_window", P::kv_cache},
    {"latent", P::kv_cache},
    {"linear_attention", P::kv_cache},
    {"recurrent_state", P::none},
    {"activations", P::none},
    {"logits", P::none},
    {"lora_adapters", P::none},
    {"gradients", P::none},
    {"optimizer_states", P::none},
    {"master_weights", P::none},
    {"cuda_context", P::framework_overhead},
    {"cublas_workspace", P::framework_overhead},
    {"nccl_buffers", P::framework_overhead},
    {"cuda_graphs", P::framework_overhead},
    {"lora_slots", P::weights},
    {"draft_model", P::weights},
    {"block_padding", P::kv_cache},
    {"forward", P::activations},
    {"sampler", P::activations},
    {"moe_workspace", P::activations},
    {"encoder_cache", P::activations},
    {"drafter", P::activations},
    {"unattributed", P::activations},
    {"allocator_fragmentation", P::framework_overhead},
}};
static_assert(static_cast<size_t>(Part::weights_other) -
                  static_cast<size_t>(Part::weights_embeddings) + 1 ==
              static_cast<size_t>(WeightGroup::count));

}  // namespace

const PartInfo& part_info(Part p) { return k_parts.at(static_cast<size_t>(p)); }

std::string_view to_string(PartParent p) {
  switch (p) {
    case PartParent::weights:
      return "weights";
    case PartParent::kv_cache:
      return "kv_cache";
    case PartParent::activations:
      return "activations";
    case PartParent::framework_overhead:
      return "framework_overhead";
    default:
      return "";
  }
}

uint64_t Parts::sum(PartParent parent) const {
  uint64_t n = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (k_parts[i].parent == parent) n = checked_add(n, bytes[i], "part bytes");
  }
  return n;
}

uint64_t Parts::total() const {
  uint64_t n = 0;
  for (uint64_t b : bytes) n = checked_add(n, b, "total bytes");
  return n;
}

}  // namespace llmem
