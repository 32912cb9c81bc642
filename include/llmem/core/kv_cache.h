// The KV cache (and SSM state) arithmetic of the `generic` engine (SPEC §1): the smallest cache
// attention needs. Per layer and per token:
//   attention  K + V rows of kv_heads_per_rank × head_dim elements, in the cache dtype's blocks;
//              sliding-window layers hold min(context, window) tokens, chunked layers
//              min(context, chunk) tokens;
//   mla        one latent (kv_lora_rank) + one rope key (qk_rope_head_dim), replicated per rank;
//   mamba(2)   no per-token cache: conv + SSM state per sequence, split across TP ranks.
// Other engines swap the layout through KvLayoutPolicy (HF's decompressed MLA, llama.cpp's SWA
// cells, vLLM's blocks) without touching the per-layer arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmem/core/dtype.h"
#include "llmem/core/model_description.h"

namespace llmem {

// Element formats of a KV cache. Block formats (llama.cpp's q8_0, q4_0 …) carry their scales
// inside each block; see kv_dtype_info for the bytes of one block.
enum class KvDType : uint8_t {
  f32,
  f16,
  bf16,
  fp8_e4m3,
  fp8_e5m2,
  int8,
  q8_0,
  q4_0,
  q4_1,
  q5_0,
  q5_1,
  iq4_nl,
  count
};

struct KvDTypeInfo {
  std::string_view name;    // CLI spelling
  uint32_t block_elements;  // elements per block (1 for plain types)
  uint32_t block_bytes;     // bytes per block, scales included
};

const KvDTypeInfo& kv_dtype_info(KvDType t);
std::optional<KvDType> parse_kv_dtype(std::string_view name);  // accepts fp8, fp16, float16 …
std::string accepted_kv_dtypes();
KvDType kv_dtype_for(DType compute);  // the cache dtype matching a compute dtype

// Bytes of one cache row of `elements` elements (blocks rounded up, as ggml_row_size does for
// whole-block rows).
uint64_t kv_row_bytes(KvDType t, uint64_t elements);

// How a layer's cache is laid out; the generic engine's policy is the default.
struct KvLayoutPolicy {
  bool mla_decompressed = false;  // HF keeps MLA's K and V per head, not the latent
  bool ignore_windows = false;    // an engine that allocates full context on windowed layers
};

// Cache bytes one token adds to one layer on one tensor-parallel rank. 0 for SSM / MLP-only.
uint64_t kv_bytes_per_token(const LayerSpec& layer, KvDType dtype, int32_t tp,
                            const KvLayoutPolicy& policy = {});

// Tokens of a sequence of `context` tokens that a layer keeps (the window or chunk caps it).
uint64_t kv_tokens_kept(const LayerSpec& layer, uint64_t context,
                        const KvLayoutPolicy& policy = {});

// The fixed state of an SSM or linear-attention layer, or of an attention layer with an SSM
// mixer beside it (Falcon-H1), bytes per sequence on one rank (0 for plain attention layers).
uint64_t recurrent_state_bytes_per_sequence(const LayerSpec& layer, DType state_dtype, int32_t tp);

// K/V heads one rank holds: split when they divide the ranks, one replicated head per rank when
// the ranks outnumber them (vLLM's and Megatron's rule). Throws InputError when neither divides.
int32_t kv_heads_per_rank(int32_t kv_heads, int32_t tp);

}  // namespace llmem
