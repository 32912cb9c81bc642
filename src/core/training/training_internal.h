// Private pieces shared by the training sources: each framework's rules as a value (like an
// EngineModel), one decoder layer's shape as the activation formulas need it, and the pieces of
// the fast path. Nothing here allocates.
#pragma once

#include <cstdint>

#include "llmem/core/training.h"

namespace llmem::training {

// How an RMSNorm keeps its tensors for backward.
enum class NormStyle : uint8_t {
  cast_then_scale,  // HF Llama / torchtune: x.float() … .to(dtype) then weight * x: keeps the fp32
                    // upcast, rsqrt and (weight trained) the cast
  fp32_normed,  // LitGPT / Gemma: (x_normed * weight.float()).to(dtype): keeps the fp32 upcast,
                // rsqrt and (weight trained) the fp32 normed
  model_dtype,  // Lit-GPT before 0.3.1: weight * (x * rsqrt(mean(x * x))) in the model dtype
};

// Compares dotted versions ("0.43.1" < "0.43.2"); an empty version is the newest.
bool version_before(std::string_view version, std::string_view than);

// What the loss keeps.
enum class LossStyle : uint8_t {
  fp32_upcast,   // logits.float() then cross_entropy (HF ForCausalLMLoss; torchtune chunked)
  model_dtype,   // cross_entropy on the model-dtype logits (LitGPT; torchtune nn.CrossEntropyLoss)
  fused_ce,      // Unsloth Fast_CrossEntropyLoss: logits in their dtype + fp32 logsumexp per row
  fused_linear,  // Liger fused linear cross-entropy: grads computed in forward, no logits kept
};

struct FrameworkRules {
  Framework id = Framework::hf;
  NormStyle norm = NormStyle::cast_then_scale;
  bool sdpa_repeats_kv = true;    // K/V expanded to the query heads before SDPA
  bool adapters_fp32 = true;      // LoRA adapters upcast to fp32 on a 16-bit base
  double lora_dropout = 0.0;      // the framework's default LoRA dropout
  int64_t loss_chunk_tokens = 0;  // LM head + loss chunked by this many tokens (LitGPT: 128)
  LossStyle loss = LossStyle::fp32_upcast;
  LossStyle chunked_loss = LossStyle::fp32_upcast;  // with loss_chunks > 1
  bool selective_every_k = false;                   // selective = every k-th layer (torchtune)
  bool selective_core_attention = false;            // selective = drop the s² terms (Megatron)
  bool has_unsloth_checkpointing = false;
  bool has_activation_offload = false;
  bool unties_lm_head = false;  // holds a tied LM head as its own weight (LitGPT's GPT)
};

const FrameworkRules& framework_rules(Framework f);

using LayerShape = TrainingLayer;

// The per-token/per-sequence quantities of one micro-batch.
struct StepShape {
  uint64_t b = 1, s = 1, tokens = 1;
  uint32_t act = 2;      // bytes of the activation dtype
  uint32_t adapter = 4;  // bytes of a LoRA adapter element
  double attention_dropout = 0, lora_dropout = 0, hidden_dropout = 0;
  Attention attention = Attention::sdpa;
  bool packed = false;  // a (b, 1, s, s) mask reaches SDPA (packed or padded batches)
  NormStyle norm = NormStyle::cast_then_scale;
  bool sdpa_repeats_kv = true;
  bool lora_fa = false;
  bool amp = false;              // autocast over fp32 parameters (mixed precision)
  bool softcap = false;          // attention-logit soft-capping (Gemma 2): tanh keeps its result
  bool bnb_keeps_input = false;  // 4-bit matmuls keep their input (bitsandbytes < 0.43.2)
};

// Saved-for-backward bytes of one decoder layer (no recompute), and the part of it that is the
// s² attention terms (what Megatron's selective recompute drops).
struct LayerSaved {
  uint64_t bytes = 0;
  uint64_t attention_quadratic = 0;
  uint64_t largest = 0;  // the largest single tensor (for the backward workspace)
};
LayerSaved layer_saved_bytes(const LayerShape& l, const StepShape& s);

// The model states of the trainable set under one optimizer (a loop over the records).
ModelStateSums model_state_sums(const PreparedModel& p, const TrainingPlan& plan, Optimizer opt,
                                int32_t block, bool lora_fa);

// One run's layer shape; `trained` says whether the layer's base weights train.
TrainingLayer layer_shape(const PreparedModel& p, const TrainingPlan& plan, const StackRun& run,
                          bool trained, int32_t rank, bool keeps_4bit_input);

// Saved bytes of one norm over `tokens` tokens of width `width`.
uint64_t norm_saved_bytes(const StepShape& s, uint64_t tokens, uint64_t width, bool layer_norm,
                          bool weight_trains);

}  // namespace llmem::training

namespace llmem {
// Whether bitsandbytes puts this tensor's states in CUDA managed memory (paged optimizers).
bool paged_states(Optimizer opt, uint64_t elements);
}  // namespace llmem
