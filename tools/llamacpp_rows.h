// llama.cpp rows of the accuracy report: the shared llama.cpp logs of measurements.json, and a
// run of the real-llama.cpp harness (tests/engines/llamacpp/run.mjs output), each buffer llama.cpp
// printed beside llmem's llama.cpp engine fed the n_ctx, n_batch and n_ubatch llama.cpp printed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine_accuracy.h"
#include "llmem/core/model_description.h"

namespace llmem::validation {

void llamacpp_shared_rows(const nlohmann::json& measurements, const std::string& shared_dir,
                          const std::string& extra_dir, AccuracyReport& report);

// Rows of one harness run. gguf_dir: the folder holding the run's GGUFs (run.mjs --keep); empty:
// each model's header is rebuilt from the metadata and tensor list the run recorded.
void llamacpp_run_rows(const nlohmann::json& run, const std::string& gguf_dir,
                       AccuracyReport& report);

// A model of a harness run, read from its GGUF file or rebuilt from the run's record.
ModelDescription harness_model(const nlohmann::json& model, const std::string& gguf_dir);

// llama.cpp's "%.2f" of bytes / 2^20 (glibc: exact ties to even), as a number.
double printed_mib(double bytes);

}  // namespace llmem::validation
