// What autograd keeps for backward in one decoder layer, op by op, as docs/training-activations.md
// lists it (the harness tools/train_harness.py measures the same set on the CPU). The op facts:
// torch's tools/autograd/derivatives.yaml (ROCm/pytorch @ 10b22ea5); the model code: transformers
// modeling_llama.py @ 5dd4a635 (LlamaRMSNorm, repeat_kv, eager_attention_forward, LlamaMLP),
// modeling_mixtral.py @ 00d4b3d2 (MixtralSparseMoeBlock), integrations/sdpa_attention.py @
// 00c238bd, integrations/flash_attention.py @ 0325dc46 and flash-attn v2.8.3
// (FlashAttnFunc.forward: q, k, v, out_padded, softmax_lse, rng_state; head dim padded to 8).
// A linear keeps its input only when its weight trains (mm: mat1 kept for mat2's gradient).
#include <algorithm>

#include "common/checked.h"
#include "core/training/training_internal.h"

namespace llmem::training {
namespace {

constexpr uint64_t pad8(uint64_t d) { return (d + 7) / 8 * 8; }

struct Acc {
  uint64_t bytes = 0;
  uint64_t largest = 0;
  void add(uint64_t b) {
    bytes = checked_add(bytes, b, "activation bytes");
    largest = std::max(largest, b);
  }
};

// LoRA adapters reading one input of width `w`: what they keep for backward.
//  * PEFT lora.Linear.forward (src/peft/tuners/lora/layer.py @ 5d602fdb): x cast to the adapter
//    dtype (_cast_input_dtype), lora_B(lora_A(dropout(x))) * scaling: lora_A keeps its input for
//    A's gradient, lora_B keeps A's output for B's gradient. A cast to fp32 is a new storage per
//    adapter; with no cast and no dropout the input is the shared storage (`input_shared`: the
//    layer keeps it anyway, or it is counted once here).
//  * Under autocast (mixed precision) the adapter matmuls run in bf16: autocast's cast of the
//    fp32 input is what lora_A keeps, one per adapter.
//  * Dropout p > 0 (LitGPT's 0.05): CUDA native_dropout keeps a bool mask, and the dropped
//    output is what lora_A keeps (one per adapter; LitGPT's fused qkv adapter is one).
//  * LoRA-FA (PEFT create_lorafa_optimizer: lora_A frozen) keeps no input for A.
uint64_t lora_input_bytes(const StepShape& s, uint64_t tokens, uint64_t w, uint64_t adapters,
                          uint64_t rank_sum, bool input_already_kept, bool mixed) {
  if (adapters == 0) return 0;
  uint64_t b = 0;
  const uint64_t elems = checked_mul(tokens, w, "activation elements");
  if (s.lora_dropout > 0) {
    b = checked_add(b, checked_mul(adapters, elems), "activation bytes");  // bool masks
    if (!s.lora_fa) {
      b = checked_add(b, checked_mul(adapters, checked_mul(elems, mixed ? s.act : s.adapter)),
                      "activation bytes");
    }
  } else if (!s.lora_fa) {
    if (mixed || s.adapter != s.act) {
      b = checked_add(b, checked_mul(adapters, checked_mul(elems, mixed ? s.act : s.adapter)),
                      "activation bytes");
    } else if (!input_already_kept) {
      b = checked_add(b, checked_mul(elems, s.act), "activation bytes");
    }
  }
  // A's output (tokens × r), kept by lora_B.
  const uint64_t a_out = mixed ? s.act : s.adapter;
  return checked_add(b, checked_mul(checked_mul(tokens, rank_sum), a_out), "activation bytes");
}

}  // namespace

bool version_before(std::string_view version, std::string_view than) {
  if (version.empty()) return false;
  size_t a = 0, b = 0;
  while (a < version.size() || b < than.size()) {
    uint64_t x = 0, y = 0;
    while (a < version.size() && version[a] != '.') {
      if (version[a] >= '0' && version[a] <= '9')
        x = x * 10 + static_cast<uint64_t>(version[a] - '0');
      ++a;
    }
    while (b < than.size() && than[b] != '.') {
      if (than[b] >= '0' && than[b] <= '9') y = y * 10 + static_cast<uint64_t>(than[b] - '0');
      ++b;
    }
    if (x != y) return x < y;
    ++a;
    ++b;
  }
  return false;
}

uint64_t norm_saved_bytes(const StepShape& s, uint64_t tokens, uint64_t width, bool layer_norm,
                          bool weight_trains) {
  const uint64_t elems = checked_mul(tokens, width, "activation elements");
  if (s.norm == NormStyle::model_dtype && !layer_norm) {
    // x * x keeps x; rsqrt keeps its result; weight * x_normed keeps x_normed (weight trained).
    uint64_t b = checked_add(checked_mul(elems, s.act), tokens * s.act, "activation bytes");
    if (weight_trains) b = checked_add(b, checked_mul(elems, s.act), "activation bytes");
    return b;
  }
  if (layer_norm) {
    // native_layer_norm keeps input, weight, bias, mean and rstd (derivatives.yaml); mean and
    // rstd in the accumulation type (fp32) on CUDA — unconfirmed from source.
    return checked_add(checked_mul(elems, s.act), 8 * tokens, "activation bytes");
  }
  // RMSNorm: the fp32 upcast (kept by pow and mul: one storage), rsqrt's result (T × 1, fp32).
  uint64_t b = checked_add(checked_mul(elems, 4), 4 * tokens, "activation bytes");
  if (weight_trains) {
    // weight * x keeps x for the weight's gradient: the cast (HF), or the fp32 normed (LitGPT).
    b = checked_add(b, checked_mul(elems, s.norm == NormStyle::fp32_normed ? 4 : s.act),
                    "activation bytes");
  }
  if (s.norm == NormStyle::fp32_normed && s.act != 4) {
    b = checked_add(b, 4 * width, "activation bytes");  // weight.float(), kept for x's gradient
  }
  return b;
}

LayerSaved layer_saved_bytes(const LayerShape& l, const StepShape& s) {
  Acc a;
  const uint64_t T = s.tokens, p = s.act, h = static_cast<uint64_t>(l.hidden);
  const uint64_t H = static_cast<uint64_t>(l.heads), K = static_cast<uint64_t>(l.kv_heads);
  const uint64_t dk = static_cast<uint64_t>(l.head_dim_k), dv = static_cast<uint64_t>(l.head_dim_v);
  const bool mixed = s.amp;
  auto add = [&](uint64_t x) { a.add(x); };
  auto tok = [&](uint64_t width, uint64_t bytes) {
    return checked_mul(checked_mul(T, width, "activation elements"), bytes, "activation bytes");
  };

  // Hidden-width norms (input_layernorm, post_attention_layernorm, Gemma's extra two).
  for (int32_t i = 0; i < l.norms; ++i) add(norm_saved_bytes(s, T, h, l.layer_norm, l.norm_trains));

  uint64_t quadratic = 0;
  if (l.kind == LayerKind::attention || l.kind == LayerKind::mla) {
    // The normed input, kept once by the q/k/v projections when their weights train.
    if (l.qkv_trains) add(tok(h, p));
    add(lora_input_bytes(s, T, h, l.lora_attn_in_adapters, l.lora_attn_rank, false, mixed));
    if (l.qk_norm) {  // Qwen3's per-head q/k RMSNorm
      add(norm_saved_bytes(s, checked_mul(T, H), dk, false, l.norm_trains));
      add(norm_saved_bytes(s, checked_mul(T, K), dk, false, l.norm_trains));
    }
    const uint64_t ss = checked_mul(checked_mul(s.b, H), checked_mul(s.s, s.s), "attention bytes");
    bool o_input_kept = false;
    switch (s.attention) {
      case Attention::eager: {
        // eager_attention_forward: q and K after repeat_kv (bmm operands), V after repeat_kv
        // (kept by P @ V), softmax(·, dtype=fp32)'s result, its cast (kept by P @ V); with
        // dropout p > 0 the bool mask and the dropped probabilities instead of the cast.
        add(tok(H * dk, p));
        add(tok(H * dk, p));
        add(tok(H * dv, p));
        add(checked_mul(ss, 4));
        add(checked_mul(ss, p));
        quadratic = checked_mul(ss, 4 + p);
        if (s.softcap) {
          // Gemma 2 (modeling_gemma2.py eager_attention_forward; litgpt/model.py
          // do_softcapping): tanh(scores / cap) * cap — tanh keeps its result.
          add(checked_mul(ss, p));
          quadratic = checked_add(quadratic, checked_mul(ss, p));
        }
        if (s.attention_dropout > 0) {
          add(ss);  // native_dropout's bool mask
          quadratic = checked_add(quadratic, ss);
        }
        break;
      }
      case Attention::flash: {
        // flash_attn_func → FlashAttnFunc: q, k, v at the KV-head count (no repeat_kv), the padded
        // output and an fp32 log-sum-exp (b, H, s); the o_proj input is a view of out_padded
        // unless the head dim was padded (then the reshape copies).
        add(tok(H * pad8(dk), p));
        add(tok(K * pad8(dk), p));
        add(tok(K * pad8(dv), p));
        add(tok(H * pad8(dv), p));
        add(checked_mul(checked_mul(s.b, H), s.s * 4));
        add(16);  // rng_state int64[2]
        o_input_kept = dv % 8 == 0;
        break;
      }
      case Attention::sdpa: {
        // sdpa_attention_forward: query, key, value (repeated to H heads unless torch ≥ 2.5 and
        // no mask), output (o_proj's input, one storage), log-sum-exp; a mask (packed sequences)
        // selects the memory-efficient kernel, which also keeps the (b, 1, s, s) bias and pads
        // the log-sum-exp to 32 rows.
        const uint64_t kv = s.sdpa_repeats_kv ? H : K;
        add(tok(H * dk, p));
        add(tok(kv * dk, p));
        add(tok(kv * dv, p));
        add(tok(H * dv, p));
        const uint64_t rows = s.packed ? (s.s + 31) / 32 * 32 : s.s;
        add(checked_mul(checked_mul(s.b, H), rows * 4));
        add(16);  // rng state / philox seed and offset
        if (s.packed) {
          const uint64_t bias = checked_mul(checked_mul(s.b, s.s), s.s * p, "attention bytes");
          add(bias);
          quadratic = bias;
        }
        o_input_kept = true;
        break;
      }
      case Attention::count:
        break;
    }
    if (l.o_trains && !o_input_kept) add(tok(H * dv, p));
    add(lora_input_bytes(s, T, H * dv, l.lora_o_adapters, l.lora_o_rank, o_input_kept, mixed));
  }

  // Hidden dropout (BERT's BertSelfOutput and BertOutput: dropout before each residual add): CUDA
  // native_dropout keeps a bool mask each; the dropped output is kept by nobody (the add and the
  // post-norm LayerNorm keep the sum).
  if (s.hidden_dropout > 0) add(tok(h, 2));

  // Dense MLP (LlamaMLP.forward: down(act(gate(x)) * up(x)); plain: down(act(up(x)))).
  if (l.intermediate > 0) {
    const uint64_t I = static_cast<uint64_t>(l.intermediate);
    if (l.up_trains) add(tok(h, p));
    add(lora_input_bytes(s, T, h, l.lora_up_adapters, l.lora_up_rank, false, mixed));
    if (l.gated) {
      add(tok(I, p));  // gate output, kept by the activation
      add(tok(I, p));  // the activation's output, kept by the product
      add(tok(I, p));  // up output, kept by the product
    } else {
      add(tok(I, p));  // up output, kept by the activation
    }
    // down's input (the product, or gelu's output) only for down's weight gradient.
    if (l.down_trains) add(tok(I, p));
    add(lora_input_bytes(s, T, I, l.lora_down_adapters, l.lora_down_rank, l.down_trains, mixed));
  }

  // Mixture of experts (MixtralSparseMoeBlock.forward): router logits → fp32 softmax → top-k →
  // in-place renormalisation (div_ keeps a clone and the sum); each token-expert assignment keeps
  // its index pair, the gathered input (experts trained), the SwiGLU tensors, the expert output and
  // its routing weight (kept by the weighting), the weighted output (kept by index_add_).
  if (l.experts > 0) {
    const uint64_t E = static_cast<uint64_t>(l.experts), k = static_cast<uint64_t>(l.top_k);
    const uint64_t Ie = static_cast<uint64_t>(l.expert_intermediate);
    const bool input_kept = l.router_trains || (l.shared_intermediate > 0 && l.experts_train);
    if (input_kept) add(tok(h, p));
    add(checked_mul(T, 4 * E));          // softmax(dtype=float)
    add(checked_mul(T, 8 * k));          // topk indices
    add(checked_mul(T, 4 * k) + 4 * T);  // div_'s clone and the sum
    const uint64_t n = checked_mul(T, k, "expert assignments");
    uint64_t per = 16 + 2 * p * h + 3 * p * Ie + p;
    if (l.experts_train) per += p * h + p * Ie;
    add(checked_mul(n, per, "expert activation bytes"));
    StepShape se = s;
    add(lora_input_bytes(se, n, h, l.lora_expert_adapters > 0 ? 1 : 0, l.lora_expert_up_rank,
                         l.experts_train, mixed));
    add(lora_input_bytes(se, n, Ie, l.lora_expert_adapters > 0 ? 1 : 0, l.lora_expert_down_rank,
                         l.experts_train, mixed));
    if (l.shared_intermediate > 0) {
      const uint64_t Is = static_cast<uint64_t>(l.shared_intermediate);
      add(tok(Is, 3 * p));
      if (l.experts_train) add(tok(Is, p));
    }
  }
  // DoRA (DoraLinearLayer.forward, src/peft/tuners/lora/dora.py): the base output (kept by
  // (mag_norm_scale - 1) * base) and the LoRA result (kept by mag_norm_scale * lora) per layer.
  const uint64_t dora = l.dora_out_attn + l.dora_out_o + l.dora_out_up + l.dora_out_down;
  if (dora > 0) add(tok(dora, p + s.adapter));

  LayerSaved out;
  out.bytes = a.bytes;
  out.largest = a.largest;
  out.attention_quadratic = quadratic;
  return out;
}

}  // namespace llmem::training
