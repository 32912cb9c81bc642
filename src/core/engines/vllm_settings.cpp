// vLLM's settings and defaults per version, GPU and entry point. Sources (docs/vllm-rules.md §3):
// vllm/engine/arg_utils.py EngineArgs.get_batch_defaults and
// _set_default_max_num_seqs_and_batched_tokens_args; vllm/config/cache.py CacheConfig;
// vllm/config/scheduler.py SchedulerConfig._verify_args; vllm/config/lora.py LoRAConfig;
// vllm/envs.py; all at v0.19.0 (2a69949b) and the v0.21 line (c02c758ea).
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "core/engines/vllm.h"
#include "llmem/common/error.h"

namespace llmem::engines::vllm {
namespace {

std::string num(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// "0.19", "v0.19.0", "0.21.1rc2" → {0, 19}; false when it does not start with N.N.
bool parse_version(const std::string& text, int& major, int& minor) {
  size_t i = (!text.empty() && (text[0] == 'v' || text[0] == 'V')) ? 1 : 0;
  auto digits = [&](int& out) {
    size_t start = i;
    out = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4) {
      out = out * 10 + (text[i] - '0');
      ++i;
    }
    return i > start;
  };
  if (!digits(major) || i >= text.size() || text[i] != '.') return false;
  ++i;
  return digits(minor);
}

bool lower_contains(const std::string& s, std::string_view needle) {
  std::string l = s;
  for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return l.find(needle) != std::string::npos;
}

[[noreturn]] void bad(const char* field, const std::string& value, const std::string& accepted,
                      const std::string& why) {
  throw InputError::field(field, value, accepted, "{field} is " + value + " but " + why);
}

constexpr std::array<int32_t, 9> k_lora_ranks = {1, 8, 16, 32, 64, 128, 256, 320, 512};
constexpr std::array<int32_t, 7> k_block_sizes = {1, 8, 16, 32, 64, 128, 256};

}  // namespace

VersionRules version_rules(const std::string& version) {
  VersionRules r;
  if (version.empty()) return r;  // v0.19.0, the version the shared logs measure
  int major = 0, minor = 0;
  if (!parse_version(version, major, minor) || major != 0 || minor < 17) {
    throw InputError::field(
        "engine_version", version, "0.17 … 0.19 (v0.19 rules), 0.20 and later (v0.21 rules)",
        "{field} '" + version +
            "' is not a vLLM version llmem models; accepted: 0.17, 0.18, 0.19 (the v0.19.0 "
            "rules), 0.20 and later (the v0.21 line's rules)");
  }
  if (minor >= 20) {
    r.rules = VllmRules::v0_21;
    r.default_utilization = 0.92;      // #38284
    r.estimate_cudagraphs = true;      // VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS defaults to 1
    r.tokens_from_concurrency = true;  // #41069
    r.capture_appends_max_tokens = true;
  }
  return r;
}

void validate(const PreparedModel& p, const InferenceOptions& o) {
  const VllmOptions& v = o.vllm;
  version_rules(o.engine_version);
  if (v.gpu_memory_utilization) {
    double u = *v.gpu_memory_utilization;
    if (!(u > 0.0 && u <= 1.0)) {
      bad("gpu_memory_utilization", num(u), "a number in (0, 1]", "must be in (0, 1]");
    }
  }
  const int64_t derived = p.max_position_embeddings;
  if (v.max_model_len) {
    int64_t l = *v.max_model_len;
    if (l < 1 || l > k_max_tokens) {
      bad("max_model_len", std::to_string(l), "a positive number of tokens, or auto",
          "must be a positive number of tokens (or auto)");
    }
    if (derived > 0 && l > derived) {
      bad("max_model_len", std::to_string(l), "at most " + std::to_string(derived),
          "exceeds the model's maximum of " + std::to_string(derived) +
              " tokens (max_position_embeddings); vLLM refuses it unless "
              "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1");
    }
  }
  auto positive = [](const char* key, const std::optional<int64_t>& x) {
    if (x && (*x < 1 || *x > k_max_tokens)) {
      bad(key, std::to_string(*x), "a positive integer", "must be a positive integer");
    }
  };
  positive("max_num_seqs", v.max_num_seqs);
  positive("max_num_batched_tokens", v.max_num_batched_tokens);
  if (v.max_num_seqs && v.max_num_batched_tokens && *v.max_num_batched_tokens < *v.max_num_seqs) {
    bad("max_num_batched_tokens", std::to_string(*v.max_num_batched_tokens),
        "at least max_num_seqs (" + std::to_string(*v.max_num_seqs) + ")",
        "must be at least max_num_seqs (" + std::to_string(*v.max_num_seqs) + ")");
  }
  if (v.block_size &&
      std::find(k_block_sizes.begin(), k_block_sizes.end(), *v.block_size) == k_block_sizes.end()) {
    bad("block_size", std::to_string(*v.block_size), "1, 8, 16, 32, 64, 128, 256",
        "must be one of 1, 8, 16, 32, 64, 128, 256");
  }
  if (v.max_loras < 0 || v.max_loras > 4096) {
    bad("max_loras", std::to_string(v.max_loras), "an integer in [0, 4096] (0: LoRA off)",
        "must be in [0, 4096] (0: LoRA off)");
  }
  if (std::find(k_lora_ranks.begin(), k_lora_ranks.end(), v.max_lora_rank) == k_lora_ranks.end()) {
    bad("max_lora_rank", std::to_string(v.max_lora_rank), "1, 8, 16, 32, 64, 128, 256, 320, 512",
        "must be one of 1, 8, 16, 32, 64, 128, 256, 320, 512");
  }
  if (!(v.cpu_offload_gb >= 0.0 && v.cpu_offload_gb <= 1e6)) {
    bad("cpu_offload_gb", num(v.cpu_offload_gb), "a number of GiB, at least 0",
        "must be at least 0 GiB");
  }
  if (v.kv_cache_memory_bytes && *v.kv_cache_memory_bytes == 0) {
    bad("kv_cache_memory_bytes", "0", "a positive number of bytes",
        "must be a positive number of bytes");
  }
  const SpeculativeConfig& sc = v.speculative_config;
  if (sc.method != SpeculativeMethod::none) {
    if (sc.num_speculative_tokens < 1 || sc.num_speculative_tokens > 64) {
      bad("speculative_config",
          "num_speculative_tokens=" + std::to_string(sc.num_speculative_tokens),
          "num_speculative_tokens in [1, 64]", "needs num_speculative_tokens in [1, 64]");
    }
    const bool needs_draft = sc.method == SpeculativeMethod::draft_model ||
                             sc.method == SpeculativeMethod::eagle ||
                             sc.method == SpeculativeMethod::eagle3;
    if (needs_draft && !sc.draft) {
      bad("speculative_config", "a method without a model", "a draft model for draft_model/eagle",
          "names a drafting method that needs a draft model, and none was given");
    }
  }
  if (o.kv_dtype) {
    const KvDType k = *o.kv_dtype;
    const bool ok = k == KvDType::bf16 || k == KvDType::f16 || k == KvDType::f32 ||
                    k == KvDType::fp8_e4m3 || k == KvDType::fp8_e5m2;
    if (!ok) {
      const std::string name(kv_dtype_info(k).name);
      bad("kv_dtype", name, "auto, bf16, fp16, fp8 (fp8_e4m3), fp8_e5m2",
          "is not a vLLM --kv-cache-dtype; accepted: auto, bf16, fp16, fp8 (fp8_e4m3), fp8_e5m2");
    }
  }
}

Settings resolve_settings(const PreparedModel& p, const InferenceOptions& o) {
  const VllmOptions& v = o.vllm;
  Settings s;
  s.version = version_rules(o.engine_version);
  s.utilization = v.gpu_memory_utilization.value_or(s.version.default_utilization);
  s.derived_max_len = p.max_position_embeddings > 0 ? p.max_position_embeddings
                                                    : std::max<int64_t>(o.context_tokens, 1);
  if (v.max_model_len) {
    s.max_model_len = *v.max_model_len;
  } else if (o.context_given) {
    s.max_model_len = std::min(o.context_tokens, s.derived_max_len);
  } else {
    s.max_model_len = s.derived_max_len;  // unset: the derived maximum (_get_and_verify_max_len)
  }
  if (v.speculative_config.method != SpeculativeMethod::none) {
    s.speculative_tokens = v.speculative_config.num_speculative_tokens;
  }
  // get_batch_defaults: ≥ 70 GiB and not an A100 → the large defaults; an unknown GPU (none
  // named) falls to the small ones, as vLLM does when it cannot query the device.
  const bool large = o.gpu.memory_bytes >= 70 * k_gib && !lower_contains(o.gpu.name, "a100");
  const bool llm = v.entry_point == VllmEntryPoint::llm;
  int64_t t = large ? (llm ? 16384 : 8192) : (llm ? 8192 : 2048);
  int64_t n = large ? 1024 : 256;
  // _set_default_max_num_seqs_and_batched_tokens_args: only unset values; chunked prefill on
  // (V1), so T = min(T, S × L) and S = min(S, T).
  if (!v.max_num_batched_tokens) {
    const int64_t seqs = v.max_num_seqs.value_or(n);
    if (seqs <= k_max_tokens / std::max<int64_t>(s.max_model_len, 1)) {
      t = std::min(t, seqs * s.max_model_len);
    }
  }
  s.max_num_batched_tokens = v.max_num_batched_tokens.value_or(t);
  s.max_num_seqs = v.max_num_seqs.value_or(std::min(n, s.max_num_batched_tokens));
  if (v.block_size) {
    s.block_size = *v.block_size;
    s.block_size_given = true;
  }
  return s;
}

}  // namespace llmem::engines::vllm
