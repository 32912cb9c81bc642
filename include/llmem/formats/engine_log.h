// Reading an engine's start-up log (`llmem compare LOG`): the figures and settings vLLM or
// llama.cpp printed, keyed as in ../shared/validation/measurements.json, so the same setup can be
// estimated and the two compared.
//
// Accepted (docs/engines.md lists every line and the format string it comes from):
//   - vLLM V1 INFO and DEBUG lines (v0.17 … v0.21): "Model loading took", "Available KV cache
//     memory", "GPU KV cache size", "Maximum concurrency", "Graph capturing finished", "Estimated
//     CUDA graph memory", the DEBUG "Memory profiling takes …" breakdown, "worker init memory
//     snapshot", "worker requested memory", "num_gpu_blocks is", and the settings of
//     "Initializing a V1 LLM engine (v…) with config:" and "non-default args:"; with several
//     workers (TP/PP), rank 0's line (the first printed) unless the key is per worker
//     ("[Worker_PP1]");
//   - llama.cpp (b4000 … v0.5.0): "model buffer size", "KV buffer size", "llama_kv_cache: size =",
//     "RS buffer size", "compute buffer size", "output buffer size", the llama_context settings
//     lines, "offloaded N/M layers to GPU", and the older "llm_load_tensors: … buffer size" /
//     "VRAM used" / "KV self size" lines.
// Anything else is a FormatError saying what was expected.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmem {

struct EngineLogFigure {
  std::string key;         // measurements.json key ("weights_model_loading", "cuda0_kv_buffer")
  double value = 0;        // in `unit`
  std::string unit;        // "GiB", "MiB", "tokens", "blocks", "x", "layers"
  std::string as_printed;  // the log line it was read from
};

struct EngineLog {
  std::string engine;   // "vllm" | "llamacpp"
  std::string version;  // as printed ("0.19.0"; llama.cpp "build 4823 (564747bea)"), or ""
  std::vector<std::pair<std::string, std::string>> settings;  // as printed (model, dtype, n_ctx …)
  std::vector<EngineLogFigure> figures;

  const EngineLogFigure* figure(std::string_view key) const;
  const std::string* setting(std::string_view key) const;
};

// Reads a log (the text of a file, or pasted). `source` names it in messages. Throws FormatError
// when no line of either engine is recognised.
EngineLog read_engine_log(std::string_view text, const std::string& source);

// The log as a measurements.json record {"id", "kind", "source", "model", "config", "measured"}.
std::string engine_log_record_json(const EngineLog& log, const std::string& id,
                                   const std::string& source);

}  // namespace llmem
