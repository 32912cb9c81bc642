// `infer` as a library call: settings in, the estimate out. The CLI, the server and the Python
// module all call run_infer; it resolves the model and the GPU, estimates, checks the fit, and
// echoes in `settings` every input that shaped the result, so that feeding that object back
// (settings_from_json) gives the same total_bytes.
//
//   llmem::request::Settings s(llmem::request::Command::infer);
//   s.set("model", std::string("llama-3.1-8b"));
//   s.set("context", int64_t{8192});
//   llmem::MemoryEstimate e = llmem::request::run_infer(s);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/inference.h"
#include "llmem/core/model_description.h"
#include "llmem/request/gpu_request.h"
#include "llmem/request/settings.h"

namespace llmem::request {

struct InferRequest {
  ModelDescription model;
  std::string model_setting;  // how settings.model names it (a path stays a path)
  InferenceOptions options;
  std::optional<GpuChoice> gpu;
  bool tp_from_gpu = false;        // --gpu NAMExN chose the tensor-parallel size
  std::vector<std::string> notes;  // choices the request made, printed first
};

// The numeric and typed options of `infer` as the core takes them (not the model-dependent
// weights format, nor the GPU).
InferenceOptions inference_options(const Settings& s);

// Checks the settings that need no model, then resolves the model, the weights and the GPU.
InferRequest resolve_infer(const Settings& s);

// The estimate of a resolved request, with the fit, the notes and the settings echo.
MemoryEstimate estimate(const InferRequest& r, const Settings& s);

// resolve_infer + estimate.
MemoryEstimate run_infer(const Settings& s);

// The `settings` object: for each setting of `s`'s command, in table order, the value the
// result used (`resolved`: the core's effective values, the model and GPU as named), else the
// value given, else the table's default.
Fields echo_settings(const Settings& s, const Fields& resolved);

}  // namespace llmem::request
