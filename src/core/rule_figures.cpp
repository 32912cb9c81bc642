// llmem's precise figures beside the seed's rules (`llmem rule`, the default run).
#include "llmem/core/rules.h"

#include "common/checked.h"
#include "llmem/core/inference.h"
#include "llmem/core/model_description.h"
#include "llmem/core/weight_format.h"

namespace llmem {

PreciseFigures precise_figures(const ModelDescription& model, RulePrecision precision) {
  static constexpr std::string_view k_formats[] = {"fp32", "fp16", "bf16", "int8", "int4"};
  PreciseFigures f;
  ModelDescription m = model;
  auto format = parse_weight_format(k_formats[static_cast<size_t>(precision)]);
  if (!format) return f;  // a precision llmem cannot model precisely yet
  if (format->scheme != WeightScheme::dense) {
    format->dtype = DType::f16;  // what the rule's 16-bit remainder would be
  }
  apply_weight_format(m, *format);
  f.weights = weight_bytes(m);
  MemoryEstimate e = estimate_inference(m, InferenceOptions{});
  f.inference = e.total_bytes;
  for (const auto& c : e.components) {
    if (c.name == "kv_cache") f.kv_cache = c.bytes;
    if (c.name == "activations") f.activations = c.bytes;
  }
  // Mixed-precision Adam: 2 (16-bit weights) + 2 (gradients) + 4 (fp32 master) + 8 (moments).
  f.full_finetune_states = checked_mul(total_params(model), 16, "training state bytes");
  return f;
}

}  // namespace llmem
