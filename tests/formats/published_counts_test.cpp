// Every published parameter count in ../shared/models/INDEX.json that is not a nominal label,
// checked within the precision the publisher printed (half a unit of the last digit), and the
// cards whose own figure disagrees with their config, listed with the reason.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "llmem/sources/catalog.h"
#include "test_util.h"

namespace llmem {
namespace {

enum class Count { total, active, non_embedding, active_without_embedding };

struct Published {
  const char* model;
  Count count;
  double value;      // as printed
  double tolerance;  // half a unit of the printed precision
  const char* card;  // the text, from INDEX.json's published_param_count
};

// The cards count the model as served: DeepSeek's MTP layer (described since the checkpoint
// stores it) is outside their "671B total" and "37B activated".
double mtp(const ModelDescription& m) {
  return static_cast<double>(group_params(m, WeightGroup::mtp));
}

double ours(const ModelDescription& m, Count c) {
  switch (c) {
    case Count::total:
      return static_cast<double>(total_params(m)) - mtp(m);
    case Count::active:
      return static_cast<double>(active_params(m)) - mtp(m);
    case Count::non_embedding:
      return static_cast<double>(non_embedding_params(m));
    case Count::active_without_embedding: {
      // DeepSeek's and OpenAI's cards leave the input embedding out of "activated".
      double embedding = 0;
      for (const auto& t : m.tensors) {
        if (t.role == TensorRole::embedding && t.group == WeightGroup::embeddings) {
          embedding += static_cast<double>(t.total_elements());
        }
      }
      double mtp_active = 0;
      for (const auto& t : m.tensors) {
        if (t.group != WeightGroup::mtp) continue;
        double e = static_cast<double>(t.total_elements());
        if (t.routed && m.num_experts > 0) e = e * m.experts_per_token / m.num_experts;
        mtp_active += e;
      }
      return static_cast<double>(active_params(m)) - embedding - mtp_active;
    }
  }
  return 0;
}

TEST(PublishedCounts, MatchWithinPrintedPrecision) {
  const Published cases[] = {
      {"llama-3.2-1b-instruct", Count::total, 1.235e9, 0.005e9, "1.23B, truncated"},
      {"llama-3.2-3b-instruct", Count::total, 3.21e9, 0.005e9, "3B (3.21B)"},
      {"mixtral-8x7b-v0.1", Count::total, 46.7e9, 0.05e9, "46.7B total"},
      {"mixtral-8x7b-v0.1", Count::active, 12.9e9, 0.05e9, "12.9B per token"},
      {"qwen2.5-0.5b", Count::total, 0.49e9, 0.005e9, "Number of Parameters: 0.49B"},
      {"qwen2.5-0.5b", Count::non_embedding, 0.36e9, 0.005e9, "Non-Embedding: 0.36B"},
      {"qwen2.5-7b-instruct", Count::total, 7.61e9, 0.01e9, "7.61B (truncated: 7.6156)"},
      {"qwen2.5-7b-instruct", Count::non_embedding, 6.53e9, 0.005e9, "Non-Embedding: 6.53B"},
      {"qwen3-0.6b", Count::total, 0.6e9, 0.05e9, "0.6B"},
      {"qwen3-0.6b", Count::non_embedding, 0.44e9, 0.005e9, "Non-Embedding: 0.44B"},
      {"qwen3-8b", Count::total, 8.2e9, 0.05e9, "8.2B"},
      {"qwen3-32b", Count::total, 32.8e9, 0.05e9, "32.8B"},
      {"qwen3-32b", Count::non_embedding, 31.2e9, 0.05e9, "Non-Embedding: 31.2B"},
      {"qwen3-30b-a3b", Count::total, 30.5e9, 0.05e9, "30.5B in total"},
      {"qwen3-30b-a3b", Count::active, 3.3e9, 0.1e9, "3.3B activated (truncated: 3.35)"},
      {"qwen3-235b-a22b", Count::total, 235e9, 0.5e9, "235B in total"},
      {"qwen3-235b-a22b", Count::active, 22e9, 0.5e9, "22B activated"},
      {"qwen3-235b-a22b", Count::non_embedding, 234e9, 0.5e9, "Non-Embedding 234B"},
      {"deepseek-v3", Count::total, 671e9, 0.5e9, "671B total parameters"},
      {"deepseek-v3", Count::active_without_embedding, 37e9, 0.5e9, "37B activated"},
      {"deepseek-r1", Count::total, 671e9, 0.5e9, "#Total Params 671B"},
      {"gemma-2-9b", Count::non_embedding, 8'324'201'984, 0, "Table 2 non-embedding, exact"},
      {"phi-3-mini-4k-instruct", Count::total, 3.8e9, 0.05e9, "3.8B parameters"},
      {"gpt2", Count::total, 124e6, 0.5e6, "124M parameters"},
      {"gpt-oss-20b", Count::total, 21e9, 0.5e9, "21B parameters"},
      {"gpt-oss-20b", Count::active_without_embedding, 3.6e9, 0.05e9, "3.6B active"},
      {"gpt-oss-120b", Count::total, 117e9, 0.5e9, "117B parameters"},
      {"gpt-oss-120b", Count::active_without_embedding, 5.1e9, 0.05e9, "5.1B active"},
      {"devstral-small-2507", Count::total, 23'572'403'200, 0, "index total_parameters, exact"},
  };
  for (const auto& c : cases) {
    auto m = load_catalog_model(c.model);
    ASSERT_TRUE(m.has_value()) << c.model;
    EXPECT_NEAR(ours(*m, c.count), c.value, c.tolerance) << c.model << ": " << c.card;
  }
}

// Cards whose own figure disagrees with their config (documented in docs/parameters.md).
TEST(PublishedCounts, CardsThatDisagreeWithTheirConfig) {
  // Qwen2.5-32B-Instruct's card prints 32.5B / non-embedding 31.0B; its config (hidden 5120,
  // 64 layers, intermediate 27648, vocab 152064, untied) gives 32.76B / 31.21B.
  auto q = *load_catalog_model("qwen2.5-32b-instruct");
  EXPECT_GT(static_cast<double>(total_params(q)), 32.5e9 + 0.2e9);
  // Gemma 2 9B's report counts a 256,128-row embedding; the config has 256,000 rows, so the
  // total is 128 × 3584 below the report's 9,242,164,736.
  auto g = *load_catalog_model("gemma-2-9b");
  EXPECT_EQ(total_params(g), 9'242'164'736u - 128u * 3584u);
  // Llama 4 Scout's 109B counts the vision tower, which the shared copy of the config lacks
  // (trimmed at its source): the text model alone is 107.77B.
  auto s = *load_catalog_model("llama-4-scout-17b-16e-instruct");
  EXPECT_LT(static_cast<double>(total_params(s)), 108.5e9);
  // Falcon-40B's "40B" is 41.30B by the config; Phi-4's "14B" is 14.66B: both truncated.
  EXPECT_NEAR(static_cast<double>(total_params(*load_catalog_model("falcon-40b"))), 41.30e9,
              0.01e9);
  EXPECT_NEAR(static_cast<double>(total_params(*load_catalog_model("phi-4"))), 14.66e9, 0.01e9);
}

TEST(PublishedCounts, CheckpointBytesExactly) {
  // ../shared/models/INDEX.json safetensors_total_size_bytes (model.safetensors.index.json).
  for (const char* name : {"devstral-small-2507", "wizardlm-2-8x22b", "prymmal-phi3-3b-slerp"}) {
    auto entry = nlohmann::json::parse(test::read_file(test::shared_dir() + "/models/INDEX.json"));
    for (const auto& e : entry) {
      if (e["slug"] != name) continue;
      auto m = *load_catalog_model(name);
      EXPECT_EQ(weight_bytes(m), e["safetensors_total_size_bytes"].get<uint64_t>()) << name;
    }
  }
}

}  // namespace
}  // namespace llmem
