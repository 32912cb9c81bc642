// Model states of the trainable set: adapters, gradients, fp32 master copies and optimizer states,
// tensor by tensor (the 8-bit optimizers' thresholds and Adafactor's factored shapes are per
// tensor), with the largest tensors the step's temporaries are sized by. plan_training() sums
// them once per optimizer; the fast path reads the sums.
#include <algorithm>

#include "common/checked.h"
#include "core/training/training_internal.h"

namespace llmem::training {
namespace {

uint64_t add(uint64_t a, uint64_t b) { return checked_add(a, b, "training bytes"); }
uint64_t mul(uint64_t a, uint64_t b) { return checked_mul(a, b, "training bytes"); }

}  // namespace

ModelStateSums model_state_sums(const PreparedModel& p, const TrainingPlan& plan, Optimizer opt,
                                int32_t block, bool lora_fa) {
  uint64_t grads = 0, master = 0, states = 0, managed = 0, adapters = 0;
  uint64_t largest_trainable = 0, largest_grad = 0, state_elements_bytes = 0;
  uint64_t embedding_grad = 0, head_grad = 0;
  for (size_t i = 0; i < p.records.size(); ++i) {
    const Tensor& t = p.records[i];
    const TrainableRecord& tr = plan.records[i];
    const uint64_t elems = t.elements();
    const int64_t rows = t.shape.size() >= 2 ? t.shape[t.shape.size() - 2] : 0;
    const int64_t cols = t.shape.size() >= 2 ? t.shape.back() : 0;
    const bool matrix = rows > 0 && t.role != TensorRole::embedding &&
                        t.role != TensorRole::lm_head && t.role != TensorRole::position_embedding;
    auto state_of = [&](uint64_t e, int64_t r, int64_t c, uint32_t sb) {
      uint64_t b = optimizer_state_bytes(opt, e, r, c, sb, block);
      return b;
    };
    if (tr.trains) {
      const uint64_t count =
          mul(static_cast<uint64_t>(tr.trainable_layers), static_cast<uint64_t>(t.per_layer));
      const uint64_t g = mul(mul(elems, count), plan.base_grad);
      grads = add(grads, g);
      if (t.role == TensorRole::embedding) embedding_grad = add(embedding_grad, g);
      if (t.role == TensorRole::lm_head || (t.role == TensorRole::embedding && p.tied_embeddings)) {
        head_grad = add(head_grad, g);
      }
      master = add(master, mul(mul(elems, count), plan.base_master));
      const uint64_t per = state_of(elems, matrix ? rows : 0, matrix ? cols : 0, plan.base_state);
      const uint64_t st = mul(per, count);
      states = add(states, st);
      if (paged_states(opt, elems)) managed = add(managed, st);
      largest_trainable = std::max(largest_trainable, elems);
      largest_grad = std::max(largest_grad, elems * plan.base_grad);
      state_elements_bytes = add(state_elements_bytes, mul(mul(elems, count), plan.base_state));
    }
    if (tr.adapter_a > 0) {
      const uint64_t count = t.count();
      const uint64_t in = static_cast<uint64_t>(t.shape.back());
      const uint64_t a_rows = tr.adapter_a / std::max<uint64_t>(in, 1);
      const uint64_t b_rows = a_rows > 0 ? tr.adapter_b / a_rows : 0;
      const uint64_t e = tr.adapter_a + tr.adapter_b + tr.dora_magnitude;
      adapters = add(adapters, mul(mul(e, count), plan.adapter_weight));
      // LoRA-FA: lora_A keeps no gradient and no optimizer state.
      const uint64_t trained_e = lora_fa ? tr.adapter_b + tr.dora_magnitude : e;
      grads = add(grads, mul(mul(trained_e, count), plan.adapter_grad));
      master = add(master, mul(mul(trained_e, count), plan.adapter_master));
      uint64_t st = 0;
      if (!lora_fa) {
        st = add(st, state_of(tr.adapter_a, static_cast<int64_t>(a_rows), static_cast<int64_t>(in),
                              plan.adapter_state));
      }
      st = add(st, state_of(tr.adapter_b, static_cast<int64_t>(b_rows),
                            static_cast<int64_t>(a_rows), plan.adapter_state));
      if (tr.dora_magnitude > 0)
        st = add(st, state_of(tr.dora_magnitude, 0, 0, plan.adapter_state));
      states = add(states, mul(st, count));
      if (paged_states(opt, tr.adapter_a)) managed = add(managed, mul(st, count));
      largest_trainable = std::max(largest_trainable, std::max(tr.adapter_a, tr.adapter_b));
      largest_grad = std::max(largest_grad, tr.adapter_a * plan.adapter_grad);
      state_elements_bytes =
          add(state_elements_bytes, mul(mul(trained_e, count), plan.adapter_state));
    }
  }
  if (plan.head_adapter_a > 0) {
    const uint64_t e = plan.head_adapter_a + plan.head_adapter_b;
    const uint64_t r = static_cast<uint64_t>(plan.lora_rank);
    adapters = add(adapters, mul(e, plan.adapter_weight));
    const uint64_t trained_e = lora_fa ? plan.head_adapter_b : e;
    grads = add(grads, mul(trained_e, plan.adapter_grad));
    uint64_t st = optimizer_state_bytes(opt, plan.head_adapter_b,
                                        static_cast<int64_t>(plan.head_adapter_b / r),
                                        static_cast<int64_t>(r), plan.adapter_state, block);
    if (!lora_fa) {
      st = add(st, optimizer_state_bytes(opt, plan.head_adapter_a, static_cast<int64_t>(r),
                                         static_cast<int64_t>(plan.head_adapter_a / r),
                                         plan.adapter_state, block));
    }
    states = add(states, st);
    state_elements_bytes = add(state_elements_bytes, mul(trained_e, plan.adapter_state));
  }
  ModelStateSums m;
  m.adapters = adapters;
  m.grads = grads;
  m.master = master;
  m.states = states;
  m.managed = managed;
  m.largest_trainable = largest_trainable;
  m.largest_grad = largest_grad;
  m.state_elements_bytes = state_elements_bytes;
  m.embedding_grad = embedding_grad;
  m.head_grad = head_grad;
  return m;
}

}  // namespace llmem::training
