#include "formats/hf/layer_windows.h"

#include <string>

#include "formats/hf/decoder_params.h"

namespace llmem::hf {

std::vector<int64_t> read_layer_windows(const ConfigView& c, int64_t layers) {
  std::vector<int64_t> windows(static_cast<size_t>(layers), 0);
  auto window = c.opt_int("sliding_window", 0, k_max_positions);
  std::vector<std::string> types = c.get_string_list("layer_types");
  if (!types.empty()) {
    if (static_cast<int64_t>(types.size()) != layers) {
      c.fail("layer_types", "has " + std::to_string(types.size()) +
                                " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "sliding_attention") {
        if (!window || *window == 0) {
          c.fail("sliding_window",
                 "is missing but layer_types[" + std::to_string(i) + "] is \"sliding_attention\"");
        }
        windows[i] = *window;
      } else if (types[i] != "full_attention") {
        c.fail("layer_types", "[" + std::to_string(i) + "] is \"" + types[i] +
                                  "\" but must be \"full_attention\" or \"sliding_attention\"");
      }
    }
    return windows;
  }
  if (c.has("use_sliding_window")) {
    if (!c.get_bool("use_sliding_window", false) || !window || *window == 0) return windows;
    int64_t first = c.get_int("max_window_layers", 0, 0, k_max_layers);
    for (int64_t i = first; i < layers; ++i) windows[static_cast<size_t>(i)] = *window;
    return windows;
  }
  if (window && *window > 0) {
    for (auto& w : windows) w = *window;
  }
  return windows;
}

}  // namespace llmem::hf
