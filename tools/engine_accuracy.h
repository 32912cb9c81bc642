// The engines against published measurements: one row per case of measurements.json that llmem
// can express and per component (measured, estimated, error in % and MiB, the estimate's range
// and whether the measurement falls in it), the cases it cannot express with the reason, and a
// summary (median and worst per engine and component, range coverage).
//
//   auto report = llmem::validation::engine_accuracy("tests/data/shared", "tests/data/engines");
//   std::cout << llmem::validation::accuracy_markdown(report);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llmem::validation {

struct AccuracyRow {
  std::string case_id;
  std::string engine;     // "vllm" | "llamacpp"
  std::string version;    // the engine rules applied ("0.19", "v0.5.0" …)
  std::string family;     // the model config used (leave-one-model-out groups)
  std::string component;  // weights, kv_cache, kv_blocks, activations, non_torch_increase …
  std::string unit;       // "bytes" or "count"
  double measured = 0;
  double estimated = 0;
  std::optional<double> low, high;  // the estimate's range, when it has one
  double error_pct() const { return measured != 0 ? 100.0 * (estimated - measured) / measured : 0; }
  double error_mib() const {
    return unit == "bytes" ? (estimated - measured) / 1048576.0 : estimated - measured;
  }
  std::optional<bool> in_range() const {
    if (!low || !high) return std::nullopt;
    return measured >= *low && measured <= *high;
  }
  std::string note;
};

struct SkippedCase {
  std::string case_id;
  std::string reason;
};

struct AccuracyReport {
  std::vector<AccuracyRow> rows;
  std::vector<SkippedCase> skipped;
};

// Reads <shared>/validation/measurements.json, the catalog and <extra>/models/*.json (configs the
// catalog lacks); `llamacpp_run`: a recorded real-llama.cpp harness run (run.mjs output), "" for
// none. Throws llmem::Error on unreadable input.
AccuracyReport engine_accuracy(const std::string& shared_dir, const std::string& extra_dir,
                               const std::string& llamacpp_run = "");

// Rows of `report` for one engine and component.
std::vector<const AccuracyRow*> select(const AccuracyReport& report, const std::string& engine,
                                       const std::string& component,
                                       const std::string& version_prefix = "");

struct Summary {
  size_t rows = 0;
  double median_abs_pct = 0;
  double worst_pct = 0;  // signed, the largest |error|
  std::string worst_case;
  double worst_mib = 0;
  size_t ranged = 0;    // rows with a range
  size_t in_range = 0;  // of those, how many hold the measurement
};
Summary summarise(const std::vector<const AccuracyRow*>& rows);

// The report as Markdown: the summary table, then every row, then the skipped cases.
std::string accuracy_markdown(const AccuracyReport& report);

}  // namespace llmem::validation
