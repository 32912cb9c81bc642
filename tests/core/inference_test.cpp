// The generic inference estimate: sums that add up for every catalog model, TP/PP placement,
// defaults, and weights per GPU against vLLM's measured "Model loading took".
#include "llmem/core/inference.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "llmem/common/error.h"
#include "llmem/core/weight_format.h"
#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription catalog(const char* name) { return *load_catalog_model(name); }

const Component& component(const MemoryEstimate& e, const std::string& name) {
  for (const auto& c : e.components) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no component " + name);
}

// Walks an estimate like bloaty's CheckConsistencyForRow: children sum to parents, top-level
// rows to the total, names are unique, no row is empty, per-GPU totals bound the total.
void expect_consistent(const MemoryEstimate& e) {
  EXPECT_NO_THROW(check_consistency(e.components, e.total_bytes));
  for (const auto& c : e.components) {
    EXPECT_GT(c.bytes, 0u) << c.name;
    EXPECT_FALSE(c.formula.empty()) << c.name;
  }
  uint64_t worst = 0;
  for (const auto& g : e.per_gpu) {
    EXPECT_NO_THROW(check_consistency(g.components, g.total_bytes));
    worst = std::max(worst, g.total_bytes);
  }
  if (!e.per_gpu.empty()) EXPECT_EQ(worst, e.total_bytes);
}

TEST(Inference, EveryCatalogModelAddsUp) {
  for (const auto& entry : model_catalog()) {
    SCOPED_TRACE(entry.name);
    ModelDescription m = catalog(entry.name.c_str());
    InferenceOptions o;
    expect_consistent(estimate_inference(m, o));
    o.batch = 4;
    o.context_tokens = 2048;
    o.context_given = true;
    o.pp = 2;
    expect_consistent(estimate_inference(m, o));
  }
}

// SPEC §3: the weights row has children by role and the KV cache row by layer kind, and both
// sum exactly to their parent (check_consistency), for every catalog model.
TEST(Inference, WeightsAndKvRowsHaveRoleAndKindChildren) {
  const std::vector<std::string> roles = {
      "embeddings",     "attention", "mlp", "experts", "ssm",          "norms",
      "vision_encoder", "projector", "mtp", "lm_head", "other_weights"};
  const std::vector<std::string> kinds = {"full_attention", "sliding_window", "latent",
                                          "linear_attention"};
  for (const auto& entry : model_catalog()) {
    SCOPED_TRACE(entry.name);
    auto e = estimate_inference(catalog(entry.name.c_str()), InferenceOptions{});
    int32_t weights = find_row(e.components, "weights");
    int32_t kv = find_row(e.components, "kv_cache");
    ASSERT_GE(weights, 0);
    uint64_t weight_children = 0, kv_children = 0;
    for (const auto& c : e.components) {
      if (c.parent == weights) {
        EXPECT_NE(std::find(roles.begin(), roles.end(), c.name), roles.end()) << c.name;
        weight_children += c.bytes;
      }
      if (kv >= 0 && c.parent == kv) {
        EXPECT_NE(std::find(kinds.begin(), kinds.end(), c.name), kinds.end()) << c.name;
        kv_children += c.bytes;
      }
    }
    EXPECT_EQ(weight_children, e.components[static_cast<size_t>(weights)].bytes);
    if (kv >= 0) EXPECT_EQ(kv_children, e.components[static_cast<size_t>(kv)].bytes);
  }
}

TEST(Inference, WeightsPerGpuMatchVllmModelLoading) {
  // vLLM v0.19.0, H100 (../shared/validation/measurements.json): "Model loading took 14.99 GiB"
  // for Llama-3.1-8B at tp 1 and 7.51 GiB per rank at tp 2; Qwen2.5-7B 14.25 GiB, 7.12 (tp 2),
  // 3.55 (tp 4). vLLM also holds a rotary cos/sin cache (max_position × rotary_dim in the model
  // dtype: 32 MiB in bf16 for Llama's 131,072 positions), which is not a weight: allow 0.5 %.
  struct Case {
    const char* model;
    int32_t tp;
    double gib;
  };
  for (const Case& c : {Case{"llama-3.1-8b", 1, 14.99}, Case{"llama-3.1-8b", 2, 7.51},
                        Case{"qwen2.5-7b-instruct", 1, 14.25}, Case{"qwen2.5-7b-instruct", 2, 7.12},
                        Case{"qwen2.5-7b-instruct", 4, 3.55}}) {
    InferenceOptions o;
    o.tp = c.tp;
    auto e = estimate_inference(catalog(c.model), o);
    double ours = static_cast<double>(component(e, "weights").bytes) / 1073741824.0;
    EXPECT_NEAR(ours, c.gib, c.gib * 0.005) << c.model << " tp " << c.tp;
  }
}

TEST(Inference, PipelineSplitFollowsVllm) {
  // vllm/distributed/utils.py get_pp_indices: ⌊L/pp⌋ each, remainder to the stages before last.
  EXPECT_EQ(pipeline_layers(32, 3, {}), (std::vector<int64_t>{11, 11, 10}));
  EXPECT_EQ(pipeline_layers(32, 2, {}), (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(pipeline_layers(10, 4, {}), (std::vector<int64_t>{2, 3, 3, 2}));
  EXPECT_EQ(pipeline_layers(32, 2, {20, 12}), (std::vector<int64_t>{20, 12}));
  EXPECT_FIELD_ERROR(pipeline_layers(32, 2, {20, 11}), "pp_layers",
                     "--pp-layers sums to 31 but the model has 32 layers");
  EXPECT_FIELD_ERROR(pipeline_layers(4, 5, {}), "pp", "--pp 5 is more than the model's 4 layers");
}

TEST(Inference, MostLoadedStageDecides) {
  auto m = catalog("llama-3.1-8b");
  InferenceOptions o;
  o.pp = 2;
  o.pp_layers = {24, 8};
  auto e = estimate_inference(m, o);
  ASSERT_EQ(e.per_gpu.size(), 2u);
  EXPECT_GT(e.per_gpu[0].total_bytes, e.per_gpu[1].total_bytes);
  EXPECT_EQ(e.total_bytes, e.per_gpu[0].total_bytes);
  // The even split halves the KV cache: 16 layers × 131,072/32 B × 4096 tokens.
  o.pp_layers.clear();
  auto even = estimate_inference(m, o);
  EXPECT_EQ(component(even, "kv_cache").bytes, 16u * 4096u * 4096u);
}

TEST(Inference, DefaultContextIsCappedAtModelLimit) {
  auto e = estimate_inference(catalog("gpt2"), InferenceOptions{});  // n_positions 1024
  EXPECT_EQ(std::get<int64_t>(e.settings[4].second), 1024);
  InferenceOptions o;
  o.context_tokens = 8192;
  o.context_given = true;  // an explicit --context is honoured
  EXPECT_EQ(std::get<int64_t>(estimate_inference(catalog("gpt2"), o).settings[4].second), 8192);
}

TEST(Inference, SlidingWindowModelsKeepLessCache) {
  // Gemma 2 9B: 42 layers, 8 KV heads × 256 dims, K+V bf16 = 8,192 B per token per layer;
  // every other layer slides over 4,096 tokens (transformers Gemma2: layer_types).
  InferenceOptions o;
  o.context_tokens = 8192;
  o.context_given = true;
  auto m = catalog("gemma-2-9b");
  ASSERT_TRUE(apply_serving_default(m).has_value());  // its checkpoint is float32
  auto e = estimate_inference(m, o);
  EXPECT_EQ(component(e, "kv_cache").bytes, 21u * 8192u * 8192u + 21u * 8192u * 4096u);
}

TEST(Inference, RejectsBadOptions) {
  auto m = catalog("llama-3.1-8b");
  InferenceOptions o;
  o.context_tokens = -5;
  EXPECT_FIELD_ERROR(estimate_inference(m, o), "context",
                     "--context is -5 but must be a positive number of tokens");
  o = {};
  o.batch = 0;
  EXPECT_FIELD_ERROR(estimate_inference(m, o), "batch",
                     "--batch is 0 but must be a positive number of sequences");
  o = {};
  o.tp = 3;
  EXPECT_FIELD_ERROR(
      estimate_inference(m, o), "tp",
      "--tp 3 does not divide num_attention_heads=32 (accepted: 1, 2, 4, 8, 16, 32)");
  o = {};
  o.context_tokens = int64_t{1} << 30;
  o.batch = int64_t{1} << 20;
  EXPECT_FIELD_ERROR(estimate_inference(m, o), "context",
                     "--context × batch is larger than 2^40 tokens");
}

}  // namespace
}  // namespace llmem
