// vLLM's KV pool: per-layer specs and page sizes, KV cache groups sharing one block pool with one
// page size, blocks per request, and the longest max_model_len a pool holds. Sources
// (docs/vllm-rules.md §4): vllm/v1/kv_cache_interface.py (AttentionSpec.real_page_size_bytes,
// MLAAttentionSpec, MambaSpec, max_memory_usage_bytes), vllm/v1/core/kv_cache_utils.py
// (get_kv_cache_groups, unify_kv_cache_spec_page_size, _get_kv_cache_groups_uniform_page_size,
// get_kv_cache_config_from_groups, get_max_concurrency_for_kv_cache_config,
// _auto_fit_max_model_len), vllm/model_executor/models/config.py
// (HybridAttentionMambaModelConfig.verify_and_update_config), at v0.19.0 and the v0.21 line.
#include <algorithm>

#include "core/engines/vllm.h"
#include "llmem/common/error.h"

namespace llmem::engines::vllm {
namespace {

SpecKind kind_of(const LayerSpec& l) {
  if (l.kind == LayerKind::mla) return SpecKind::mla;
  if (l.kind == LayerKind::mamba || l.kind == LayerKind::mamba2 ||
      l.kind == LayerKind::linear_attention)
    return SpecKind::mamba;
  if (l.window_tokens > 0) return SpecKind::sliding;
  if (l.chunk_tokens > 0) return SpecKind::chunked;
  return SpecKind::full;
}

bool attention_like(SpecKind k) { return k == SpecKind::full || k == SpecKind::mla; }

}  // namespace

PoolLayout pool_layout(const PreparedModel& p, const InferenceOptions& o, const Settings& s,
                       int32_t stage, StageSpan span, KvDType kv_dtype, DType state_dtype) {
  PoolLayout pool;
  pool.block_size = s.block_size;
  // Chunked local attention with EAGLE turns the hybrid manager off (VllmConfig.__post_init__):
  // every layer then keeps all tokens (unify_hybrid_kv_cache_specs).
  const auto method = o.vllm.speculative_config.method;
  bool chunked = false;
  for (const auto& run : p.runs) chunked = chunked || run.spec.chunk_tokens > 0;
  const bool unify_hybrid =
      chunked && (method == SpeculativeMethod::eagle || method == SpeculativeMethod::eagle3);

  // Per-token bytes of one attention layer (the Mamba page unit) and the specs on this stage.
  uint64_t attn_token_bytes = 0;
  bool mla_present = false;
  auto add_layers = [&](const LayerSpec& spec, int64_t n) {
    SpecKind kind = kind_of(spec);
    if (spec.kind == LayerKind::mlp_only) return;
    if (unify_hybrid && (kind == SpecKind::sliding || kind == SpecKind::chunked)) {
      kind = SpecKind::full;
    }
    uint64_t token_bytes = 0;
    uint64_t mamba_page = 0;
    int64_t window = 0;
    if (kind == SpecKind::mamba) {
      mamba_page = recurrent_state_bytes_per_sequence(spec, state_dtype, o.tp);
      if (mamba_page == 0) return;
    } else {
      token_bytes = kv_bytes_per_token(spec, kv_dtype, o.tp);
      if (token_bytes == 0) return;
      if (attn_token_bytes == 0 || attention_like(kind)) {
        attn_token_bytes = std::max(attn_token_bytes, token_bytes);
      }
      mla_present = mla_present || kind == SpecKind::mla;
      window = kind == SpecKind::sliding   ? spec.window_tokens
               : kind == SpecKind::chunked ? spec.chunk_tokens
                                           : 0;
    }
    // Merge with an identical spec.
    size_t i = 0;
    for (; i < pool.n_specs; ++i) {
      const auto& g = pool.specs[i];
      const uint64_t page_unit = kind == SpecKind::mamba ? mamba_page : token_bytes;
      if (g.kind == kind && g.window == window && g.page == page_unit) break;
    }
    if (i == pool.n_specs) {
      if (pool.n_specs == k_max_specs) {
        throw InputError(
            "the model has more than 8 distinct KV cache layouts; llmem's vLLM "
            "engine handles at most 8");
      }
      LayerSpecGroup g;
      g.kind = kind;
      g.window = window;
      g.page = kind == SpecKind::mamba ? mamba_page : token_bytes;  // per token, for now
      g.part = kind == SpecKind::mamba  ? Part::kv_linear_attention
               : kind == SpecKind::mla  ? Part::kv_latent
               : kind == SpecKind::full ? Part::kv_full_attention
                                        : Part::kv_sliding_window;
      pool.specs[pool.n_specs++] = g;
    }
    pool.specs[i].layers += n;
  };
  for (const auto& run : p.runs) {
    if (int64_t n = layers_in_span(run, span)) add_layers(run.spec, n);
  }
  if (stage == o.pp - 1) {
    const SpeculativeConfig& sc = o.vllm.speculative_config;
    if (sc.draft) {
      for (const auto& run : sc.draft->runs) add_layers(run.spec, run.num_layers);
    } else if (sc.method == SpeculativeMethod::mtp && !p.runs.empty()) {
      add_layers(p.runs.back().spec, 1);  // one MTP (NextN) layer, like the last decoder layer
    }
  }
  if (pool.n_specs == 0) return pool;  // attention-free: no groups

  // Mamba hybrids: raise the attention block until its page covers the Mamba page, then pad
  // the Mamba page to it (HybridAttentionMambaModelConfig; mamba_cache_mode "none": no prefix
  // caching of the state assumed).
  uint64_t mamba_page = 0;
  for (size_t i = 0; i < pool.n_specs; ++i) {
    if (pool.specs[i].kind == SpecKind::mamba)
      mamba_page = std::max(mamba_page, pool.specs[i].page);
  }
  if (mamba_page > 0 && attn_token_bytes > 0) {
    const uint64_t align = mla_present ? 64 : 16;
    const uint64_t need = align * ceil_div(mamba_page, align * attn_token_bytes);
    pool.block_size = static_cast<int32_t>(std::max<uint64_t>(pool.block_size, need));
  }
  // Attention pages at the block size.
  uint64_t max_page = 0;
  for (size_t i = 0; i < pool.n_specs; ++i) {
    auto& g = pool.specs[i];
    g.block_tokens = pool.block_size;
    if (g.kind != SpecKind::mamba) {
      g.page = checked_mul(g.page, static_cast<uint64_t>(pool.block_size), "KV page bytes");
    }
    max_page = std::max(max_page, g.page);
  }
  if (mamba_page > 0 && attn_token_bytes > 0) {
    const uint64_t padded =
        checked_mul(attn_token_bytes, static_cast<uint64_t>(pool.block_size), "KV page bytes");
    for (size_t i = 0; i < pool.n_specs; ++i) {
      auto& g = pool.specs[i];
      if (g.kind == SpecKind::mamba && padded > g.page) {
        pool.mamba_padding_per_block += (padded - g.page) * static_cast<uint64_t>(g.layers);
        g.page = padded;
      }
    }
    max_page = std::max(max_page, padded);
  }

  // One spec: one group of every layer (get_kv_cache_groups, "all specs equal").
  if (pool.n_specs == 1) {
    auto& g = pool.specs[0];
    g.groups = 1;
    pool.group_size = g.layers;
    pool.n_groups = 1;
    pool.page = g.page;
    pool.bytes_per_block = checked_mul(g.page, static_cast<uint64_t>(g.layers), "KV block bytes");
    return pool;
  }
  // One attention type with several page sizes (UniformTypeKVCacheSpecs): one group, a block
  // holds one page of every layer.
  bool one_type = true;
  for (size_t i = 1; i < pool.n_specs; ++i) {
    one_type = one_type && pool.specs[i].kind == pool.specs[0].kind &&
               pool.specs[i].window == pool.specs[0].window;
  }
  if (one_type) {
    pool.uniform_type = true;
    pool.n_groups = 1;
    uint64_t bytes = 0;
    int64_t layers = 0;
    for (size_t i = 0; i < pool.n_specs; ++i) {
      auto& g = pool.specs[i];
      g.groups = i == 0 ? 1 : 0;
      layers += g.layers;
      bytes = checked_add(bytes, checked_mul(g.page, static_cast<uint64_t>(g.layers), "KV bytes"),
                          "KV block bytes");
    }
    pool.group_size = layers;
    pool.page = max_page;
    pool.bytes_per_block = bytes;
    return pool;
  }
  // Hybrid: unify the page sizes (smaller pages hold more tokens per block; they must divide),
  // then group (_get_kv_cache_groups_uniform_page_size).
  int64_t fewest = INT64_MAX, most = 0;
  for (size_t i = 0; i < pool.n_specs; ++i) {
    auto& g = pool.specs[i];
    if (max_page % g.page != 0) {
      throw InputError("vLLM cannot give this model's KV layers one page size (" +
                       std::to_string(g.page) + " B does not divide " + std::to_string(max_page) +
                       " B; kv_cache_utils.unify_kv_cache_spec_page_size)");
    }
    if (g.kind != SpecKind::mamba) {
      g.block_tokens = g.block_tokens * static_cast<int64_t>(max_page / g.page);
    }
    g.page = max_page;
    fewest = std::min(fewest, g.layers);
    most = std::max(most, g.layers);
  }
  // group_size: the smallest layer count, or the largest when it is below 1.5 × the smallest.
  pool.group_size = 2 * most < 3 * fewest ? most : fewest;
  for (size_t i = 0; i < pool.n_specs; ++i) {
    auto& g = pool.specs[i];
    g.groups = static_cast<int64_t>(
        ceil_div(static_cast<uint64_t>(g.layers), static_cast<uint64_t>(pool.group_size)));
    pool.n_groups += g.groups;
  }
  pool.page = max_page;
  pool.bytes_per_block =
      checked_mul(max_page, static_cast<uint64_t>(pool.group_size), "KV block bytes");
  return pool;
}

int64_t blocks_per_request(const PoolLayout& pool, int64_t len, int64_t max_batched_tokens,
                           int32_t speculative_tokens) {
  int64_t total = 0;
  for (size_t i = 0; i < pool.n_specs; ++i) {
    const auto& g = pool.specs[i];
    if (g.groups == 0) continue;
    const int64_t b = g.block_tokens;
    int64_t per = 0;
    switch (g.kind) {
      case SpecKind::full:
      case SpecKind::mla:
        per = (len + b - 1) / b;
        break;
      case SpecKind::sliding:  // SlidingWindowSpec.max_memory_usage_bytes
        per = (std::min(g.window - 1 + max_batched_tokens, len) + b - 1) / b + 1;
        break;
      case SpecKind::chunked:  // ChunkedLocalAttentionSpec.max_memory_usage_bytes
        per = (std::min(g.window + max_batched_tokens, len) + b - 1) / b;
        break;
      case SpecKind::mamba:  // MambaSpec: one state block (+ speculative blocks)
        per = 1 + speculative_tokens;
        break;
      default:
        break;
    }
    total += per * g.groups;
  }
  return total;
}

int64_t longest_fitting_len(const PoolLayout& pool, int64_t num_blocks, int64_t max_len,
                            int64_t max_batched_tokens, int32_t speculative_tokens) {
  if (pool.n_specs == 0) return max_len;
  if (blocks_per_request(pool, 1, max_batched_tokens, speculative_tokens) > num_blocks) return 0;
  int64_t lo = 1, hi = max_len;
  while (lo < hi) {  // the largest len with blocks_per_request(len) <= num_blocks
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (blocks_per_request(pool, mid, max_batched_tokens, speculative_tokens) <= num_blocks) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace llmem::engines::vllm
