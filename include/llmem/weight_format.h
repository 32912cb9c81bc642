// How weights are stored: a dense dtype, or a quantisation scheme that decides each tensor's
// storage bytes (packed values + scales + zeros + absmax …) and which tensors it leaves in 16-bit.
// Applied to a ModelDescription, it rewrites each tensor's `format` and `bytes`; parameter counts
// (logical shapes) never change.
//
//   auto f = llmem::parse_weight_format("fp8");      // --weights fp8
//   llmem::apply_weight_format(model, *f);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/dtype.h"
#include "llmem/model_description.h"

namespace llmem {

enum class WeightScheme : uint8_t {
  dense,            // every tensor at `dtype`
  fp8_per_tensor,   // linear weights as fp8 (e4m3) with one fp32 scale per tensor
  int8_per_tensor,  // linear weights as int8 with one fp32 scale per tensor
  count             // the block-quantised formats (GPTQ, AWQ, bnb, GGUF, MXFP4 …) extend this
};

struct WeightFormat {
  WeightScheme scheme = WeightScheme::dense;
  DType dtype = DType::bf16;  // dense dtype; for a quantised scheme, the dtype of what it leaves
  DType quant_dtype = DType::f8_e4m3;  // element dtype of quantised values (fp8 variants)
  // Module name patterns left unquantised, as configs write them ("lm_head",
  // "model.layers.*.self_attn"); embeddings, norms, routers and biases are never quantised.
  std::vector<std::string> keep_unquantised;
  bool activation_scale = false;  // static activation scheme: an fp32 input_scale per tensor

  std::string label() const;      // "bf16", "fp8", "int8" …
};

// Parses a --weights value. Accepted: fp32 bf16 fp16 fp8 int8 (issue 4 extends the list).
// Returns nullopt for an unknown name; accepted_weight_formats() lists what is accepted.
std::optional<WeightFormat> parse_weight_format(std::string_view name);
std::string accepted_weight_formats();

// True when a scheme would quantise this tensor: a ≥2-D linear weight in attention, MLP,
// experts or the SSM projections; never embeddings, LM head, norms, routers, vision or biases.
bool is_quantisable(const Tensor& t);

// True when `name` (a tensor name) is inside a module matched by one of `patterns`
// ("model.layers.*.self_attn" matches "model.layers.3.self_attn.q_proj.weight").
bool module_matches(std::string_view name, const std::vector<std::string>& patterns);

// SPEC §1's default --weights: the checkpoint's format, except that a float32 checkpoint is
// served as bf16, as vLLM's dtype "auto" does. Returns the note to show, or nullopt when the
// model is left as it is.
std::optional<std::string> apply_serving_default(ModelDescription& m);

// Rewrites each tensor's storage (`format`, `dtype`, `bytes`) and the model's weights_format.
void apply_weight_format(ModelDescription& m, const WeightFormat& f);

}  // namespace llmem
