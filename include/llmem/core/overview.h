// The bare `llmem` run (SPEC §7) as data: the default model's estimate, the seed's rule of
// thumb for the same model, and how the estimate fits each common GPU. The text and the JSON
// printers show the same content.
#pragma once

#include <optional>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/fit.h"
#include "llmem/core/rules.h"

namespace llmem {

struct Overview {
  MemoryEstimate estimate;
  std::optional<RuleResult> rule;  // the seed's "inference" rule: params × 2 bytes × 1.2
  std::vector<GpuFit> gpus;        // every common catalog GPU, in catalog order
};

}  // namespace llmem
