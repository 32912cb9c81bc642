// Module name patterns as quantisation configs write them (src/formats/hf/module_patterns.h).
#include "formats/hf/module_patterns.h"

#include <gtest/gtest.h>

namespace llmem {
namespace {

TEST(ModulePatterns, MatchingFollowsConfigSpellings) {
  EXPECT_TRUE(module_matches("lm_head.weight", {"lm_head"}));
  EXPECT_TRUE(
      module_matches("model.layers.3.self_attn.q_proj.weight", {"model.layers.*.self_attn"}));
  EXPECT_TRUE(module_matches("model.layers.0.mlp.router.weight", {"mlp.router"}));
  EXPECT_TRUE(module_matches("model.layers.0.mlp.gate.weight", {"re:.*mlp\\.gate$"}));
  EXPECT_FALSE(module_matches("model.layers.0.mlp.gate_proj.weight", {"re:.*mlp\\.gate$"}));
  EXPECT_FALSE(module_matches("model.layers.0.mlp.gate_proj.weight", {"gate"}));
}

TEST(ModulePatterns, GptOss20bPatternsMarkAttentionRouterEmbeddingAndHead) {
  // config.json quantization_config.modules_to_not_convert of openai/gpt-oss-20b.
  const std::vector<std::string> patterns = {
      "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"};
  ModelDescription m;
  for (const char* name :
       {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
        "model.layers.0.self_attn.sinks", "model.layers.0.mlp.router.weight",
        "model.layers.0.mlp.experts.gate_up_proj", "model.layers.0.mlp.experts.down_proj",
        "model.norm.weight", "lm_head.weight"}) {
    Tensor t;
    t.name = name;
    m.tensors.push_back(t);
  }
  mark_unquantised_modules(m, patterns);
  std::vector<bool> kept;
  for (const auto& t : m.tensors) kept.push_back(t.keep_unquantised);
  EXPECT_EQ(kept, (std::vector<bool>{true, true, true, true, false, false, false, true}));
}

}  // namespace
}  // namespace llmem
