// KV-cache bytes per token against figures engines measured (not recomputed from our formula),
// plus hand-worked cases for MLA, sliding windows and SSM state.
#include "llmem/core/kv_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "llmem/common/error.h"
#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

uint64_t kv_per_token(const ModelDescription& m, KvDType dtype, int32_t tp) {
  uint64_t sum = 0;
  for (const auto& l : m.layers) sum += kv_bytes_per_token(l, dtype, tp);
  return sum;
}

ModelDescription catalog(const char* name) {
  auto m = load_catalog_model(name);
  EXPECT_TRUE(m.has_value()) << name;
  return *m;
}

const nlohmann::json& measurements() {
  static const nlohmann::json j =
      nlohmann::json::parse(test::read_file(test::shared_dir() + "/validation/measurements.json"));
  return j;
}

// vLLM v0.19.0 startup logs (../shared/validation/measurements.json, llm-d-planner sweep):
// "Available KV cache memory: X GiB" ÷ "GPU KV cache size: N tokens" is the per-rank cost of one
// token. X is printed with two decimals, so the ratio is known to ±0.005 GiB ÷ N; vLLM also
// rounds N down to whole blocks (16 tokens), which can only raise the ratio.
double measured_bytes_per_token(const std::string& id) {
  for (const auto& m : measurements()) {
    if (m["id"] != id) continue;
    double gib = m["measured"]["available_kv_cache_memory"]["value"].get<double>();
    double tokens = m["measured"]["gpu_kv_cache_size_tokens"]["value"].get<double>();
    return gib * 1073741824.0 / tokens;
  }
  ADD_FAILURE() << "no measurement " << id;
  return 0;
}

struct VllmCase {
  const char* measurement;
  const char* model;
  KvDType dtype;
  int32_t tp;
};

TEST(KvCache, MatchesVllmMeasuredBytesPerToken) {
  const VllmCase cases[] = {
      // Llama-3.1-8B: 131,072 B/token (issue 3's figure), tp 2 → 65,536 per rank, fp8 → 65,536.
      {"vllm019-meta-llama-llama-3-1-8b-h100-tp1pp1dp1-8192", "llama-3.1-8b", KvDType::bf16, 1},
      {"vllm019-meta-llama-llama-3-1-8b-h100-tp2pp1dp1-8192", "llama-3.1-8b", KvDType::bf16, 2},
      {"vllm019-meta-llama-h100-tp1pp1dp1-8192-dtbf16-kvfp8", "llama-3.1-8b", KvDType::fp8_e4m3, 1},
      // Qwen2.5-7B: 57,344 B/token; tp 2 and tp 4 (4 KV heads: split 2 and 1 per rank).
      {"vllm019-qwen-qwen2-5-7b-instruct-h100-tp1pp1dp1-8192", "qwen2.5-7b-instruct", KvDType::bf16,
       1},
      {"vllm019-qwen-qwen2-5-7b-instruct-h100-tp2pp1dp1-8192", "qwen2.5-7b-instruct", KvDType::bf16,
       2},
      {"vllm019-qwen-qwen2-5-7b-instruct-h100-tp4pp1dp1-8192", "qwen2.5-7b-instruct", KvDType::bf16,
       4},
      {"vllm019-qwen-qwen2-h100-tp1pp1dp1-8192-dtbf16-kvfp8", "qwen2.5-7b-instruct",
       KvDType::fp8_e4m3, 1},
      // Qwen3-8B: 147,456 B/token.
      {"vllm019-qwen-qwen3-8b-h100-tp1pp1dp1-8192", "qwen3-8b", KvDType::bf16, 1},
  };
  for (const auto& c : cases) {
    double measured = measured_bytes_per_token(c.measurement);
    double ours = static_cast<double>(kv_per_token(catalog(c.model), c.dtype, c.tp));
    EXPECT_NEAR(ours, measured, measured * 0.001) << c.measurement;
    EXPECT_LE(ours, measured * (1 + 1e-4)) << c.measurement << ": vLLM rounds tokens down";
  }
}

TEST(KvCache, MatchesVllmIssueFigures) {
  // Issue 3 states the exact per-token figures vLLM's logs imply.
  EXPECT_EQ(kv_per_token(catalog("llama-3.1-8b"), KvDType::bf16, 1), 131'072u);
  EXPECT_EQ(kv_per_token(catalog("qwen2.5-7b-instruct"), KvDType::bf16, 1), 57'344u);
  EXPECT_EQ(kv_per_token(catalog("qwen3-8b"), KvDType::bf16, 1), 147'456u);
}

// llama.cpp prints "KV self size = 640.00 MiB, K (f16): 320.00 MiB, V (f16): 320.00 MiB" for
// pythia-2.8b at n_ctx 2048 (measurements.json llamacpp-ci-pythia2.8b-*; ggml CI). Pythia-2.8B's
// published shape (EleutherAI/pythia README table): 32 layers, d_model 2560, 32 heads.
TEST(KvCache, MatchesLlamaCppPythia) {
  LayerSpec l;
  l.kind = LayerKind::attention;
  l.num_heads = 32;
  l.num_kv_heads = 32;
  l.head_dim_k = l.head_dim_v = 80;
  uint64_t bytes = 32 * kv_bytes_per_token(l, KvDType::f16, 1) * 2048;
  EXPECT_EQ(bytes, 640ull << 20);
}

TEST(KvCache, MlaCachesLatentAndRopeKey) {
  // DeepSeek-V2 paper §2.1.2: MLA caches (d_c + d_h^R) elements per token per layer;
  // DeepSeek-V3 config: kv_lora_rank 512, qk_rope_head_dim 64 → 576 elements = 1,152 B in bf16,
  // the same on every TP rank (the latent is not split).
  LayerSpec l;
  l.kind = LayerKind::mla;
  l.num_heads = l.num_kv_heads = 128;
  l.head_dim_k = 192;
  l.head_dim_v = 128;
  l.kv_lora_rank = 512;
  l.qk_rope_head_dim = 64;
  EXPECT_EQ(kv_bytes_per_token(l, KvDType::bf16, 1), 1'152u);
  EXPECT_EQ(kv_bytes_per_token(l, KvDType::bf16, 8), 1'152u);
  // Decompressed as HF caches it: 128 heads × (192 + 128) × 2 B = 81,920 B.
  EXPECT_EQ(kv_bytes_per_token(l, KvDType::bf16, 1, {.mla_decompressed = true}), 81'920u);
}

TEST(KvCache, SlidingWindowCapsTokens) {
  LayerSpec l;
  l.kind = LayerKind::attention;
  l.num_heads = 16;
  l.num_kv_heads = 8;
  l.head_dim_k = l.head_dim_v = 256;
  l.window_tokens = 4096;
  EXPECT_EQ(kv_tokens_kept(l, 8192), 4096u);
  EXPECT_EQ(kv_tokens_kept(l, 1000), 1000u);
  EXPECT_EQ(kv_tokens_kept(l, 8192, {.ignore_windows = true}), 8192u);
  l.window_tokens = 0;
  l.chunk_tokens = 8192;  // Llama 4's attention_chunk_size
  EXPECT_EQ(kv_tokens_kept(l, 100000), 8192u);
}

TEST(KvCache, SsmStateIsPerSequence) {
  // Mamba-2.8B (state-spaces/mamba-2.8b-hf config): d_inner = 2 × 2560 = 5120, d_conv 4,
  // d_state 16. transformers' MambaCache keeps conv [d_inner, d_conv] and ssm [d_inner, d_state]:
  // 5120 × 4 + 5120 × 16 = 102,400 elements per layer and sequence.
  LayerSpec l;
  l.kind = LayerKind::mamba;
  l.conv_state_elements = 5120 * 4;
  l.ssm_state_elements = 5120 * 16;
  EXPECT_EQ(recurrent_state_bytes_per_sequence(l, DType::bf16, 1), 204'800u);
  EXPECT_EQ(recurrent_state_bytes_per_sequence(l, DType::bf16, 2), 102'400u);
  EXPECT_EQ(kv_bytes_per_token(l, KvDType::bf16, 1), 0u);
}

TEST(KvCache, BlockFormatsCarryTheirScales) {
  // ggml-common.h: block_q8_0 = 2-byte scale + 32 int8; block_q4_0 = 2 + 16.
  EXPECT_EQ(kv_row_bytes(KvDType::q8_0, 4096), 128u * 34u);
  EXPECT_EQ(kv_row_bytes(KvDType::q4_0, 4096), 128u * 18u);
  EXPECT_EQ(kv_row_bytes(KvDType::fp8_e4m3, 4096), 4096u);
}

TEST(KvCache, HeadsPerRank) {
  EXPECT_EQ(kv_heads_per_rank(8, 2), 4);
  EXPECT_EQ(kv_heads_per_rank(8, 16), 1);  // replicated when ranks outnumber heads
  EXPECT_FIELD_ERROR(kv_heads_per_rank(8, 3), "tp",
                     "--tp 3 does not divide the 8 key/value heads; use a --tp that divides them "
                     "or that they divide");
  EXPECT_FIELD_ERROR(kv_heads_per_rank(4, 6), "tp",
                     "--tp 6 is not a multiple of the 4 key/value heads; use a --tp that divides "
                     "them or that they divide");
}

TEST(KvCache, ParsesDtypeNames) {
  EXPECT_EQ(parse_kv_dtype("fp8"), KvDType::fp8_e4m3);
  EXPECT_EQ(parse_kv_dtype("float16"), KvDType::f16);
  EXPECT_EQ(parse_kv_dtype("q8_0"), KvDType::q8_0);
  EXPECT_FALSE(parse_kv_dtype("fp7").has_value());
}

}  // namespace
}  // namespace llmem
