#include "core/engines/engine_common.h"

#include <algorithm>

namespace llmem::engines {
namespace {

constexpr size_t k_groups = static_cast<size_t>(WeightGroup::count);

// Bytes of the k/v projections one rank holds: split by heads, one replicated head per rank
// past them.
uint64_t kv_share(uint64_t bytes, int32_t kv_heads, int32_t tp) {
  if (bytes == 0) return 0;
  const int32_t heads = std::max(kv_heads, 1);
  return bytes / static_cast<uint64_t>(heads) *
         static_cast<uint64_t>(std::max(kv_heads_on_rank(heads, tp), 1));
}

struct WeightSums {
  std::array<uint64_t, k_groups> split{};  // ÷ tp at the end
  std::array<uint64_t, k_groups> whole{};  // whole on every rank (k/v already per rank)

  void add(const WeightColumns& c, uint64_t times, int32_t kv_heads, int32_t tp) {
    for (size_t g = 0; g < k_groups; ++g) {
      auto group = static_cast<WeightGroup>(g);
      if (uint64_t b = c.at(group, Placement::split)) {
        split[g] = checked_add(split[g], checked_mul(b, times, "weight bytes"), "weight bytes");
      }
      uint64_t w =
          checked_add(c.at(group, Placement::replicated),
                      kv_share(c.at(group, Placement::kv_heads), kv_heads, tp), "weight bytes");
      if (w)
        whole[g] = checked_add(whole[g], checked_mul(w, times, "weight bytes"), "weight bytes");
    }
  }
};

int64_t out_dim(const Tensor& t) { return t.shape.size() >= 2 ? t.shape[t.shape.size() - 2] : 0; }

}  // namespace

FfnShape ffn_shape(const PreparedModel& p, const StackRun& run) {
  FfnShape f;
  for (uint32_t i = 0; i < run.member_count; ++i) {
    const Tensor& t = p.records[p.members[run.first_member + i]];
    if (t.bias || t.shape.size() < 2) continue;
    const int64_t out = out_dim(t);
    switch (t.role) {
      case TensorRole::gate:
        if (t.routed) {
          f.expert_intermediate = std::max(f.expert_intermediate, out);
        } else {
          f.gated = true;
          f.intermediate = std::max(f.intermediate, out);
        }
        break;
      case TensorRole::up:
        if (t.routed) {
          f.expert_intermediate = std::max(f.expert_intermediate, out);
        } else {
          f.intermediate = std::max(f.intermediate, out);
        }
        break;
      case TensorRole::gate_up:
        if (t.routed) {
          f.expert_intermediate = std::max(f.expert_intermediate, out / 2);
        } else {
          f.gated = true;
          f.intermediate = std::max(f.intermediate, out / 2);
        }
        break;
      case TensorRole::q:
      case TensorRole::q_b:
        f.q_width = std::max(f.q_width, out);
        break;
      case TensorRole::qkv:
        if (run.spec.num_heads > 0) {
          f.q_width = std::max(f.q_width, int64_t{run.spec.num_heads} * run.spec.head_dim_k);
        }
        break;
      default:
        break;
    }
  }
  if (f.q_width == 0) f.q_width = int64_t{run.spec.num_heads} * run.spec.head_dim_k;
  return f;
}

void stage_weight_parts(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                        int32_t stage, StageSpan span, Parts& parts) {
  const int32_t tp = o.tp;
  const int64_t lo = span.first_layer;
  const int64_t hi = span.first_layer + span.num_layers;
  WeightSums sums;
  for (const auto& run : w.runs) {
    const int64_t a = std::max<int64_t>(lo, run.first_layer);
    const int64_t b = std::min<int64_t>(hi, int64_t{run.first_layer} + run.num_layers);
    if (a >= b) continue;
    sums.add(run.per_layer, static_cast<uint64_t>(b - a), p.runs[run.stack_run].spec.num_kv_heads,
             tp);
  }
  if (stage == 0) sums.add(w.first_stage, 1, p.num_kv_heads, tp);
  if (stage == o.pp - 1) {
    // The MTP layers are stored but held only when asked for (speculative decoding).
    WeightColumns last_stage = w.last_stage;
    if (!(o.include_mtp || p.mtp_requested)) {
      for (size_t k = 0; k < static_cast<size_t>(Placement::count); ++k) {
        last_stage.at(WeightGroup::mtp, static_cast<Placement>(k)) = 0;
      }
    }
    sums.add(last_stage, 1, p.num_kv_heads, tp);
    if (needs_tied_copy(p.tied_embeddings, stage, o.pp))
      sums.add(w.tied_copy, 1, p.num_kv_heads, tp);
  }
  for (size_t g = 0; g < k_groups; ++g) {
    parts[weights_part(static_cast<WeightGroup>(g))] =
        checked_add(split_bytes(sums.split[g], tp), sums.whole[g], "weight bytes");
  }
}

int64_t layers_in_span(const StackRun& run, StageSpan span) {
  const int64_t a = std::max<int64_t>(span.first_layer, run.first_layer);
  const int64_t b = std::min<int64_t>(span.first_layer + span.num_layers,
                                      int64_t{run.first_layer} + run.num_layers);
  return std::max<int64_t>(0, b - a);
}

bool has_vision(const PreparedModel& p) {
  for (uint32_t r : p.outside) {
    const WeightGroup g = p.records[r].group;
    if (g == WeightGroup::vision_encoder || g == WeightGroup::projector) return true;
  }
  return false;
}

Part kv_part_of(const LayerSpec& spec) {
  if (spec.kind == LayerKind::mla) return Part::kv_latent;
  if (spec.kind == LayerKind::linear_attention || spec.kind == LayerKind::mamba ||
      spec.kind == LayerKind::mamba2)
    return Part::kv_linear_attention;
  if (spec.window_tokens > 0 || spec.chunk_tokens > 0) return Part::kv_sliding_window;
  return Part::kv_full_attention;
}

}  // namespace llmem::engines
