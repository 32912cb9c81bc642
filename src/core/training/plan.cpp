// plan_training(): validates the options against the model and resolves, once, what trains —
// the method, LoRA targets by tensor role, frozen layers — and the bytes the weights take as
// held. Everything the fast path needs per record is a plain number afterwards.
#include <algorithm>
#include <cmath>
#include <utility>

#include "common/checked.h"
#include "core/training/training_internal.h"
#include "llmem/common/error.h"
#include "llmem/core/inference.h"

namespace llmem {
namespace training {
std::optional<std::string> peft_default_targets(std::string_view model_type);
uint32_t roles_of_module(std::string_view model_type, std::string_view name, bool litgpt);
std::string module_names_present(std::string_view model_type, uint32_t roles_present);
uint32_t all_linear_roles();
uint32_t role_bit(TensorRole r);
}  // namespace training

namespace {

using training::role_bit;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

void in_range(const char* key, int64_t v, int64_t lo, int64_t hi) {
  if (v >= lo && v <= hi) return;
  throw InputError::field(key, std::to_string(v),
                          "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                          "{field} is " + std::to_string(v) + " but must be in [" +
                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// Issue 12's settings: carried, not yet estimated.
void single_gpu(const char* key, bool is_default, const std::string& value, const char* one) {
  if (is_default) return;
  throw InputError::field(key, value, one,
                          "{field} " + value +
                              " is not available yet in this build: training is estimated for "
                              "one GPU (data-parallel replicas each hold a full copy); accepted: " +
                              one);
}

bool is_linear_role(TensorRole r) { return (training::all_linear_roles() & role_bit(r)) != 0; }

void validate(const PreparedModel& p, const TrainingOptions& o) {
  in_range("batch", o.batch, 1, int64_t{1} << 20);
  in_range("seq", o.seq, 1, int64_t{1} << 24);
  if (o.seq > k_max_tokens / o.batch) {
    throw InputError::field("seq", std::to_string(o.seq), "seq × batch at most 2^40 tokens",
                            "{field} × batch is larger than 2^40 tokens");
  }
  in_range("grad_accum", o.grad_accum, 1, int64_t{1} << 20);
  in_range("dp", o.dp, 1, 1 << 20);
  in_range("lora_rank", o.lora_rank, 1, 65536);
  in_range("recompute_every", o.recompute_every, 1, 4096);
  if (o.loss_chunks < 0 || o.loss_chunks > o.seq) {
    throw InputError::field("loss_chunks", std::to_string(o.loss_chunks),
                            "an integer in [0, seq=" + std::to_string(o.seq) + "]",
                            "{field} " + std::to_string(o.loss_chunks) + " is larger than seq " +
                                std::to_string(o.seq) +
                                ": each chunk of the LM head and loss needs a token");
  }
  for (auto [key, v] : {std::pair<const char*, double>{"attention_dropout", o.attention_dropout},
                        {"hidden_dropout", o.hidden_dropout}}) {
    if (!(v < 1)) {
      throw InputError::field(key, std::to_string(v), "a number in [0, 1)",
                              "{field} must be in [0, 1)");
    }
  }
  if (o.lora_dropout >= 1) {
    throw InputError::field("lora_dropout", std::to_string(o.lora_dropout), "a number in [0, 1)",
                            "{field} must be in [0, 1)");
  }
  const int32_t b = o.optimizer_block_size;
  if (b != 0 && (b < 64 || b > 4096 || (b & (b - 1)) != 0)) {
    throw InputError::field(
        "optimizer_block_size", std::to_string(b),
        "a power of two in [64, 4096] (bitsandbytes: 256, 2048 before 0.44)",
        "{field} is " + std::to_string(b) + " but must be a power of two in [64, 4096]");
  }
  single_gpu("zero", o.zero == 0, std::to_string(o.zero), "0");
  single_gpu("fsdp", o.fsdp == "none", o.fsdp, "none");
  single_gpu("offload", o.offload == "none", o.offload, "none");
  single_gpu("tp", o.tp == 1, std::to_string(o.tp), "1");
  single_gpu("pp", o.pp == 1, std::to_string(o.pp), "1");
  single_gpu("sp", !o.sp, "true", "false");
  single_gpu("cp", o.cp == 1, std::to_string(o.cp), "1");
  single_gpu("ep", o.ep == 1, std::to_string(o.ep), "1");
  if (o.framework == Framework::torchtitan) {
    throw InputError::field("framework", "torchtitan",
                            "hf, torchtune, litgpt, unsloth, deepspeed, megatron",
                            "{field} torchtitan is not available yet in this build (FSDP2, TP, PP "
                            "and CP come with multi-GPU training); accepted: hf, torchtune, "
                            "litgpt, unsloth, deepspeed, megatron");
  }
  const auto& rules = training::framework_rules(o.framework);
  if (o.recompute == Recompute::selective && !rules.selective_every_k &&
      !rules.selective_core_attention) {
    const std::string f(to_string(o.framework));
    throw InputError::field("recompute", "selective", "none, full",
                            "{field} selective has no meaning under framework " + f +
                                " (it checkpoints whole layers only); accepted: none, full");
  }
  if (o.recompute == Recompute::unsloth && !rules.has_unsloth_checkpointing) {
    throw InputError::field("recompute", "unsloth", "none, full, selective (framework-dependent)",
                            "{field} unsloth needs framework unsloth");
  }
  if (o.activation_offload && o.recompute != Recompute::full) {
    throw InputError::field("activation_offload", "true", "with recompute full",
                            "{field} needs recompute full (torchtune's recipes refuse activation "
                            "offloading without activation checkpointing)");
  }
  if (o.optimizer_in_backward && o.grad_accum > 1) {
    throw InputError::field("optimizer_in_backward", "true", "with grad_accum 1",
                            "{field} steps each parameter as its gradient is produced, so it "
                            "cannot accumulate gradients (grad_accum is " +
                                std::to_string(o.grad_accum) + ")");
  }
  bool learned_positions = false;
  for (const auto& t : p.records) learned_positions |= t.role == TensorRole::position_embedding;
  if (o.seq_given && learned_positions && p.max_position_embeddings > 0 &&
      o.seq > p.max_position_embeddings) {
    throw InputError::field("seq", std::to_string(o.seq),
                            "at most " + std::to_string(p.max_position_embeddings),
                            "{field} " + std::to_string(o.seq) + " is longer than the model's " +
                                std::to_string(p.max_position_embeddings) +
                                " learned positions (max_position_embeddings)");
  }
  for (const auto& run : p.runs) {
    const LayerKind k = run.spec.kind;
    if (k == LayerKind::mamba || k == LayerKind::mamba2 || k == LayerKind::linear_attention) {
      throw InputError("training activations of " + std::string(to_string(k)) +
                       " layers are not modelled yet (model_type '" + p.model_type +
                       "'); only attention, MLA and MLP layers are");
    }
  }
}

DType compute_dtype_of(Precision pr) {
  if (pr == Precision::fp16_mixed) return DType::f16;
  if (pr == Precision::fp32) return DType::f32;
  return DType::bf16;
}

WeightFormat dense(DType d) {
  WeightFormat f;
  f.dtype = d;
  return f;
}

uint32_t bytes_of(DType d) { return dtype_bits(d) / 8; }

// The LoRA target roles and the module names resolved from them.
uint32_t resolve_targets(const PreparedModel& p, const TrainingOptions& o,
                         std::vector<std::string>& names, std::vector<std::string>& notes) {
  uint32_t present = 0;
  for (const auto& t : p.records) present |= role_bit(t.role);
  if (p.tied_embeddings && training::framework_rules(o.framework).unties_lm_head) {
    present |= role_bit(TensorRole::lm_head);
  }
  // A fused qkv holds the q, k and v parts that LitGPT's switches name.
  const uint32_t fused_parts =
      (present & role_bit(TensorRole::qkv)) != 0
          ? role_bit(TensorRole::q) | role_bit(TensorRole::k) | role_bit(TensorRole::v)
          : 0;
  std::vector<std::string> asked = o.lora_targets;
  const bool litgpt = o.framework == Framework::litgpt;
  if (asked.empty()) {
    auto d = training::peft_default_targets(p.model_type);
    if (!d) {
      throw InputError::field(
          "lora_targets", "", "Hugging Face module names or all-linear",
          "{field} must be given: PEFT has no default LoRA targets for model_type '" +
              p.model_type +
              "' (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING); this "
              "model's modules: " +
              training::module_names_present(p.model_type, present) + ", or all-linear");
    }
    size_t at = 0;
    while (at <= d->size()) {
      size_t comma = d->find(',', at);
      asked.push_back(d->substr(at, comma == std::string::npos ? std::string::npos : comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    notes.push_back("LoRA targets: PEFT's default for model_type '" + p.model_type + "' (" + *d +
                    ")");
  }
  uint32_t roles = 0;
  for (const auto& name : asked) {
    if (name == "all-linear") {
      roles |= training::all_linear_roles() & present;
      names.push_back(name);
      continue;
    }
    const uint32_t r = training::roles_of_module(p.model_type, name, litgpt);
    if ((r & (present | fused_parts)) == 0) {
      throw InputError::field(
          "lora_targets", name, training::module_names_present(p.model_type, present),
          "{field} '" + name + "' matches no module of this " + p.model_type +
              " model; its modules: " + training::module_names_present(p.model_type, present) +
              (litgpt ? ", query, key, value, projection, mlp, head" : "") + " (or all-linear)");
    }
    roles |= r & (present | fused_parts);
    names.push_back(name);
  }
  return roles;
}

}  // namespace

TrainingPlan plan_training(const PreparedModel& p, const TrainingOptions& o) {
  validate(p, o);
  TrainingPlan plan;
  plan.method = o.method;
  plan.precision = o.precision;
  plan.framework = o.framework;
  plan.compute_dtype = compute_dtype_of(o.precision);
  const StateBytes sb = state_bytes(o.framework, o.precision);
  const auto& rules = training::framework_rules(o.framework);
  const bool lora = o.method == TrainMethod::lora || o.method == TrainMethod::qlora;
  plan.amp = sb.autocast_copies && !lora;

  // The base format of frozen weights.
  WeightFormat base = dense(plan.compute_dtype);
  if (o.method == TrainMethod::qlora) {
    base = WeightFormat{};
    base.scheme = WeightScheme::bnb_4bit;
    base.fp4_nf4 = !o.qlora_fp4;
    base.double_quant = o.double_quant;
    base.dtype = plan.compute_dtype;
    if (o.weights) {
      if (o.weights->scheme != WeightScheme::bnb_4bit) {
        const std::string label = o.weights->label();
        throw InputError::field("weights", label, "nf4, nf4-dq, fp4, fp4-dq",
                                "{field} " + label +
                                    " is not a 4-bit bitsandbytes format: qlora quantises the "
                                    "base to nf4 or fp4 (accepted: nf4, nf4-dq, fp4, fp4-dq)");
      }
      base = *o.weights;
      base.dtype = plan.compute_dtype;
    }
    if (o.precision == Precision::fp32) {
      plan.notes.push_back(
          "qlora with precision fp32: the 4-bit base is dequantised to fp32 for every matmul "
          "(bnb_4bit_compute_dtype float32) — legal, but slower and larger than the usual bf16");
    }
  } else if (o.weights) {
    if (o.method == TrainMethod::full && o.weights->scheme != WeightScheme::dense) {
      const std::string label = o.weights->label();
      throw InputError::field("weights", label, "a dense dtype (bf16, fp16, fp32)",
                              "{field} " + label +
                                  " is quantised: full fine-tuning trains every weight, which "
                                  "must be dense (use method lora, qlora or freeze)");
    }
    base = *o.weights;
  } else if (o.method != TrainMethod::full && p.stored_format.scheme != WeightScheme::dense &&
             p.stored_format.scheme != WeightScheme::gguf) {
    base = p.stored_format;  // LoRA on a quantised checkpoint keeps its format
  }
  if (o.method == TrainMethod::full && p.stored_format.scheme != WeightScheme::dense &&
      !o.weights) {
    plan.notes.push_back("the checkpoint is " + p.stored_label +
                         ": full fine-tuning trains dense weights, so they are dequantised to " +
                         std::string(dtype_info(plan.compute_dtype).name) +
                         " (the trained copy at the precision's bytes per parameter)");
  }
  plan.base_label =
      base.scheme == WeightScheme::dense ? std::string(dtype_info(base.dtype).name) : base.label();
  if (o.framework == Framework::torchtune &&
      (o.precision == Precision::bf16_mixed || o.precision == Precision::fp16_mixed)) {
    plan.notes.push_back(
        "torchtune trains in one dtype (the recipe's dtype: bf16); " +
        std::string(to_string(o.precision)) +
        " is estimated as PyTorch autocast over fp32 parameters, which torchtune's recipes do "
        "not do: precision bf16 is what they run");
  }

  // Trained base weights: full → every record; freeze → the last N layers and named modules;
  // trainable_embeddings → the embedding and LM head.
  uint32_t module_roles = 0;
  for (const auto& name : o.freeze_trainable_modules) {
    const uint32_t r = training::roles_of_module(p.model_type, name, false);
    uint32_t present = 0;
    for (const auto& t : p.records) present |= role_bit(t.role);
    if ((r & present) == 0) {
      throw InputError::field(
          "freeze_trainable_modules", name, training::module_names_present(p.model_type, present),
          "{field} '" + name + "' matches no module of this " + p.model_type +
              " model; its modules: " + training::module_names_present(p.model_type, present));
    }
    module_roles |= r;
  }
  if (o.method == TrainMethod::freeze && o.freeze_trainable_layers == 0 && module_roles == 0 &&
      !o.trainable_embeddings) {
    throw InputError::field("freeze_trainable_layers", "0",
                            "1 to " + std::to_string(p.num_layers) + ", or named modules",
                            "{field} is 0 and no freeze_trainable_modules are named: method "
                            "freeze would train nothing");
  }
  in_range("freeze_trainable_layers", o.freeze_trainable_layers, 0, p.num_layers);
  const int64_t first_trained = p.num_layers - o.freeze_trainable_layers;

  uint32_t lora_roles = 0;
  if (lora) lora_roles = resolve_targets(p, o, plan.lora_modules, plan.notes);
  plan.lora_roles = lora_roles;
  if (!lora && (o.dora || o.rslora || o.lora_fa || !o.lora_targets.empty())) {
    plan.notes.push_back(
        "the LoRA settings (lora_targets, dora, rslora, lora_fa) apply to "
        "methods lora and qlora only: ignored for method " +
        std::string(to_string(o.method)));
  }

  // Adapter dtype: PEFT upcasts adapters on a 16-bit base to fp32 (autocast_adapter_dtype); the
  // others keep the recipe dtype; fp32 training keeps fp32.
  const DType adapter =
      (rules.adapters_fp32 || o.precision == Precision::fp32 || sb.autocast_copies)
          ? DType::f32
          : plan.compute_dtype;
  plan.adapter_dtype = adapter;
  plan.adapter_weight = plan.adapter_grad = bytes_of(adapter);
  plan.adapter_state = bytes_of(adapter);
  plan.adapter_master = sb.master > 0 && adapter != DType::f32 ? sb.master : 0;
  if (plan.adapter_master > 0) plan.adapter_state = 4;
  plan.base_weight = sb.weight;
  plan.base_grad = sb.grad;
  plan.base_master = sb.master;
  plan.base_state = sb.state;
  if (lora) {
    // Trainable embeddings beside LoRA: held, graded and stepped in the base dtype.
    plan.base_weight = plan.base_grad = plan.base_state = bytes_of(plan.compute_dtype);
    plan.base_master = 0;
  }
  plan.param_dtype = lora ? plan.compute_dtype : (sb.weight == 4 ? DType::f32 : plan.compute_dtype);

  plan.records.resize(p.records.size());
  bool fused_experts_skipped = false;
  for (size_t i = 0; i < p.records.size(); ++i) {
    const Tensor& t = p.records[i];
    TrainableRecord& r = plan.records[i];
    const bool embedding_like = t.role == TensorRole::embedding || t.role == TensorRole::lm_head ||
                                t.role == TensorRole::position_embedding;
    int32_t layers_trained = 0;
    if (o.method == TrainMethod::full) {
      layers_trained = t.layers;
    } else if (o.method == TrainMethod::freeze) {
      if ((module_roles & role_bit(t.role)) != 0) {
        layers_trained = t.layers;
      } else if (t.in_stack()) {
        const int64_t lo = std::max<int64_t>(t.layer, first_trained);
        const int64_t hi = int64_t{t.layer} + t.layers;
        layers_trained = static_cast<int32_t>(std::max<int64_t>(0, hi - lo));
      }
    }
    if (o.trainable_embeddings && embedding_like) layers_trained = t.layers;
    r.trainable_layers = layers_trained;
    r.trains = layers_trained > 0;
    if (lora && !t.bias && t.shape.size() >= 2 && (lora_roles & role_bit(t.role)) != 0) {
      if (t.experts > 1) {
        fused_experts_skipped = true;  // fused expert parameters are not nn.Linear modules
      } else if (t.role == TensorRole::lm_head || is_linear_role(t.role)) {
        const uint64_t in = static_cast<uint64_t>(t.shape.back());
        const uint64_t out = static_cast<uint64_t>(t.shape[t.shape.size() - 2]);
        r.adapter_a = checked_mul(static_cast<uint64_t>(o.lora_rank), in);
        r.adapter_b = checked_mul(out, static_cast<uint64_t>(o.lora_rank));
        if (o.dora) r.dora_magnitude = out;
      }
    }
    // LitGPT's q/k/v switches on a fused qkv record.
    if (lora && t.role == TensorRole::qkv && !t.bias &&
        (lora_roles & role_bit(TensorRole::qkv)) == 0) {
      const uint32_t sub = lora_roles & (role_bit(TensorRole::q) | role_bit(TensorRole::k) |
                                         role_bit(TensorRole::v));
      if (sub != 0 && t.in_stack()) {
        const auto& spec = p.runs.empty() ? LayerSpec{} : p.runs.front().spec;
        const uint64_t H = static_cast<uint64_t>(spec.num_heads);
        const uint64_t K = static_cast<uint64_t>(spec.num_kv_heads);
        const uint64_t d = static_cast<uint64_t>(spec.head_dim_k);
        uint64_t out = 0, enabled = 0;
        if (sub & role_bit(TensorRole::q)) out += H * d, ++enabled;
        if (sub & role_bit(TensorRole::k)) out += K * d, ++enabled;
        if (sub & role_bit(TensorRole::v)) out += K * d, ++enabled;
        const uint64_t in = static_cast<uint64_t>(t.shape.back());
        r.adapter_a = checked_mul(static_cast<uint64_t>(o.lora_rank) * enabled, in);
        r.adapter_b = checked_mul(out, static_cast<uint64_t>(o.lora_rank));
        if (o.dora) r.dora_magnitude = out;
      }
    }
  }
  if (fused_experts_skipped) {
    plan.notes.push_back(
        "fused expert tensors (one parameter holding every expert) are not "
        "nn.Linear modules: PEFT's target_modules do not reach them "
        "(target_parameters would); no adapters counted on them");
  }

  // Bytes as held, trainable and adapter counts.
  for (size_t i = 0; i < p.records.size(); ++i) {
    const Tensor& t = p.records[i];
    const TrainableRecord& r = plan.records[i];
    const uint64_t per_instance_layers = static_cast<uint64_t>(t.per_layer);
    const uint64_t trained = checked_mul(static_cast<uint64_t>(r.trainable_layers),
                                         per_instance_layers, "trained instances");
    const uint64_t frozen = t.count() - trained;
    const auto g = static_cast<size_t>(t.group);
    uint64_t bytes = checked_mul(checked_mul(t.elements(), trained), plan.base_weight);
    if (frozen > 0) bytes = checked_add(bytes, checked_mul(instance_bytes(t, base), frozen));
    plan.weight_bytes[g] = checked_add(plan.weight_bytes[g], bytes, "weight bytes");
    plan.trainable_params =
        checked_add(plan.trainable_params, checked_mul(t.elements(), trained), "parameters");
    const uint64_t adapter_elems = r.adapter_a + r.adapter_b + r.dora_magnitude;
    if (adapter_elems > 0) {
      uint64_t n = checked_mul(adapter_elems, t.count(), "adapter parameters");
      plan.adapter_params = checked_add(plan.adapter_params, n, "adapter parameters");
    }
    if (plan.amp && (is_linear_role(t.role) || t.role == TensorRole::lm_head) && !t.bias) {
      plan.matmul_elements = checked_add(plan.matmul_elements, t.total_elements());
      if (t.in_stack()) {
        plan.trained_matmul_layer_max =
            checked_add(plan.trained_matmul_layer_max, checked_mul(t.elements(), t.per_layer));
      }
    }
  }
  if (plan.amp && p.tied_embeddings) {
    // The tied LM head multiplies by the embedding matrix under autocast too.
    for (const auto& t : p.records) {
      if (t.role == TensorRole::embedding) plan.matmul_elements += t.total_elements();
    }
  }
  if (p.tied_embeddings && rules.unties_lm_head) {
    // LitGPT: lm_head is its own weight, a copy of the embedding (convert_hf_checkpoint
    // copy_weights_*: state_dict["lm_head.weight"] = state_dict["transformer.wte.weight"]).
    for (const auto& t : p.records) {
      if (t.role != TensorRole::embedding) continue;
      const bool head_trains = o.method == TrainMethod::full || o.trainable_embeddings;
      const uint64_t b =
          head_trains ? checked_mul(t.elements(), plan.base_weight) : instance_bytes(t, base);
      const auto g = static_cast<size_t>(WeightGroup::lm_head);
      plan.weight_bytes[g] = checked_add(plan.weight_bytes[g], b, "weight bytes");
      plan.untied_head_bytes = b;
      if (head_trains) plan.trainable_params += t.elements();
      if (lora && (lora_roles & role_bit(TensorRole::lm_head)) != 0 && t.shape.size() == 2) {
        plan.head_adapter_a =
            static_cast<uint64_t>(o.lora_rank) * static_cast<uint64_t>(t.shape[1]);
        plan.head_adapter_b =
            static_cast<uint64_t>(t.shape[0]) * static_cast<uint64_t>(o.lora_rank);
        plan.adapter_params += plan.head_adapter_a + plan.head_adapter_b;
      }
    }
  }
  plan.trainable_params = checked_add(plan.trainable_params, plan.adapter_params);
  plan.lora_fa = o.lora_fa;
  plan.lora_rank = o.lora_rank;
  // Each run's layer shapes: trained and frozen layers (freeze cuts runs), with and without the
  // old bitsandbytes 4-bit matmul keeping its input.
  for (const auto& run : p.runs) {
    TrainingRunShape rs;
    int64_t trained = run.num_layers;
    if (o.method != TrainMethod::full) {
      trained = 0;
      for (uint32_t m = 0; m < run.member_count; ++m) {
        const uint32_t idx = p.members[run.first_member + m];
        const Tensor& t = p.records[idx];
        const TrainableRecord& tr = plan.records[idx];
        if (!tr.trains) continue;
        const int64_t run_end = int64_t{run.first_layer} + run.num_layers;
        const int64_t rec_first_trained = int64_t{t.layer} + t.layers - tr.trainable_layers;
        const int64_t lo = std::max<int64_t>(rec_first_trained, run.first_layer);
        const int64_t hi = std::min<int64_t>(int64_t{t.layer} + t.layers, run_end);
        trained = std::max<int64_t>(trained, hi - lo);
      }
    }
    rs.trained = trained;
    rs.frozen = run.num_layers - trained;
    rs.trained_shape = training::layer_shape(p, plan, run, true, o.lora_rank, false);
    rs.frozen_shape = training::layer_shape(p, plan, run, false, o.lora_rank, false);
    rs.trained_4bit = training::layer_shape(p, plan, run, true, o.lora_rank, true);
    rs.frozen_4bit = training::layer_shape(p, plan, run, false, o.lora_rank, true);
    plan.runs.push_back(rs);
  }
  for (size_t i = 0; i < static_cast<size_t>(Optimizer::count); ++i) {
    const auto opt = static_cast<Optimizer>(i);
    plan.states_256[i] = training::model_state_sums(p, plan, opt, 256, o.lora_fa);
    plan.states_2048[i] = training::model_state_sums(p, plan, opt, 2048, o.lora_fa);
  }
  if (lora && plan.adapter_params == 0) {
    throw InputError::field("lora_targets", join(plan.lora_modules),
                            "modules holding Linear layers",
                            "{field} " + join(plan.lora_modules) +
                                " reaches no Linear layer of this model: no adapter to train");
  }
  return plan;
}

}  // namespace llmem
