// The precise figures `rule` and the default run print beside the seed's rules.
#pragma once

#include "llmem/model_description.h"
#include "llmem/rules.h"

namespace llmem::cli {

// llmem's estimate for the rule's case: weights at the rule's precision, the generic inference
// estimate at the defaults with those weights, and 16 bytes per parameter for full fine-tuning.
PreciseFigures precise_figures(const ModelDescription& m, RulePrecision precision);

}  // namespace llmem::cli
