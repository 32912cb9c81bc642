// The itemised estimate of the vllm, llamacpp and hf engines (private to the core).
#pragma once

#include <optional>
#include <string>

#include "llmem/core/inference.h"

namespace llmem::engines {

MemoryEstimate engine_estimate(const ModelDescription& m, const PreparedModel& p,
                               const WeightPlan& plan, const InferenceOptions& o,
                               const EngineModel& e,
                               const std::optional<std::string>& weights_note);

}  // namespace llmem::engines
