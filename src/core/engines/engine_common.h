// Helpers the engines share: the shape of a layer's feed-forward block read from its records,
// the weights of one pipeline stage by weights row, and the layers of a stage by cache kind.
// Private to src/core; allocation-free.
#pragma once

#include <cstdint>

#include "llmem/core/inference.h"

namespace llmem::engines {

// The feed-forward widths of a run of layers, from its records' logical shapes
// ([..., out, in], PyTorch order).
struct FfnShape {
  int64_t intermediate = 0;         // dense FFN width (a shared expert's, in an MoE layer)
  bool gated = false;               // a gate (or fused gate_up) beside up: SwiGLU/GeGLU
  int64_t expert_intermediate = 0;  // one routed expert's width; 0 without routed experts
  int64_t q_width = 0;              // query projection output (heads × head_dim)
};
FfnShape ffn_shape(const PreparedModel& p, const StackRun& run);

// The weights of pipeline stage `stage` (layers `span`), per weights row, on one TP rank: the
// same sums the generic engine makes.
void stage_weight_parts(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                        int32_t stage, StageSpan span, Parts& parts);

// Layers of run `run` inside [span.first_layer, span.first_layer + span.num_layers).
int64_t layers_in_span(const StackRun& run, StageSpan span);

// Whether the model has a vision tower or projector (a multimodal encoder).
bool has_vision(const PreparedModel& p);

// The KV part a layer's cache is counted in.
Part kv_part_of(const LayerSpec& spec);

inline void add_to(Parts& parts, Part p, uint64_t bytes);

// 2^30 and 2^20.
inline constexpr uint64_t k_gib = uint64_t{1} << 30;
inline constexpr uint64_t k_mib = uint64_t{1} << 20;

}  // namespace llmem::engines

#include "common/checked.h"

namespace llmem::engines {
inline void add_to(Parts& parts, Part p, uint64_t bytes) {
  parts[p] = checked_add(parts[p], bytes, "part bytes");
}
}  // namespace llmem::engines
