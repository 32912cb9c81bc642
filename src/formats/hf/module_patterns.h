// Module name patterns of quantisation configs (modules_to_not_convert, ignore, exclude_modules …):
// a dotted module name or a run of its components ("lm_head", "mlp.gate"), a glob
// ("model.layers.*.self_attn") or, after "re:", a regex matched from the start of the module
// name (compressed-tensors and vLLM use re.match).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/model_description.h"

namespace llmem {

// True when `name` (a tensor name) is inside a module matched by one of `patterns`
// ("model.layers.*.self_attn" matches "model.layers.3.self_attn.q_proj.weight"; "lm_head"
// matches "lm_head.weight"; "re:.*mlp\.gate$" matches "model.layers.0.mlp.gate.weight").
bool module_matches(std::string_view name, const std::vector<std::string>& patterns);

// Sets Tensor::keep_unquantised on every tensor a pattern matches.
void mark_unquantised_modules(ModelDescription& m, const std::vector<std::string>& patterns);

}  // namespace llmem
