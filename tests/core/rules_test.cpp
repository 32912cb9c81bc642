// The seed's rules of thumb must reproduce the seed's own worked figures
// (../shared/seed/llm-gpu-memory-estimation.zh.md; SPEC §4 lists them).
#include "llmem/core/rules.h"

#include <gtest/gtest.h>

#include "llmem/common/error.h"
#include "test_util.h"

namespace llmem {
namespace {

const RuleResult& find(const std::vector<RuleResult>& rules, const std::string& name) {
  for (const auto& r : rules) {
    if (r.rule == name) return r;
  }
  throw std::runtime_error("no rule " + name);
}

std::vector<RuleResult> rules_for(const char* params, RulePrecision p = RulePrecision::fp16) {
  RuleOptions o;
  o.params = parse_param_count(params);
  o.precision = p;
  return apply_rules(o);
}

TEST(Rules, WeightsByPrecisionForSevenBillion) {
  // Seed §1.1: 7B needs 28 GB (FP32), 14 GB (FP16), 7 GB (INT8), 3.5 GB (INT4).
  EXPECT_EQ(find(rules_for("7B", RulePrecision::fp32), "weights").bytes, 28'000'000'000u);
  EXPECT_EQ(find(rules_for("7B", RulePrecision::fp16), "weights").bytes, 14'000'000'000u);
  EXPECT_EQ(find(rules_for("7B", RulePrecision::int8), "weights").bytes, 7'000'000'000u);
  EXPECT_EQ(find(rules_for("7B", RulePrecision::int4), "weights").bytes, 3'500'000'000u);
}

TEST(Rules, InferenceExamples) {
  // Seed §1.1: 70B FP16 × 1.2 ≈ 168 GB; 7B INT4 × 1.2 ≈ 4.2 GB; 72B FP16 "needs 173 GB".
  EXPECT_EQ(find(rules_for("70B"), "inference").bytes, 168'000'000'000u);
  EXPECT_EQ(find(rules_for("7B", RulePrecision::int4), "inference").bytes, 4'200'000'000u);
  EXPECT_EQ(find(rules_for("72B"), "inference").bytes, 172'800'000'000u);
}

TEST(Rules, SharesAreRanges) {
  // Seed §1.2–1.3: KV cache 20–50 %, activations 10–20 % of inference memory.
  auto r = rules_for("70B");
  EXPECT_EQ(*find(r, "kv_share").bytes_low, 33'600'000'000u);
  EXPECT_EQ(*find(r, "kv_share").bytes_high, 84'000'000'000u);
  EXPECT_EQ(*find(r, "activation_share").bytes_low, 16'800'000'000u);
  EXPECT_EQ(*find(r, "activation_share").bytes_high, 33'600'000'000u);
  EXPECT_EQ(*find(r, "training_vs_inference").bytes_low, 504'000'000'000u);
  EXPECT_EQ(*find(r, "training_vs_inference").bytes_high, 1'008'000'000'000u);
}

TEST(Rules, FullFineTuneExamples) {
  // Seed §2.1: 72B FP16 × 6 ≈ 864 GB; 30B ≈ 360 GB.
  EXPECT_EQ(find(rules_for("72B"), "full_finetune").bytes, 864'000'000'000u);
  EXPECT_EQ(find(rules_for("30B"), "full_finetune").bytes, 360'000'000'000u);
  EXPECT_NE(find(rules_for("72B"), "full_finetune").note.find("2 + 2 + 2×2 = 8"),
            std::string::npos);
}

TEST(Rules, LoraExamplesSayWhereTheSeedRounds) {
  // SPEC §4: 72B gives 207.36 GB where the seed says ≈200; 30B gives 86.4 GB, seed "≈90".
  auto r72 = find(rules_for("72B"), "lora");
  EXPECT_EQ(r72.bytes, 207'360'000'000u);
  EXPECT_EQ(r72.note, "the seed's example says ≈200 GB for 72B; its arithmetic gives 207.36 GB");
  auto r30 = find(rules_for("30B"), "lora");
  EXPECT_EQ(r30.bytes, 86'400'000'000u);
  EXPECT_EQ(r30.note,
            "the seed's example says ≈90 GB for 30B; its arithmetic (72 × 1.2) gives 86.4 GB");
}

TEST(Rules, ActivationExampleContradictsSeedText) {
  // Seed README: 72B (hidden 8192, 80 layers), batch 32, seq 2048 → 85.9 GB by s·b·h·L·bytes.
  RuleOptions o;
  o.params = parse_param_count("72B");
  o.batch = 32;
  o.seq = 2048;
  o.hidden = 8192;
  o.layers = 80;
  auto act = find(apply_rules(o), "activations");
  EXPECT_EQ(act.bytes, 85'899'345'920u);
  EXPECT_NE(act.note.find("says \"hundreds of GB\", but its formula gives 85.90 GB"),
            std::string::npos);
}

TEST(Rules, ParamCounts) {
  EXPECT_EQ(parse_param_count("70B"), 70'000'000'000u);
  EXPECT_EQ(parse_param_count("7.6B"), 7'600'000'000u);
  EXPECT_EQ(parse_param_count("350M"), 350'000'000u);
  EXPECT_EQ(parse_param_count("124439808"), 124'439'808u);
  // The core names the field (issue 8); the CLI spells it --params.
  EXPECT_INPUT_ERROR(parse_param_count("seven"), "params",
                     "--params 'seven' is not a parameter count; write an integer or a number "
                     "with K, M, B or T (70B, 7.6B, 350M)");
  EXPECT_INPUT_ERROR(parse_param_count("0"), "params", "--params '0' must be between 1 and 10^16");
}

TEST(Rules, RejectsBadFactors) {
  RuleOptions o;
  o.params = 1000;
  o.factor = 0.5;
  EXPECT_INPUT_ERROR(apply_rules(o), "factor",
                     "--factor is 0.5 but must be in [1, 10] (the seed uses 1.2-1.5)");
  EXPECT_INPUT_ERROR(apply_rules(RuleOptions{}), "params",
                     "rule needs a MODEL or --params (e.g. --params 70B)");
}

}  // namespace
}  // namespace llmem
