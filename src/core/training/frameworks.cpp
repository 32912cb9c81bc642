// Each framework's rules as a value, with the source each was read in (docs/training.md and
// docs/training-sources.md give the lines), and the model-state convention per framework and
// precision: bytes per trainable parameter before activations.
#include <array>

#include "core/training/training_internal.h"

namespace llmem {
namespace training {
namespace {

constexpr size_t k_frameworks = static_cast<size_t>(Framework::count);

std::array<FrameworkRules, k_frameworks> make_rules() {
  std::array<FrameworkRules, k_frameworks> r{};
  // hf: transformers Trainer + PEFT.
  //  * LlamaRMSNorm.forward (modeling_llama.py @ 5dd4a635): x.to(fp32) … .to(dtype), weight * x.
  //  * sdpa_attention_forward (integrations/sdpa_attention.py @ 00c238bd): repeat_kv unless
  //    use_gqa_in_sdpa (torch ≥ 2.5 and no mask); llmem keeps the repeat (a mask or torch < 2.5)
  //    and gives the GQA path as the low end of the range.
  //  * PEFT get_peft_model(autocast_adapter_dtype=True) → cast_adapter_dtype: adapters fp32
  //    (src/peft/mapping_func.py, tuners/tuners_utils.py @ 5d602fdb); LoraConfig.lora_dropout 0.0.
  //  * ForCausalLMLoss (loss/loss_utils.py @ 0114da07): logits.float() then cross_entropy.
  r[0] = {Framework::hf,          NormStyle::cast_then_scale, true,  true,  0.0,   0,
          LossStyle::fp32_upcast, LossStyle::fp32_upcast,     false, false, false, false};
  // torchtune @ bd2a0fc7:
  //  * RMSNorm.forward (torchtune/modules/rms_norm.py): x.float() … .type_as(x) * scale.
  //  * MultiHeadAttention.forward (torchtune/modules/attention.py): k/v expand + flatten to the
  //    query heads before SDPA.
  //  * LoRA adapters in the recipe dtype (training.set_default_dtype in the recipes); configs'
  //    lora_dropout 0.0 (recipes/configs/llama3_1/8B_lora_single_device.yaml).
  //  * torch.nn.CrossEntropyLoss on the bf16 logits; CEWithChunkedOutputLoss upcasts each chunk
  //    (torchtune/modules/loss/ce_chunked_output_loss.py compute_cross_entropy).
  //  * selective AC: checkpoint every k-th layer (torchtune/training/activations.py
  //    checkpoint_wrapper, ac_style int); OffloadActivations (training/_activation_offloading.py).
  r[1] = {Framework::torchtune,   NormStyle::cast_then_scale, true, false, 0.0,   0,
          LossStyle::model_dtype, LossStyle::fp32_upcast,     true, false, false, true};
  // LitGPT @ 26857050:
  //  * RMSNorm.forward (litgpt/model.py): (x_normed * weight.float()).to(dtype): fp32 normed.
  //  * CausalSelfAttention.forward: k/v repeat_interleave to n_head, SDPA with is_causal.
  //  * LoRA adapters in the Fabric precision's dtype; config_hub lora_dropout 0.05.
  //  * finetune/lora.py: model(input_ids, lm_head_chunk_size=128) + chunked_cross_entropy
  //    (litgpt/utils.py) on the model-dtype logits, no upcast.
  r[2] = {Framework::litgpt,      NormStyle::fp32_normed, true,  false, 0.05,  128,
          LossStyle::model_dtype, LossStyle::model_dtype, false, false, false, false};
  //  * LitGPT's GPT holds lm_head apart from wte even when the HF checkpoint ties them (its
  //    Config has no tie option; convert_hf_checkpoint copies the embedding into lm_head).
  r[2].unties_lm_head = true;
  // Unsloth @ 015bdef0: PEFT adapters; Fast_CrossEntropyLoss (unsloth/kernels/
  // cross_entropy_loss.py) keeps the logits in their dtype plus an fp32 logsumexp per row;
  // "unsloth" gradient checkpointing offloads each layer's input to the host
  // (Unsloth_Offloaded_Gradient_Checkpointer, unsloth/models/_utils.py @ 9e9d6fe6).
  r[3] = {Framework::unsloth,  NormStyle::cast_then_scale, true,  true,  0.0,  0,
          LossStyle::fused_ce, LossStyle::fused_ce,        false, false, true, false};
  // DeepSpeed wraps an HF model: HF's activations; ZeRO's model states.
  r[4] = r[0];
  r[4].id = Framework::deepspeed;
  // Megatron: selective recompute drops core attention's s² tensors (Korthikanti et al. 2022,
  // Megatron-LM --recompute-granularity selective); its own layer kernels are not modelled
  // beyond HF's inventory (a note says so).
  r[5] = r[0];
  r[5].id = Framework::megatron;
  r[5].adapters_fp32 = false;
  r[5].selective_core_attention = true;
  r[6] = r[0];
  r[6].id = Framework::torchtitan;
  return r;
}

}  // namespace

const FrameworkRules& framework_rules(Framework f) {
  static const std::array<FrameworkRules, k_frameworks> k_rules = make_rules();
  return k_rules.at(static_cast<size_t>(f));
}

}  // namespace training

// Bytes per trainable parameter (AdamW's state element at 32-bit):
//  * ZeRO (Rajbhandari et al. 2019, arXiv 1910.02054 §3.1): mixed-precision Adam keeps 2Ψ fp16
//    parameters + 2Ψ fp16 gradients + 12Ψ (fp32 parameters, momentum, variance) = 16Ψ.
//  * Megatron-LM docs/user-guide/features/dist_optimizer.md @ d98e8a64: bf16 params + fp32
//    grads 18 B/param (2 + 4 + 4 master + 8); fp16 params + fp16 grads 20 (2 + 2 + 4 fp32 main
//    grads counted with the master copy + 4 + 8); fp32 16.
//  * PyTorch AMP (torch.autocast) with fp32 parameters: 4 + 4 + 8, plus autocast's bf16 weight
//    copies saved for backward (aten/src/ATen/autocast_mode.cpp cached_cast).
//  * Pure bf16 with torch AdamW (torch/optim/adamw.py: exp_avg = zeros_like(p)): 2 + 2 + 2·2.
StateBytes state_bytes(Framework f, Precision p) {
  const bool mixed = p == Precision::bf16_mixed || p == Precision::fp16_mixed;
  if (p == Precision::fp32) return {4, 4, 0, 4, false};
  if (p == Precision::bf16) return {2, 2, 0, 2, false};
  if (!mixed) return {2, 2, 0, 2, false};
  switch (f) {
    case Framework::deepspeed:
      return {2, 2, 4, 4, false};
    case Framework::megatron:
      return p == Precision::bf16_mixed ? StateBytes{2, 4, 4, 4, false}
                                        : StateBytes{2, 2, 8, 4, false};
    default:
      return {4, 4, 0, 4, true};
  }
}

}  // namespace llmem
