// The seed document's rules of thumb (SPEC §4), reproduced exactly and labelled as such, with
// llmem's precise figure beside each where one exists. The seed's arithmetic is decimal
// (70 × 2 × 1.2 = 168 GB) although it writes ÷1024³; rules compute in bytes and print in GB by
// default. Where the seed's own figures disagree with its arithmetic, a note says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/model_description.h"

namespace llmem {

enum class RulePrecision : uint8_t { fp32, fp16, bf16, int8, int4, count };
std::optional<RulePrecision> parse_rule_precision(std::string_view name);
std::string accepted_rule_precisions();  // "fp32, fp16, bf16, int8, int4"

struct RuleOptions {
  uint64_t params = 0;                            // --params or the model's parameter count
  RulePrecision precision = RulePrecision::fp16;  // seed's default case
  double factor = 1.2;                            // inference redundancy, seed: 1.2–1.5
  double lora_factor = 1.2;                       // LoRA over FP16 inference, seed: 1.2–1.5
  int64_t batch = 1;                              // for the activation rule
  int64_t seq = 2048;                             // for the activation rule
  int64_t hidden = 0;  // 0: the activation rule needs --hidden/--layers or a MODEL
  int64_t layers = 0;
};

// llmem's precise figures for the same case, when a model is known (each optional).
struct PreciseFigures {
  std::optional<uint64_t> weights;    // weights at the rule's precision
  std::optional<uint64_t> inference;  // total of the generic inference estimate
  std::optional<uint64_t> kv_cache;
  std::optional<uint64_t> activations;           // inference activations
  std::optional<uint64_t> full_finetune_states;  // weights+grads+master+Adam, 16 B/param
};

struct RuleResult {
  std::string rule;  // weights, inference, kv_share, activation_share, full_finetune, lora,
                     // activations, training_vs_inference
  uint64_t bytes = 0;
  std::optional<uint64_t> bytes_low;
  std::optional<uint64_t> bytes_high;
  std::string formula;
  Fields inputs;
  std::optional<uint64_t> precise_bytes;
  std::string note;
};

// llmem's estimate for a rule's case: weights at the rule's precision, the generic inference
// estimate at the defaults with those weights, and 16 bytes per parameter for mixed-precision
// Adam full fine-tuning (ZeRO paper, Rajbhandari et al. 2020, §3.1: 2 + 2 + 12).
PreciseFigures precise_figures(const ModelDescription& m, RulePrecision precision);

// Throws InputError::field("factor", …) for out-of-range factors and ("params", …) for a
// missing parameter count.
std::vector<RuleResult> apply_rules(const RuleOptions& o, const PreciseFigures& precise = {});

// Parses "70B", "7.6B", "350M", "1.5T", "124439808". Throws InputError::field("params", …).
uint64_t parse_param_count(std::string_view text);

// A rule as a row of the estimate's row type (name = rule, bytes, range, formula, inputs), so
// one table printer and one JSON printer serve rules and estimates; the rule's own typed fields
// (precise_bytes, note) come as extra fields.
Component rule_row(const RuleResult& r);
Fields rule_extra_fields(const RuleResult& r);

}  // namespace llmem
