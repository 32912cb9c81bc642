// Renders the training fast path's numbers as an itemised MemoryEstimate (SPEC §2, §3): rows of
// the most loaded GPU at the step's peak, each with its formula and inputs; children sum exactly
// to their parents.
#include <algorithm>

#include "common/checked.h"
#include "core/training/training_internal.h"
#include "llmem/core/engine.h"

namespace llmem {
namespace {

Component row(std::string name, uint64_t bytes, std::string formula, Fields inputs) {
  Component c;
  c.name = std::move(name);
  c.bytes = bytes;
  c.formula = std::move(formula);
  c.inputs = std::move(inputs);
  return c;
}

int64_t i64(uint64_t v) { return static_cast<int64_t>(v); }

void child(std::vector<Component>& rows, int32_t parent, std::string name, uint64_t bytes,
           std::string formula, Fields inputs = {}) {
  if (bytes == 0) return;
  add_row(rows, row(std::move(name), bytes, std::move(formula), std::move(inputs)), parent);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

}  // namespace

MemoryEstimate estimate_training(const ModelDescription& m, const TrainingOptions& o) {
  const PreparedModel p = prepare_model(m);
  const TrainingPlan plan = plan_training(p, o);
  const TrainingNumbers n = training_numbers(p, plan, o);

  MemoryEstimate e;
  e.mode = "training";
  e.model = {m.name, m.source, total_params(m), active_params(m), plan.trainable_params};
  e.settings = {
      {"model", m.name},
      {"method", std::string(to_string(o.method))},
      {"optimizer", std::string(to_string(o.optimizer))},
      {"precision", std::string(to_string(o.precision))},
      {"framework", std::string(to_string(o.framework))},
      {"attention", std::string(to_string(o.attention))},
      {"recompute", std::string(to_string(o.recompute))},
      {"batch", o.batch},
      {"seq", o.seq},
      {"grad_accum", o.grad_accum},
      {"packed", o.packed},
      {"padded", o.padded},
      {"activation_offload", o.activation_offload},
      {"optimizer_in_backward", o.optimizer_in_backward},
      {"loss_chunks", o.loss_chunks},
      {"fused_loss", std::string(to_string(o.fused_loss))},
      {"weights", plan.base_label},
      {"dp", int64_t{o.dp}},
      {"attention_dropout", o.attention_dropout >= 0 ? o.attention_dropout : p.attention_dropout},
      {"hidden_dropout", o.hidden_dropout >= 0 ? o.hidden_dropout : p.hidden_dropout},
      {"optimizer_foreach", o.optimizer_foreach}};
  if (o.method == TrainMethod::lora || o.method == TrainMethod::qlora) {
    e.settings.emplace_back("lora_rank", int64_t{o.lora_rank});
    e.settings.emplace_back("lora_targets", join(plan.lora_modules));
    e.settings.emplace_back("dora", o.dora);
    e.settings.emplace_back("rslora", o.rslora);
    e.settings.emplace_back("lora_fa", o.lora_fa);
    if (o.method == TrainMethod::qlora) e.settings.emplace_back("double_quant", o.double_quant);
  }
  if (o.method == TrainMethod::freeze) {
    e.settings.emplace_back("freeze_trainable_layers", int64_t{o.freeze_trainable_layers});
    e.settings.emplace_back("freeze_trainable_modules", join(o.freeze_trainable_modules));
  }
  if (o.trainable_embeddings) e.settings.emplace_back("trainable_embeddings", true);
  if (o.method == TrainMethod::qlora || o.optimizer == Optimizer::adamw_8bit ||
      o.optimizer == Optimizer::paged_adamw_8bit || o.optimizer == Optimizer::paged_adamw) {
    e.settings.emplace_back("bitsandbytes_version", o.bitsandbytes_version);
  }
  if (!o.framework_version.empty())
    e.settings.emplace_back("framework_version", o.framework_version);
  if (o.optimizer == Optimizer::adamw_8bit || o.optimizer == Optimizer::paged_adamw_8bit) {
    e.settings.emplace_back("optimizer_block_size", int64_t{o.optimizer_block_size});
  }
  if (o.recompute == Recompute::selective) {
    e.settings.emplace_back("recompute_every", int64_t{o.recompute_every});
  }

  auto& rows = e.components;
  const std::string phase(to_string(n.phase));
  const uint64_t weights = n.parts.sum(PartParent::weights);
  int32_t w = add_row(
      rows, row("weights", weights,
                "Σ records: trained instances × elements × " + std::to_string(plan.base_weight) +
                    " B + frozen instances at the base format (" + plan.base_label + ")",
                {{"trainable_params", i64(plan.trainable_params)},
                 {"base_format", plan.base_label},
                 {"params", i64(total_params(m))}}));
  for (size_t g = 0; g < static_cast<size_t>(WeightGroup::count); ++g) {
    const Part part = weights_part(static_cast<WeightGroup>(g));
    child(rows, w, std::string(part_info(part).name), n.parts[part],
          "Σ bytes of the " + std::string(to_string(static_cast<WeightGroup>(g))) +
              " tensors as held");
  }
  if (n.parts[Part::lora_adapters] > 0) {
    add_row(rows, row("lora_adapters", n.parts[Part::lora_adapters],
                      "Σ targeted Linear instances r × (in + out) [+ out for DoRA] × " +
                          std::to_string(plan.adapter_weight) + " B",
                      {{"lora_rank", int64_t{o.lora_rank}},
                       {"lora_targets", join(plan.lora_modules)},
                       {"adapter_params", i64(plan.adapter_params)},
                       {"adapter_dtype", std::string(dtype_info(plan.adapter_dtype).name)}}));
  }
  if (n.parts[Part::gradients] > 0) {
    Component g = row("gradients", n.parts[Part::gradients],
                      "gradients live at the peak (" + phase + "): trainable elements × " +
                          std::to_string(plan.base_grad) + " B (adapters × " +
                          std::to_string(plan.adapter_grad) + " B)",
                      {{"all_gradients_bytes", i64(n.gradients_bytes)},
                       {"grad_accum", o.grad_accum},
                       {"optimizer_in_backward", o.optimizer_in_backward}});
    add_row(rows, std::move(g));
  }
  if (n.parts[Part::optimizer_states] > 0) {
    Component os = row("optimizer_states", n.parts[Part::optimizer_states],
                       std::string(to_string(o.optimizer)) +
                           ": Σ trainable tensors' states (optimizer_state_bytes per tensor)" +
                           (n.at_peak.optimizer_temp > 0 ? " + the step's temporaries" : ""),
                       {{"optimizer", std::string(to_string(o.optimizer))},
                        {"state_bytes_per_element", int64_t{plan.base_state}}});
    if (n.managed_bytes > 0) {
      os.assumption = std::to_string(n.managed_bytes) +
                      " bytes of these states are bitsandbytes paged buffers in CUDA managed "
                      "memory: outside PyTorch's allocator statistics (max_memory_allocated / "
                      "reserved), counted against the whole device";
    }
    int32_t parent = add_row(rows, std::move(os));
    if (n.at_peak.optimizer_temp > 0) {
      child(rows, parent, "states", n.states_bytes, "Σ trainable tensors' optimizer states");
      child(rows, parent, "step_temporaries", n.at_peak.optimizer_temp,
            "torch AdamW foreach: one exp_avg_sq-sized copy (_foreach_sqrt); Adafactor: the "
            "largest tensor's fp32 update");
    }
  }
  if (n.parts[Part::master_weights] > 0) {
    add_row(rows, row("master_weights", n.parts[Part::master_weights],
                      "trainable elements × " + std::to_string(plan.base_master) +
                          " B (fp32 master copy)",
                      {{"framework", std::string(to_string(o.framework))}}));
  }
  if (n.parts[Part::activations] > 0) {
    Component a = row("activations", n.parts[Part::activations],
                      "saved for backward at the peak (" + phase +
                          "): layers + outside + recompute transient + backward workspace + "
                          "autocast copies",
                      {{"batch", o.batch},
                       {"seq", !o.seq_given && p.max_position_embeddings > 0
                                   ? std::min(o.seq, p.max_position_embeddings)
                                   : o.seq},
                       {"attention", std::string(to_string(o.attention))},
                       {"recompute", std::string(to_string(o.recompute))},
                       {"per_layer_saved_bytes", i64(n.saved.per_layer_bytes)}});
    a.assumption =
        "saved sets follow docs/training-activations.md (checked against tools/train_harness.py); "
        "the backward workspace (2 × the layer input + 2 × its largest saved tensor) is an "
        "approximation";
    int32_t parent = add_row(rows, std::move(a));
    child(rows, parent, "layers", n.at_peak.layers,
          o.recompute == Recompute::none
              ? "Σ decoder layers' saved tensors (norms, projections' inputs, attention, MLP)"
              : "checkpointed layer inputs (batch × seq × hidden × dtype bytes each) and the "
                "layers kept whole");
    child(rows, parent, "outside_layers", n.at_peak.outside,
          "embedding indices + rotary cos/sin + final norm + LM head input");
    child(rows, parent, "recompute_transient", n.at_peak.recompute,
          "one decoder layer's saved set while it is recomputed");
    child(rows, parent, "backward_workspace", n.at_peak.workspace,
          "2 × layer input + 2 × the layer's largest saved tensor (gradients in flight)");
    child(rows, parent, "autocast_weight_copies", n.at_peak.autocast,
          "2 B × every fp32 matmul weight element (autocast's bf16 copies, kept by mm for "
          "backward)");
  }
  if (n.parts[Part::logits] > 0) {
    int32_t parent =
        add_row(rows, row("logits", n.parts[Part::logits],
                          "the loss's saved tensors + its intermediates at the peak",
                          {{"vocab", p.vocab_size},
                           {"tokens", o.batch * (!o.seq_given && p.max_position_embeddings > 0
                                                     ? std::min(o.seq, p.max_position_embeddings)
                                                     : o.seq)},
                           {"loss_chunks", o.loss_chunks}}));
    child(rows, parent, "loss_saved", n.at_peak.loss_saved,
          "log-softmax of the logits (fp32 after the upcast, or the model dtype) + targets");
    child(rows, parent, "loss_transient", n.at_peak.loss_transient,
          "bf16 logits + one chunk's fp32 upcast (forward), or the log-softmax gradient in and "
          "out (backward)");
  }
  Component fo = row("framework_overhead", n.cuda_context_bytes, "cuda_context", {});
  int32_t parent = add_row(rows, std::move(fo));
  Component cc = row("cuda_context", n.cuda_context_bytes,
                     o.cuda_context_bytes > 0 ? "as given (cuda_context)"
                                              : "measured: non_torch_memory at vLLM worker init "
                                                "(0.51 GiB, H100); outside PyTorch's allocator",
                     {});
  if (o.cuda_context_bytes == 0) {
    cc.bytes_low = generic_engine().cuda_context.bytes_low;
    cc.bytes_high = generic_engine().cuda_context.bytes_high;
  }
  add_row(rows, std::move(cc), parent);
  e.total_bytes = n.total_bytes;
  if (n.cpu_bytes > 0) {
    e.cpu_components.push_back(row("activations", n.cpu_bytes,
                                   "checkpointed layer inputs held in host memory",
                                   {{"recompute", std::string(to_string(o.recompute))}}));
    e.cpu_bytes = n.cpu_bytes;
  }
  e.notes = plan.notes;
  e.notes.push_back("peak at the " + phase + "; PyTorch max_memory_allocated ≈ " +
                    std::to_string(n.allocated_bytes) + " bytes (total less the CUDA context" +
                    (n.managed_bytes > 0 ? " and paged states" : "") +
                    "); max_memory_reserved in [" + std::to_string(n.reserved_low) + ", " +
                    std::to_string(n.reserved_high) + "]");
  if (o.dp > 1) {
    e.notes.push_back("dp " + std::to_string(o.dp) +
                      ": every data-parallel replica holds this full copy (sharding: zero/fsdp)");
  }
  if (o.framework == Framework::megatron) {
    e.notes.push_back(
        "framework megatron: its bytes per parameter; activations follow HF's "
        "layer inventory, not Megatron's fused kernels");
  }
  for (const auto& note : m.notes) e.notes.push_back(note);
  check_consistency(e.components, e.total_bytes);
  return e;
}

}  // namespace llmem
