// The llama.cpp engine (build v0.5.0): context sizes, KV layout, layer placement, CUDA padding,
// llama-server's defaults and --fit, the -ot pattern subset, and every option's refusal. The
// paths node-llama-cpp cannot reach (unified KV, n_ubatch ≠ n_batch, GPUs) are checked against
// llama.cpp's source rules (docs/llamacpp-rules.md) and its shared logs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/engines/llamacpp.h"
#include "llmem/common/error.h"
#include "llmem/core/inference.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription catalog(const char* name) { return *load_catalog_model(name); }

InferenceOptions cli(int64_t n_ctx, int64_t seqs = 1) {
  InferenceOptions o;
  o.engine = Engine::llamacpp;
  o.batch = seqs;
  o.batch_given = true;
  o.llamacpp.n_ctx = n_ctx;
  o.llamacpp.fit = false;
  return o;
}

InferenceNumbers run(const ModelDescription& m, const InferenceOptions& o) {
  auto p = prepare_model(m);
  validate_inference_options(p, o);
  return inference_numbers(p, engine_plan(p, o), o, engine_model(o.engine));
}

// Phi-3: llama.cpp disables the sliding window in every build up to v0.5.0 (src/models/phi3.cpp,
// "Phi SWA is currently disabled"): 4096 cells on all 32 layers, 32 × 4096 × 3072 × 2 B × 2 =
// 1536 MiB in f16 — the shared RTX 3070 log's "CUDA0 KV buffer size = 1536.00 MiB".
TEST(LlamaCppEngine, Phi3KeepsEveryCell) {
  auto o = cli(4096);
  o.llamacpp.flash_attn = FlashAttn::off;
  auto n = run(catalog("phi-3-mini-4k-instruct"), o);
  EXPECT_EQ(n.engine.llamacpp.kv_buffer_bytes, 1536ull << 20);
  EXPECT_EQ(n.engine.llamacpp.swa_cells, 0);
  EXPECT_EQ(n.worst.parts[Part::kv_full_attention], 1536ull << 20);
}

// llama_context::llama_context: n_batch capped by the unpadded n_ctx, n_ctx padded to 256, one
// stream per sequence padded to 256 (-c 1024 -np 3 → n_ctx_seq 512, n_ctx 1536 in the real run),
// a unified cache keeps one stream of n_ctx cells.
TEST(LlamaCppEngine, ContextSizes) {
  auto p = prepare_model(catalog("llama-3.1-8b"));
  auto o = cli(1000);
  auto c = engines::llamacpp::make_context(p, o, 1000);
  EXPECT_EQ(c.n_batch, 1000);
  EXPECT_EQ(c.n_ctx, 1024);
  o = cli(1024, 3);
  c = engines::llamacpp::make_context(p, o, 1024);
  EXPECT_EQ(c.n_ctx_seq, 512);
  EXPECT_EQ(c.n_ctx, 1536);
  EXPECT_EQ(c.n_stream, 3);
  o.llamacpp.kv_unified = true;
  c = engines::llamacpp::make_context(p, o, 1024);
  EXPECT_EQ(c.n_ctx_seq, 1024);
  EXPECT_EQ(c.n_stream, 1);
  o.llamacpp.batch_size = 2048;
  o.llamacpp.ubatch_size = 256;
  c = engines::llamacpp::make_context(p, o, 4096);
  EXPECT_EQ(c.n_batch, 2048);
  EXPECT_EQ(c.n_ubatch, 256);  // node-llama-cpp cannot reach n_ubatch ≠ n_batch
}

// SWA cells per stream: pad256(min(size_base, n_swa × (unified ? n_seq : 1) + n_ubatch))
// (src/llama-kv-cache-iswa.cpp). Gemma-2-9B (window 4096), 4 unified slots, n_ubatch 512,
// n_ctx 32768: min(32768, 4 × 4096 + 512) = 16896 cells; non-unified: 4096 + 512 = 4608 per stream.
TEST(LlamaCppEngine, SlidingWindowCellsUnifiedAndNot) {
  auto m = catalog("gemma-2-9b");
  auto o = cli(32768, 4);
  o.llamacpp.kv_unified = true;
  EXPECT_EQ(run(m, o).engine.llamacpp.swa_cells, 16896);
  o.llamacpp.kv_unified = false;
  EXPECT_EQ(run(m, o).engine.llamacpp.swa_cells, 4608);
  o.llamacpp.swa_full = true;
  EXPECT_EQ(run(m, o).engine.llamacpp.swa_cells, 8192);
}

// n_gpu_layers counts from the back with the output layer as one (load_tensors): -ngl 1 puts only
// the output layer on the GPU; token_embd always stays on the CPU.
TEST(LlamaCppEngine, GpuLayersCountFromTheBack) {
  auto p = prepare_model(catalog("llama-3.1-8b"));
  InferenceOptions o = cli(4096);
  auto pl = engines::llamacpp::place(p, o, 1);
  EXPECT_EQ(pl.device_of(32), 0);  // the output layer
  EXPECT_EQ(pl.device_of(31), -1);
  pl = engines::llamacpp::place(p, o, 32);
  EXPECT_EQ(pl.device_of(0), -1);
  EXPECT_EQ(pl.device_of(1), 0);
  pl = engines::llamacpp::place(p, o, -1);
  EXPECT_EQ(pl.device_of(0), 0);
  o.tp = 2;
  o.llamacpp.tensor_split = {3, 1};
  pl = engines::llamacpp::place(p, o, -1);
  EXPECT_EQ(pl.device_of(24), 0);  // 25 / 33 ≤ 0.75
  EXPECT_EQ(pl.device_of(25), 1);
}

// The shared pythia-2.8b logs (ggml CI, V100, -ngl 99, -c 0 → 2048, f16 KV): the CUDA0 model
// buffer holds every layer and the output, the CPU_Mapped buffer token_embd alone (the input layer
// stays on the CPU). f16: 5049.71 / 245.62 MiB; q8_0: 2684.57 / 130.49 (rows of 2560 and 10240
// are multiples of 512: no row padding); q4_0 with llama-quantize's q6_K output: 1454.83 / 69.08;
// KV 640.00 and the output buffer 0.19 MiB in all three. The config is the log's own hparams.
TEST(LlamaCppEngine, CudaBuffersOfTheSharedPythiaLogs) {
  std::ifstream in(std::string(LLMEM_SOURCE_DIR) + "/tests/data/engines/models/pythia-2.8b.json");
  std::stringstream text;
  text << in.rdbuf();
  auto m = load_hf_config(text.str(), {});
  struct Case {
    const char* weights;
    double cuda, mapped;
  } cases[] = {{"fp16", 5049.71, 245.62}, {"q8_0", 2684.57, 130.49}, {"q4_0", 1454.83, 69.08}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.weights);
    auto o = cli(2048);
    o.llamacpp.flash_attn = FlashAttn::off;
    o.weights = parse_weight_format(c.weights);
    if (o.weights->scheme == WeightScheme::dense) o.weights->dtype = DType::f16;
    auto n = run(m, o);
    // llama.cpp's "%.2f" of bytes / 2^20: glibc rounds exact ties to even (245.625 → 245.62)
    auto mib = [](uint64_t b) {
      const uint64_t scaled = b * 100, d = uint64_t{1} << 20;
      uint64_t q = scaled / d;
      if ((scaled % d) * 2 > d || ((scaled % d) * 2 == d && q % 2 == 1)) ++q;
      return static_cast<double>(q) / 100;
    };
    EXPECT_DOUBLE_EQ(mib(n.engine.llamacpp.device[0].model), c.cuda);
    EXPECT_DOUBLE_EQ(mib(n.host[HostPart::weights_mapped]), c.mapped);
    EXPECT_DOUBLE_EQ(mib(n.engine.llamacpp.kv_buffer_bytes), 640.00);
    EXPECT_DOUBLE_EQ(mib(n.engine.llamacpp.output_bytes), 0.19);
  }
}

// llama-server's defaults: 4 slots with a unified cache, the training context for each under
// --fit, which reduces it to leave 1024 MiB free on a GPU too small for it.
TEST(LlamaCppEngine, ServerDefaultsAndFit) {
  auto m = catalog("llama-3.1-8b");
  InferenceOptions o;
  o.engine = Engine::llamacpp;
  o.weights = parse_weight_format("q4_k_m");
  auto n = run(m, o);
  EXPECT_EQ(n.engine.llamacpp.n_seq_max, 4);
  EXPECT_TRUE(n.engine.llamacpp.kv_unified);
  EXPECT_EQ(n.engine.llamacpp.n_ctx, 131072 * 4);
  const GpuSpec* g = find_gpu("RTX-4090");
  o.gpu.name = g->name;
  o.gpu.memory_bytes = g->memory_bytes;
  auto fit = run(m, o);
  EXPECT_TRUE(fit.engine.llamacpp.fit_applied);
  EXPECT_LT(fit.engine.llamacpp.n_ctx, 131072 * 4);
  EXPECT_EQ(fit.engine.llamacpp.n_ctx % 256, 0);
  EXPECT_LE(fit.total_bytes + (1024ull << 20) - (60ull << 20), g->memory_bytes);
  EXPECT_EQ(fit.engine.llamacpp.n_gpu_layers, 33);  // the whole model fits at a smaller context
}

// A CPU-only run on an AMX machine copies f16 projections into AMX; on AVX2 without AMX q4_0
// matrices with rows % 8 == 0 go to CPU_REPACK; with a GPU present the host weights stay mapped.
TEST(LlamaCppEngine, CpuBufferTypesFollowTheVariant) {
  auto m = catalog("llama-3.2-1b-instruct");
  auto o = cli(2048);
  o.llamacpp.devices = 0;
  o.weights = parse_weight_format("q4_0");
  o.llamacpp.cpu_variant = "haswell";
  auto n = run(m, o);
  EXPECT_GT(n.host[HostPart::weights_repack], 0u);
  EXPECT_EQ(n.host[HostPart::weights_amx], 0u);
  o.llamacpp.cpu_variant = "sapphirerapids";
  n = run(m, o);
  EXPECT_GT(n.host[HostPart::weights_amx], 0u);
  o.llamacpp.cpu_variant = "x64";
  n = run(m, o);
  EXPECT_EQ(n.host[HostPart::weights_repack] + n.host[HostPart::weights_amx], 0u);
  o.llamacpp.devices = 1;
  o.llamacpp.n_gpu_layers = 0;
  o.llamacpp.cpu_variant = "sapphirerapids";
  n = run(m, o);
  EXPECT_EQ(n.host[HostPart::weights_repack] + n.host[HostPart::weights_amx], 0u);
  EXPECT_GT(n.host[HostPart::weights_mapped], 0u);
}

// --n-cpu-moe N keeps the experts of the first N layers on the host.
TEST(LlamaCppEngine, CpuMoeMovesExperts) {
  auto m = catalog("qwen3-30b-a3b");
  auto o = cli(4096);
  o.weights = parse_weight_format("q4_k_m");
  auto all = run(m, o);
  o.llamacpp.n_cpu_moe = 10;
  auto some = run(m, o);
  EXPECT_LT(some.worst.parts[Part::weights_experts], all.worst.parts[Part::weights_experts]);
  o.llamacpp.n_cpu_moe = 0;
  o.llamacpp.override_tensor = {{"\\.ffn_(up|down|gate)_exps", "CPU"}};
  auto ot = run(m, o);
  // only the routers (ffn_gate_inp, f32 2048 × 128 per layer, 48 layers) stay on the GPU
  EXPECT_EQ(ot.worst.parts[Part::weights_experts], 48ull * 2048 * 128 * 4);
}

TEST(LlamaCppEngine, PatternSubset) {
  using engines::llamacpp::pattern_search;
  EXPECT_TRUE(pattern_search("\\.ffn_(up|down|gate)_exps", "blk.3.ffn_up_exps.weight"));
  EXPECT_FALSE(pattern_search("\\.ffn_(up|down|gate)_exps", "blk.3.ffn_up_shexp.weight"));
  EXPECT_TRUE(pattern_search("blk\\.(1[0-9]|2[0-3])\\.", "blk.17.attn_q.weight"));
  EXPECT_FALSE(pattern_search("blk\\.(1[0-9]|2[0-3])\\.", "blk.27.attn_q.weight"));
  EXPECT_TRUE(pattern_search("^token_embd", "token_embd.weight"));
  EXPECT_FALSE(pattern_search("^embd", "token_embd.weight"));
  EXPECT_TRUE(pattern_search("exps\\.weight$", "blk.0.ffn_down_exps.weight"));
  EXPECT_TRUE(pattern_search("blk\\.\\d{2}\\.", "blk.42.x"));
  EXPECT_FALSE(pattern_search("blk\\.\\d{3}\\.", "blk.42.x"));
  EXPECT_TRUE(pattern_search("[^a-z]exps", "up_exps"));
}

TEST(LlamaCppEngine, EstimateRowsAddUpWithHostComponents) {
  auto o = cli(8192, 2);
  o.weights = parse_weight_format("q4_k_m");
  o.llamacpp.n_gpu_layers = 20;
  auto e = estimate_inference(catalog("llama-3.1-8b"), o);
  EXPECT_NO_THROW(check_consistency(e.components, e.total_bytes));
  EXPECT_NO_THROW(check_consistency(e.cpu_components, e.cpu_bytes));
  EXPECT_GT(e.cpu_bytes, 0u);
  bool logged = false;
  for (const auto& [k, v] : e.engine) {
    if (k == "log")
      logged = std::get<std::string>(v).find("CUDA0 KV buffer size") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

// Every llama.cpp option refuses a bad value, naming it and what is accepted.
TEST(LlamaCppEngine, BadValuesNameTheOption) {
  auto p = prepare_model(catalog("llama-3.1-8b"));
  auto bad = [&](auto mutate, const char* field, const char* message) {
    auto o = cli(4096);
    mutate(o);
    EXPECT_FIELD_ERROR(validate_inference_options(p, o), field, message);
  };
  bad([](InferenceOptions& o) { o.llamacpp.n_ctx = -1; }, "n_ctx",
      "--n-ctx is -1 but must be 0 (the training context) or a positive number of cells");
  bad([](InferenceOptions& o) { o.llamacpp.batch_size = 0; }, "batch_size",
      "--batch-size is 0 but must be a positive integer");
  bad([](InferenceOptions& o) { o.llamacpp.ubatch_size = 0; }, "ubatch_size",
      "--ubatch-size is 0 but must be a positive integer");
  bad([](InferenceOptions& o) { o.llamacpp.n_gpu_layers = -2; }, "n_gpu_layers",
      "--n-gpu-layers is -2 but must be -1 (all) or a number of layers");
  bad(
      [](InferenceOptions& o) {
        o.llamacpp.tensor_split = {1, 1};
      },
      "tensor_split",
      "--tensor-split is 2 shares but must give one share per device (1), not all zero");
  bad([](InferenceOptions& o) { o.llamacpp.type_k = KvDType::fp8_e4m3; }, "type_k",
      "--type-k is fp8_e4m3 but is not a llama.cpp cache type; accepted: f32, f16, bf16, q8_0, "
      "q4_0, q4_1, iq4_nl, q5_0, q5_1");
  bad(
      [](InferenceOptions& o) {
        o.llamacpp.type_v = KvDType::q8_0;
        o.llamacpp.flash_attn = FlashAttn::off;
      },
      "flash_attn",
      "--flash-attn is off but a quantised V cache (q8_0) requires flash attention (llama.cpp: "
      "quantized V cache requires flash_attn)");
  bad([](InferenceOptions& o) { o.llamacpp.cpu_variant = "pentium"; }, "cpu_variant",
      "--cpu-variant 'pentium' is not a ggml CPU library variant; accepted: x64, sse42, "
      "sandybridge, ivybridge, piledriver, haswell, alderlake, skylakex, cannonlake, cascadelake, "
      "icelake, cooperlake, zen4, sapphirerapids");
  bad(
      [](InferenceOptions& o) {
        o.llamacpp.override_tensor = {{"exps(", "CPU"}};
      },
      "override_tensor",
      "--override-tensor pattern 'exps(' has an unclosed '(' (accepted: literals, \\. \\d \\w \\s, "
      "., [classes], ( | ), * + ? {m,n}, ^ $)");
  bad(
      [](InferenceOptions& o) {
        o.llamacpp.override_tensor = {{"exps", "Metal"}};
      },
      "override_tensor",
      "--override-tensor is exps=Metal but names an unknown buffer type; accepted: CPU, CUDA0, "
      "CUDA1 …");
  bad([](InferenceOptions& o) { o.llamacpp.n_cpu_moe = -1; }, "n_cpu_moe",
      "--n-cpu-moe is -1 but must be a number of layers, at least 0");
  bad([](InferenceOptions& o) { o.llamacpp.devices = 17; }, "devices",
      "--devices is 17 but must be 0 (CPU only) to 16 GPUs");
  bad([](InferenceOptions& o) { o.llamacpp.fit_ctx = 0; }, "fit_ctx",
      "--fit-ctx is 0 but must be a positive number of cells");
  bad([](InferenceOptions& o) { o.llamacpp.fit_target_mib = -5; }, "fit_target_mib",
      "--fit-target-mib is -5 but must be at least 0 MiB");
  bad([](InferenceOptions& o) { o.weights = parse_weight_format("gptq-4bit-g128"); }, "weights",
      "--weights is gptq-4bit-g128 but is not a format llama.cpp loads; it reads GGUF files: give "
      "a llama.cpp file type (q4_k_m, q8_0 …) or a dense dtype (bf16, fp16, fp32)");
  bad([](InferenceOptions& o) { o.engine_version = "b4823"; }, "engine_version",
      "--engine-version 'b4823' is not a llama.cpp build llmem models; accepted: v0.5.0 (the "
      "build of node-llama-cpp 3.22.1)");
}

// Flash attention with a quantised K needs whole blocks per head: head 40 with q8_0 (block 32)
// is refused (the real run's llama-q4_0-tied case).
TEST(LlamaCppEngine, QuantisedKNeedsWholeBlocksPerHead) {
  auto p = prepare_model(catalog("phi-3-mini-4k-instruct"));  // head 96: q8_0 divides it
  auto o = cli(4096);
  o.llamacpp.type_k = KvDType::q8_0;
  o.llamacpp.type_v = KvDType::q8_0;
  EXPECT_NO_THROW(validate_inference_options(p, o));
}

}  // namespace
}  // namespace llmem

namespace llmem {
namespace {

// estimate-vs-actual.json eva-ollama-10128-qwen25-1m: Qwen2.5-7B-Instruct-1M Q4_K_M at 262,144
// tokens with flash attention and a q8_0 cache on 2 × P40 used 6097 + 5419 MiB; Ollama's
// estimate (52 GB) ignored the quantised cache. llama.cpp's q8_0 KV is 34/32 B per element —
// about half of f16 — and the two devices together hold about what was measured (Ollama's runner
// split the layers its own way, so only the sum is compared; ±20 %).
TEST(LlamaCppEngine, QuantisedCacheAtLongContextRegression) {
  auto m = catalog("qwen2.5-7b-instruct");
  m.max_position_embeddings = 1010000;  // the 1M model's context; same architecture
  auto o = cli(262144);
  o.tp = 2;
  o.weights = parse_weight_format("q4_k_m");
  o.llamacpp.flash_attn = FlashAttn::on;
  o.llamacpp.type_k = KvDType::q8_0;
  o.llamacpp.type_v = KvDType::q8_0;
  std::vector<StageParts> devices(2);
  auto p = prepare_model(m);
  validate_inference_options(p, o);
  auto n = inference_numbers(p, engine_plan(p, o), o, engine_model(o.engine), devices.data(), 2);
  const double sum = static_cast<double>(devices[0].total_bytes + devices[1].total_bytes);
  const double measured = (6097.0 + 5419.0) * 1048576.0;
  EXPECT_NEAR(sum / measured, 1.0, 0.2);
  EXPECT_EQ(n.engine.llamacpp.kv_size_bytes, 28ull * 262144 * (512 / 32 * 34) * 2);
}

// eva-llamacpp-16653-fit-util: --fit leaves at least its target (1024 MiB) free on every device.
TEST(LlamaCppEngine, FitLeavesItsTargetOnEveryDevice) {
  auto m = catalog("llama-3.1-70b");
  InferenceOptions o;
  o.engine = Engine::llamacpp;
  o.tp = 2;
  o.weights = parse_weight_format("q4_k_m");
  const GpuSpec* g = find_gpu("RTX-4090");
  o.gpu.name = g->name;
  o.gpu.memory_bytes = g->memory_bytes;
  std::vector<StageParts> devices(2);
  auto p = prepare_model(m);
  validate_inference_options(p, o);
  auto n = inference_numbers(p, engine_plan(p, o), o, engine_model(o.engine), devices.data(), 2);
  EXPECT_TRUE(n.engine.llamacpp.fit_applied);
  for (const auto& d : devices) {
    // what fit measures (model + context + compute) plus the CUDA context leaves the target free
    EXPECT_LE(d.total_bytes - d.parts[Part::cublas_workspace] + (1024ull << 20), g->memory_bytes);
  }
}

}  // namespace
}  // namespace llmem
