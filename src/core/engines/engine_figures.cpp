#include "llmem/core/engine_figures.h"

#include <algorithm>

#include "common/checked.h"

namespace llmem {

uint64_t HostParts::total() const {
  uint64_t n = 0;
  for (uint64_t b : bytes) n = checked_add(n, b, "host bytes");
  return n;
}

uint64_t VllmPeakTerms::total() const {
  uint64_t phase = std::max(checked_add(sampler, drafter, "peak bytes"), forward);
  return checked_add(checked_add(phase, moe_workspace, "peak bytes"),
                     checked_add(encoder_cache, constant, "peak bytes"), "peak bytes");
}

}  // namespace llmem
