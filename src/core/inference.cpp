// The inference fast path: prepared runs + a weight plan + options + an engine → one GPU's
// named parts. Formulas and their sources are in docs/inference.md; the itemised rendering is in
// inference_estimate.cpp.
#include "llmem/core/inference.h"

#include <algorithm>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

constexpr size_t k_groups = static_cast<size_t>(WeightGroup::count);

// Bytes of the k/v projections one rank holds: split by heads, one replicated head per rank
// past them.
uint64_t kv_share(uint64_t bytes, int32_t kv_heads, int32_t tp) {
  if (bytes == 0) return 0;
  const int32_t heads = std::max(kv_heads, 1);
  return bytes / static_cast<uint64_t>(heads) *
         static_cast<uint64_t>(std::max(kv_heads_on_rank(heads, tp), 1));
}

struct WeightSums {
  std::array<uint64_t, k_groups> split{};  // ÷ tp at the end
  std::array<uint64_t, k_groups> whole{};  // whole on every rank (k/v already per rank)

  void add(const WeightColumns& c, uint64_t times, int32_t kv_heads, int32_t tp) {
    for (size_t g = 0; g < k_groups; ++g) {
      auto group = static_cast<WeightGroup>(g);
      if (uint64_t b = c.at(group, Placement::split)) {
        split[g] = checked_add(split[g], checked_mul(b, times, "weight bytes"), "weight bytes");
      }
      uint64_t w =
          checked_add(c.at(group, Placement::replicated),
                      kv_share(c.at(group, Placement::kv_heads), kv_heads, tp), "weight bytes");
      if (w)
        whole[g] = checked_add(whole[g], checked_mul(w, times, "weight bytes"), "weight bytes");
    }
  }
};

Part kv_part(const LayerSpec& spec) {
  if (spec.kind == LayerKind::mla) return Part::kv_latent;
  if (spec.window_tokens > 0 || spec.chunk_tokens > 0) return Part::kv_sliding_window;
  return Part::kv_full_attention;
}

void add_part(Parts& parts, Part p, uint64_t bytes) {
  parts[p] = checked_add(parts[p], bytes, "part bytes");
}

}  // namespace

const EngineModel& engine_model(Engine e) {
  if (e == Engine::generic) return generic_engine();
  const std::string name(to_string(e));
  throw InputError::field("engine", name, "generic",
                          "{field} " + name +
                              " is not available yet in this build; accepted: "
                              "generic");
}

void validate_inference_options(const PreparedModel& p, const InferenceOptions& o) {
  auto positive = [](const char* key, int64_t v, const char* what) {
    if (v >= 1 && v <= k_max_tokens) return;
    throw InputError::field(
        key, std::to_string(v), "an integer in [1, 1099511627776]",
        std::string("{field} is ") + std::to_string(v) + " but must be " + what);
  };
  positive("context", o.context_tokens, "a positive number of tokens");
  positive("batch", o.batch, "a positive number of sequences");
  if (o.prefill_chunk_tokens < 1 || o.prefill_chunk_tokens > k_max_tokens) {
    throw InputError::field("prefill_chunk", std::to_string(o.prefill_chunk_tokens),
                            "an integer in [1, 1099511627776]",
                            "{field} is " + std::to_string(o.prefill_chunk_tokens) +
                                " but must be in [1, 1099511627776]");
  }
  if (o.context_tokens > k_max_tokens / o.batch) {
    throw InputError::field("context", std::to_string(o.context_tokens),
                            "context × batch at most 2^40 tokens",
                            "{field} × batch is larger than 2^40 tokens");
  }
  if (o.tp < 1 || o.tp > 4096) {
    throw InputError::field("tp", std::to_string(o.tp), "an integer in [1, 4096]",
                            "{field} is " + std::to_string(o.tp) + " but must be in [1, 4096]");
  }
  validate_tp(p, o.tp);
  for (const auto& run : p.runs) {
    if (run.spec.kind == LayerKind::attention || run.spec.kind == LayerKind::mla) {
      kv_heads_per_rank(run.spec.num_kv_heads, o.tp);  // throws naming tp
    }
  }
  pipeline_layers(p.num_layers, o.pp, o.pp_layers);
  engine_model(o.engine);
}

StageParts stage_parts(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                       const EngineModel& e, int32_t stage, StageSpan span, int64_t context,
                       KvDType kv_dtype) {
  StageParts s;
  s.stage = stage;
  s.first_layer = static_cast<int32_t>(span.first_layer);
  s.num_layers = static_cast<int32_t>(span.num_layers);
  const int32_t tp = o.tp;
  const uint64_t batch = static_cast<uint64_t>(o.batch);
  const uint64_t ctx = static_cast<uint64_t>(context);
  const bool first = stage == 0;
  const bool last = stage == o.pp - 1;
  const int64_t lo = span.first_layer;
  const int64_t hi = span.first_layer + span.num_layers;

  WeightSums sums;
  for (const auto& run : w.runs) {
    const int64_t a = std::max<int64_t>(lo, run.first_layer);
    const int64_t b = std::min<int64_t>(hi, int64_t{run.first_layer} + run.num_layers);
    if (a >= b) continue;
    sums.add(run.per_layer, static_cast<uint64_t>(b - a), p.runs[run.stack_run].spec.num_kv_heads,
             tp);
  }
  if (first) sums.add(w.first_stage, 1, p.num_kv_heads, tp);
  if (last) {
    // The MTP layers are stored but held only when asked for (speculative decoding).
    WeightColumns last_stage = w.last_stage;
    if (!(o.include_mtp || p.mtp_requested)) {
      for (size_t k = 0; k < static_cast<size_t>(Placement::count); ++k) {
        last_stage.at(WeightGroup::mtp, static_cast<Placement>(k)) = 0;
      }
    }
    sums.add(last_stage, 1, p.num_kv_heads, tp);
    if (needs_tied_copy(p.tied_embeddings, stage, o.pp))
      sums.add(w.tied_copy, 1, p.num_kv_heads, tp);
  }
  for (size_t g = 0; g < k_groups; ++g) {
    s.parts[weights_part(static_cast<WeightGroup>(g))] =
        checked_add(split_bytes(sums.split[g], tp), sums.whole[g], "weight bytes");
  }

  uint64_t widest = 0;
  for (const auto& run : p.runs) {
    const int64_t a = std::max<int64_t>(lo, run.first_layer);
    const int64_t b = std::min<int64_t>(hi, int64_t{run.first_layer} + run.num_layers);
    if (a >= b) continue;
    const uint64_t n = static_cast<uint64_t>(b - a);
    if (uint64_t per_token = kv_bytes_per_token(run.spec, kv_dtype, tp, e.kv_layout)) {
      uint64_t tokens = checked_mul(kv_tokens_kept(run.spec, ctx, e.kv_layout), batch, "KV tokens");
      add_part(s.parts, kv_part(run.spec),
               checked_mul(checked_mul(per_token, tokens, "KV cache bytes"), n, "KV cache bytes"));
    }
    if (uint64_t per_seq = recurrent_state_bytes_per_sequence(run.spec, w.compute_dtype, tp)) {
      add_part(s.parts,
               run.spec.kind == LayerKind::linear_attention ? Part::kv_linear_attention
                                                            : Part::recurrent_state,
               checked_mul(checked_mul(per_seq, batch, "recurrent state bytes"), n,
                           "recurrent state bytes"));
    }
    widest = std::max(widest, run.act_split_elements);
  }

  // Prefill of min(context × batch, chunk) tokens in one forward: the residual stream and its
  // normed copy (2 × hidden) plus the widest intermediate of one layer (attention projections or
  // the FFN's gate/up/down widths), split over TP ranks. FlashAttention keeps no s × s scores.
  const uint64_t compute_bytes = dtype_bytes(w.compute_dtype, 1);
  const uint64_t per_token_bytes = checked_mul(
      2 * static_cast<uint64_t>(p.hidden_size) + ceil_div(widest, static_cast<uint64_t>(tp)),
      compute_bytes, "activation bytes");
  const uint64_t all_tokens = checked_mul(ctx, batch, "prefill tokens");
  const uint64_t chunk = std::min(all_tokens, static_cast<uint64_t>(o.prefill_chunk_tokens));
  s.parts[Part::activations] = checked_mul(chunk, per_token_bytes, "activation bytes");
  s.activations_high = checked_mul(all_tokens, per_token_bytes, "activation bytes");
  s.activations_low =
      std::min(all_tokens, static_cast<uint64_t>(e.min_prefill_tokens)) * per_token_bytes;
  // fp32 logits of the last position of each sequence, gathered on the last stage.
  if (last) {
    s.parts[Part::logits] =
        checked_mul(batch, static_cast<uint64_t>(p.vocab_size) * 4, "logit bytes");
  }
  s.parts[Part::cuda_context] = e.cuda_context.bytes;
  s.parts[Part::cublas_workspace] = e.cublas_workspace.bytes;
  s.parts[Part::nccl_buffers] = (o.tp > 1 || o.pp > 1) ? e.nccl_buffers.bytes : 0;
  s.total_bytes = s.parts.total();
  return s;
}

InferenceNumbers inference_numbers(const PreparedModel& p, const WeightPlan& w,
                                   const InferenceOptions& o, const EngineModel& e) {
  InferenceNumbers n;
  n.context_tokens = o.context_tokens;
  if (!o.context_given && p.max_position_embeddings > 0) {
    n.context_tokens = std::min(n.context_tokens, p.max_position_embeddings);
  }
  n.compute_dtype = w.compute_dtype;
  n.kv_dtype = o.kv_dtype.value_or(kv_dtype_for(w.compute_dtype));
  for (int32_t stage = 0; stage < o.pp; ++stage) {
    StageSpan span = stage_span(p.num_layers, o.pp, o.pp_layers, stage);
    StageParts s = stage_parts(p, w, o, e, stage, span, n.context_tokens, n.kv_dtype);
    if (stage == 0 || s.total_bytes > n.worst.total_bytes) n.worst = s;
  }
  n.total_bytes = n.worst.total_bytes;
  return n;
}

WeightPlan requested_plan(const PreparedModel& p, const InferenceOptions& o,
                          std::optional<std::string>* note) {
  if (o.weights) {
    if (o.weights->label() == p.stored_label) return p.stored;
    return plan_weights(p, *o.weights);
  }
  if (p.stored_label == "f32") {
    if (note != nullptr) *note = k_serving_default_note;
    WeightFormat bf16;
    bf16.dtype = DType::bf16;
    return plan_weights(p, bf16);
  }
  return p.stored;
}

std::string requested_weights_label(const PreparedModel& p, const InferenceOptions& o) {
  if (o.weights) return o.weights->label() == p.stored_label ? p.stored_label : o.weights->label();
  return p.stored_label == "f32" ? "bf16" : p.stored_label;
}

InferenceNumbers inference_numbers(const PreparedModel& p, const InferenceOptions& o) {
  validate_inference_options(p, o);
  return inference_numbers(p, requested_plan(p, o), o, engine_model(o.engine));
}

}  // namespace llmem
