// Speed of the inference estimate: the fast path the planner calls (target ≤ 1 µs), the itemised
// estimate, and building a model description from config.json text.
#include <benchmark/benchmark.h>

#include "llmem/core/inference.h"
#include "llmem/sources/catalog.h"

namespace {

void BM_InferenceNumbersFastPath(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("llama-3.1-8b");
  auto prepared = llmem::prepare_inference(m);
  llmem::InferenceOptions o;
  int64_t context = 1024;
  for (auto _ : state) {
    o.context_tokens = context;
    context = context == 131072 ? 1024 : context * 2;
    benchmark::DoNotOptimize(llmem::inference_numbers(prepared, o).total_bytes);
  }
}
BENCHMARK(BM_InferenceNumbersFastPath);

void BM_InferenceNumbersFastPathPipeline(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("deepseek-v3");
  auto prepared = llmem::prepare_inference(m);
  llmem::InferenceOptions o;
  o.tp = 8;
  o.pp = 4;
  o.batch = 16;
  for (auto _ : state) benchmark::DoNotOptimize(llmem::inference_numbers(prepared, o).total_bytes);
}
BENCHMARK(BM_InferenceNumbersFastPathPipeline);

void BM_EstimateInferenceItemised(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("llama-3.1-8b");
  for (auto _ : state) {
    benchmark::DoNotOptimize(llmem::estimate_inference(m, llmem::InferenceOptions{}).total_bytes);
  }
}
BENCHMARK(BM_EstimateInferenceItemised);

void BM_LoadCatalogModel(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(llmem::load_catalog_model("llama-3.1-8b"));
}
BENCHMARK(BM_LoadCatalogModel);

}  // namespace
