// The real llama.cpp against llmem's llama.cpp engine: a run of tests/engines/llamacpp/run.mjs
// (node-llama-cpp 3.22.1 = llama.cpp v0.5.0, its prebuilt CPU library) loaded sparse GGUFs over a
// grid of contexts; llmem reads the same GGUF files with its own reader and, fed the n_ctx,
// n_batch and n_ubatch llama.cpp printed, must give every model, KV, recurrent-state and output
// buffer exactly as llama.cpp printed it (%.2f MiB), the same cell counts and refusals, and the
// compute buffer within 10 %. The run and the GGUF folder come from the environment
// (LLMEM_LLAMACPP_RUN, LLMEM_LLAMACPP_GGUF_DIR), set by tests/engines/llamacpp_real.cmake.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "llamacpp_rows.h"

namespace {

nlohmann::json load_run() {
  const char* path = std::getenv("LLMEM_LLAMACPP_RUN");
  if (path == nullptr) return {};
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

TEST(RealLlamaCpp, EveryPrintedBufferIsReproduced) {
  const auto run = load_run();
  if (run.is_null()) GTEST_SKIP() << "LLMEM_LLAMACPP_RUN is not set (run through the CTest test)";
  const char* dir = std::getenv("LLMEM_LLAMACPP_GGUF_DIR");
  EXPECT_EQ(run.value("llama_cpp", nlohmann::json::object()).value("release", ""), "v0.5.0");
  llmem::validation::AccuracyReport report;
  llmem::validation::llamacpp_run_rows(run, dir ? dir : "", report);
  ASSERT_GT(report.rows.size(), 200u);
  size_t compute = 0;
  for (const auto& r : report.rows) {
    SCOPED_TRACE(r.case_id + " " + r.component);
    if (r.component == "compute") {
      ++compute;
      EXPECT_LE(std::fabs(r.error_pct()), 10.0) << r.measured << " vs " << r.estimated;
    } else {
      EXPECT_EQ(r.measured, r.estimated);
    }
  }
  EXPECT_GT(compute, 40u);
}

}  // namespace
