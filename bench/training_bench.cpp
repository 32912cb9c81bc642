// Speed of the training fast path the planner calls (target: ≤ 2 µs per configuration, issue 11):
// training_numbers() on a prepared model and plan while batch, seq, optimizer and recompute vary;
// and the full estimate with rows, for comparison.
#include <benchmark/benchmark.h>

#include "llmem/core/training.h"
#include "llmem/sources/catalog.h"

namespace {

void BM_TrainingNumbersFastPath(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("llama-3.1-8b");
  auto prepared = llmem::prepare_model(m);
  llmem::TrainingOptions o;
  o.method = llmem::TrainMethod::lora;
  auto plan = llmem::plan_training(prepared, o);
  int64_t seq = 256;
  int i = 0;
  for (auto _ : state) {
    o.seq = seq;
    seq = seq == 32768 ? 256 : seq * 2;
    o.batch = 1 + (i & 3);
    o.optimizer = (i & 1) ? llmem::Optimizer::adamw_8bit : llmem::Optimizer::adamw;
    o.recompute = (i & 2) ? llmem::Recompute::full : llmem::Recompute::none;
    ++i;
    benchmark::DoNotOptimize(llmem::training_numbers(prepared, plan, o).total_bytes);
  }
}
BENCHMARK(BM_TrainingNumbersFastPath);

void BM_TrainingNumbersFastPathMoE(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("deepseek-v3");
  auto prepared = llmem::prepare_model(m);
  llmem::TrainingOptions o;
  o.precision = llmem::Precision::bf16;
  o.recompute = llmem::Recompute::full;
  auto plan = llmem::plan_training(prepared, o);
  for (auto _ : state) {
    benchmark::DoNotOptimize(llmem::training_numbers(prepared, plan, o).total_bytes);
  }
}
BENCHMARK(BM_TrainingNumbersFastPathMoE);

void BM_EstimateTraining(benchmark::State& state) {
  auto m = *llmem::load_catalog_model("llama-3.1-8b");
  llmem::TrainingOptions o;
  o.method = llmem::TrainMethod::lora;
  for (auto _ : state) benchmark::DoNotOptimize(llmem::estimate_training(m, o).total_bytes);
}
BENCHMARK(BM_EstimateTraining);

}  // namespace
