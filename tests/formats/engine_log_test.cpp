// Reading engine start-up logs (llmem compare LOG): vLLM's and llama.cpp's own figures and
// settings, and the FormatError for a log neither engine wrote. The lines are quoted from public
// logs: llm-d-incubation/llm-d-planner accuracy/results/v0.19.0/logs/
// meta-llama-llama-3-1-8b---h100-80gb--tp1pp2dp1--8192.log @ d3121e05 (vLLM v0.19.0, PP2), and the
// as_printed lines of tests/data/shared/validation/measurements.json (llama.cpp).
#include "llmem/formats/engine_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmem/common/error.h"
#include "test_util.h"

namespace llmem {
namespace {

constexpr const char* k_vllm =
    R"((APIServer pid=1) INFO 04-22 01:42:32 [entrypoints/utils.py:233] non-default args: {'model_tag': 'meta-llama/Llama-3.1-8B-Instruct', 'model': 'meta-llama/Llama-3.1-8B-Instruct', 'max_model_len': 8192, 'pipeline_parallel_size': 2, 'gpu_memory_utilization': 0.95, 'enable_prefix_caching': False}
(EngineCore pid=243) INFO 04-22 01:42:43 [v1/engine/core.py:105] Initializing a V1 LLM engine (v0.19.0) with config: model='meta-llama/Llama-3.1-8B-Instruct', speculative_config=None, tokenizer='meta-llama/Llama-3.1-8B-Instruct', dtype=torch.bfloat16, max_seq_len=8192, download_dir=None
(Worker pid=442) DEBUG 04-22 01:42:55 [v1/worker/gpu_worker.py:284] worker init memory snapshot: torch_peak=0.0GiB, free_memory=77.76GiB, total_memory=79.19GiB, cuda_memory=1.43GiB, torch_memory=0.0GiB, non_torch_memory=1.43GiB, timestamp=1776822175.437332, auto_measure=True
(Worker pid=442) DEBUG 04-22 01:42:55 [v1/worker/gpu_worker.py:285] worker requested memory: 75.23GiB
(Worker_PP0 pid=442) INFO 04-22 01:43:00 [v1/worker/gpu_model_runner.py:4820] Model loading took 7.51 GiB memory and 3.992785 seconds
(Worker_PP0 pid=442) INFO 04-22 01:43:10 [v1/worker/gpu_model_runner.py:5955] Estimated CUDA graph memory: 0.54 GiB total
(Worker_PP0 pid=442) DEBUG 04-22 01:43:10 [v1/worker/gpu_worker.py:435] Memory profiling takes 9.87 seconds. Total non KV cache memory: 8.69GiB; torch peak memory increase: 1.1GiB; non-torch forward increase memory: 0.07GiB; weights memory: 7.51GiB.
(Worker_PP0 pid=442) INFO 04-22 01:43:10 [v1/worker/gpu_worker.py:436] Available KV cache memory: 66.54 GiB
(Worker_PP1 pid=443) DEBUG 04-22 01:43:15 [v1/worker/gpu_worker.py:435] Memory profiling takes 14.85 seconds. Total non KV cache memory: 9.6GiB; torch peak memory increase: 2.01GiB; non-torch forward increase memory: 0.07GiB; weights memory: 7.51GiB.
(EngineCore pid=243) INFO 04-22 01:43:15 [v1/core/kv_cache_utils.py:1319] GPU KV cache size: 1,075,312 tokens
(EngineCore pid=243) INFO 04-22 01:43:15 [v1/core/kv_cache_utils.py:1324] Maximum concurrency for 8,192 tokens per request: 131.26x
(Worker_PP0 pid=442) INFO 04-22 01:43:18 [v1/worker/gpu_model_runner.py:6046] Graph capturing finished in 3 secs, took 0.65 GiB
(APIServer pid=1) DEBUG 04-22 01:43:19 [v1/metrics/loggers.py:273] Engine 000: vllm cache_config_info with initialization after num_gpu_blocks is: 67207
)";

// llamacpp-phi3-mini-q4km-rtx3070's as_printed lines (its log's older function names).
constexpr const char* k_llamacpp = R"(load_tensors: offloaded 33/33 layers to GPU
load_tensors:        CUDA0 model buffer size =  2228.82 MiB
load_tensors:   CPU_Mapped model buffer size =    52.84 MiB
llama_context: n_ctx         = 4096
llama_context: n_batch       = 256
llama_context: n_ubatch      = 256
llama_context:  CUDA_Host  output buffer size =     0.12 MiB
llama_kv_cache_unified:      CUDA0 KV buffer size =  1536.00 MiB
llama_kv_cache_unified: size = 1536.00 MiB (  4096 cells,  32 layers,  1 seqs), K (f16):  768.00 MiB, V (f16):  768.00 MiB
llama_context:      CUDA0 compute buffer size =   150.00 MiB
llama_context:  CUDA_Host compute buffer size =     7.00 MiB
)";

double value(const EngineLog& log, const char* key) {
  const EngineLogFigure* f = log.figure(key);
  EXPECT_NE(f, nullptr) << key;
  return f ? f->value : -1;
}

TEST(EngineLog, ReadsVllmFiguresAndSettings) {
  EngineLog log = read_engine_log(k_vllm, "vllm.log");
  EXPECT_EQ(log.engine, "vllm");
  EXPECT_EQ(log.version, "0.19.0");
  EXPECT_DOUBLE_EQ(value(log, "weights_model_loading"), 7.51);
  EXPECT_DOUBLE_EQ(value(log, "available_kv_cache_memory"), 66.54);
  EXPECT_DOUBLE_EQ(value(log, "gpu_kv_cache_size_tokens"), 1075312);
  EXPECT_DOUBLE_EQ(value(log, "max_concurrency"), 131.26);
  EXPECT_DOUBLE_EQ(value(log, "num_gpu_blocks"), 67207);
  EXPECT_DOUBLE_EQ(value(log, "cuda_graph_memory_actual"), 0.65);
  EXPECT_DOUBLE_EQ(value(log, "cuda_graph_memory_estimated"), 0.54);
  EXPECT_DOUBLE_EQ(value(log, "init_total_memory"), 79.19);
  EXPECT_DOUBLE_EQ(value(log, "init_non_torch_memory"), 1.43);
  EXPECT_DOUBLE_EQ(value(log, "requested_memory"), 75.23);
  // per pipeline worker
  EXPECT_DOUBLE_EQ(value(log, "torch_peak_memory_increase_activation[Worker_PP0]"), 1.1);
  EXPECT_DOUBLE_EQ(value(log, "torch_peak_memory_increase_activation[Worker_PP1]"), 2.01);
  EXPECT_DOUBLE_EQ(value(log, "total_non_kv_cache_memory[Worker_PP1]"), 9.6);
  ASSERT_NE(log.setting("pipeline_parallel_size"), nullptr);
  EXPECT_EQ(*log.setting("pipeline_parallel_size"), "2");
  EXPECT_EQ(*log.setting("gpu_memory_utilization"), "0.95");
  EXPECT_EQ(*log.setting("model"), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(*log.setting("dtype"), "torch.bfloat16");
  EXPECT_EQ(*log.setting("max_model_len"), "8192");
}

TEST(EngineLog, ReadsLlamaCppBuffers) {
  EngineLog log = read_engine_log(k_llamacpp, "llama.log");
  EXPECT_EQ(log.engine, "llamacpp");
  EXPECT_DOUBLE_EQ(value(log, "cuda0_model_buffer"), 2228.82);
  EXPECT_DOUBLE_EQ(value(log, "cpu_mapped_model_buffer"), 52.84);
  EXPECT_DOUBLE_EQ(value(log, "cuda0_kv_buffer"), 1536.00);
  EXPECT_DOUBLE_EQ(value(log, "kv_size"), 1536.00);
  EXPECT_DOUBLE_EQ(value(log, "cuda0_compute_buffer"), 150.00);
  EXPECT_DOUBLE_EQ(value(log, "cuda_host_compute_buffer"), 7.00);
  EXPECT_DOUBLE_EQ(value(log, "cuda_host_output_buffer"), 0.12);
  EXPECT_EQ(*log.setting("n_ctx"), "4096");
  EXPECT_EQ(*log.setting("n_ubatch"), "256");
  EXPECT_EQ(*log.setting("n_gpu_layers"), "33/33");
  EXPECT_EQ(*log.setting("kv_cells"), "4096");
  EXPECT_EQ(*log.setting("type_k"), "f16");
}

TEST(EngineLog, EmitsAMeasurementRecord) {
  EngineLog log = read_engine_log(k_vllm, "vllm.log");
  auto j = nlohmann::json::parse(engine_log_record_json(log, "my-case", "vllm.log"));
  EXPECT_EQ(j["kind"], "inference-vllm");
  EXPECT_EQ(j["model"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(j["config"]["vllm_version"], "0.19.0");
  EXPECT_DOUBLE_EQ(j["measured"]["available_kv_cache_memory"]["value"].get<double>(), 66.54);
  EXPECT_EQ(j["measured"]["available_kv_cache_memory"]["unit"], "GiB");
}

TEST(EngineLog, UnrecognisedLogSaysWhatWasExpected) {
  EXPECT_THROW_MSG(
      read_engine_log("hello\nworld\n", "notes.txt"), FormatError,
      "notes.txt: no vLLM or llama.cpp start-up line recognised; expected a vLLM log (\"Model "
      "loading took … GiB\", \"Available KV cache memory: … GiB\", \"GPU KV cache size: … "
      "tokens\") or a llama.cpp log (\"load_tensors: … model buffer size = … MiB\", \"… KV buffer "
      "size = … MiB\", \"… compute buffer size = … MiB\")");
}

}  // namespace
}  // namespace llmem
