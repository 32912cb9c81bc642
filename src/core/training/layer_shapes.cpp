// One decoder layer as the activation formulas take it: its dimensions from the run's layer spec,
// its MLP and MoE widths from the records' shapes, and what trains in it (the base weights,
// LoRA adapters by the input they read). Resolved once per run by plan_training().
#include <algorithm>

#include "core/training/training_internal.h"

namespace llmem::training {

uint32_t role_bit(TensorRole r);

// One run's layer shape; `trained` says whether this layer's base weights train.
TrainingLayer layer_shape(const PreparedModel& p, const TrainingPlan& plan, const StackRun& run,
                          bool trained, int32_t rank, bool keeps_4bit_input) {
  TrainingLayer l;
  l.kind = run.spec.kind;
  l.hidden = p.hidden_size;
  l.heads = run.spec.num_heads;
  l.kv_heads = run.spec.num_kv_heads;
  l.head_dim_k = run.spec.head_dim_k;
  l.head_dim_v = run.spec.head_dim_v;
  if (l.kind == LayerKind::mla) {
    l.kv_heads = l.heads;  // MLA decompresses K and V per query head for attention
  }
  l.norms = 0;
  l.gated = false;
  const uint64_t h = static_cast<uint64_t>(p.hidden_size);
  const uint64_t r = static_cast<uint64_t>(rank);
  for (uint32_t m = 0; m < run.member_count; ++m) {
    const uint32_t idx = p.members[run.first_member + m];
    const Tensor& t = p.records[idx];
    const TrainableRecord& tr = plan.records[idx];
    // A 4-bit matmul of bitsandbytes < 0.43.2 keeps its input as a trained weight's would.
    const bool trains =
        (trained && tr.trains) ||
        (keeps_4bit_input && plan.method == TrainMethod::qlora && is_quantisable(t));
    const bool adapted = tr.adapter_a > 0;
    const uint64_t per = static_cast<uint64_t>(t.per_layer);
    const uint64_t n = t.elements();
    const bool expert = t.group == WeightGroup::experts;
    switch (t.role) {
      case TensorRole::norm:
        if (t.bias) {
          l.layer_norm = true;
        } else if (n == h) {
          l.norms += static_cast<int32_t>(per);
          l.norm_trains = l.norm_trains || trains;
        } else {
          l.qk_norm = true;
        }
        break;
      case TensorRole::q:
      case TensorRole::k:
      case TensorRole::v:
      case TensorRole::qkv:
      case TensorRole::q_a:
      case TensorRole::kv_a:
        if (t.bias) break;
        l.qkv_trains = l.qkv_trains || trains;
        if (adapted) {
          l.lora_attn_in_adapters += per;
          l.lora_attn_rank += tr.adapter_a / static_cast<uint64_t>(t.shape.back()) * per;
          l.dora_out_attn += tr.dora_magnitude * per;
        }
        break;
      case TensorRole::q_b:
      case TensorRole::kv_b:
        if (!t.bias) l.qkv_trains = l.qkv_trains || trains;
        break;
      case TensorRole::o:
        if (t.bias) break;
        l.o_trains = l.o_trains || trains;
        if (adapted) {
          l.lora_o_adapters += per;
          l.lora_o_rank += r * per;
          l.dora_out_o += tr.dora_magnitude * per;
        }
        break;
      case TensorRole::gate:
      case TensorRole::up:
      case TensorRole::gate_up:
        if (t.bias) break;
        if (t.role != TensorRole::up) l.gated = true;
        if (expert) {
          l.experts_train = l.experts_train || trains;
          if (adapted && t.routed) {
            l.lora_expert_adapters += 1;
            l.lora_expert_up_rank += r;
          }
        } else {
          l.up_trains = l.up_trains || trains;
          if (adapted) {
            l.lora_up_adapters += per;
            l.lora_up_rank += tr.adapter_a / static_cast<uint64_t>(t.shape.back()) * per;
            l.dora_out_up += tr.dora_magnitude * per;
          }
        }
        break;
      case TensorRole::down: {
        if (t.bias) break;
        const uint64_t experts_in = t.experts > 1 ? static_cast<uint64_t>(t.experts) : 1;
        const uint64_t width = n / experts_in / std::max<uint64_t>(h, 1);
        if (expert && t.routed) {
          l.expert_intermediate = static_cast<int64_t>(width);
          l.experts_train = l.experts_train || trains;
          if (adapted) l.lora_expert_down_rank += r;
        } else if (expert) {
          l.shared_intermediate += static_cast<int64_t>(width * per);
          l.experts_train = l.experts_train || trains;
        } else {
          l.intermediate = static_cast<int64_t>(width);
          l.down_trains = l.down_trains || trains;
          if (adapted) {
            l.lora_down_adapters += per;
            l.lora_down_rank += r * per;
            l.dora_out_down += tr.dora_magnitude * per;
          }
        }
        break;
      }
      case TensorRole::router:
        if (!t.bias) l.router_trains = l.router_trains || trains;
        break;
      default:
        break;
    }
  }
  if (run.spec.moe) {
    l.experts = p.num_experts;
    l.top_k = p.experts_per_token;
    if (l.expert_intermediate == 0) l.experts = 0;
  }
  if (l.intermediate == 0 && !run.spec.moe) l.gated = true;
  if (plan.framework == Framework::litgpt && l.lora_attn_in_adapters > 1) {
    l.lora_attn_in_adapters = 1;  // LitGPT's LoRAQKVLinear: one adapter on the fused qkv
  }
  return l;
}

}  // namespace llmem::training
