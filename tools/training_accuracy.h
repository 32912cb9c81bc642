// llmem's training estimate beside the published one-GPU training measurements of
// <shared>/validation/measurements.json, like with like: LitGPT's max_memory_allocated ÷ 1e9
// against the allocated peak, torchtune's peak against the allocated peak, PEFT's reserved
// memory (reserved minus reserved-at-start, the 99th percentile over training steps) against
// the reserved range. tools/accuracy.cpp prints the table into docs/accuracy.md; a test asserts
// the bounds (tests/tools/training_accuracy_test.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace llmem::accuracy {

struct TrainingCase {
  std::string id;
  std::string family;     // litgpt-a100, litgpt-a10g, torchtune, peft
  std::string catalog;    // the catalog model estimated
  std::string settings;   // the llmem train settings used
  std::string statistic;  // "allocated" (max_memory_allocated / active) or "reserved"
  double measured_bytes = 0;
  uint64_t estimate_bytes = 0;  // allocated peak (no CUDA context, no paged states)
  uint64_t low_bytes = 0;       // reserved statistics: the estimate's reserved range
  uint64_t high_bytes = 0;
  bool bounded = false;  // counted in the bounds test
  std::string note;      // why unbounded, or what is assumed
  double error() const;  // (estimate − measured) / measured
  bool inside() const;   // measured within [low, high]
};

struct TrainingSkip {
  std::string id;
  std::string reason;
};

struct TrainingAccuracy {
  std::vector<TrainingCase> cases;
  std::vector<TrainingSkip> skipped;  // one-GPU training cases that cannot be expressed
  int multi_gpu = 0;                  // cases on several GPUs (issue 12)
};

TrainingAccuracy training_accuracy(const nlohmann::json& measurements);

// The docs/accuracy.md section: one row per case, the summary per family, the skipped cases.
std::string training_accuracy_markdown(const TrainingAccuracy& a);

}  // namespace llmem::accuracy
