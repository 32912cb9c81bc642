#include "llmem/core/parallel.h"

#include <algorithm>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {

StageSpan stage_span(int64_t layers, int32_t pp, std::span<const int64_t> given, int32_t stage) {
  StageSpan s;
  if (!given.empty()) {
    for (int32_t i = 0; i < stage; ++i) s.first_layer += given[static_cast<size_t>(i)];
    s.num_layers = given[static_cast<size_t>(stage)];
    return s;
  }
  const int64_t base = layers / pp;
  const int64_t remainder = layers % pp;
  // Stages pp-1-remainder … pp-2 hold one layer more.
  const int64_t extra_first = pp - 1 - remainder;
  s.num_layers = base + (stage < pp - 1 && stage >= extra_first ? 1 : 0);
  s.first_layer = base * stage + std::max<int64_t>(0, stage - extra_first);
  return s;
}

std::vector<int64_t> pipeline_layers(int64_t layers, int32_t pp,
                                     const std::vector<int64_t>& given) {
  if (pp < 1) {
    throw InputError::field("pp", std::to_string(pp), "at least 1",
                            "{field} is " + std::to_string(pp) + " but must be at least 1");
  }
  if (layers == 0 && pp == 1 && given.empty()) return {0};  // weights only: no layer stack
  if (pp > layers) {
    throw InputError::field("pp", std::to_string(pp), "at most " + std::to_string(layers),
                            "{field} " + std::to_string(pp) + " is more than the model's " +
                                std::to_string(layers) + " layers");
  }
  if (!given.empty()) {
    std::string text;
    for (int64_t n : given) text += (text.empty() ? "" : ",") + std::to_string(n);
    if (static_cast<int64_t>(given.size()) != pp) {
      throw InputError::field("pp_layers", text, std::to_string(pp) + " entries",
                              "{field} has " + std::to_string(given.size()) +
                                  " entries but pp is " + std::to_string(pp));
    }
    int64_t sum = 0;
    for (int64_t n : given) {
      if (n < 1) {
        throw InputError::field("pp_layers", text, "entries of at least 1",
                                "{field} entries must be at least 1, got " + std::to_string(n));
      }
      sum += n;
    }
    if (sum != layers) {
      throw InputError::field("pp_layers", text, "counts summing to " + std::to_string(layers),
                              "{field} sums to " + std::to_string(sum) + " but the model has " +
                                  std::to_string(layers) + " layers");
    }
    return given;
  }
  std::vector<int64_t> parts(static_cast<size_t>(pp));
  for (int32_t s = 0; s < pp; ++s)
    parts[static_cast<size_t>(s)] = stage_span(layers, pp, {}, s).num_layers;
  return parts;
}

int32_t kv_heads_on_rank(int32_t kv_heads, int32_t tp) {
  if (tp <= 0 || kv_heads <= 0) return 0;
  if (kv_heads >= tp) return kv_heads % tp == 0 ? kv_heads / tp : 0;
  return tp % kv_heads == 0 ? 1 : 0;  // each rank keeps one replicated head
}

uint64_t split_bytes(uint64_t bytes, int32_t tp) {
  return ceil_div(bytes, static_cast<uint64_t>(tp < 1 ? 1 : tp));
}

bool tp_suits(const PreparedModel& p, int32_t tp, bool replicate_kv) {
  if (tp < 1) return false;
  if (p.num_attention_heads > 0 && p.num_attention_heads % tp != 0) return false;
  for (const auto& run : p.runs) {
    if (run.spec.kind != LayerKind::attention && run.spec.kind != LayerKind::mla) continue;
    const int32_t kv = run.spec.num_kv_heads;
    if (kv <= 0) continue;
    if (kv % tp == 0) continue;
    if (!replicate_kv || tp % kv != 0) return false;
  }
  return true;
}

std::string accepted_tp_sizes(const PreparedModel& p, bool replicate_kv) {
  std::string sizes;
  for (int32_t t = 1; t <= std::max(p.num_attention_heads, 1); ++t) {
    if (tp_suits(p, t, replicate_kv)) sizes += (sizes.empty() ? "" : ", ") + std::to_string(t);
  }
  return sizes;
}

void validate_tp(const PreparedModel& p, int32_t tp, bool replicate_kv) {
  if (tp_suits(p, tp, replicate_kv)) return;
  const std::string sizes = accepted_tp_sizes(p, replicate_kv);
  std::string why;
  if (p.num_attention_heads > 0 && p.num_attention_heads % tp != 0) {
    why = "does not divide num_attention_heads=" + std::to_string(p.num_attention_heads);
  } else if (replicate_kv) {
    why = "does not suit the model's key/value heads";
  } else {
    why = "does not divide the model's key/value heads (training splits them, never replicates)";
  }
  throw InputError::field(
      "tp", std::to_string(tp), sizes,
      "{field} " + std::to_string(tp) + " " + why + " (accepted: " + sizes + ")");
}

}  // namespace llmem
