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
};

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
};

const FrameworkRules& framework_rules(Framework f);

// One decoder layer's dimensions and what trains in it, for the activation formulas.
struct LayerShape {
  LayerKind kind = LayerKind::attention;
  int64_t hidden = 0;
  int32_t heads = 0, kv_heads = 0, head_dim_k = 0, head_dim_v = 0;
  int64_t intermediate = 0;         // dense MLP width (0: none)
  bool gated = true;                // SwiGLU (gate, up, down) or plain (up, down)
  int64_t expert_intermediate = 0;  // routed expert width
  int32_t experts = 0, top_k = 0;
  int64_t shared_intermediate = 0;  // shared experts' total width
  int32_t norms = 2;                // hidden-width norms per layer
  bool layer_norm = false;          // LayerNorm (keeps its input, fp32 mean/rstd) vs RMSNorm
  bool qk_norm = false;             // per-head q/k RMSNorm (Qwen3)
  // what trains (the base weights)
  bool qkv_trains = false, o_trains = false, up_trains = false, down_trains = false;
  bool norm_trains = false, router_trains = false, experts_train = false;
  // LoRA adapters on this layer: input width and rank sum per distinct input
  uint64_t lora_attn_in_adapters = 0;  // adapters reading the attention input (q, k, v, qkv)
  uint64_t lora_o_adapters = 0, lora_up_adapters = 0, lora_down_adapters = 0;
  uint64_t lora_expert_adapters = 0;  // per routed expert (gate/up and down counted apart)
  uint64_t lora_attn_rank = 0, lora_o_rank = 0, lora_up_rank = 0, lora_down_rank = 0;
  uint64_t lora_expert_up_rank = 0, lora_expert_down_rank = 0;
  uint64_t dora_out_attn = 0, dora_out_o = 0, dora_out_up = 0, dora_out_down = 0;
};

// The per-token/per-sequence quantities of one micro-batch.
struct StepShape {
  uint64_t b = 1, s = 1, tokens = 1;
  uint32_t act = 2;      // bytes of the activation dtype
  uint32_t adapter = 4;  // bytes of a LoRA adapter element
  double attention_dropout = 0, lora_dropout = 0;
  Attention attention = Attention::sdpa;
  bool packed = false;
  NormStyle norm = NormStyle::cast_then_scale;
  bool sdpa_repeats_kv = true;
  bool lora_fa = false;
  bool amp = false;  // autocast over fp32 parameters (mixed precision)
};

// Saved-for-backward bytes of one decoder layer (no recompute), and the part of it that is the
// s² attention terms (what Megatron's selective recompute drops).
struct LayerSaved {
  uint64_t bytes = 0;
  uint64_t attention_quadratic = 0;
  uint64_t largest = 0;  // the largest single tensor (for the backward workspace)
};
LayerSaved layer_saved_bytes(const LayerShape& l, const StepShape& s);

// Saved bytes of one norm over `tokens` tokens of width `width`.
uint64_t norm_saved_bytes(const StepShape& s, uint64_t tokens, uint64_t width, bool layer_norm,
                          bool weight_trains);

}  // namespace llmem::training

namespace llmem {
// Whether bitsandbytes puts this tensor's states in CUDA managed memory (paged optimizers).
bool paged_states(Optimizer opt, uint64_t elements);
}  // namespace llmem
