// An estimate is data: a tree of rows that always adds up (STYLE.md §8). Top-level components
// sum exactly to total_bytes; a row with a parent is part of that row, and children sum exactly
// to their parent, at any depth. Rows are listed parents first: a row's parent is an earlier row
// of the same list, named by its index. Each row carries its formula and inputs for --explain
// and the JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace llmem {

// A typed setting or formula input: integer, number, boolean or text.
using Value = std::variant<int64_t, double, bool, std::string>;
using Fields = std::vector<std::pair<std::string, Value>>;  // ordered, as printed

struct Component {
  std::string name;  // SPEC §3 names: weights, kv_cache, activations, framework_overhead …
  uint64_t bytes = 0;
  int32_t parent = -1;  // index of the parent row in the same list; -1 for a top-level row
  std::string formula;  // human-readable formula with the inputs' names
  Fields inputs;
  std::optional<uint64_t> bytes_low;  // a range when the figure is uncertain
  std::optional<uint64_t> bytes_high;
  std::string assumption;  // what is assumed, and why it is uncertain
};

// One kind of GPU: `count` ranks, first_rank … last_rank, that hold the same bytes (SPEC §2
// per_gpu: {"rank", "ranks": [first, last], "stage", "count", "components", "total_bytes"}).
struct GpuBreakdown {
  int32_t rank = 0;       // first global rank of the group (stage × tp + tp_rank)
  int32_t last_rank = 0;  // last global rank of the group
  int32_t stage = 0;      // pipeline stage
  int32_t count = 1;      // ranks in the group
  std::vector<Component> components;
  uint64_t total_bytes = 0;
};

struct FitResult {
  std::string gpu;              // catalog name
  int32_t count = 1;            // GPUs asked for
  uint64_t capacity_bytes = 0;  // one GPU, as CUDA reports it
  bool ok = false;
  int64_t headroom_bytes = 0;  // capacity − total; negative = short by that much
};

struct ModelInfo {
  std::string name;
  std::string source;
  uint64_t params = 0;
  uint64_t active_params = 0;
  uint64_t trainable_params = 0;
  // Every stored tensor at its stored format: MTP layers, vision tower and projector included,
  // what a user downloads (the serving figures may hold less: MTP dropped, fp32 served as bf16).
  uint64_t checkpoint_bytes = 0;
};

struct MemoryEstimate {
  std::string mode;  // "inference" | "training"
  ModelInfo model;
  Fields settings;                    // every input that shaped the estimate, defaults included
  std::vector<Component> components;  // the most loaded GPU
  uint64_t total_bytes = 0;
  std::vector<GpuBreakdown> per_gpu;  // when tp × pp > 1
  std::vector<Component> cpu_components;
  uint64_t cpu_bytes = 0;
  std::optional<FitResult> fits;
  Fields engine;                   // with an engine other than generic
  std::vector<std::string> notes;  // choices and warnings, printed under the table
};

// Appends `row` under the row at index `parent` (-1: top level) and returns its index.
int32_t add_row(std::vector<Component>& rows, Component row, int32_t parent = -1);

// Index of the row named `name`, or -1.
int32_t find_row(const std::vector<Component>& rows, std::string_view name);

// A row's depth: 0 for a top-level row, 1 for its children …
int32_t row_depth(const std::vector<Component>& rows, size_t index);

// Sums the top-level rows (checked). Used by builders and by the consistency tests.
uint64_t sum_top_level(const std::vector<Component>& rows);

// Throws InternalError when children do not sum to their parents, a name repeats or a parent is
// not an earlier row.
void check_consistency(const std::vector<Component>& rows, uint64_t total_bytes);

}  // namespace llmem
