// Placement across GPUs, shared by inference and training: which layers a pipeline stage holds,
// how many K/V heads a tensor-parallel rank keeps, what a split tensor costs one rank, which
// tensor-parallel sizes a model accepts. The fast-path functions allocate nothing and never
// throw; the validating ones throw InputError naming the setting.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "llmem/core/prepared_model.h"

namespace llmem {

struct StageSpan {
  int64_t first_layer = 0;
  int64_t num_layers = 0;
};

// The layers of pipeline stage `stage` of `pp`: `given` (an uneven split, one count per stage)
// when it is not empty, else vLLM's split (vllm/distributed/utils.py get_pp_indices: ⌊L/pp⌋
// each, the remainder to the stages before the last). Arguments must have been validated.
StageSpan stage_span(int64_t layers, int32_t pp, std::span<const int64_t> given, int32_t stage);

// Every stage's layer count, validating `pp` (settings key "pp") and `given` ("pp_layers").
std::vector<int64_t> pipeline_layers(int64_t layers, int32_t pp, const std::vector<int64_t>& given);

// K/V heads one rank holds: split when tp divides them, one replicated head per rank when the
// ranks outnumber them and are a multiple (vLLM's and Megatron's rule); 0 when neither holds.
int32_t kv_heads_on_rank(int32_t kv_heads, int32_t tp);

// One rank's share of a tensor split over `tp` ranks (rounded up).
uint64_t split_bytes(uint64_t bytes, int32_t tp);

// Whether `tp` suits every attention layer: it divides the query heads, and divides the K/V
// heads or (serving engines only, `replicate_kv`) is a multiple of them.
bool tp_suits(const PreparedModel& p, int32_t tp, bool replicate_kv = true);

// The sizes tp_suits accepts, from 1 to the query-head count, as "1, 2, 4, 8".
std::string accepted_tp_sizes(const PreparedModel& p, bool replicate_kv = true);

// Validates `tp` (settings key "tp") against the model; the message names what it must divide.
void validate_tp(const PreparedModel& p, int32_t tp, bool replicate_kv = true);

// A tied LM head on a stage of its own needs its own copy of the embedding (vLLM loads it so).
inline bool needs_tied_copy(bool tied, int32_t stage, int32_t pp) {
  return tied && stage == pp - 1 && stage != 0;
}

}  // namespace llmem
