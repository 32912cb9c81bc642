// Renders the inference fast path's parts as an itemised, explained MemoryEstimate: one row per
// part, under its parent, with the formula and inputs that produced it.
#include <algorithm>
#include <array>

#include "common/checked.h"
#include "core/engines/engine_estimate.h"
#include "llmem/core/inference.h"

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

// What the records hold per weights row: parameters and stored tensors, for --explain.
struct GroupFacts {
  std::array<uint64_t, static_cast<size_t>(WeightGroup::count)> params{};
  std::array<uint64_t, static_cast<size_t>(WeightGroup::count)> tensors{};
};

GroupFacts group_facts(const PreparedModel& p) {
  GroupFacts f;
  for (const auto& t : p.records) {
    auto g = static_cast<size_t>(t.group);
    f.params[g] = checked_add(f.params[g], t.total_elements(), "parameter count");
    f.tensors[g] = checked_add(f.tensors[g], t.count(), "tensor count");
  }
  return f;
}

// active_params() of the served model: without the MTP layers unless they are held. Routed
// experts are scaled by k/E once at the end, as active_params() does.
uint64_t served_active_params(const ModelDescription& m, bool hold_mtp) {
  if (hold_mtp) return active_params(m);
  uint64_t dense = 0, routed = 0;
  for (const auto& t : m.tensors) {
    if (t.group == WeightGroup::mtp) continue;
    uint64_t& sum = t.routed && m.num_experts > 0 ? routed : dense;
    sum = checked_add(sum, t.total_elements(), "active parameter count");
  }
  if (m.num_experts == 0) return checked_add(dense, routed, "active parameter count");
  return checked_add(
      dense,
      checked_mul(routed, static_cast<uint64_t>(m.experts_per_token), "active parameter count") /
          static_cast<uint64_t>(m.num_experts),
      "active parameter count");
}

// KV bytes per token over the stage's layers, by layer kind, and the tokens each kind keeps.
struct KvFacts {
  uint64_t per_token_full = 0, per_token_windowed = 0, per_token_latent = 0;
  int64_t full_layers = 0, windowed_layers = 0, latent_layers = 0, window_tokens = 0;
  int64_t ssm_layers = 0, linear_layers = 0;
};

KvFacts kv_facts(const PreparedModel& p, const StageParts& s, KvDType dtype, int32_t tp,
                 const EngineModel& e) {
  KvFacts k;
  const int64_t lo = s.first_layer, hi = int64_t{s.first_layer} + s.num_layers;
  for (const auto& run : p.runs) {
    const int64_t a = std::max<int64_t>(lo, run.first_layer);
    const int64_t b = std::min<int64_t>(hi, int64_t{run.first_layer} + run.num_layers);
    if (a >= b) continue;
    const int64_t n = b - a;
    const LayerSpec& l = run.spec;
    const bool state = l.conv_state_elements > 0 || l.ssm_state_elements > 0;
    if (l.kind == LayerKind::mamba || l.kind == LayerKind::mamba2 ||
        (l.kind == LayerKind::attention && state)) {
      k.ssm_layers += n;
    }
    if (l.kind == LayerKind::linear_attention) k.linear_layers += n;
    uint64_t bytes = kv_bytes_per_token(l, dtype, tp, e.kv_layout);
    if (bytes == 0) continue;
    bytes = checked_mul(bytes, static_cast<uint64_t>(n), "KV bytes per token");
    if (l.kind == LayerKind::mla) {
      k.per_token_latent += bytes;
      k.latent_layers += n;
    } else if (l.window_tokens > 0 || l.chunk_tokens > 0) {
      k.per_token_windowed += bytes;
      k.windowed_layers += n;
      k.window_tokens =
          std::max(k.window_tokens, l.window_tokens > 0 ? l.window_tokens : l.chunk_tokens);
    } else {
      k.per_token_full += bytes;
      k.full_layers += n;
    }
  }
  return k;
}

struct RowContext {
  const PreparedModel& p;
  const InferenceOptions& o;
  const EngineModel& e;
  const InferenceNumbers& n;
  const GroupFacts& groups;
  const std::string& weights_label;
  uint64_t params;
};

void weights_rows(std::vector<Component>& rows, const RowContext& c, const StageParts& s) {
  const bool parallel = c.o.tp > 1 || c.o.pp > 1;
  int32_t parent = add_row(
      rows,
      row("weights", s.parts.sum(PartParent::weights),
          parallel ? "Σ tensor bytes on this GPU: split tensors ÷ tp, k/v by heads, the rest "
                     "whole; layers of this pipeline stage only"
                   : "Σ stored bytes of every tensor (logical shape × dtype, plus any scales)",
          {{"format", c.weights_label},
           {"params", i64(c.params)},
           {"layers", int64_t{s.num_layers}},
           {"first_layer", int64_t{s.first_layer}},
           {"tp", int64_t{c.o.tp}}}));
  for (size_t g = 0; g < static_cast<size_t>(WeightGroup::count); ++g) {
    const Part part = weights_part(static_cast<WeightGroup>(g));
    if (s.parts[part] == 0) continue;
    add_row(rows,
            row(std::string(part_info(part).name), s.parts[part],
                "Σ bytes of the model's " + std::string(to_string(static_cast<WeightGroup>(g))) +
                    " tensors held on this GPU",
                {{"params", i64(c.groups.params[g])}, {"tensors", i64(c.groups.tensors[g])}}),
            parent);
  }
}

void kv_rows(std::vector<Component>& rows, const RowContext& c, const StageParts& s) {
  const uint64_t total = s.parts.sum(PartParent::kv_cache);
  if (total == 0) return;
  KvFacts k = kv_facts(c.p, s, c.n.kv_dtype, c.o.tp, c.e);
  const std::string dtype(kv_dtype_info(c.n.kv_dtype).name);
  Fields in = {{"kv_dtype", dtype},
               {"context", c.n.context_tokens},
               {"batch", c.o.batch},
               {"full_layers", k.full_layers},
               {"bytes_per_token_full_layers", i64(k.per_token_full)}};
  std::string formula =
      "Σ layers bytes_per_token × tokens_kept × batch; bytes_per_token = "
      "(K + V) kv_heads_per_rank × head_dim × dtype bytes (MLA: "
      "kv_lora_rank + qk_rope_head_dim)";
  if (k.windowed_layers > 0) {
    in.emplace_back("windowed_layers", k.windowed_layers);
    in.emplace_back("bytes_per_token_windowed_layers", i64(k.per_token_windowed));
    in.emplace_back("window_tokens", k.window_tokens);
    formula += "; windowed layers keep min(context, window) tokens";
  }
  int32_t parent = add_row(rows, row("kv_cache", total, formula, std::move(in)));
  auto child = [&](Part part, std::string f, Fields inputs) {
    if (s.parts[part] == 0) return;
    add_row(rows,
            row(std::string(part_info(part).name), s.parts[part], std::move(f), std::move(inputs)),
            parent);
  };
  child(Part::kv_full_attention,
        "layers × (K + V) kv_heads_per_rank × head_dim × dtype bytes × context × batch",
        {{"layers", k.full_layers},
         {"bytes_per_token", i64(k.per_token_full)},
         {"context", c.n.context_tokens},
         {"batch", c.o.batch}});
  child(Part::kv_sliding_window,
        "layers × (K + V) kv_heads_per_rank × head_dim × dtype bytes × min(context, window) × "
        "batch",
        {{"layers", k.windowed_layers},
         {"bytes_per_token", i64(k.per_token_windowed)},
         {"window_tokens", k.window_tokens},
         {"batch", c.o.batch}});
  child(Part::kv_latent,
        "layers × (kv_lora_rank + qk_rope_head_dim) × dtype bytes × context × batch (the "
        "latent, replicated on every rank)",
        {{"layers", k.latent_layers},
         {"bytes_per_token", i64(k.per_token_latent)},
         {"context", c.n.context_tokens},
         {"batch", c.o.batch}});
  child(Part::kv_linear_attention,
        "Σ linear-attention layers (conv_state + recurrent state elements) ÷ tp × dtype bytes × "
        "batch",
        {{"layers", k.linear_layers},
         {"batch", c.o.batch},
         {"dtype", std::string(dtype_info(c.n.compute_dtype).name)}});
}

std::vector<Component> stage_components(const RowContext& c, const StageParts& s) {
  std::vector<Component> rows;
  weights_rows(rows, c, s);
  kv_rows(rows, c, s);
  const std::string compute(dtype_info(c.n.compute_dtype).name);
  if (s.parts[Part::recurrent_state] > 0) {
    KvFacts k = kv_facts(c.p, s, c.n.kv_dtype, c.o.tp, c.e);
    add_row(rows, row("recurrent_state", s.parts[Part::recurrent_state],
                      "Σ SSM layers (conv_state + ssm_state elements) ÷ tp × dtype bytes × batch",
                      {{"ssm_layers", k.ssm_layers}, {"batch", c.o.batch}, {"dtype", compute}}));
  }
  if (s.parts[Part::activations] > 0) {
    Component a = row("activations", s.parts[Part::activations],
                      "min(context × batch, prefill_chunk) × (2 × hidden + widest_intermediate "
                      "÷ tp) × dtype bytes",
                      {{"context", c.n.context_tokens},
                       {"batch", c.o.batch},
                       {"prefill_chunk", c.o.prefill_chunk_tokens},
                       {"hidden", c.p.hidden_size},
                       {"dtype", compute},
                       {"tp", int64_t{c.o.tp}}});
    a.assumption =
        "the peak live tensors of one layer's forward over one prefill chunk, with "
        "memory-efficient attention; the range runs from llama.cpp's 512-token ubatch to one "
        "unchunked prefill of context × batch tokens (HF generate)";
    a.bytes_low = std::min(s.activations_low, s.parts[Part::activations]);
    a.bytes_high = std::max(s.activations_high, s.parts[Part::activations]);
    add_row(rows, std::move(a));
  }
  if (s.parts[Part::logits] > 0) {
    add_row(rows, row("logits", s.parts[Part::logits],
                      "batch × vocab × 4 (fp32 logits of the last position)",
                      {{"batch", c.o.batch}, {"vocab", c.p.vocab_size}}));
  }
  const uint64_t overhead = s.parts.sum(PartParent::framework_overhead);
  Component fo = row("framework_overhead", overhead,
                     "cuda_context + cublas_workspace" +
                         std::string(s.parts[Part::nccl_buffers] ? " + nccl_buffers" : ""),
                     {});
  fo.assumption =
      "measured on H100 with vLLM v0.19.0 (CUDA 12); other GPUs, drivers and "
      "engines differ by a few hundred MiB";
  int32_t parent = add_row(rows, std::move(fo));
  Component cc = row("cuda_context", s.parts[Part::cuda_context],
                     "measured: non_torch_memory at vLLM worker init (0.51 GiB, H100)", {});
  cc.bytes_low = c.e.cuda_context.bytes_low;
  cc.bytes_high = c.e.cuda_context.bytes_high;
  add_row(rows, std::move(cc), parent);
  add_row(rows,
          row("cublas_workspace", s.parts[Part::cublas_workspace],
              "measured: non-torch memory rise during the first forward (0.25 GiB, "
              "vLLM v0.19.0, H100, tp 1)",
              {}),
          parent);
  if (s.parts[Part::nccl_buffers] > 0) {
    Component nc = row("nccl_buffers", s.parts[Part::nccl_buffers],
                       "measured: init non-torch memory rise with tp/pp > 1 (1.00 GiB, vLLM "
                       "v0.19.0, H100)",
                       {{"tp", int64_t{c.o.tp}}, {"pp", int64_t{c.o.pp}}});
    nc.bytes_low = c.e.nccl_buffers.bytes_low;
    nc.bytes_high = c.e.nccl_buffers.bytes_high;
    nc.assumption = "vLLM's custom all-reduce buffers add up to 1.8 GiB more during the forward";
    add_row(rows, std::move(nc), parent);
  }
  return rows;
}

}  // namespace

MemoryEstimate estimate_inference(const ModelDescription& m, const InferenceOptions& o) {
  PreparedModel p = prepare_model(m);
  validate_inference_options(p, o);
  std::optional<std::string> weights_note;
  const WeightPlan plan = engine_plan(p, o, &weights_note);
  const EngineModel& engine = engine_model(o.engine);
  if (o.engine != Engine::generic) {
    return engines::engine_estimate(m, p, plan, o, engine, weights_note);
  }
  const std::string label = requested_weights_label(p, o);

  // Every stage once, through the fast path; the most loaded decides.
  std::vector<StageParts> stages;
  InferenceNumbers n;
  n.context_tokens = o.context_tokens;
  // The model's context limit: rope scaling included where the config has it.
  const int64_t limit = p.context_limit > 0 ? p.context_limit : p.max_position_embeddings;
  if (!o.context_given && limit > 0) n.context_tokens = std::min(n.context_tokens, limit);
  n.compute_dtype = plan.compute_dtype;
  n.kv_dtype = o.kv_dtype.value_or(kv_dtype_for(plan.compute_dtype));
  for (int32_t stage = 0; stage < o.pp; ++stage) {
    StageSpan span = stage_span(p.num_layers, o.pp, o.pp_layers, stage);
    stages.push_back(stage_parts(p, plan, o, engine, stage, span, n.context_tokens, n.kv_dtype));
    if (stage == 0 || stages.back().total_bytes > n.worst.total_bytes) n.worst = stages.back();
  }
  n.total_bytes = n.worst.total_bytes;

  MemoryEstimate e;
  e.mode = "inference";
  // The MTP layers are in the checkpoint (checkpoint_bytes) but count in the served model's
  // parameters only when held.
  const bool hold_mtp = o.include_mtp || m.mtp_requested;
  const uint64_t mtp_params = group_params(m, WeightGroup::mtp);
  const uint64_t params = total_params(m) - (hold_mtp ? 0 : mtp_params);
  e.model = {m.name, m.source, params, served_active_params(m, hold_mtp), 0, weight_bytes(m)};
  e.settings = {{"model", m.name},
                {"engine", std::string(to_string(o.engine))},
                {"weights", label},
                {"kv_dtype", std::string(kv_dtype_info(n.kv_dtype).name)},
                {"context", n.context_tokens},
                {"batch", o.batch},
                {"tp", int64_t{o.tp}},
                {"pp", int64_t{o.pp}},
                {"prefill_chunk", o.prefill_chunk_tokens}};
  if (!o.pp_layers.empty()) {
    std::string s;
    for (int64_t v : o.pp_layers) s += (s.empty() ? "" : ",") + std::to_string(v);
    e.settings.emplace_back("pp_layers", s);
  }
  const std::string basis = !p.context_limit_basis.empty()
                                ? p.context_limit_basis
                                : "max_position_embeddings = " + std::to_string(limit);
  if (!o.context_given && n.context_tokens < o.context_tokens) {
    e.notes.push_back("context capped at the model's context limit, " + basis);
  }
  if (o.context_given && limit > 0 && o.context_tokens > limit) {
    e.notes.push_back("a context of " + std::to_string(o.context_tokens) +
                      " tokens is beyond the model's " + basis +
                      ": the model was not trained for it, and vLLM refuses such a "
                      "max_model_len without VLLM_ALLOW_LONG_MAX_MODEL_LEN=1");
  }
  if (mtp_params > 0 && !hold_mtp) {
    e.notes.push_back("the checkpoint's multi-token-prediction layers (" +
                      std::to_string(mtp_params) +
                      " parameters) are not held: engines load them only for speculative "
                      "decoding (include_mtp holds them)");
  } else if (mtp_params > 0) {
    e.notes.push_back("the multi-token-prediction layers (" + std::to_string(mtp_params) +
                      " parameters) are held, as include_mtp asks; they hold no KV cache here");
  } else if (hold_mtp) {
    e.notes.push_back(
        "include_mtp has no effect: this model stores no multi-token-prediction "
        "layers");
  }
  const GroupFacts groups = group_facts(p);
  const RowContext context{p, o, engine, n, groups, label, params};
  e.components = stage_components(context, n.worst);
  e.total_bytes = n.total_bytes;

  if (o.tp > 1 || o.pp > 1) {
    // Every TP rank of a stage holds the same bytes: one group per stage.
    for (const StageParts& s : stages) {
      e.per_gpu.push_back({s.stage * o.tp, s.stage * o.tp + o.tp - 1, s.stage, o.tp,
                           stage_components(context, s), s.total_bytes});
    }
  }
  if (weights_note) e.notes.push_back(*weights_note);
  for (const auto& note : m.notes) e.notes.push_back(note);
  check_consistency(e.components, e.total_bytes);
  return e;
}

}  // namespace llmem
