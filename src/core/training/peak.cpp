// The training fast path: one GPU's peak over the step, as plain numbers (no allocation).
// The step, as PyTorch runs it: forward (saved activations grow; the loss upcasts logits), backward
// (activations freed layer by layer while gradients appear; a checkpointed layer is recomputed
// first), the optimizer step (its temporaries) and zero_grad(set_to_none=True), which frees the
// gradients before the next forward unless they accumulate. The peak is the largest of those
// moments; docs/training.md gives each phase's formula.
#include <algorithm>

#include "common/checked.h"
#include "core/training/training_internal.h"
#include "llmem/core/engine.h"

namespace llmem {
namespace training {
uint32_t role_bit(TensorRole r);
}  // namespace training

namespace {

using training::LayerShape;
using training::StepShape;

uint64_t add(uint64_t a, uint64_t b) { return checked_add(a, b, "training bytes"); }
uint64_t mul(uint64_t a, uint64_t b) { return checked_mul(a, b, "training bytes"); }
uint64_t sub0(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

struct RunSaved {
  uint64_t layers = 0;  // Σ saved sets
  uint64_t largest_layer = 0;
  uint64_t quadratic = 0;  // Σ s² terms
  uint64_t largest_tensor = 0;
  int64_t count = 0;
  uint64_t kept_4bit_inputs = 0;  // Σ layers: what the 4-bit matmuls keep (bitsandbytes < 0.43.2)
};

}  // namespace

uint64_t ActivationsAtPeak::activations() const {
  return add(add(add(add(layers, outside), recompute), workspace), autocast);
}

uint64_t ActivationsAtPeak::total() const {
  return add(add(add(add(activations(), loss_saved), loss_transient), gradients), optimizer_temp);
}

uint64_t SavedActivations::total() const {
  return add(add(add(layers_bytes, outside_bytes), loss_bytes), autocast_bytes);
}

TrainingNumbers training_numbers(const PreparedModel& p, const TrainingPlan& plan,
                                 const TrainingOptions& o) {
  TrainingNumbers n;
  const auto& rules = training::framework_rules(o.framework);
  StepShape s;
  s.b = static_cast<uint64_t>(o.batch);
  // The default seq is capped at the model's positions (as inference caps its context).
  s.s = static_cast<uint64_t>(!o.seq_given && p.max_position_embeddings > 0
                                  ? std::min(o.seq, p.max_position_embeddings)
                                  : o.seq);
  s.tokens = mul(s.b, s.s);
  s.act = dtype_bits(plan.compute_dtype) / 8;
  s.adapter = dtype_bits(plan.adapter_dtype) / 8;
  s.attention = o.attention;
  // Gemma 2 soft-caps its attention logits; LitGPT then cannot use SDPA and runs the eager path
  // (litgpt/model.py CausalSelfAttention.scaled_dot_product_attention: "with softcapping we
  // cannot use SDPA").
  s.softcap = p.model_type == "gemma2";
  if (s.softcap && o.framework == Framework::litgpt) s.attention = Attention::eager;
  s.attention_dropout = o.attention_dropout >= 0 ? o.attention_dropout : p.attention_dropout;
  s.hidden_dropout = o.hidden_dropout >= 0 ? o.hidden_dropout : p.hidden_dropout;
  s.lora_dropout = o.lora_dropout >= 0 ? o.lora_dropout : rules.lora_dropout;
  s.packed = o.packed || o.padded;
  // Gemma's RMSNorm computes (x.float() normed) * (1 + weight.float()) in fp32 and casts last
  // (modeling_gemma.py GemmaRMSNorm.forward), as LitGPT's does.
  s.norm = std::string_view(p.model_type).substr(0, 5) == "gemma" ? training::NormStyle::fp32_normed
                                                                  : rules.norm;
  s.sdpa_repeats_kv = rules.sdpa_repeats_kv;
  s.lora_fa = o.lora_fa;
  s.bnb_keeps_input = training::version_before(o.bitsandbytes_version, "0.43.2");
  if (o.framework == Framework::litgpt && training::version_before(o.framework_version, "0.3.1")) {
    s.norm = training::NormStyle::model_dtype;
  }
  s.amp = plan.precision == Precision::bf16_mixed || plan.precision == Precision::fp16_mixed
              ? state_bytes(o.framework, o.precision).autocast_copies
              : false;
  const bool lora = plan.method == TrainMethod::lora || plan.method == TrainMethod::qlora;
  const uint64_t T = s.tokens, p_act = s.act, h = static_cast<uint64_t>(p.hidden_size);
  const uint64_t V = static_cast<uint64_t>(p.vocab_size);

  // Decoder layers: each run's saved set, trained and frozen layers apart (freeze cuts runs).
  RunSaved rs;
  uint64_t rotary_dim = 0;
  for (const TrainingRunShape& run : plan.runs) {
    for (int pass = 0; pass < 2; ++pass) {
      const int64_t count = pass == 0 ? run.trained : run.frozen;
      if (count <= 0) continue;
      const LayerShape& l = pass == 0 ? (s.bnb_keeps_input ? run.trained_4bit : run.trained_shape)
                                      : (s.bnb_keeps_input ? run.frozen_4bit : run.frozen_shape);
      const training::LayerSaved ls = training::layer_saved_bytes(l, s);
      rs.layers = add(rs.layers, mul(ls.bytes, static_cast<uint64_t>(count)));
      rs.quadratic = add(rs.quadratic, mul(ls.attention_quadratic, static_cast<uint64_t>(count)));
      rs.largest_layer = std::max(rs.largest_layer, ls.bytes);
      rs.largest_tensor = std::max(rs.largest_tensor, ls.largest);
      rs.count += count;
      if (s.bnb_keeps_input && plan.method == TrainMethod::qlora) {
        const LayerShape& bare = pass == 0 ? run.trained_shape : run.frozen_shape;
        const uint64_t without = training::layer_saved_bytes(bare, s).bytes;
        rs.kept_4bit_inputs =
            add(rs.kept_4bit_inputs, mul(sub0(ls.bytes, without), static_cast<uint64_t>(count)));
      }
      if (l.kind == LayerKind::attention) rotary_dim = static_cast<uint64_t>(l.head_dim_k);
    }
  }
  n.saved.per_layer_bytes = rs.largest_layer;

  // Outside the layers.
  bool embedding_trains = false, lm_head_trains = false, final_norm_trains = false;
  bool learned_positions = false, lm_head_adapted = false;
  for (size_t i = 0; i < p.records.size(); ++i) {
    const Tensor& t = p.records[i];
    const TrainableRecord& tr = plan.records[i];
    if (t.role == TensorRole::embedding) embedding_trains = embedding_trains || tr.trains;
    if (t.role == TensorRole::position_embedding) learned_positions = true;
    if (t.role == TensorRole::lm_head) {
      lm_head_trains = lm_head_trains || tr.trains;
      lm_head_adapted = lm_head_adapted || tr.adapter_a > 0;
    }
    if (t.role == TensorRole::norm && !t.in_stack() && !t.bias) {
      final_norm_trains = final_norm_trains || tr.trains;
    }
  }
  if (p.tied_embeddings && plan.untied_head_bytes == 0) lm_head_trains = embedding_trains;
  if (plan.untied_head_bytes > 0) {
    lm_head_trains = plan.method == TrainMethod::full || o.trainable_embeddings;
    lm_head_adapted = plan.head_adapter_a > 0;
  }
  bool final_layer_norm = false;
  for (const auto& t : p.records) {
    if (t.role == TensorRole::norm && !t.in_stack() && t.bias) final_layer_norm = true;
  }
  const auto style = [&]() {
    switch (o.fused_loss) {
      case FusedLoss::cross_entropy:
        return training::LossStyle::fused_ce;
      case FusedLoss::linear_cross_entropy:
        return training::LossStyle::fused_linear;
      case FusedLoss::none:
        return o.loss_chunks > 1
                   ? rules.chunked_loss
                   : (rules.loss == training::LossStyle::fused_ce ? training::LossStyle::fp32_upcast
                                                                  : rules.loss);
      default:
        return o.loss_chunks > 1 ? rules.chunked_loss : rules.loss;
    }
  }();
  uint64_t outside = 0;
  if (embedding_trains) outside = add(outside, mul(T, 8));  // embedding keeps its indices
  if (s.hidden_dropout > 0) outside = add(outside, T * h);  // the embeddings' dropout mask
  if (learned_positions && embedding_trains) outside = add(outside, mul(s.s, 8));
  const uint64_t rotary = learned_positions ? 0 : mul(mul(2 * p_act, s.s), rotary_dim);
  outside = add(outside, training::norm_saved_bytes(s, T, h, final_layer_norm, final_norm_trains));
  if (lm_head_trains && style != training::LossStyle::fused_linear) {
    outside = add(outside, mul(T, h * p_act));
  }
  if (lm_head_adapted) outside = add(outside, mul(T, h * s.adapter + o.lora_rank * s.adapter));

  // The loss: what it keeps, and its transient beyond that (docs/training.md "LM head and loss").
  uint64_t chunks = static_cast<uint64_t>(std::max<int64_t>(o.loss_chunks, 1));
  // LitGPT chunks the LM head in finetune/lora.py (lm_head_chunk_size=128), not in full.py.
  if (o.loss_chunks == 0 && rules.loss_chunk_tokens > 0 && plan.method != TrainMethod::full) {
    chunks = (s.s + static_cast<uint64_t>(rules.loss_chunk_tokens) - 1) /
             static_cast<uint64_t>(rules.loss_chunk_tokens);
  }
  // A model without an LM head (BERT for sequence classification) has no T × V logits.
  bool lm_logits = p.tied_embeddings;
  for (const auto& t : p.records)
    lm_logits = lm_logits || (t.role == TensorRole::lm_head && !t.bias);
  const uint64_t TV = lm_logits ? mul(T, V) : 0;
  uint64_t loss_saved = 0, loss_fwd = 0, loss_bwd = 0;
  const bool logits_held_in_backward = o.framework == Framework::litgpt;
  switch (style) {
    case training::LossStyle::fp32_upcast:
      loss_saved = add(add(mul(TV, 4), mul(T, 8)), 4);
      loss_fwd = add(mul(TV, p_act), mul(TV, 4) / chunks);
      // nll_loss's gradient and log_softmax's input gradient, beside the saved output.
      loss_bwd = mul(TV, 8) / chunks;
      if (logits_held_in_backward) loss_bwd = add(loss_bwd, mul(TV, p_act));
      break;
    case training::LossStyle::model_dtype:
      loss_saved = add(add(mul(TV, p_act), mul(T, 8)), 4);
      loss_fwd = mul(TV, p_act);
      // nll_loss's gradient and log_softmax's input gradient beside its saved output.
      loss_bwd = mul(TV, 2 * p_act) / chunks;
      if (logits_held_in_backward) loss_bwd = add(loss_bwd, mul(TV, p_act));
      break;
    case training::LossStyle::fused_ce:
      // Fast_CrossEntropyLoss: save_for_backward(logits, logsumexp, labels); the backward writes
      // the gradient into the logits in place.
      loss_saved = add(add(mul(TV, p_act), mul(T, 4)), mul(T, 8));
      break;
    case training::LossStyle::fused_linear: {
      // Liger fused_linear_cross_entropy_forward: grad_input (BT × H) and grad_weight (V × H)
      // computed in the forward and saved; one chunk of logits at a time.
      loss_saved = add(mul(T, h * p_act), mul(T, 4));
      if (lm_head_trains) loss_saved = add(loss_saved, mul(mul(V, h), plan.base_grad));
      uint64_t inc = (V + h - 1) / std::max<uint64_t>(h, 1);
      uint64_t rows = 1;
      while (rows < (T + inc - 1) / std::max<uint64_t>(inc, 1)) rows *= 2;
      loss_fwd = mul(mul(rows, V), p_act + 4);
      break;
    }
  }

  // Recomputation.
  const uint64_t layer_inputs = mul(mul(T, h), p_act);
  const uint64_t L = static_cast<uint64_t>(rs.count);
  uint64_t layers_kept = rs.layers;
  uint64_t recompute = 0;
  uint64_t outside_saved = add(outside, rotary);
  const uint64_t recompute_copies = plan.amp ? mul(plan.trained_matmul_layer_max, 2) : 0;
  switch (o.recompute) {
    case Recompute::none:
      break;
    case Recompute::full:
    case Recompute::unsloth: {
      // HF GradientCheckpointingLayer / torchtune checkpoint_wrapper: each layer keeps its input;
      // the rotary cos/sin travel in the closure (alive, not saved) and are saved again while a
      // layer is recomputed (the harness's per-layer recompute bytes include them).
      layers_kept = mul(layer_inputs, L);
      outside_saved = outside;
      recompute = add(add(rs.largest_layer, rotary), recompute_copies);
      if (o.recompute == Recompute::unsloth) {
        n.saved.offloaded_bytes = mul(layer_inputs, L > 0 ? L - 1 : 0);
        layers_kept = L > 0 ? layer_inputs : 0;
      }
      if (o.activation_offload) {
        // OffloadActivations: checkpointed inputs ≥ 1 KiB go to pinned host memory; one layer's
        // input is in flight each way (max_fwd_stash_size bounds the forward stash).
        const uint64_t on_gpu = std::min<uint64_t>(L, 2);
        n.saved.offloaded_bytes = mul(layer_inputs, L - on_gpu);
        layers_kept = mul(layer_inputs, on_gpu);
      }
      break;
    }
    case Recompute::selective:
      if (rules.selective_every_k) {
        // torchtune: every k-th layer (count % k == 0) checkpointed, the others keep all.
        const uint64_t k = static_cast<uint64_t>(o.recompute_every);
        const uint64_t ck = (L + k - 1) / k;
        layers_kept = add(mul(layer_inputs, ck), mul(rs.largest_layer, L - ck));
        recompute = add(rs.largest_layer, recompute_copies);
      } else {
        // Megatron: core attention recomputed (Korthikanti et al. 2022 §4.2).
        layers_kept = sub0(rs.layers, rs.quadratic);
        recompute = L > 0 ? rs.quadratic / L : 0;
      }
      break;
    case Recompute::count:
      break;
  }
  n.saved.layers_bytes = layers_kept;
  n.saved.outside_bytes = outside_saved;
  n.saved.loss_bytes = loss_saved;
  n.saved.recompute_bytes = recompute;
  n.saved.autocast_bytes = plan.amp ? mul(plan.matmul_elements, 2) : 0;
  n.cpu_bytes = n.saved.offloaded_bytes;

  // Model states: weights, adapters, gradients, master weights, optimizer states.
  uint64_t weights = 0;
  for (size_t g = 0; g < plan.weight_bytes.size(); ++g) {
    n.parts[weights_part(static_cast<WeightGroup>(g))] = plan.weight_bytes[g];
    weights = add(weights, plan.weight_bytes[g]);
  }
  const int32_t block =
      o.optimizer_block_size > 0
          ? o.optimizer_block_size
          : (training::version_before(o.bitsandbytes_version, "0.44.0") ? 2048 : 256);
  const size_t oi = static_cast<size_t>(o.optimizer);
  const ModelStateSums ms = o.lora_fa != plan.lora_fa || (block != 256 && block != 2048)
                                ? training::model_state_sums(p, plan, o.optimizer, block, o.lora_fa)
                                : (block == 256 ? plan.states_256[oi] : plan.states_2048[oi]);
  const uint64_t grads = ms.grads, master = ms.master, states = ms.states, managed = ms.managed;
  const uint64_t adapters = ms.adapters, largest_trainable = ms.largest_trainable;
  const uint64_t largest_grad = ms.largest_grad, state_elements_bytes = ms.state_elements_bytes;
  const uint64_t embedding_grad = ms.embedding_grad, head_grad = ms.head_grad;
  n.gradients_bytes = grads;
  n.managed_bytes = managed;

  // Optimizer-step temporaries.
  uint64_t temp = 0;
  switch (o.optimizer) {
    case Optimizer::adamw:
      // torch AdamW's foreach path (_multi_tensor_adamw: exp_avg_sq_sqrt = _foreach_sqrt(…)) —
      // one state-sized copy of the whole group; the default on CUDA in torch ≥ 2. A
      // per-parameter step (_single_tensor_adamw: denom = exp_avg_sq.sqrt() …) needs one
      // tensor's.
      temp = o.optimizer_foreach ? state_elements_bytes : mul(largest_trainable, plan.base_state);
      break;
    case Optimizer::adafactor:
      // Adafactor.step, one parameter at a time: update = grad**2 + eps and its factored
      // approximation (fp32), plus grad.float() and p.float() for 16-bit parameters.
      temp = mul(largest_trainable, plan.base_weight == 4 ? 8 : 16);
      break;
    case Optimizer::muon:
      // Newton–Schulz on the largest matrix in bf16 (X, X Xᵀ and two products): unconfirmed.
      temp = mul(largest_trainable, 8);
      break;
    default:
      temp = 0;  // bitsandbytes and SGD/Lion update in place, tensor by tensor
      break;
  }
  if (o.optimizer_in_backward && o.optimizer == Optimizer::adamw) temp = mul(largest_trainable, 4);
  n.optimizer_temp_bytes = temp;

  // Phases.
  const bool accumulate = o.grad_accum > 1;
  const uint64_t grads_live = o.optimizer_in_backward ? largest_grad : grads;
  const uint64_t grads_persist = accumulate ? grads : 0;
  const uint64_t workspace = add(mul(layer_inputs, 2), mul(rs.largest_tensor, 2));
  const uint64_t autocast = n.saved.autocast_bytes;
  // MatMul4Bit (bitsandbytes < 0.43.2) keeps its input as a ctx attribute, not through
  // save_for_backward: it lives as long as the graph does. LitGPT's fit() keeps `loss` (and with it
  // the graph) bound until the next step's loss is computed (litgpt/finetune/lora.py @ 00af8b0d),
  // so the previous step's inputs are still held through the next forward — the "QLoRA mem bug"
  // that bitsandbytes 9e753741 (#1270) fixed.
  const uint64_t stale = o.framework == Framework::litgpt ? rs.kept_4bit_inputs : 0;
  // The same loop rebinds `logits` only when the next forward returns: the previous step's
  // logits are alive through it.
  const uint64_t stale_logits = o.framework == Framework::litgpt ? mul(TV, p_act) : 0;
  ActivationsAtPeak ph[5];
  // 0: end of forward: every saved tensor, the loss's forward transient (logits held, one chunk
  //    upcast), gradients only when they accumulate.
  ph[0] = {add(layers_kept, stale),     outside_saved, 0, 0, autocast, loss_saved,
           add(loss_fwd, stale_logits), grads_persist, 0};
  // 1: start of backward: the loss's backward transient (grad of log-softmax in and out).
  ph[1] = {add(layers_kept, stale),
           outside_saved,
           0,
           0,
           autocast,
           loss_saved,
           loss_bwd,
           grads_persist,
           0};
  // 2: the first layer recomputed / back-propagated: the loss is gone, the LM head's gradient
  //    exists, one layer's recompute set and the backward workspace are live.
  ph[2] = {layers_kept,
           outside_saved,
           recompute,
           workspace,
           autocast,
           0,
           0,
           std::max(grads_persist, o.optimizer_in_backward ? largest_grad : head_grad),
           0};
  // 3: the last layer (layer 0): its recompute set and workspace beside every gradient but the
  //    embedding's.
  ph[3] = {0,         outside_saved,
           recompute, workspace,
           0,         0,
           0,         o.optimizer_in_backward ? largest_grad : sub0(grads, embedding_grad),
           0};
  // 4: the optimizer step: every gradient and the step's temporaries.
  ph[4] = {0, 0, 0, 0, 0, 0, 0, grads_live, temp};
  size_t best = 0;
  for (size_t i = 1; i < 5; ++i) {
    if (ph[i].total() > ph[best].total()) best = i;
  }
  n.phase = static_cast<PeakPhase>(best);
  n.at_peak = ph[best];
  n.loss_transient_bytes = ph[best].loss_transient;

  n.parts[Part::lora_adapters] = adapters;
  n.parts[Part::master_weights] = master;
  n.parts[Part::optimizer_states] = add(states, n.at_peak.optimizer_temp);
  n.parts[Part::gradients] = n.at_peak.gradients;
  n.parts[Part::activations] = n.at_peak.activations();
  n.parts[Part::logits] = add(n.at_peak.loss_saved, n.at_peak.loss_transient);
  const EngineModel& e = generic_engine();
  n.cuda_context_bytes = o.cuda_context_bytes > 0 ? o.cuda_context_bytes : e.cuda_context.bytes;
  n.parts[Part::cuda_context] = n.cuda_context_bytes;
  n.total_bytes = n.parts.total();
  n.allocated_bytes = sub0(sub0(n.total_bytes, n.cuda_context_bytes), managed);
  // The caching allocator's reserve: at least the allocated peak; blocks rounded to 2 MiB
  // segments and kept after free (docs/training.md "reserved").
  n.reserved_low = n.allocated_bytes;
  n.reserved_high = add(n.allocated_bytes, n.allocated_bytes / 4);
  const uint64_t ctx_low =
      o.cuda_context_bytes > 0 ? o.cuda_context_bytes : e.cuda_context.bytes_low;
  const uint64_t ctx_high =
      o.cuda_context_bytes > 0 ? o.cuda_context_bytes : e.cuda_context.bytes_high;
  n.device_low = add(add(n.reserved_low, ctx_low), managed);
  n.device_high = add(add(n.reserved_high, ctx_high), managed);
  (void)weights;
  (void)lora;
  (void)adapters;
  n.states_bytes = states;
  return n;
}

TrainingNumbers training_numbers(const PreparedModel& p, const TrainingOptions& o) {
  return training_numbers(p, plan_training(p, o), o);
}

}  // namespace llmem
