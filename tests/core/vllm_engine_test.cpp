// The vLLM engine: budget, pool arithmetic, defaults per version/GPU/entry point, options and
// their refusals. Golden values come from vLLM's own start-up logs (the llm-d v0.19.0 sweep in
// tests/data/shared/validation/measurements.json) or from vLLM's source rules stated beside them
// (docs/vllm-rules.md), never from llmem's output.
#include <gtest/gtest.h>

#include <cmath>

#include "llmem/common/error.h"
#include "llmem/core/inference.h"
#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription catalog(const char* name) { return *load_catalog_model(name); }

GpuTarget h100() {
  const GpuSpec* g = find_gpu("H100-80GB");
  GpuTarget t;
  t.name = g->name;
  t.memory_bytes = g->memory_bytes;
  t.nvswitch = true;
  t.sm_count = 132;
  return t;
}

InferenceOptions llmd(int64_t max_model_len = 8192) {
  InferenceOptions o;
  o.engine = Engine::vllm;
  o.gpu = h100();
  o.vllm.gpu_memory_utilization = 0.95;
  o.vllm.max_model_len = max_model_len;
  return o;
}

InferenceNumbers run(const ModelDescription& m, const InferenceOptions& o) {
  auto p = prepare_model(m);
  return inference_numbers(p, o);
}

const Component& row(const MemoryEstimate& e, const std::string& name) {
  for (const auto& c : e.components) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no row " + name);
}

// vllm019-...-llama-3-1-8b-h100-tp1pp1dp1-8192: "Model loading took 14.99 GiB", "worker requested
// memory: 75.23GiB", KV 58.11 GiB, 476,016 tokens.
TEST(VllmEngine, Llama31At095OnH100MatchesTheV019Log) {
  auto o = llmd();
  auto n = run(catalog("llama-3.1-8b"), o);
  const VllmFigures& f = n.engine.vllm;
  EXPECT_EQ(f.max_num_batched_tokens, 8192);  // vllm serve on ≥ 70 GiB, not an A100
  EXPECT_EQ(f.max_num_seqs, 1024);
  EXPECT_NEAR(static_cast<double>(f.requested_bytes) / (1 << 30), 75.23, 0.005);
  EXPECT_NEAR(static_cast<double>(f.weights_bytes) / (1 << 30), 14.99, 0.15);      // within 1 %
  EXPECT_NEAR(static_cast<double>(f.available_kv_bytes) / (1 << 30), 58.11, 1.5);  // 2 % of 75.23
  EXPECT_NEAR(static_cast<double>(f.peak.total()) / (1 << 30), 1.89, 0.28);        // 15 %
  EXPECT_EQ(f.kv_groups, 1);
  EXPECT_EQ(f.group_size, 32);
  EXPECT_EQ(f.page_bytes, 16u * 2 * 8 * 128 * 2);  // block × (K+V) × kv heads × head × bf16
  EXPECT_TRUE(f.starts);
}

// The page arithmetic from the measured pool: Gemma-2-9b prints 21,110 blocks, 168,880 tokens and
// "Maximum concurrency for 8192 tokens per request: 20.60x" (v0.19.0 log). 2 groups of 21 layers
// (sliding and full), page 16 × 2 × 8 × 256 × 2 B: 21,110 blocks are exactly 21110 × page × 21 B.
TEST(VllmEngine, Gemma2PoolGroupsTokensAndConcurrency) {
  auto o = llmd();
  const uint64_t page = 16ull * 2 * 8 * 256 * 2;
  o.vllm.kv_cache_memory_bytes = 21110ull * page * 21;
  auto n = run(catalog("gemma-2-9b"), o);
  const VllmFigures& f = n.engine.vllm;
  EXPECT_EQ(f.kv_groups, 2);
  EXPECT_EQ(f.group_size, 21);
  EXPECT_EQ(f.num_gpu_blocks, 21110);
  EXPECT_EQ(f.kv_cache_tokens, 168880);
  EXPECT_NEAR(f.max_concurrency, 20.60, 0.005);
  // A sliding group reserves ceil(min(4095 + 8192, 8192) / 16) + 1 = 513 blocks per request.
  EXPECT_EQ(f.blocks_per_request, 512 + 513);
}

// v0.21 prints int(concurrency × L) (#41069): 21110 / 1025 × 8192 = 168,715.
TEST(VllmEngine, V021CountsTokensFromConcurrency) {
  auto o = llmd();
  o.engine_version = "0.21.0";
  o.vllm.kv_cache_memory_bytes = 21110ull * (16ull * 2 * 8 * 256 * 2) * 21;
  auto n = run(catalog("gemma-2-9b"), o);
  EXPECT_EQ(n.engine.vllm.kv_cache_tokens, 168715);
}

// Llama-4-Scout TP4 (v0.19.0 log): 4 groups of 12 layers (36 chunked, 12 full: group_size 12).
TEST(VllmEngine, Llama4ScoutChunkedAttentionGroups) {
  auto o = llmd();
  o.tp = 4;
  auto n = run(catalog("llama-4-scout-17b-16e-instruct"), o);
  EXPECT_EQ(n.engine.vllm.kv_groups, 4);
  EXPECT_EQ(n.engine.vllm.group_size, 12);
  EXPECT_EQ(n.engine.vllm.graph_modes, 1);  // only PIECEWISE graphs in the log
}

// arg_utils.get_batch_defaults: H100 vllm serve 8192/1024, LLM class 16384/1024; an A100 (any
// size) or a smaller GPU 2048/256 (serve) and 8192/256 (LLM); T capped at S × L.
TEST(VllmEngine, BatchDefaultsFollowGpuAndEntryPoint) {
  auto m = catalog("llama-3.1-8b");
  auto o = llmd();
  o.vllm.entry_point = VllmEntryPoint::llm;
  EXPECT_EQ(run(m, o).engine.vllm.max_num_batched_tokens, 16384);
  const GpuSpec* a100 = find_gpu("A100-80GB");
  o.gpu.name = a100->name;
  o.gpu.memory_bytes = a100->memory_bytes;
  EXPECT_EQ(run(m, o).engine.vllm.max_num_batched_tokens, 8192);
  EXPECT_EQ(run(m, o).engine.vllm.max_num_seqs, 256);
  o.vllm.entry_point = VllmEntryPoint::serve;
  EXPECT_EQ(run(m, o).engine.vllm.max_num_batched_tokens, 2048);
  o.vllm.max_num_seqs = 1;
  o.vllm.max_model_len = 1024;
  EXPECT_EQ(run(m, o).engine.vllm.max_num_batched_tokens, 1024);  // min(T, S × L)
}

// v0.19 keeps the graph estimate out of the budget; v0.21 subtracts it (default
// VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=1, gpu_memory_utilization 0.92), and turning the flag
// off gives the larger pool back (vllm#45178).
TEST(VllmEngine, V021SubtractsTheGraphEstimate) {
  auto m = catalog("llama-3.1-8b");
  auto o = llmd();
  o.vllm.gpu_memory_utilization.reset();
  auto v19 = run(m, o).engine.vllm;
  EXPECT_DOUBLE_EQ(v19.gpu_memory_utilization, 0.9);
  EXPECT_FALSE(v19.graph_estimate_subtracted);
  o.engine_version = "0.21";
  auto v21 = run(m, o).engine.vllm;
  EXPECT_DOUBLE_EQ(v21.gpu_memory_utilization, 0.92);
  EXPECT_TRUE(v21.graph_estimate_subtracted);
  o.vllm.gpu_memory_utilization = 0.9;
  auto v21_same_util = run(m, o).engine.vllm;
  EXPECT_EQ(v21_same_util.available_kv_bytes + v21_same_util.cuda_graph_estimate_bytes,
            v19.available_kv_bytes);
  o.vllm.estimate_cudagraphs = false;
  EXPECT_EQ(run(m, o).engine.vllm.available_kv_bytes, v19.available_kv_bytes);
}

// The device holds baseline + requested + the captured graphs: at 0.99 an 80 GB card overflows
// (vllm#21489: graphs were not counted, ~1.3 GB over budget, OOM).
TEST(VllmEngine, UtilisationNearOneDoesNotFit) {
  auto o = llmd();
  o.vllm.gpu_memory_utilization = 0.99;
  auto n = run(catalog("llama-3.1-8b"), o);
  EXPECT_GT(n.total_bytes, h100().memory_bytes);
  o.vllm.gpu_memory_utilization = 0.95;
  EXPECT_LT(run(catalog("llama-3.1-8b"), o).total_bytes, h100().memory_bytes);
}

// The graph pool is a range, not a point, and the range widens with tp (vllm#51590).
TEST(VllmEngine, GraphRangeWidensWithTensorParallelism) {
  auto m = catalog("qwen2.5-7b-instruct");
  auto o = llmd();
  auto a = run(m, o).engine.vllm.cuda_graphs;
  EXPECT_LT(a.low, a.bytes);
  EXPECT_GT(a.high, a.bytes);
  o.tp = 4;
  auto b = run(m, o).engine.vllm.cuda_graphs;
  EXPECT_GT(static_cast<double>(b.high) / static_cast<double>(b.bytes),
            static_cast<double>(a.high) / static_cast<double>(a.bytes));
  o.vllm.enforce_eager = true;
  EXPECT_EQ(run(m, o).engine.vllm.cuda_graphs.bytes, 0u);
}

// --kv-cache-memory-bytes: the pool is exactly that; gpu_memory_utilization ignored.
TEST(VllmEngine, KvCacheMemoryBytesIsThePool) {
  auto o = llmd();
  o.vllm.kv_cache_memory_bytes = 10ull << 30;
  auto n = run(catalog("llama-3.1-8b"), o);
  EXPECT_EQ(n.engine.vllm.available_kv_bytes, 10ull << 30);
  EXPECT_EQ(n.engine.vllm.num_gpu_blocks,
            static_cast<int64_t>((10ull << 30) / (16ull * 2 * 8 * 128 * 2 * 32)));
}

// max_model_len auto: one full-attention group → a whole number of 16-token blocks
// (_auto_fit_max_model_len; all four reduced KAITO lengths are multiples of 16).
TEST(VllmEngine, AutoMaxModelLenIsWholeBlocks) {
  auto o = llmd();
  o.vllm.max_model_len.reset();
  o.vllm.max_model_len_auto = true;
  o.vllm.kv_cache_memory_bytes = 1ull << 30;  // 8192 tokens of Llama-3.1-8B bf16
  auto n = run(catalog("llama-3.1-8b"), o);
  EXPECT_EQ(n.engine.vllm.max_model_len, 8192);
  EXPECT_EQ(n.engine.vllm.max_model_len_max, 8192);
  EXPECT_TRUE(n.engine.vllm.starts);
}

// A hybrid Mamba model: the state is a fixed page per request padded to the attention page, so
// KV per token is never 0 and auto-fit gives a finite length (modelship#195).
TEST(VllmEngine, HybridMambaPoolHasFinitePerTokenCost) {
  auto o = llmd();
  o.vllm.max_model_len.reset();
  o.vllm.max_model_len_auto = true;
  o.tp = 4;  // 56 B parameters in bf16 need more than one 80 GB card
  auto n = run(catalog("nemotron-h-56b-base-8k"), o);
  EXPECT_GT(n.engine.vllm.page_bytes, 0u);
  EXPECT_GT(n.engine.vllm.block_size, 16);  // raised so the attention page covers the Mamba page
  EXPECT_GT(n.engine.vllm.max_model_len_max, 0);
  EXPECT_LE(n.engine.vllm.max_model_len_max, 8192);
}

// DeepSeek's MLA latent: (kv_lora_rank + qk_rope_head_dim) × 2 B = 1,152 B per token per layer,
// no factor 2 (MLAAttentionSpec).
TEST(VllmEngine, MlaPageIsTheLatent) {
  auto o = llmd();
  o.tp = 8;
  auto n = run(catalog("deepseek-v3"), o);
  EXPECT_EQ(n.engine.vllm.page_bytes, 16u * 1152);
}

// LoRA: per wrapped linear layer and slice lora_a (r × in) + lora_b (out × r) per adapter, in the
// model dtype (vllm/lora/layers create_lora_weights). Llama-3.1-8B, r 16, 2 adapters, tp 1:
// per layer q,k,v,o,gate,up,down = r × (4096·4 + 4096·2 + 14336) + r × (4096 + 1024·2 + 4096 +
// 14336·2 + 4096) = 16 × 38912 + 16 × 43008 bytes-elements.
TEST(VllmEngine, LoraSlotsFollowTheWrappedLayers) {
  auto o = llmd();
  o.vllm.max_loras = 2;
  o.vllm.max_lora_rank = 16;
  auto n = run(catalog("llama-3.1-8b"), o);
  const uint64_t per_layer =
      16ull * (4096 * 4 + 4096 * 2 + 14336) + 16ull * (4096 + 1024 * 2 + 4096 + 14336 * 2 + 4096);
  EXPECT_EQ(n.worst.parts[Part::lora_slots], per_layer * 32 * 2 * 2);
}

// --cpu-offload-gb moves at least that many bytes of weights to the host.
TEST(VllmEngine, CpuOffloadMovesWeightsToTheHost) {
  auto o = llmd();
  auto before = run(catalog("llama-3.1-8b"), o).engine.vllm.weights_bytes;
  o.vllm.cpu_offload_gb = 4;
  auto n = run(catalog("llama-3.1-8b"), o);
  EXPECT_EQ(n.host[HostPart::weights_offloaded], 4ull << 30);
  EXPECT_EQ(n.engine.vllm.weights_bytes, before - (4ull << 30));
}

// MTP adds one layer to the pool and the rejection sampler to the profile peak.
TEST(VllmEngine, SpeculativeMtpAddsALayerAndDraftLogits) {
  auto o = llmd();
  o.tp = 8;
  auto base = run(catalog("deepseek-v3"), o).engine.vllm;
  o.vllm.speculative_config.method = SpeculativeMethod::mtp;
  o.vllm.speculative_config.num_speculative_tokens = 1;
  auto mtp = run(catalog("deepseek-v3"), o).engine.vllm;
  EXPECT_EQ(mtp.group_size, base.group_size + 1);
  EXPECT_GT(mtp.peak.drafter, 0u);
}

// No GPU named: the pool holds `batch` requests of max_model_len, and the estimate says so.
TEST(VllmEngine, WithoutAGpuThePoolHoldsTheBatch) {
  InferenceOptions o;
  o.engine = Engine::vllm;
  o.batch = 3;
  o.vllm.max_model_len = 4096;
  auto e = estimate_inference(catalog("llama-3.1-8b"), o);
  EXPECT_EQ(row(e, "kv_cache").bytes, 3ull * 256 * 16 * 131072);
  EXPECT_NE(e.notes[0].find("no GPU named"), std::string::npos);
}

TEST(VllmEngine, EstimateRowsAddUpAndNameTheEngine) {
  for (const char* name : {"llama-3.1-8b", "gemma-2-9b", "mixtral-8x7b-v0.1", "deepseek-v3",
                           "gpt-oss-20b", "nemotron-h-56b-base-8k"}) {
    SCOPED_TRACE(name);
    auto o = llmd();
    o.vllm.max_model_len.reset();
    o.tp = std::string(name) == "deepseek-v3" ? 8 : 1;
    o.pp = std::string(name) == "gemma-2-9b" ? 2 : 1;
    auto e = estimate_inference(catalog(name), o);
    EXPECT_NO_THROW(check_consistency(e.components, e.total_bytes));
    ASSERT_FALSE(e.engine.empty());
    EXPECT_EQ(std::get<std::string>(e.engine[0].second), "vllm");
    for (const auto& c : e.components) EXPECT_GT(c.bytes, 0u) << c.name;
  }
}

// Every vLLM option refuses a bad value, naming the option and what is accepted.
TEST(VllmEngine, BadValuesNameTheOption) {
  auto m = catalog("llama-3.1-8b");
  auto p = prepare_model(m);
  auto bad = [&](auto mutate, const char* field, const char* message) {
    auto o = llmd();
    mutate(o);
    EXPECT_FIELD_ERROR(validate_inference_options(p, o), field, message);
  };
  bad([](InferenceOptions& o) { o.vllm.gpu_memory_utilization = 0; }, "gpu_memory_utilization",
      "--gpu-memory-utilization is 0 but must be in (0, 1]");
  bad([](InferenceOptions& o) { o.vllm.gpu_memory_utilization = 1.5; }, "gpu_memory_utilization",
      "--gpu-memory-utilization is 1.5 but must be in (0, 1]");
  bad([](InferenceOptions& o) { o.vllm.max_model_len = 0; }, "max_model_len",
      "--max-model-len is 0 but must be a positive number of tokens (or auto)");
  bad([](InferenceOptions& o) { o.vllm.max_model_len = 200000; }, "max_model_len",
      "--max-model-len is 200000 but exceeds the model's maximum of 131072 tokens "
      "(max_position_embeddings); vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1");
  bad([](InferenceOptions& o) { o.vllm.max_num_seqs = 0; }, "max_num_seqs",
      "--max-num-seqs is 0 but must be a positive integer");
  bad([](InferenceOptions& o) { o.vllm.max_num_batched_tokens = -3; }, "max_num_batched_tokens",
      "--max-num-batched-tokens is -3 but must be a positive integer");
  bad(
      [](InferenceOptions& o) {
        o.vllm.max_num_seqs = 256;
        o.vllm.max_num_batched_tokens = 128;
      },
      "max_num_batched_tokens",
      "--max-num-batched-tokens is 128 but must be at least max_num_seqs (256)");
  bad([](InferenceOptions& o) { o.vllm.block_size = 7; }, "block_size",
      "--block-size is 7 but must be one of 1, 8, 16, 32, 64, 128, 256");
  bad([](InferenceOptions& o) { o.vllm.max_loras = -1; }, "max_loras",
      "--max-loras is -1 but must be in [0, 4096] (0: LoRA off)");
  bad([](InferenceOptions& o) { o.vllm.max_lora_rank = 12; }, "max_lora_rank",
      "--max-lora-rank is 12 but must be one of 1, 8, 16, 32, 64, 128, 256, 320, 512");
  bad([](InferenceOptions& o) { o.vllm.cpu_offload_gb = -1; }, "cpu_offload_gb",
      "--cpu-offload-gb is -1 but must be at least 0 GiB");
  bad([](InferenceOptions& o) { o.vllm.kv_cache_memory_bytes = 0; }, "kv_cache_memory_bytes",
      "--kv-cache-memory-bytes is 0 but must be a positive number of bytes");
  bad(
      [](InferenceOptions& o) {
        o.vllm.speculative_config.method = SpeculativeMethod::mtp;
        o.vllm.speculative_config.num_speculative_tokens = 0;
      },
      "speculative_config",
      "--speculative-config is num_speculative_tokens=0 but needs num_speculative_tokens in [1, "
      "64]");
  bad(
      [](InferenceOptions& o) {
        o.vllm.speculative_config.method = SpeculativeMethod::eagle;
        o.vllm.speculative_config.num_speculative_tokens = 3;
      },
      "speculative_config",
      "--speculative-config is a method without a model but names a drafting method that needs "
      "a draft model, and none was given");
  bad([](InferenceOptions& o) { o.kv_dtype = KvDType::q8_0; }, "kv_dtype",
      "--kv-dtype is q8_0 but is not a vLLM --kv-cache-dtype; accepted: auto, bf16, fp16, fp8 "
      "(fp8_e4m3), fp8_e5m2");
  bad([](InferenceOptions& o) { o.engine_version = "0.10.2"; }, "engine_version",
      "--engine-version '0.10.2' is not a vLLM version llmem models; accepted: 0.17, 0.18, 0.19 "
      "(the v0.19.0 rules), 0.20 and later (the v0.21 line's rules)");
}

// The generic engine's results do not change with the engine seam: the default estimate of the
// default model keeps its total (docs/inference.md's README figure is its own test; here the
// generic path must not read engine options).
TEST(VllmEngine, GenericIgnoresEngineOptions) {
  auto m = catalog("llama-3.1-8b");
  InferenceOptions a, b;
  b.vllm.gpu_memory_utilization = 0.5;
  b.gpu = h100();
  b.llamacpp.n_gpu_layers = 3;
  EXPECT_EQ(estimate_inference(m, a).total_bytes, estimate_inference(m, b).total_bytes);
  b.engine_version = "0.19";
  EXPECT_FIELD_ERROR(estimate_inference(m, b), "engine_version",
                     "--engine-version '0.19' applies to an engine; the generic engine has no "
                     "versions (use engine vllm, llamacpp or hf)");
}

}  // namespace
}  // namespace llmem
