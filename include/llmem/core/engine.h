// An engine as a value the fast path takes (SPEC §1 --engine): how it lays out the KV cache,
// how its loader changes quantised weights, how much of a prompt one forward processes, how it
// allocates the cache (exactly, or as a pool of blocks) and what it holds besides the model.
// Each engine's rules and their sources live in src/core/engines/<engine>.cpp; the generic
// engine is the architecture's own arithmetic with the measured overheads of docs/inference.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "llmem/core/kv_cache.h"
#include "llmem/core/load_path.h"

namespace llmem {

enum class Engine : uint8_t { generic, hf, vllm, llamacpp, count };
std::string_view to_string(Engine e);

// How the KV cache is allocated.
enum class KvAllocation : uint8_t {
  exact,       // context × batch tokens, as the layers need them
  block_pool,  // a pool of blocks of `block_tokens` tokens (vLLM's paged cache)
  count
};

// A framework overhead the engine holds on every GPU, with its range where it is uncertain.
struct OverheadPart {
  uint64_t bytes = 0;
  uint64_t bytes_low = 0;
  uint64_t bytes_high = 0;
};

struct EngineModel {
  Engine id = Engine::generic;
  KvLayoutPolicy kv_layout;                     // MLA decompressed, windows ignored …
  LoadPath load_path = LoadPath::as_stored;     // what the loader does to quantised weights
  int64_t default_prefill_chunk_tokens = 8192;  // prompt tokens in one forward by default
  int64_t min_prefill_tokens = 512;             // the smallest forward (the activation range)
  KvAllocation kv_allocation = KvAllocation::exact;
  int64_t block_tokens = 0;       // block_pool: tokens per block
  OverheadPart cuda_context;      // per GPU
  OverheadPart cublas_workspace;  // per GPU, from the first forward
  OverheadPart nccl_buffers;      // per GPU when tp × pp > 1
};

// The generic engine (SPEC §1): the smallest cache attention needs, no paging, one prefill chunk,
// the CUDA context and workspaces measured with vLLM v0.19 on H100 (docs/inference.md).
const EngineModel& generic_engine();

// vLLM's V1 engine: a block pool sized by the memory budget (src/core/engines/vllm*.cpp).
const EngineModel& vllm_engine();

// llama.cpp (build v0.5.0): buffers per device and host (src/core/engines/llamacpp*.cpp).
const EngineModel& llamacpp_engine();

// Hugging Face transformers generate(): the model's cache class, no chunking (src/core/engines/
// hf*.cpp).
const EngineModel& hf_engine();

}  // namespace llmem
