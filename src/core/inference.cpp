// The inference fast path: prepared per-layer numbers → one GPU's bytes. Formulas and their
// sources are in docs/inference.md; the itemised rendering is in inference_estimate.cpp.
#include "llmem/core/inference.h"

#include <algorithm>
#include <array>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

bool is_first_stage_tensor(const Tensor& t) {
  return t.role == TensorRole::embedding || t.role == TensorRole::position_embedding ||
         t.role == TensorRole::vision || t.role == TensorRole::projector;
}

// The compute dtype: what unquantised weights and activations use. Dense 16/32-bit embeddings
// tell it; a quantised embedding (GGUF) computes in f16.
DType compute_dtype_of(const ModelDescription& m) {
  for (const auto& t : m.tensors) {
    if (t.role == TensorRole::embedding) {
      if (t.format.empty() &&
          (t.dtype == DType::f32 || t.dtype == DType::f16 || t.dtype == DType::bf16)) {
        return t.dtype;
      }
      return DType::f16;
    }
  }
  return m.torch_dtype;
}

uint64_t split_bytes(uint64_t bytes, int32_t tp) {
  return ceil_div(bytes, static_cast<uint64_t>(tp));
}

}  // namespace

std::string_view to_string(Engine e) {
  static constexpr std::array<std::string_view, static_cast<size_t>(Engine::count)> names = {
      "generic", "hf", "vllm", "llamacpp"};
  return names.at(static_cast<size_t>(e));
}

PreparedModel prepare_inference(const ModelDescription& m) {
  PreparedModel p;
  p.compute_dtype = compute_dtype_of(m);
  p.hidden_size = m.hidden_size;
  p.vocab_size = m.vocab_size;
  p.max_position_embeddings = m.max_position_embeddings;
  p.num_attention_heads = m.num_attention_heads;
  p.layers.resize(m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) p.layers[i].spec = m.layers[i];

  // Per-layer weight elements of the attention and FFN blocks, for the activation widths.
  std::vector<uint64_t> attention_elements(m.layers.size(), 0);
  std::vector<uint64_t> ffn_elements(m.layers.size(), 0);
  std::vector<uint64_t> routed_elements(m.layers.size(), 0);

  for (const auto& t : m.tensors) {
    bool in_stack = t.layer >= 0 && t.layer < static_cast<int32_t>(m.layers.size());
    if (!in_stack) {
      bool first = is_first_stage_tensor(t);
      uint64_t& split = first ? p.first_split_bytes : p.last_split_bytes;
      uint64_t& repl = first ? p.first_replicated_bytes : p.last_replicated_bytes;
      if (t.split == TpSplit::replicated) {
        repl = checked_add(repl, t.bytes, "weight bytes");
      } else {
        split = checked_add(split, t.bytes, "weight bytes");
      }
      if (t.role == TensorRole::embedding && m.tied_embeddings) {
        p.tied_embedding_bytes = checked_add(p.tied_embedding_bytes, t.bytes, "weight bytes");
      }
      continue;
    }
    auto& layer = p.layers[static_cast<size_t>(t.layer)];
    switch (t.split) {
      case TpSplit::replicated:
        layer.replicated_bytes = checked_add(layer.replicated_bytes, t.bytes, "weight bytes");
        break;
      case TpSplit::kv_heads:
        layer.kv_head_bytes = checked_add(layer.kv_head_bytes, t.bytes, "weight bytes");
        break;
      default:
        layer.split_bytes = checked_add(layer.split_bytes, t.bytes, "weight bytes");
        break;
    }
    if (t.shape.size() < 2) continue;
    size_t li = static_cast<size_t>(t.layer);
    switch (t.role) {
      case TensorRole::attention:
      case TensorRole::ssm:
        attention_elements[li] += t.elements();
        break;
      case TensorRole::mlp:
      case TensorRole::shared_expert:
        ffn_elements[li] += t.elements();
        break;
      case TensorRole::routed_expert:
        routed_elements[li] += t.elements();
        break;
      default:
        break;
    }
  }
  uint64_t hidden = static_cast<uint64_t>(std::max<int64_t>(m.hidden_size, 1));
  for (size_t i = 0; i < p.layers.size(); ++i) {
    uint64_t ffn = ffn_elements[i];
    if (routed_elements[i] > 0 && m.num_experts > 0) {
      // The routed total holds all E experts of the layer; k of them are used per token.
      ffn += routed_elements[i] / static_cast<uint64_t>(m.num_experts) *
             static_cast<uint64_t>(m.experts_per_token);
    }
    p.layers[i].act_split_elements = std::max(attention_elements[i], ffn) / hidden;
  }
  return p;
}

std::vector<int64_t> pipeline_layers(int64_t layers, int32_t pp,
                                     const std::vector<int64_t>& given) {
  if (pp < 1) throw InputError("--pp is " + std::to_string(pp) + " but must be at least 1");
  if (layers == 0 && pp == 1 && given.empty()) return {0};  // weights only: no layer stack
  if (pp > layers) {
    throw InputError("--pp " + std::to_string(pp) + " is more than the model's " +
                     std::to_string(layers) + " layers");
  }
  if (!given.empty()) {
    if (static_cast<int64_t>(given.size()) != pp) {
      throw InputError("--pp-layers has " + std::to_string(given.size()) + " entries but --pp is " +
                       std::to_string(pp));
    }
    int64_t sum = 0;
    for (int64_t n : given) {
      if (n < 1)
        throw InputError("--pp-layers entries must be at least 1, got " + std::to_string(n));
      sum += n;
    }
    if (sum != layers) {
      throw InputError("--pp-layers sums to " + std::to_string(sum) + " but the model has " +
                       std::to_string(layers) + " layers");
    }
    return given;
  }
  std::vector<int64_t> parts(static_cast<size_t>(pp), layers / pp);
  int64_t remainder = layers % pp;
  for (int64_t i = 2; i < remainder + 2; ++i) parts[static_cast<size_t>(pp - i)] += 1;
  return parts;
}

void validate_inference_options(const PreparedModel& p, const InferenceOptions& o) {
  if (o.context_tokens < 1) {
    throw InputError("--context is " + std::to_string(o.context_tokens) +
                     " but must be a positive number of tokens");
  }
  if (o.batch < 1) {
    throw InputError("--batch is " + std::to_string(o.batch) +
                     " but must be a positive number of sequences");
  }
  constexpr int64_t k_max_tokens = int64_t{1} << 40;
  if (o.prefill_chunk_tokens < 1 || o.prefill_chunk_tokens > k_max_tokens) {
    throw InputError("--prefill-chunk is " + std::to_string(o.prefill_chunk_tokens) +
                     " but must be in [1, 1099511627776]");
  }
  if (o.context_tokens > k_max_tokens || o.batch > k_max_tokens ||
      o.context_tokens > k_max_tokens / o.batch) {
    throw InputError("--context × --batch is larger than 2^40 tokens");
  }
  if (o.tp < 1 || o.tp > 4096) {
    throw InputError("--tp is " + std::to_string(o.tp) + " but must be in [1, 4096]");
  }
  // The sizes every attention layer accepts: dividing the query heads, and dividing or divided
  // by each layer's K/V heads.
  auto suits = [&p](int32_t t) {
    if (p.num_attention_heads > 0 && p.num_attention_heads % t != 0) return false;
    for (const auto& l : p.layers) {
      if (l.spec.kind != LayerKind::attention && l.spec.kind != LayerKind::mla) continue;
      int32_t kv = l.spec.num_kv_heads;
      if (kv > 0 && kv % t != 0 && t % kv != 0) return false;
    }
    return true;
  };
  if (!suits(o.tp)) {
    std::string sizes;
    for (int32_t t = 1; t <= std::max(p.num_attention_heads, 1); ++t) {
      if (suits(t)) sizes += (sizes.empty() ? "" : ", ") + std::to_string(t);
    }
    std::string why =
        p.num_attention_heads > 0 && p.num_attention_heads % o.tp != 0
            ? "does not divide num_attention_heads=" + std::to_string(p.num_attention_heads)
            : "does not suit the model's key/value heads";
    throw InputError("--tp " + std::to_string(o.tp) + " " + why + " (accepted: " + sizes + ")");
  }
  for (const auto& l : p.layers) {
    if (l.spec.kind == LayerKind::attention || l.spec.kind == LayerKind::mla) {
      kv_heads_per_rank(l.spec.num_kv_heads, o.tp);  // throws with the --tp message
    }
  }
  pipeline_layers(static_cast<int64_t>(p.layers.size()), o.pp, o.pp_layers);
}

StageNumbers stage_numbers(const PreparedModel& p, const InferenceOptions& o, int32_t stage,
                           int64_t first_layer, int64_t num_layers, int64_t context,
                           KvDType kv_dtype) {
  StageNumbers s;
  s.stage = stage;
  s.first_layer = static_cast<int32_t>(first_layer);
  s.num_layers = static_cast<int32_t>(num_layers);
  const int32_t tp = o.tp;
  const uint64_t batch = static_cast<uint64_t>(o.batch);
  const uint64_t ctx = static_cast<uint64_t>(context);
  const bool first = stage == 0;
  const bool last = stage == o.pp - 1;

  uint64_t weights = 0;
  uint64_t kv = 0;
  uint64_t state = 0;
  uint64_t widest = 0;
  for (int64_t i = first_layer; i < first_layer + num_layers; ++i) {
    const PreparedLayer& l = p.layers[static_cast<size_t>(i)];
    weights = checked_add(weights, split_bytes(l.split_bytes, tp) + l.replicated_bytes);
    if (l.kv_head_bytes > 0) {
      int32_t kvh = std::max(l.spec.num_kv_heads, 1);
      weights = checked_add(weights, l.kv_head_bytes / static_cast<uint64_t>(kvh) *
                                         static_cast<uint64_t>(kv_heads_per_rank(kvh, tp)));
    }
    uint64_t per_token = kv_bytes_per_token(l.spec, kv_dtype, tp);
    if (per_token > 0) {
      uint64_t tokens = checked_mul(kv_tokens_kept(l.spec, ctx), batch, "KV tokens");
      kv = checked_add(kv, checked_mul(per_token, tokens, "KV cache bytes"), "KV cache bytes");
    }
    uint64_t per_seq = recurrent_state_bytes_per_sequence(l.spec, p.compute_dtype, tp);
    state = checked_add(state, checked_mul(per_seq, batch, "recurrent state bytes"));
    widest = std::max(widest, l.act_split_elements);
  }
  if (first) {
    weights = checked_add(weights, split_bytes(p.first_split_bytes, tp) + p.first_replicated_bytes);
  }
  if (last) {
    weights = checked_add(weights, split_bytes(p.last_split_bytes, tp) + p.last_replicated_bytes);
    // A tied LM head on its own stage needs its own copy of the embedding (vLLM loads it so).
    if (!first) weights = checked_add(weights, split_bytes(p.tied_embedding_bytes, tp));
  }
  s.weights = weights;
  s.kv_cache = kv;
  s.recurrent_state = state;

  // Prefill of min(context × batch, chunk) tokens in one forward: the residual stream and its
  // normed copy (2 × hidden) plus the widest intermediate of one layer (attention projections or
  // the FFN's gate/up/down widths), split over TP ranks. FlashAttention keeps no s × s scores.
  uint64_t compute_bytes = dtype_bytes(p.compute_dtype, 1);
  uint64_t per_token_bytes = checked_mul(
      2 * static_cast<uint64_t>(p.hidden_size) + ceil_div(widest, static_cast<uint64_t>(tp)),
      compute_bytes, "activation bytes");
  uint64_t all_tokens = checked_mul(ctx, batch, "prefill tokens");
  uint64_t chunk = std::min(all_tokens, static_cast<uint64_t>(o.prefill_chunk_tokens));
  s.activations = checked_mul(chunk, per_token_bytes, "activation bytes");
  s.activations_unchunked = checked_mul(all_tokens, per_token_bytes, "activation bytes");
  s.activations_ubatch = std::min(all_tokens, uint64_t{512}) * per_token_bytes;
  // fp32 logits of the last position of each sequence, gathered on the last stage.
  if (last) s.logits = checked_mul(batch, static_cast<uint64_t>(p.vocab_size) * 4, "logit bytes");

  s.cuda_context = k_cuda_context_bytes;
  s.cublas_workspace = k_cublas_workspace_bytes;
  s.nccl_buffers = (o.tp > 1 || o.pp > 1) ? k_nccl_bytes : 0;
  uint64_t total = 0;
  for (uint64_t part : {s.weights, s.kv_cache, s.recurrent_state, s.activations, s.logits,
                        s.cuda_context, s.cublas_workspace, s.nccl_buffers}) {
    total = checked_add(total, part, "total bytes");
  }
  s.total_bytes = total;
  return s;
}

InferenceNumbers inference_numbers(const PreparedModel& p, const InferenceOptions& o) {
  InferenceNumbers n;
  n.context_tokens = o.context_tokens;
  if (!o.context_given && p.max_position_embeddings > 0) {
    n.context_tokens = std::min(n.context_tokens, p.max_position_embeddings);
  }
  n.kv_dtype = o.kv_dtype.value_or(kv_dtype_for(p.compute_dtype));
  const int64_t layers = static_cast<int64_t>(p.layers.size());
  int64_t first = 0;
  for (int32_t stage = 0; stage < o.pp; ++stage) {
    int64_t count;
    if (!o.pp_layers.empty()) {
      count = o.pp_layers[static_cast<size_t>(stage)];
    } else {
      // vLLM's split, inline so the fast path allocates nothing.
      count = layers / o.pp;
      int64_t remainder = layers % o.pp;
      if (stage < o.pp - 1 && stage >= o.pp - 1 - remainder) count += 1;
    }
    StageNumbers s = stage_numbers(p, o, stage, first, count, n.context_tokens, n.kv_dtype);
    if (stage == 0 || s.total_bytes > n.worst.total_bytes) n.worst = s;
    first += count;
  }
  n.total_bytes = n.worst.total_bytes;
  return n;
}

}  // namespace llmem
