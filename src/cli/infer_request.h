// The `infer` options as typed on the command line, and their conversion to the library's
// InferenceOptions plus the model, weights format and GPU they name. Shared by `infer` and the
// default run.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "llmem/core/inference.h"
#include "llmem/render/render.h"
#include "llmem/sources/catalog.h"

namespace llmem::cli {

struct InferRequestText {
  std::string weights, kv_dtype, context, batch, engine, engine_version, tp, pp, pp_layers, gpu,
      prefill_chunk;
  bool include_mtp = false;
  std::string config;         // --config FILE: the architecture for a lone .safetensors file
  std::string settings_file;  // --settings FILE: a `settings` object from a previous --json
};

struct InferRequest {
  ModelDescription model;
  InferenceOptions options;
  std::optional<GpuRequest> gpu;
  std::vector<std::string> notes;
  Fields settings;          // front-end settings the estimate records (include_mtp, engine_version)
  std::string tp_from_gpu;  // the --gpu text when it chose the tensor-parallel size
};

void add_infer_options(CLI::App& cmd, InferRequestText& t);
InferRequest build_infer_request(const std::string& model, const InferRequestText& t);
MemoryEstimate run_infer_request(const InferRequest& r);
Units parse_units(const std::string& text, Units fallback);

// Fills fits (one GPU's capacity vs the most loaded GPU) into an estimate.
void apply_fit(MemoryEstimate& e, const GpuRequest& gpu);

}  // namespace llmem::cli
