// The seed document's rules (../shared/seed/llm-gpu-memory-estimation.zh.md), exactly as it
// states them, with the notes of ../shared/seed/README.md where its figures or reasoning are off.
#include "llmem/core/rules.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "common/checked.h"
#include "llmem/common/error.h"
#include "llmem/common/text.h"

namespace llmem {
namespace {

struct PrecisionInfo {
  std::string_view name;
  double bytes;  // seed: FP32 4, FP16/BF16 2, INT8 1, INT4 0.5 bytes per parameter
};
constexpr std::array<PrecisionInfo, static_cast<size_t>(RulePrecision::count)> k_precisions = {
    {{"fp32", 4.0}, {"fp16", 2.0}, {"bf16", 2.0}, {"int8", 1.0}, {"int4", 0.5}}};

// Bytes as the seed computes them: a decimal product, rounded to the nearest byte.
uint64_t to_bytes(double v) {
  if (!(v >= 0.0) || v > 1.8e19) throw RangeError("a rule-of-thumb figure overflows 64 bits");
  return static_cast<uint64_t>(std::llround(v));
}

std::string gb(double bytes) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, bytes / 1e9, std::chars_format::fixed, 2);
  return std::string(buf, r.ptr);
}

// As printf's %.10g.
std::string number_text(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  return std::string(buf, r.ptr);
}

// Matches the seed's example inputs (72B, 30B) to within rounding of the parameter count.
bool is_about(uint64_t params, double billions) {
  return std::fabs(static_cast<double>(params) - billions * 1e9) < 0.5e9;
}

}  // namespace

std::optional<RulePrecision> parse_rule_precision(std::string_view name) {
  for (size_t i = 0; i < k_precisions.size(); ++i) {
    if (k_precisions[i].name == name) return static_cast<RulePrecision>(i);
  }
  return std::nullopt;
}

std::string accepted_rule_precisions() {
  std::string s;
  for (const auto& p : k_precisions) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

uint64_t parse_param_count(std::string_view text) {
  constexpr std::string_view k_accepted =
      "an integer or a number with K, M, B or T (70B, 7.6B, 350M)";
  std::string shown = safe_text(text);
  auto fail = [&] {
    throw InputError::field(
        "params", shown, std::string(k_accepted),
        "{field} '" + shown + "' is not a parameter count; write " + std::string(k_accepted));
  };
  if (text.empty() || text.size() > 32) fail();
  double scale = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 'K':
    case 'k':
      scale = 1e3;
      digits.remove_suffix(1);
      break;
    case 'M':
    case 'm':
      scale = 1e6;
      digits.remove_suffix(1);
      break;
    case 'B':
    case 'b':
      scale = 1e9;
      digits.remove_suffix(1);
      break;
    case 'T':
    case 't':
      scale = 1e12;
      digits.remove_suffix(1);
      break;
    default:
      break;
  }
  if (digits.empty()) fail();
  int dots = 0;
  for (char c : digits) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      fail();
    }
  }
  if (dots > 1 || (dots == 1 && scale == 1)) fail();
  double v = std::stod(std::string(digits)) * scale;
  if (!(v >= 1) || v > 1e16) {
    throw InputError::field("params", shown, "between 1 and 10^16",
                            "{field} '" + shown + "' must be between 1 and 10^16");
  }
  return static_cast<uint64_t>(std::llround(v));
}

std::vector<RuleResult> apply_rules(const RuleOptions& o, const PreciseFigures& precise) {
  if (o.params == 0) {
    throw InputError::field("params", "", "a MODEL or a parameter count",
                            "rule needs a {field:model} or {field} (e.g. {field} 70B)");
  }
  const std::pair<const char*, double> factors[] = {{"factor", o.factor},
                                                    {"lora_factor", o.lora_factor}};
  for (const auto& [key, value] : factors) {
    if (!(value >= 1.0 && value <= 10.0)) {
      throw InputError::field(
          key, number_text(value), "[1, 10]",
          "{field} is " + number_text(value) + " but must be in [1, 10] (the seed uses 1.2-1.5)");
    }
  }
  const auto& prec = k_precisions.at(static_cast<size_t>(o.precision));
  const double p = static_cast<double>(o.params);
  const double b = prec.bytes;
  const std::string pname(prec.name);
  std::vector<RuleResult> out;

  // 1. Parameter memory (seed §1.1): params × bytes per param.
  double weights = p * b;
  out.push_back(
      {"weights",
       to_bytes(weights),
       {},
       {},
       "params × bytes_per_param",
       {{"params", static_cast<int64_t>(o.params)}, {"precision", pname}, {"bytes_per_param", b}},
       precise.weights,
       ""});

  // 2. Inference (seed §1.1): params × bytes × redundancy factor.
  double inference = weights * o.factor;
  out.push_back(
      {"inference",
       to_bytes(inference),
       {},
       {},
       "params × bytes_per_param × factor",
       {{"params", static_cast<int64_t>(o.params)}, {"bytes_per_param", b}, {"factor", o.factor}},
       precise.inference,
       "the seed writes ÷1024³ but its figures are decimal GB (70B FP16 × 1.2 = 168 GB "
       "= 156.5 GiB); the factor folds KV cache and activations into one constant, "
       "while the KV cache is exact arithmetic from the architecture"});

  // 3. KV cache share (seed §1.2): 20–50 % of inference memory.
  out.push_back({"kv_share",
                 to_bytes(inference * 0.35),
                 to_bytes(inference * 0.20),
                 to_bytes(inference * 0.50),
                 "inference × 20–50 % (bytes: the midpoint, 35 %)",
                 {{"inference_bytes", static_cast<int64_t>(to_bytes(inference))},
                  {"share_low", 0.20},
                  {"share_high", 0.50}},
                 precise.kv_cache,
                 ""});

  // 4. Activation share (seed §1.3): 10–20 % of inference memory.
  out.push_back({"activation_share",
                 to_bytes(inference * 0.15),
                 to_bytes(inference * 0.10),
                 to_bytes(inference * 0.20),
                 "inference × 10–20 % (bytes: the midpoint, 15 %)",
                 {{"inference_bytes", static_cast<int64_t>(to_bytes(inference))},
                  {"share_low", 0.10},
                  {"share_high", 0.20}},
                 precise.activations,
                 ""});

  // 5. Full fine-tuning (seed §2.1): params × bytes × 6.
  double full = weights * 6;
  out.push_back({"full_finetune",
                 to_bytes(full),
                 {},
                 {},
                 "params × bytes_per_param × 6",
                 {{"params", static_cast<int64_t>(o.params)}, {"bytes_per_param", b}},
                 precise.full_finetune_states
                     ? precise.full_finetune_states
                     : std::optional<uint64_t>(checked_mul(o.params, 16, "training state bytes")),
                 "the factor 6 contradicts the seed's own breakdown (2 + 2 + 2×2 = 8 bytes per "
                 "parameter in FP16, not 12); mixed-precision Adam keeps 16 bytes per parameter "
                 "(ZeRO paper: 2 weights + 2 gradients + 4 fp32 master + 8 Adam moments), "
                 "before activations; precise_bytes is that figure"});

  // 6. LoRA (seed §2.2): FP16 inference memory × 1.2–1.5.
  double lora = p * 2 * o.factor * o.lora_factor;
  std::string lora_note;
  if (is_about(o.params, 72) && o.factor == 1.2 && o.lora_factor == 1.2) {
    lora_note = "the seed's example says ≈200 GB for 72B; its arithmetic gives " + gb(lora) + " GB";
  } else if (is_about(o.params, 30) && o.factor == 1.2 && o.lora_factor == 1.2) {
    lora_note = "the seed's example says ≈90 GB for 30B; its arithmetic (72 × 1.2) gives 86.4 GB";
  }
  out.push_back({"lora",
                 to_bytes(lora),
                 {},
                 {},
                 "params × 2 × factor × lora_factor",
                 {{"params", static_cast<int64_t>(o.params)},
                  {"factor", o.factor},
                  {"lora_factor", o.lora_factor}},
                 {},
                 lora_note});

  // 7. Training activations without recomputation (seed §2.3): seq × batch × hidden × layers ×
  // bytes.
  if (o.hidden > 0 && o.layers > 0) {
    double act = static_cast<double>(o.seq) * static_cast<double>(o.batch) *
                 static_cast<double>(o.hidden) * static_cast<double>(o.layers) * b;
    std::string note =
        "undercounts by an order of magnitude: a transformer layer keeps about s·b·h·(34 + "
        "5·a·s/h) bytes in 16-bit training without recomputation (Korthikanti et al., 2022)";
    if (is_about(o.params, 72) && o.batch == 32 && o.seq == 2048) {
      note +=
          "; the seed's 72B example (batch 32, seq 2048) says \"hundreds of GB\", but its "
          "formula gives " +
          gb(act) + " GB";
    }
    out.push_back({"activations",
                   to_bytes(act),
                   {},
                   {},
                   "seq × batch × hidden × layers × bytes_per_param",
                   {{"seq", o.seq},
                    {"batch", o.batch},
                    {"hidden", o.hidden},
                    {"layers", o.layers},
                    {"bytes_per_param", b}},
                   {},
                   note});
  }

  // 8. Training vs inference (seed §3.1): 3–6 × inference.
  out.push_back({"training_vs_inference",
                 to_bytes(inference * 4.5),
                 to_bytes(inference * 3),
                 to_bytes(inference * 6),
                 "inference × 3–6 (bytes: the midpoint, 4.5 ×)",
                 {{"inference_bytes", static_cast<int64_t>(to_bytes(inference))}},
                 {},
                 ""});
  return out;
}

}  // namespace llmem

namespace llmem {

Component rule_row(const RuleResult& r) {
  Component c;
  c.name = r.rule;
  c.bytes = r.bytes;
  c.formula = r.formula;
  c.inputs = r.inputs;
  c.bytes_low = r.bytes_low;
  c.bytes_high = r.bytes_high;
  return c;
}

Fields rule_extra_fields(const RuleResult& r) {
  Fields f;
  if (r.precise_bytes) f.emplace_back("precise_bytes", static_cast<int64_t>(*r.precise_bytes));
  if (!r.note.empty()) f.emplace_back("note", r.note);
  return f;
}

}  // namespace llmem
