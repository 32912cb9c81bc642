#include "llmem/core/fit.h"

#include <array>
#include <limits>

#include "common/checked.h"

namespace llmem {
namespace {

// What each kind of figure is, for the note; "" for CUDA's own figure.
constexpr std::array<std::string_view, static_cast<size_t>(MemoryKind::count)> k_says = {{
    "",

    "is nvidia-smi's total, not what CUDA reports; CUDA reports less by the driver's "
    "reservation, so the headroom is overstated",
    "is the nominal size, not what CUDA reports; the headroom is overstated",
    "is your figure for one GPU's memory, not a catalog card's",
}};

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int64_t signed_difference(uint64_t a, uint64_t b) {
  constexpr auto k_max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (a >= b) {
    uint64_t d = a - b;
    if (d > k_max) throw RangeError("headroom beyond 2^63 bytes");
    return static_cast<int64_t>(d);
  }
  uint64_t d = b - a;
  if (d > k_max) throw RangeError("headroom beyond -2^63 bytes");
  return -static_cast<int64_t>(d);
}

}  // namespace

std::optional<std::string> capacity_note(const GpuSpec& gpu) {
  std::string_view says = k_says.at(static_cast<size_t>(gpu.memory_kind));
  if (says.empty()) return std::nullopt;
  return gpu.name + ": " + grouped(gpu.memory_bytes) + " bytes " + std::string(says);
}

FitResult fit_on(uint64_t most_loaded_bytes, const GpuSpec& gpu, int32_t count) {
  FitResult f;
  f.gpu = gpu.name;
  f.count = count;
  f.capacity_bytes = gpu.memory_bytes;
  f.ok = most_loaded_bytes <= gpu.memory_bytes;
  f.headroom_bytes = signed_difference(gpu.memory_bytes, most_loaded_bytes);
  return f;
}

std::optional<std::string> dtype_support_note(const GpuSpec& gpu, DType weights_dtype,
                                              KvDType kv_dtype) {
  if (gpu.bf16 || (weights_dtype != DType::bf16 && kv_dtype != KvDType::bf16)) {
    return std::nullopt;
  }
  return gpu.name +
         " has no bf16 support: engines run bf16 checkpoints in fp16 there (the same bytes; "
         "vLLM casts with a warning)";
}

}  // namespace llmem
