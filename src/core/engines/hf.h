// Hugging Face transformers generate(), private interface (rules and sources in hf*.cpp and
// docs/engines.md).
#pragma once

#include <optional>
#include <string>

#include "core/engines/engine_common.h"

namespace llmem::engines::hf {

void validate(const PreparedModel& p, const InferenceOptions& o);

// The weights as transformers loads them: MXFP4 dequantised to bf16 without the kernels.
WeightPlan loaded_plan(const PreparedModel& p, const InferenceOptions& o,
                       std::optional<std::string>* note);

InferenceNumbers numbers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                         const EngineModel& e, StageParts* stages, size_t max_stages);

}  // namespace llmem::engines::hf
