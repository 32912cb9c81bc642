// Speed of the inference estimate: the fast path the planner calls (targets: ≤ 0.5 µs for
// Llama-3.1-8B, ≤ 1 µs for DeepSeek-V3 at TP 8 × PP 4), the weight plan of a format not seen
// before (≤ 2 µs for DeepSeek-V3), the itemised estimate, and building a model description.
#include <benchmark/benchmark.h>

#include "llmem/core/inference.h"
#include "llmem/sources/catalog.h"

namespace {

void BM_InferenceNumbersFastPath(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("llama-3.1-8b");
  auto prepared = llmem::prepare_model(m);
  const auto& engine = llmem::generic_engine();
  llmem::InferenceOptions o;
  int64_t context = 1024;
  for (auto _ : state) {
    o.context_tokens = context;
    context = context == 131072 ? 1024 : context * 2;
    benchmark::DoNotOptimize(
        llmem::inference_numbers(prepared, prepared.stored, o, engine).total_bytes);
  }
}
BENCHMARK(BM_InferenceNumbersFastPath);

void BM_InferenceNumbersFastPathPipeline(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("deepseek-v3");
  auto prepared = llmem::prepare_model(m);
  const auto& engine = llmem::generic_engine();
  llmem::InferenceOptions o;
  o.tp = 8;
  o.pp = 4;
  o.batch = 16;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        llmem::inference_numbers(prepared, prepared.stored, o, engine).total_bytes);
  }
}
BENCHMARK(BM_InferenceNumbersFastPathPipeline);

// A format the prepared model has not seen: nothing is cached between iterations.
void BM_WeightPlanNewFormat(benchmark::State& state, const char* model, const char* format) {
  auto prepared = llmem::prepare_model(*llmem::load_catalog_model(model));
  const auto f = *llmem::parse_weight_format(format);
  for (auto _ : state) benchmark::DoNotOptimize(llmem::plan_weights(prepared, f).total_bytes);
}
BENCHMARK_CAPTURE(BM_WeightPlanNewFormat, deepseek_v3_gptq, "deepseek-v3", "gptq-4bit-g128");
BENCHMARK_CAPTURE(BM_WeightPlanNewFormat, deepseek_v3_nf4, "deepseek-v3", "nf4");
BENCHMARK_CAPTURE(BM_WeightPlanNewFormat, deepseek_v3_q4_k_m, "deepseek-v3", "q4_k_m");
BENCHMARK_CAPTURE(BM_WeightPlanNewFormat, llama_3_1_8b_q4_k_m, "llama-3.1-8b", "q4_k_m");

void BM_PrepareModel(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("deepseek-v3");
  for (auto _ : state) benchmark::DoNotOptimize(llmem::prepare_model(m).records.size());
}
BENCHMARK(BM_PrepareModel);

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
