// Does an estimate fit a GPU (SPEC §2 "fits")? One GPU's capacity against the most loaded GPU's
// total, with the headroom signed (negative: short by that much), and what the card cannot run.
// Pure arithmetic over plain values: the CLI, the server, the planner and training call it.
//
//   llmem::FitResult f = llmem::fit_on(estimate.total_bytes, gpu, 4);   // f.ok, f.headroom_bytes
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "llmem/core/catalog_entries.h"
#include "llmem/core/dtype.h"
#include "llmem/core/estimate.h"
#include "llmem/core/kv_cache.h"

namespace llmem {

// One GPU kind and how an estimate fits it.
struct GpuFit {
  GpuSpec gpu;
  FitResult fit;
};

// `count` GPUs of kind `gpu` against `most_loaded_bytes` on the fullest one.
FitResult fit_on(uint64_t most_loaded_bytes, const GpuSpec& gpu, int32_t count);

// The note for a card without bf16 when the weights or the KV cache are held in bf16: engines
// run them in fp16 there (the same bytes). nullopt when nothing needs saying.
std::optional<std::string> dtype_support_note(const GpuSpec& gpu, DType weights_dtype,
                                              KvDType kv_dtype);

// A note when the capacity is not what CUDA reports (nvidia-smi's total, a nominal size, the
// user's own figure); nullopt for a catalog figure as CUDA reports it.
std::optional<std::string> capacity_note(const GpuSpec& gpu);

}  // namespace llmem
