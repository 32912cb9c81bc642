// llama.cpp's KV cache and recurrent state. Sources (docs/llamacpp-rules.md §4):
//   - src/llama-kv-cache.cpp llama_kv_cache::llama_kv_cache: per layer with KV, K of
//     [n_embd_k_gqa, kv_size, n_stream] and V of [n_embd_v_gqa, kv_size, n_stream] (without flash
//     attention V is stored transposed and every layer uses n_embd_v_gqa_max); MLA keeps K only
//     (the latent); each layer's K/V on its layer's device (KV offload), one buffer per buffer
//     type with that type's alignment and padding;
//   - src/llama-kv-cache-iswa.cpp: SWA layers hold pad256(min(size_base, n_swa × (unified ?
//     n_seq_max : 1) + n_ubatch)) cells per stream, size_base with --swa-full;
//   - src/models/phi3.cpp ("Phi SWA is currently disabled") and the llama arch (Mistral-7B is
//     converted as llama and never reads its window): windows ignored;
//   - src/llama-memory-recurrent.cpp: max(1, n_seq_max) cells of f32 R (conv) and S (state) rows
//     per recurrent layer (llama_hparams::n_embd_r / n_embd_s).
#include <algorithm>

#include "core/engines/llamacpp.h"

namespace llmem::engines::llamacpp {
namespace {

constexpr uint64_t k_cpu_align = 32;
constexpr uint64_t k_cuda_align = 128;
constexpr uint64_t k_row_padding = 512;

uint64_t pad(uint64_t x, uint64_t n) { return (x + n - 1) / n * n; }

int64_t pad256(int64_t x) { return (x + 255) / 256 * 256; }

// The bytes a K or V tensor takes in its buffer: CUDA pads quantised rows not a multiple of 512
// once and aligns to 128; the CPU aligns to 32.
uint64_t buffer_bytes(KvDType type, uint64_t ne0, uint64_t rows, bool cuda) {
  uint64_t b = checked_mul(kv_row_bytes(type, ne0), rows, "KV bytes");
  if (!cuda) return pad(b, k_cpu_align);
  if (kv_dtype_info(type).block_elements > 1 && ne0 % k_row_padding != 0) {
    b += kv_row_bytes(type, k_row_padding - ne0 % k_row_padding);
  }
  return pad(b, k_cuda_align);
}

bool windows_ignored(const PreparedModel& p) {
  return p.model_type == "phi3" || p.model_type == "llama" || p.model_type == "mistral";
}

}  // namespace

void cache_buffers(const PreparedModel& p, const InferenceOptions& o, const Context& c,
                   const Placement& pl, Buffers& b) {
  const bool ignore = windows_ignored(p);
  const bool swa_full = o.llamacpp.swa_full;
  uint64_t v_max = 0;  // n_embd_v_gqa_max
  for (const auto& run : p.runs) {
    if (run.spec.kind == LayerKind::attention) {
      v_max = std::max<uint64_t>(v_max, static_cast<uint64_t>(run.spec.num_kv_heads) *
                                            static_cast<uint64_t>(run.spec.head_dim_v));
    }
  }
  const uint64_t streams = static_cast<uint64_t>(c.n_stream);
  const int64_t size_base = c.n_ctx_seq;
  for (const auto& run : p.runs) {
    const LayerSpec& l = run.spec;
    for (int32_t il = run.first_layer; il < run.first_layer + run.num_layers; ++il) {
      const int32_t device = o.llamacpp.kv_offload ? pl.device_of(il) : -1;
      const bool cuda = device >= 0;
      if (l.kind == LayerKind::attention || l.kind == LayerKind::mla) {
        const int64_t window = ignore ? 0 : std::max(l.window_tokens, l.chunk_tokens);
        int64_t cells = size_base;
        if (window > 0 && !swa_full) {
          cells =
              pad256(std::min<int64_t>(size_base, window * (c.unified ? c.n_seq : 1) + c.n_ubatch));
        }
        uint64_t ne_k = 0, ne_v = 0;
        if (l.kind == LayerKind::mla) {
          ne_k = static_cast<uint64_t>(l.kv_lora_rank + l.qk_rope_head_dim);
        } else {
          ne_k = static_cast<uint64_t>(l.num_kv_heads) * static_cast<uint64_t>(l.head_dim_k);
          ne_v = c.flash_attn
                     ? static_cast<uint64_t>(l.num_kv_heads) * static_cast<uint64_t>(l.head_dim_v)
                     : v_max;
        }
        const uint64_t rows = static_cast<uint64_t>(cells) * streams;
        const uint64_t k_bytes = checked_mul(kv_row_bytes(c.type_k, ne_k), rows, "KV bytes");
        const uint64_t v_bytes =
            ne_v ? checked_mul(kv_row_bytes(c.type_v, ne_v), rows, "KV bytes") : 0;
        const uint64_t held = buffer_bytes(c.type_k, ne_k, rows, cuda) +
                              (ne_v ? buffer_bytes(c.type_v, ne_v, rows, cuda) : 0);
        if (window > 0) {
          b.kv_swa_size += k_bytes + v_bytes;
          b.kv_swa_buffer += held;
          b.swa_cells = cells;
        } else {
          b.kv_size += k_bytes + v_bytes;
          b.kv_buffer += held;
        }
        const Part part = l.kind == LayerKind::mla ? Part::kv_latent
                          : window > 0             ? Part::kv_sliding_window
                                                   : Part::kv_full_attention;
        if (cuda) {
          add_to(b.device[static_cast<size_t>(device)], part, held);
          b.sizes[static_cast<size_t>(device)].kv += held;
        } else {
          b.host[HostPart::kv_cache] += held;
        }
      } else if (l.kind == LayerKind::mamba || l.kind == LayerKind::mamba2 ||
                 l.kind == LayerKind::linear_attention) {
        const uint64_t cells = static_cast<uint64_t>(std::max<int64_t>(c.n_seq, 1));
        b.recurrent_cells = static_cast<int64_t>(cells);
        const uint64_t r = static_cast<uint64_t>(l.conv_state_elements) * 4 * cells;
        const uint64_t s = static_cast<uint64_t>(l.ssm_state_elements) * 4 * cells;
        const uint64_t align = cuda ? k_cuda_align : k_cpu_align;
        const uint64_t held = pad(r, align) + pad(s, align);
        b.rs_buffer += held;
        if (cuda) {
          add_to(b.device[static_cast<size_t>(device)], Part::recurrent_state, held);
          b.sizes[static_cast<size_t>(device)].recurrent += held;
        } else {
          b.host[HostPart::recurrent_state] += held;
        }
      }
    }
  }
}

}  // namespace llmem::engines::llamacpp
