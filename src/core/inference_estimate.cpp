// Renders the inference fast path's numbers as an itemised, explained MemoryEstimate.
#include <algorithm>

#include "common/checked.h"
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

// KV bytes per token summed over the stage's layers, and the tokens each group keeps.
struct KvSummary {
  uint64_t bytes_per_token_full = 0;      // full-attention and MLA layers
  uint64_t bytes_per_token_windowed = 0;  // sliding-window and chunked layers
  int64_t full_layers = 0, windowed_layers = 0, window_tokens = 0;
  int64_t ssm_layers = 0;
};

KvSummary summarise_kv(const PreparedModel& p, const StageNumbers& s, KvDType dtype, int32_t tp) {
  KvSummary k;
  for (int64_t i = s.first_layer; i < s.first_layer + s.num_layers; ++i) {
    const LayerSpec& l = p.layers[static_cast<size_t>(i)].spec;
    uint64_t b = kv_bytes_per_token(l, dtype, tp);
    if (l.kind == LayerKind::mamba || l.kind == LayerKind::mamba2) ++k.ssm_layers;
    if (b == 0) continue;
    if (l.window_tokens > 0 || l.chunk_tokens > 0) {
      k.bytes_per_token_windowed += b;
      ++k.windowed_layers;
      k.window_tokens =
          std::max(k.window_tokens, l.window_tokens > 0 ? l.window_tokens : l.chunk_tokens);
    } else {
      k.bytes_per_token_full += b;
      ++k.full_layers;
    }
  }
  return k;
}

std::vector<Component> stage_components(const PreparedModel& p, const ModelDescription& m,
                                        const InferenceOptions& o, const InferenceNumbers& n,
                                        const StageNumbers& s) {
  std::vector<Component> rows;
  const bool parallel = o.tp > 1 || o.pp > 1;
  rows.push_back(row(
      "weights", s.weights,
      parallel ? "Σ tensor bytes on this GPU: split tensors ÷ tp, k/v by heads, the rest whole; "
                 "layers of this pipeline stage only"
               : "Σ stored bytes of every tensor (logical shape × dtype, plus any scales)",
      {{"format", m.weights_format},
       {"params", i64(total_params(m))},
       {"layers", int64_t{s.num_layers}},
       {"first_layer", int64_t{s.first_layer}},
       {"tp", int64_t{o.tp}}}));
  if (s.kv_cache > 0) {
    KvSummary k = summarise_kv(p, s, n.kv_dtype, o.tp);
    Fields in = {{"kv_dtype", std::string(kv_dtype_info(n.kv_dtype).name)},
                 {"context", n.context_tokens},
                 {"batch", o.batch},
                 {"full_layers", k.full_layers},
                 {"bytes_per_token_full_layers", i64(k.bytes_per_token_full)}};
    std::string formula =
        "Σ layers bytes_per_token × tokens_kept × batch; bytes_per_token = "
        "(K + V) kv_heads_per_rank × head_dim × dtype bytes (MLA: "
        "kv_lora_rank + qk_rope_head_dim)";
    if (k.windowed_layers > 0) {
      in.emplace_back("windowed_layers", k.windowed_layers);
      in.emplace_back("bytes_per_token_windowed_layers", i64(k.bytes_per_token_windowed));
      in.emplace_back("window_tokens", k.window_tokens);
      formula += "; windowed layers keep min(context, window) tokens";
    }
    rows.push_back(row("kv_cache", s.kv_cache, formula, std::move(in)));
  }
  if (s.recurrent_state > 0) {
    KvSummary k = summarise_kv(p, s, n.kv_dtype, o.tp);
    rows.push_back(row("recurrent_state", s.recurrent_state,
                       "Σ SSM layers (conv_state + ssm_state elements) ÷ tp × dtype bytes × batch",
                       {{"ssm_layers", k.ssm_layers},
                        {"batch", o.batch},
                        {"dtype", std::string(dtype_info(p.compute_dtype).name)}}));
  }
  if (s.activations > 0) {
    Component a = row("activations", s.activations,
                      "min(context × batch, prefill_chunk) × (2 × hidden + widest_intermediate "
                      "÷ tp) × dtype bytes",
                      {{"context", n.context_tokens},
                       {"batch", o.batch},
                       {"prefill_chunk", o.prefill_chunk_tokens},
                       {"hidden", p.hidden_size},
                       {"dtype", std::string(dtype_info(p.compute_dtype).name)},
                       {"tp", int64_t{o.tp}}});
    a.assumption =
        "the peak live tensors of one layer's forward over one prefill chunk, with "
        "memory-efficient attention; the range runs from llama.cpp's 512-token ubatch to one "
        "unchunked prefill of context × batch tokens (HF generate)";
    a.bytes_low = std::min(s.activations_ubatch, s.activations);
    a.bytes_high = std::max(s.activations_unchunked, s.activations);
    rows.push_back(std::move(a));
  }
  if (s.logits > 0) {
    rows.push_back(row("logits", s.logits, "batch × vocab × 4 (fp32 logits of the last position)",
                       {{"batch", o.batch}, {"vocab", p.vocab_size}}));
  }
  uint64_t overhead = s.cuda_context + s.cublas_workspace + s.nccl_buffers;
  Component fo = row(
      "framework_overhead", overhead,
      "cuda_context + cublas_workspace" + std::string(s.nccl_buffers ? " + nccl_buffers" : ""), {});
  fo.assumption =
      "measured on H100 with vLLM v0.19.0 (CUDA 12); other GPUs, drivers and "
      "engines differ by a few hundred MiB";
  int32_t overhead_row = add_row(rows, std::move(fo));
  Component cc = row("cuda_context", s.cuda_context,
                     "measured: non_torch_memory at vLLM worker init (0.51 GiB, H100)", {});
  cc.bytes_low = 300ull << 20;
  cc.bytes_high = 900ull << 20;
  add_row(rows, std::move(cc), overhead_row);
  add_row(rows,
          row("cublas_workspace", s.cublas_workspace,
              "measured: non-torch memory rise during the first forward (0.25 GiB, "
              "vLLM v0.19.0, H100, tp 1)",
              {}),
          overhead_row);
  if (s.nccl_buffers > 0) {
    Component nc = row("nccl_buffers", s.nccl_buffers,
                       "measured: init non-torch memory rise with tp/pp > 1 (1.00 GiB, vLLM "
                       "v0.19.0, H100)",
                       {{"tp", int64_t{o.tp}}, {"pp", int64_t{o.pp}}});
    nc.bytes_low = s.nccl_buffers / 2;
    nc.bytes_high = k_nccl_bytes_high;
    nc.assumption = "vLLM's custom all-reduce buffers add up to 1.8 GiB more during the forward";
    add_row(rows, std::move(nc), overhead_row);
  }
  return rows;
}

}  // namespace

MemoryEstimate estimate_inference(const ModelDescription& stored, const InferenceOptions& o) {
  ModelDescription m = stored;
  std::optional<std::string> weights_note;
  if (o.weights) {
    if (o.weights->label() != m.weights_format) apply_weight_format(m, *o.weights);
  } else {
    weights_note = apply_serving_default(m);
  }
  PreparedModel p = prepare_inference(m);
  validate_inference_options(p, o);
  InferenceNumbers n = inference_numbers(p, o);

  MemoryEstimate e;
  e.mode = "inference";
  e.model = {m.name, m.source, total_params(m), active_params(m), 0};
  e.settings = {{"model", m.name},
                {"engine", std::string(to_string(o.engine))},
                {"weights", m.weights_format},
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
  if (!o.context_given && n.context_tokens < o.context_tokens) {
    e.notes.push_back("context capped at max_position_embeddings = " +
                      std::to_string(n.context_tokens));
  }
  if (o.context_given && p.max_position_embeddings > 0 &&
      o.context_tokens > p.max_position_embeddings) {
    e.notes.push_back("--context " + std::to_string(o.context_tokens) +
                      " is beyond the model's max_position_embeddings = " +
                      std::to_string(p.max_position_embeddings) +
                      ": unless the model's rope scaling extends it, the model was not trained "
                      "for it and vLLM refuses such a --max-model-len without "
                      "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1");
  }
  e.components = stage_components(p, m, o, n, n.worst);
  e.total_bytes = n.total_bytes;

  if (o.tp > 1 || o.pp > 1) {
    std::vector<int64_t> parts =
        pipeline_layers(static_cast<int64_t>(p.layers.size()), o.pp, o.pp_layers);
    int64_t first = 0;
    for (int32_t stage = 0; stage < o.pp; ++stage) {
      int64_t count = parts[static_cast<size_t>(stage)];
      StageNumbers s = stage_numbers(p, o, stage, first, count, n.context_tokens, n.kv_dtype);
      std::vector<Component> rows = stage_components(p, m, o, n, s);
      // Every TP rank of a stage holds the same bytes: one group per stage.
      e.per_gpu.push_back(
          {stage * o.tp, stage * o.tp + o.tp - 1, stage, o.tp, std::move(rows), s.total_bytes});
      first += count;
    }
  }
  if (weights_note) e.notes.push_back(*weights_note);
  for (const auto& note : m.notes) e.notes.push_back(note);
  check_consistency(e.components, e.total_bytes);
  return e;
}

}  // namespace llmem
