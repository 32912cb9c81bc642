// Optimizer states per tensor, and the step's temporaries. Sources (docs/training-sources.md):
//  * torch AdamW: exp_avg, exp_avg_sq = zeros_like(p) (torch/optim/adamw.py, 1.13 lines 144–152);
//  * torch SGD: momentum_buffer = clone(grad) on the first step, only with momentum ≠ 0
//    (torch/optim/sgd.py lines 166, 235);
//  * bitsandbytes Optimizer2State.init_state / Optimizer1State (bitsandbytes/optim/
//    optimizer.py @ 95f9af30 lines 502–529, 593): numel < min_8bit_size (4096) → fp32 states of
//    p's shape; else uint8 states + fp32 absmax per block of 256 (2048 before commit aa57bd89,
//    first in 0.44.0); paged buffers (get_state_buffer, lines 373–391) only for numel ≥ 1e5;
//  * transformers Adafactor.step (src/transformers/optimization.py @ 005edacb): ≥ 2-D tensors
//    keep exp_avg_sq_row (shape[:-1]) and exp_avg_sq_col (shape[:-2] + shape[-1:]) in fp32, 1-D
//    a full fp32 exp_avg_sq; no exp_avg with the default beta1 None;
//  * Lion (bitsandbytes Lion(Optimizer1State), lion.py line 8): one state;
//  * Muon: one momentum buffer for 2-D hidden matrices (Jordan et al. 2024; torch.optim.Muon and
//    Moonlight's recipe pair it with AdamW for embeddings, LM head and 1-D tensors) — the state
//    shapes were not read in source: docs/training.md marks them unconfirmed.
#include "common/checked.h"
#include "llmem/core/training.h"

namespace llmem {
namespace {

constexpr uint64_t k_min_8bit_size = 4096;     // bitsandbytes min_8bit_size default
constexpr uint64_t k_min_paged_size = 100000;  // get_state_buffer: paged only when numel ≥ 1e5

uint64_t eight_bit_states(uint64_t n, uint64_t states, int32_t block) {
  if (n < k_min_8bit_size) return checked_mul(n, 4 * states, "optimizer state bytes");
  const uint64_t blocks = ceil_div(n, static_cast<uint64_t>(block));
  return checked_mul(states, checked_add(n, checked_mul(blocks, 4)), "optimizer state bytes");
}

}  // namespace

uint64_t optimizer_state_bytes(Optimizer opt, uint64_t n, int64_t rows, int64_t cols,
                               uint32_t state, int32_t block) {
  switch (opt) {
    case Optimizer::adamw:
      return checked_mul(n, 2ull * state, "optimizer state bytes");
    case Optimizer::paged_adamw:
      // bitsandbytes 32-bit optimizers keep fp32 states whatever the parameter dtype.
      return checked_mul(n, 8, "optimizer state bytes");
    case Optimizer::adamw_8bit:
    case Optimizer::paged_adamw_8bit:
      return eight_bit_states(n, 2, block);
    case Optimizer::sgd:
      return 0;
    case Optimizer::sgd_momentum:
    case Optimizer::lion:
      return checked_mul(n, state, "optimizer state bytes");
    case Optimizer::muon:
      // 2-D matrices: one momentum buffer; the rest (rows or cols 0) fall to AdamW.
      return rows > 0 && cols > 0 ? checked_mul(n, state, "optimizer state bytes")
                                  : checked_mul(n, 2ull * state, "optimizer state bytes");
    case Optimizer::adafactor: {
      if (rows > 0 && cols > 0) {
        // exp_avg_sq_row: n / cols elements; exp_avg_sq_col: n / rows elements (fp32).
        const uint64_t r = n / static_cast<uint64_t>(cols);
        const uint64_t c = n / static_cast<uint64_t>(rows);
        return checked_mul(checked_add(r, c), 4, "optimizer state bytes");
      }
      return checked_mul(n, 4, "optimizer state bytes");
    }
    case Optimizer::count:
      break;
  }
  return 0;
}

// Whether a tensor's states of this optimizer live in CUDA managed memory (bitsandbytes paged
// optimizers, F.get_paged → cudaMallocManaged; outside PyTorch's allocator statistics).
bool paged_states(Optimizer opt, uint64_t n) {
  return (opt == Optimizer::paged_adamw || opt == Optimizer::paged_adamw_8bit) &&
         n >= k_min_paged_size;
}

}  // namespace llmem
