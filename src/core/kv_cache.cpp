#include "llmem/core/kv_cache.h"

#include "llmem/core/parallel.h"

#include <algorithm>
#include <array>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

// Block formats: ggml-common.h block structs (ggml-org/llama.cpp, ggml/src/ggml-common.h):
//   block_q8_0 = fp16 d + 32 int8          = 2 + 32 = 34 bytes / 32 elements
//   block_q4_0 = fp16 d + 16 packed bytes  = 2 + 16 = 18
//   block_q4_1 = fp16 d, m + 16 bytes      = 4 + 16 = 20
//   block_q5_0 = fp16 d + 4 qh + 16 bytes  = 2 + 4 + 16 = 22
//   block_q5_1 = fp16 d, m + 4 qh + 16     = 4 + 4 + 16 = 24
//   block_iq4_nl = fp16 d + 16 bytes       = 2 + 16 = 18
// fp8 caches (vLLM) keep one fp32 scale per layer, not per token: negligible and not counted.
constexpr std::array<KvDTypeInfo, static_cast<size_t>(KvDType::count)> k_kv_dtypes = {{
    {"f32", 1, 4},
    {"f16", 1, 2},
    {"bf16", 1, 2},
    {"fp8_e4m3", 1, 1},
    {"fp8_e5m2", 1, 1},
    {"int8", 1, 1},
    {"q8_0", 32, 2 + 32},
    {"q4_0", 32, 2 + 16},
    {"q4_1", 32, 2 + 2 + 16},
    {"q5_0", 32, 2 + 4 + 16},
    {"q5_1", 32, 2 + 2 + 4 + 16},
    {"iq4_nl", 32, 2 + 16},
}};
static_assert(k_kv_dtypes.size() == static_cast<size_t>(KvDType::count));

struct KvAlias {
  std::string_view name;
  KvDType type;
};
constexpr std::array<KvAlias, 10> k_kv_aliases = {{
    {"fp32", KvDType::f32},
    {"float32", KvDType::f32},
    {"fp16", KvDType::f16},
    {"float16", KvDType::f16},
    {"half", KvDType::f16},
    {"bfloat16", KvDType::bf16},
    {"fp8", KvDType::fp8_e4m3},
    {"fp8_e4m3fn", KvDType::fp8_e4m3},
    {"e4m3", KvDType::fp8_e4m3},
    {"e5m2", KvDType::fp8_e5m2},
}};

}  // namespace

const KvDTypeInfo& kv_dtype_info(KvDType t) { return k_kv_dtypes.at(static_cast<size_t>(t)); }

std::optional<KvDType> parse_kv_dtype(std::string_view name) {
  for (size_t i = 0; i < k_kv_dtypes.size(); ++i) {
    if (k_kv_dtypes[i].name == name) return static_cast<KvDType>(i);
  }
  for (const auto& a : k_kv_aliases) {
    if (a.name == name) return a.type;
  }
  return std::nullopt;
}

std::string accepted_kv_dtypes() {
  return "auto, f32, f16 (fp16), bf16, fp8 (fp8_e4m3), fp8_e5m2, int8, q8_0, q4_0, q4_1, q5_0, "
         "q5_1, iq4_nl";
}

KvDType kv_dtype_for(DType compute) {
  switch (compute) {
    case DType::f32:
    case DType::f64:
      return KvDType::f32;
    case DType::f16:
      return KvDType::f16;
    default:
      return KvDType::bf16;
  }
}

uint64_t kv_row_bytes(KvDType t, uint64_t elements) {
  const auto& info = kv_dtype_info(t);
  return checked_mul(ceil_div(elements, info.block_elements), info.block_bytes, "KV row bytes");
}

int32_t kv_heads_per_rank(int32_t kv_heads, int32_t tp) {
  if (tp <= 0) {
    throw InputError::field("tp", std::to_string(tp), "at least 1",
                            "{field} is " + std::to_string(tp) + " but must be at least 1");
  }
  if (kv_heads <= 0) {
    throw InputError("a layer has " + std::to_string(kv_heads) +
                     " key/value heads; at least 1 is needed");
  }
  if (int32_t heads = kv_heads_on_rank(kv_heads, tp); heads > 0) return heads;
  const std::string t = std::to_string(tp);
  const std::string kv = std::to_string(kv_heads);
  if (kv_heads >= tp) {
    throw InputError::field("tp", t, "sizes that divide " + kv + " or that " + kv + " divides",
                            "{field} " + t + " does not divide the " + kv +
                                " key/value heads; use a {field} that divides them or that they "
                                "divide");
  }
  throw InputError::field("tp", t, "sizes that divide " + kv + " or that " + kv + " divides",
                          "{field} " + t + " is not a multiple of the " + kv +
                              " key/value heads; use a {field} that divides them or that they "
                              "divide");
}

uint64_t kv_bytes_per_token(const LayerSpec& layer, KvDType dtype, int32_t tp,
                            const KvLayoutPolicy& policy) {
  switch (layer.kind) {
    case LayerKind::attention: {
      uint64_t heads = static_cast<uint64_t>(kv_heads_per_rank(layer.num_kv_heads, tp));
      return checked_add(kv_row_bytes(dtype, heads * static_cast<uint64_t>(layer.head_dim_k)),
                         kv_row_bytes(dtype, heads * static_cast<uint64_t>(layer.head_dim_v)),
                         "KV bytes per token");
    }
    case LayerKind::mla: {
      if (policy.mla_decompressed) {
        // K holds nope + rope per head, V v_head_dim per head; heads split over ranks.
        uint64_t heads = static_cast<uint64_t>(kv_heads_per_rank(layer.num_kv_heads, tp));
        return checked_add(kv_row_bytes(dtype, heads * static_cast<uint64_t>(layer.head_dim_k)),
                           kv_row_bytes(dtype, heads * static_cast<uint64_t>(layer.head_dim_v)),
                           "KV bytes per token");
      }
      // DeepSeek-V2 §2.1.2: cache c_KV (d_c = kv_lora_rank) and k_R (d_h^R = qk_rope_head_dim).
      return kv_row_bytes(dtype, static_cast<uint64_t>(layer.kv_lora_rank) +
                                     static_cast<uint64_t>(layer.qk_rope_head_dim));
    }
    default:
      return 0;
  }
}

uint64_t kv_tokens_kept(const LayerSpec& layer, uint64_t context, const KvLayoutPolicy& policy) {
  if (policy.ignore_windows) return context;
  uint64_t kept = context;
  if (layer.window_tokens > 0) kept = std::min(kept, static_cast<uint64_t>(layer.window_tokens));
  if (layer.chunk_tokens > 0) kept = std::min(kept, static_cast<uint64_t>(layer.chunk_tokens));
  return kept;
}

uint64_t recurrent_state_bytes_per_sequence(const LayerSpec& layer, DType state_dtype, int32_t tp) {
  // SSM and linear-attention layers, and attention layers that run an SSM mixer in parallel
  // (Falcon-H1, Zamba2's hybrid layers) hold a state; every other layer has none.
  if (layer.conv_state_elements == 0 && layer.ssm_state_elements == 0) return 0;
  uint64_t elements =
      checked_add(static_cast<uint64_t>(layer.conv_state_elements),
                  static_cast<uint64_t>(layer.ssm_state_elements), "recurrent state elements");
  // Channels and heads split evenly over TP ranks (vLLM's MambaMixer2 shards them).
  return dtype_bytes(state_dtype, ceil_div(elements, static_cast<uint64_t>(tp)));
}

}  // namespace llmem
