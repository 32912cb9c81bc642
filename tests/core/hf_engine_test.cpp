// The Hugging Face transformers engine: the cache class per model (DeepSeek's decompressed
// K/V), weights as loaded (MXFP4 without kernels), eager against SDPA prefill, last-token logits.
#include <gtest/gtest.h>

#include "llmem/common/error.h"
#include "llmem/core/inference.h"
#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription catalog(const char* name) { return *load_catalog_model(name); }

const Component& row(const MemoryEstimate& e, const std::string& name) {
  for (const auto& c : e.components) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no row " + name);
}

// DeepSeek-V3 in bf16: transformers' DeepseekV3Attention caches the decompressed key
// (128 heads × (128 nope + 64 rope)) and value (128 heads × 128) — 81,920 B per layer per token —
// where vLLM (MLAAttentionSpec) and llama.cpp keep the 512 + 64 latent, 1,152 B (DeepSeek-V3
// config: num_attention_heads 128, qk_nope_head_dim 128, qk_rope_head_dim 64, v_head_dim 128,
// kv_lora_rank 512; the issue states both figures).
TEST(HfEngine, DeepSeekV3CachesDecompressedKeysAndValues) {
  auto m = catalog("deepseek-v3");
  auto p = prepare_model(m);
  InferenceOptions hf;
  hf.engine = Engine::hf;
  hf.context_tokens = 1;
  hf.context_given = true;
  auto n = inference_numbers(p, hf);
  EXPECT_EQ(n.engine.hf.cache_bytes_per_token, 81920ull * 61);
  EXPECT_TRUE(n.engine.hf.mla_decompressed);

  InferenceOptions v;
  v.engine = Engine::vllm;
  v.tp = 8;
  auto nv = inference_numbers(p, v);
  EXPECT_EQ(nv.engine.vllm.page_bytes / 16, 1152u);
  EXPECT_EQ(81920 / 1152, 71);  // the ratio: 71.1 × the latent
}

// gpt-oss's experts are MXFP4; transformers without the triton kernels dequantises them to bf16
// (quantizer_mxfp4.py), with the kernels it keeps them.
TEST(HfEngine, Mxfp4IsDequantisedWithoutKernels) {
  auto m = catalog("gpt-oss-20b");
  InferenceOptions o;
  o.engine = Engine::hf;
  auto e = estimate_inference(m, o);
  o.hf.kernels = true;
  auto k = estimate_inference(m, o);
  EXPECT_GT(row(e, "weights").bytes, row(k, "weights").bytes * 3 / 2);
  bool noted = false;
  for (const auto& note : e.notes)
    noted = noted || note.find("dequantises the MXFP4") != std::string::npos;
  EXPECT_TRUE(noted);
}

// Eager attention materialises the scores (batch × heads × context² × (2 b + 4)) and the mask;
// SDPA does not. generate() keeps the last position's logits, copied to float32.
TEST(HfEngine, EagerScoresAndLastTokenLogits) {
  auto m = catalog("llama-3.1-8b");
  InferenceOptions o;
  o.engine = Engine::hf;
  o.context_tokens = 4096;
  o.context_given = true;
  auto sdpa = estimate_inference(m, o);
  o.hf.attn_implementation = HfAttention::eager;
  auto eager = estimate_inference(m, o);
  const uint64_t scores = 32ull * 4096 * 4096 * (2 * 2 + 4) + 4096ull * 4096 * 2;
  EXPECT_EQ(row(eager, "activations").bytes, row(sdpa, "activations").bytes + scores);
  EXPECT_EQ(row(sdpa, "logits").bytes, 128256ull * (2 + 4));
  EXPECT_NO_THROW(check_consistency(eager.components, eager.total_bytes));
}

TEST(HfEngine, BadValuesNameTheOption) {
  auto p = prepare_model(catalog("llama-3.1-8b"));
  InferenceOptions o;
  o.engine = Engine::hf;
  o.tp = 2;
  EXPECT_FIELD_ERROR(validate_inference_options(p, o), "tp",
                     "--tp is 2 but transformers generate() does not split tensors: device_map "
                     "spreads whole layers over GPUs (use pp)");
  o.tp = 1;
  o.kv_dtype = KvDType::fp8_e4m3;
  EXPECT_FIELD_ERROR(validate_inference_options(p, o), "kv_dtype",
                     "--kv-dtype is fp8_e4m3 but transformers' dynamic and static caches keep "
                     "the model dtype; accepted: bf16, fp16, f32");
  o.kv_dtype.reset();
  o.engine_version = "4.57";
  EXPECT_FIELD_ERROR(validate_inference_options(p, o), "engine_version",
                     "--engine-version '4.57' is not accepted: llmem's transformers rules are not "
                     "tied to a release (docs/engines.md)");
}

}  // namespace
}  // namespace llmem
