// Hugging Face transformers generate(): the weights as loaded, the cache class each model uses,
// the prefill's peak and the last-token logits. Sources (transformers, read on GitHub's main
// branch of 2025–2026; no version pinned, see docs/engines.md):
//   - quantizers/quantizer_mxfp4.py Mxfp4HfQuantizer.validate_environment: without the triton
//     kernels the MXFP4 experts are dequantised to bf16 at load;
//   - cache_utils.py DynamicCache (every layer keeps every token; DynamicSlidingWindowLayer keeps
//     the window on sliding layers) and StaticCache (cache_implementation="static": preallocated
//     for the whole length); generation/utils.py GenerationMixin._prepare_cache_for_generation;
//   - models/deepseek_v3/modeling_deepseek_v3.py DeepseekV3Attention.forward: the cache holds the
//     decompressed key (num_heads × (qk_nope + qk_rope)) and value (num_heads × v_head_dim) per
//     layer — 81,920 B per token for DeepSeek-V3 in bf16, against 1,152 B for the latent that
//     vLLM and llama.cpp keep;
//   - integrations/sdpa_attention.py (is_causal without a padding mask: no score matrix) against
//     modeling_utils eager_attention_forward (matmul scores in the model dtype, a float32 softmax
//     cast back, and the 4-D causal mask: B × heads × S² × (2 b + 4) + B × S² × b);
//   - generation/utils.py _sample: logits_to_keep=1 and next_token_logits copied to float32.
#include "core/engines/hf.h"

#include <algorithm>

#include "llmem/common/error.h"

namespace llmem::engines::hf {

void validate(const PreparedModel& /*p*/, const InferenceOptions& o) {
  if (!o.engine_version.empty()) {
    throw InputError::field("engine_version", o.engine_version, "none (unversioned rules)",
                            "{field} '" + o.engine_version +
                                "' is not accepted: llmem's transformers rules are not tied to a "
                                "release (docs/engines.md)");
  }
  if (o.tp > 1) {
    throw InputError::field("tp", std::to_string(o.tp), "1 (use pp to spread layers)",
                            "{field} is " + std::to_string(o.tp) +
                                " but transformers generate() does not split tensors: "
                                "device_map spreads whole layers over GPUs (use pp)");
  }
  if (o.kv_dtype) {
    const KvDType k = *o.kv_dtype;
    if (k != KvDType::bf16 && k != KvDType::f16 && k != KvDType::f32) {
      const std::string name(kv_dtype_info(k).name);
      throw InputError::field("kv_dtype", name, "bf16, fp16, f32",
                              "{field} is " + name +
                                  " but transformers' dynamic and static caches keep the model "
                                  "dtype; accepted: bf16, fp16, f32");
    }
  }
}

WeightPlan loaded_plan(const PreparedModel& p, const InferenceOptions& o,
                       std::optional<std::string>* note) {
  const WeightScheme scheme = o.weights ? o.weights->scheme : p.stored_format.scheme;
  if (scheme == WeightScheme::mxfp4 && !o.hf.kernels) {
    if (note != nullptr) {
      *note =
          "transformers without the MXFP4 triton kernels dequantises the MXFP4 experts to bf16 "
          "at load (quantizer_mxfp4.py); hf kernels=true keeps them in MXFP4";
    }
    WeightFormat bf16;
    bf16.dtype = DType::bf16;
    return plan_weights(p, bf16);
  }
  return requested_plan(p, o, note);
}

namespace {

StageParts stage(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                 int32_t index, StageSpan span, int64_t context, KvDType kv, HfFigures& f) {
  StageParts s;
  s.stage = index;
  s.first_layer = static_cast<int32_t>(span.first_layer);
  s.num_layers = static_cast<int32_t>(span.num_layers);
  stage_weight_parts(p, w, o, index, span, s.parts);
  const uint64_t batch = static_cast<uint64_t>(std::max<int64_t>(o.batch, 1));
  const uint64_t ctx = static_cast<uint64_t>(context);
  const uint64_t b = dtype_bytes(w.compute_dtype, 1);
  const bool eager = o.hf.attn_implementation == HfAttention::eager;
  KvLayoutPolicy policy;
  policy.mla_decompressed = true;
  uint64_t peak = 0;
  for (const auto& run : p.runs) {
    const int64_t n = layers_in_span(run, span);
    if (n == 0) continue;
    const LayerSpec& l = run.spec;
    if (uint64_t per_token = kv_bytes_per_token(l, kv, 1, policy)) {
      f.cache_bytes_per_token += per_token * static_cast<uint64_t>(n);
      f.mla_decompressed = f.mla_decompressed || l.kind == LayerKind::mla;
      const uint64_t tokens = kv_tokens_kept(l, ctx, policy) * batch;
      add_to(s.parts, kv_part_of(l),
             checked_mul(checked_mul(per_token, tokens, "KV bytes"), static_cast<uint64_t>(n),
                         "KV bytes"));
    }
    if (uint64_t per_seq = recurrent_state_bytes_per_sequence(l, w.compute_dtype, 1)) {
      add_to(s.parts, Part::recurrent_state,
             checked_mul(per_seq * batch, static_cast<uint64_t>(n), "recurrent state bytes"));
    }
    // One decoder layer's live tensors over the whole prompt (generate does not chunk): the
    // residual stream and its normed copy, plus the widest projection output.
    const FfnShape ffn = ffn_shape(p, run);
    const uint64_t inter =
        static_cast<uint64_t>(std::max(ffn.intermediate, ffn.expert_intermediate));
    const uint64_t per_token = 2 * static_cast<uint64_t>(p.hidden_size) +
                               std::max<uint64_t>(run.act_split_elements, 2 * inter);
    uint64_t layer =
        checked_mul(checked_mul(ctx, batch, "tokens"), per_token * b, "activation bytes");
    if (eager && (l.kind == LayerKind::attention || l.kind == LayerKind::mla)) {
      const uint64_t kept = kv_tokens_kept(l, ctx, policy);
      const uint64_t heads = static_cast<uint64_t>(std::max(l.num_heads, 1));
      const uint64_t scores =
          checked_mul(checked_mul(batch * heads, ctx, "scores"), kept, "scores");
      layer = checked_add(layer, checked_mul(scores, 2 * b + 4, "scores"), "activation bytes");
      layer = checked_add(layer, checked_mul(batch * ctx, kept * b, "mask"), "activation bytes");
      f.eager_scores = true;
    }
    peak = std::max(peak, layer);
  }
  s.parts[Part::activations] = peak;
  s.activations_low = peak - peak / 5;
  s.activations_high = peak + peak / 2;
  if (index == o.pp - 1) {
    // next_token_logits: the last position in the model dtype, copied to float32.
    s.parts[Part::logits] =
        checked_mul(batch, static_cast<uint64_t>(p.vocab_size) * (b + 4), "logit bytes");
  }
  const EngineModel& e = hf_engine();
  s.parts[Part::cuda_context] = e.cuda_context.bytes;
  s.parts[Part::cublas_workspace] = e.cublas_workspace.bytes;
  s.total_bytes = s.parts.total();
  return s;
}

}  // namespace

InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& /*e*/, StageParts* stages, size_t max_stages) {
  InferenceNumbers n;
  n.context_tokens = o.context_tokens;
  if (!o.context_given && p.max_position_embeddings > 0) {
    n.context_tokens = std::min(n.context_tokens, p.max_position_embeddings);
  }
  n.compute_dtype = w.compute_dtype;
  n.kv_dtype = o.kv_dtype.value_or(kv_dtype_for(w.compute_dtype));
  for (int32_t i = 0; i < o.pp; ++i) {
    HfFigures f;
    StageParts s = stage(p, w, o, i, stage_span(p.num_layers, o.pp, o.pp_layers, i),
                         n.context_tokens, n.kv_dtype, f);
    if (stages != nullptr && static_cast<size_t>(i) < max_stages) stages[i] = s;
    n.engine.hf.cache_bytes_per_token += f.cache_bytes_per_token;
    n.engine.hf.mla_decompressed = n.engine.hf.mla_decompressed || f.mla_decompressed;
    n.engine.hf.eager_scores = n.engine.hf.eager_scores || f.eager_scores;
    if (i == 0 || s.total_bytes > n.worst.total_bytes) n.worst = s;
  }
  n.total_bytes = n.worst.total_bytes;
  return n;
}

}  // namespace llmem::engines::hf

namespace llmem {

const EngineModel& hf_engine() {
  static const EngineModel engine = [] {
    EngineModel e;
    e.id = Engine::hf;
    e.kv_layout.mla_decompressed = true;
    e.load_path = LoadPath::hf_dequantised;
    e.default_prefill_chunk_tokens = k_max_tokens;  // generate() does not chunk the prompt
    // A PyTorch process's CUDA context and cuBLAS workspace (not in max_memory_allocated):
    // 0.51 GiB and 0.25 GiB as measured with vLLM on H100 (the same torch runtime), 0.3–0.9 GiB.
    e.cuda_context = {547'608'330, 300ull << 20, 900ull << 20};
    e.cublas_workspace = {268'435'456, 32ull << 20, 268'435'456};
    return e;
  }();
  return engine;
}

}  // namespace llmem
