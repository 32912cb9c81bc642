// The attention window of each decoder layer, from the keys transformers uses.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/hf/config_view.h"

namespace llmem::hf {

// - `layer_types` ("full_attention", "sliding_attention", "chunked_attention") when present;
// - otherwise Qwen2's `use_sliding_window` (default false) with `max_window_layers`: layers
//   i >= max_window_layers slide (transformers Qwen2Config);
// - otherwise `sliding_window` (Mistral) on every layer when it is a positive integer.
// A window present but switched off (use_sliding_window: false) is full attention: 0.
std::vector<int64_t> read_layer_windows(const ConfigView& c, int64_t layers);

}  // namespace llmem::hf
