// llama.cpp's context sizes and its refusals, and the ggml CPU variants. Sources
// (docs/llamacpp-rules.md §3, §2.4): src/llama-context.cpp llama_context::llama_context (n_batch
// capped by the unpadded n_ctx, n_ubatch by n_batch; n_ctx padded to 256; n_ctx_seq =
// pad256(n_ctx / n_seq_max) per stream unless the KV is unified); src/llama.cpp
// llama_init_from_model (a quantised V cache needs flash attention; with flash attention a
// quantised K/V block must divide every layer's head size; MLA needs type_k == type_v);
// tools/server/server.cpp (n_parallel auto → 4 slots with a unified KV cache);
// ggml/src/CMakeLists.txt ggml_add_cpu_backend_variant (the x86 variants and their features).
#include <algorithm>
#include <array>

#include "core/engines/llamacpp.h"
#include "llmem/common/error.h"

namespace llmem::engines::llamacpp {
namespace {

constexpr int64_t k_pad = 256;  // v0.5.0 pads n_ctx and n_ctx_seq to 256

int64_t pad(int64_t x, int64_t n) { return (x + n - 1) / n * n; }

bool quantised(KvDType t) { return kv_dtype_info(t).block_elements > 1; }

struct Variant {
  std::string_view name;
  CpuFeatures features;
};
constexpr std::array<Variant, 14> k_variants = {{
    {"x64", {false, false, false}},
    {"sse42", {false, false, false}},
    {"sandybridge", {false, false, false}},
    {"ivybridge", {false, false, false}},
    {"piledriver", {false, false, false}},
    {"haswell", {true, false, false}},
    {"alderlake", {true, false, false}},
    {"skylakex", {true, true, false}},
    {"cannonlake", {true, true, false}},
    {"cascadelake", {true, true, false}},
    {"icelake", {true, true, false}},
    {"cooperlake", {true, true, false}},
    {"zen4", {true, true, false}},
    {"sapphirerapids", {true, true, true}},
}};

std::string variant_names() {
  std::string s;
  for (const auto& v : k_variants) s += (s.empty() ? "" : ", ") + std::string(v.name);
  return s;
}

bool llamacpp_kv_type(KvDType t) {
  switch (t) {
    case KvDType::f32:
    case KvDType::f16:
    case KvDType::bf16:
    case KvDType::q8_0:
    case KvDType::q4_0:
    case KvDType::q4_1:
    case KvDType::q5_0:
    case KvDType::q5_1:
    case KvDType::iq4_nl:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void bad(const char* field, const std::string& value, const std::string& accepted,
                      const std::string& why) {
  throw InputError::field(field, value, accepted, "{field} is " + value + " but " + why);
}

KvDType pick(const std::optional<KvDType>& own, const InferenceOptions& o) {
  if (own) return *own;
  if (o.kv_dtype) return *o.kv_dtype;
  return KvDType::f16;  // common_params cache_type_k/v
}

}  // namespace

CpuFeatures cpu_features(std::string_view variant) {
  for (const auto& v : k_variants) {
    if (v.name == variant) return v.features;
  }
  const std::string value(variant);
  throw InputError::field(
      "cpu_variant", value, variant_names(),
      "{field} '" + value + "' is not a ggml CPU library variant; accepted: " + variant_names());
}

void validate(const PreparedModel& p, const InferenceOptions& o) {
  const LlamaCppOptions& l = o.llamacpp;
  if (!o.engine_version.empty() && o.engine_version != "v0.5.0" && o.engine_version != "0.5.0") {
    throw InputError::field("engine_version", o.engine_version, "v0.5.0",
                            "{field} '" + o.engine_version +
                                "' is not a llama.cpp build llmem models; accepted: v0.5.0 (the "
                                "build of node-llama-cpp 3.22.1)");
  }
  cpu_features(l.cpu_variant);
  const WeightScheme scheme = o.weights ? o.weights->scheme : p.stored_format.scheme;
  if (scheme != WeightScheme::dense && scheme != WeightScheme::gguf) {
    const std::string label = o.weights ? o.weights->label() : p.stored_label;
    bad("weights", label, "a llama.cpp file type (q4_k_m, q8_0 …) or a dense dtype",
        "is not a format llama.cpp loads; it reads GGUF files: give a llama.cpp file type "
        "(q4_k_m, q8_0 …) or a dense dtype (bf16, fp16, fp32)");
  }
  if (l.n_ctx && (*l.n_ctx < 0 || *l.n_ctx > k_max_tokens)) {
    bad("n_ctx", std::to_string(*l.n_ctx), "0 (the training context) or a positive number",
        "must be 0 (the training context) or a positive number of cells");
  }
  auto positive = [](const char* key, const std::optional<int64_t>& v) {
    if (v && (*v < 1 || *v > k_max_tokens)) {
      bad(key, std::to_string(*v), "a positive integer", "must be a positive integer");
    }
  };
  positive("batch_size", l.batch_size);
  positive("ubatch_size", l.ubatch_size);
  if (l.n_gpu_layers < -1 || l.n_gpu_layers > 100000) {
    bad("n_gpu_layers", std::to_string(l.n_gpu_layers), "-1 (all) or a layer count",
        "must be -1 (all) or a number of layers");
  }
  if (l.devices < -1 || l.devices > static_cast<int32_t>(k_max_llamacpp_devices)) {
    bad("devices", std::to_string(l.devices), "0 (CPU only) to 16",
        "must be 0 (CPU only) to 16 GPUs");
  }
  if (!l.tensor_split.empty()) {
    double sum = 0;
    for (double v : l.tensor_split) {
      if (!(v >= 0.0 && v <= 1e9)) {
        bad("tensor_split", std::to_string(v), "non-negative shares, one per device",
            "must be non-negative shares, one per device");
      }
      sum += v;
    }
    const int32_t devices = l.devices >= 0 ? l.devices : o.tp * o.pp;
    if (static_cast<int32_t>(l.tensor_split.size()) != devices || sum <= 0) {
      bad("tensor_split", std::to_string(l.tensor_split.size()) + " shares",
          std::to_string(devices) + " shares, not all zero",
          "must give one share per device (" + std::to_string(devices) + "), not all zero");
    }
  }
  if (l.n_cpu_moe < 0 || l.n_cpu_moe > 100000) {
    bad("n_cpu_moe", std::to_string(l.n_cpu_moe), "a layer count, at least 0",
        "must be a number of layers, at least 0");
  }
  for (const auto& ot : l.override_tensor) {
    check_pattern(ot.pattern);
    const std::string& b = ot.buffer_type;
    const bool cuda =
        b.size() > 4 && b.compare(0, 4, "CUDA") == 0 &&
        std::all_of(b.begin() + 4, b.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (b != "CPU" && !cuda) {
      bad("override_tensor", ot.pattern + "=" + b, "PATTERN=CPU or PATTERN=CUDA<n>",
          "names an unknown buffer type; accepted: CPU, CUDA0, CUDA1 …");
    }
  }
  if (l.fit_target_mib < 0 || l.fit_target_mib > (int64_t{1} << 30)) {
    bad("fit_target_mib", std::to_string(l.fit_target_mib), "MiB, at least 0",
        "must be at least 0 MiB");
  }
  if (l.fit_ctx < 1 || l.fit_ctx > k_max_tokens) {
    bad("fit_ctx", std::to_string(l.fit_ctx), "a positive number of cells",
        "must be a positive number of cells");
  }
  for (const auto* t : {&l.type_k, &l.type_v}) {
    const KvDType k = pick(*t, o);
    if (!llamacpp_kv_type(k)) {
      const std::string name(kv_dtype_info(k).name);
      bad(t == &l.type_k ? "type_k" : "type_v", name,
          "f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1",
          "is not a llama.cpp cache type; accepted: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, "
          "q5_0, q5_1");
    }
  }
  const KvDType tk = pick(l.type_k, o), tv = pick(l.type_v, o);
  if (quantised(tv) && l.flash_attn == FlashAttn::off) {
    bad("flash_attn", "off", "on or auto with a quantised V cache",
        "a quantised V cache (" + std::string(kv_dtype_info(tv).name) +
            ") requires flash attention (llama.cpp: quantized V cache requires flash_attn)");
  }
  if (l.flash_attn != FlashAttn::off) {
    for (const auto& run : p.runs) {
      if (run.spec.kind != LayerKind::attention && run.spec.kind != LayerKind::mla) continue;
      const struct {
        KvDType type;
        int32_t dim;
        const char* field;
      } checks[] = {{tk, run.spec.head_dim_k, "type_k"}, {tv, run.spec.head_dim_v, "type_v"}};
      for (const auto& c : checks) {
        const uint32_t block = kv_dtype_info(c.type).block_elements;
        if (block > 1 && c.dim % static_cast<int32_t>(block) != 0) {
          const std::string name(kv_dtype_info(c.type).name);
          bad(c.field, name, "a type whose block divides the head size " + std::to_string(c.dim),
              "its block of " + std::to_string(block) + " does not divide the head size " +
                  std::to_string(c.dim) + " (flash attention needs whole blocks per head)");
        }
      }
    }
  }
  bool mla = false;
  for (const auto& run : p.runs) mla = mla || run.spec.kind == LayerKind::mla;
  if (mla && tk != tv) {
    bad("type_v", std::string(kv_dtype_info(tv).name), "the same type as type_k for MLA",
        "must equal type_k for an MLA model (llama.cpp keeps one latent cache)");
  }
  if (o.batch_given && o.batch > 4096) {
    bad("batch", std::to_string(o.batch), "at most 4096 sequences (n_seq_max)",
        "exceeds llama.cpp's limit of 4096 sequences");
  }
}

Context make_context(const PreparedModel& p, const InferenceOptions& o, int64_t n_ctx_request) {
  const LlamaCppOptions& l = o.llamacpp;
  Context c;
  c.n_seq = o.batch_given ? std::max<int64_t>(o.batch, 1) : 4;  // server: n_parallel auto → 4
  c.unified = l.kv_unified.value_or(!o.batch_given);
  int64_t n_ctx = n_ctx_request > 0
                      ? n_ctx_request
                      : (p.max_position_embeddings > 0 ? p.max_position_embeddings : 4096);
  c.n_batch = std::min(n_ctx, l.batch_size.value_or(2048));
  c.n_ubatch = std::min(c.n_batch, l.ubatch_size.value_or(512));
  n_ctx = pad(n_ctx, k_pad);
  if (c.unified) {
    c.n_ctx_seq = n_ctx;
  } else {
    c.n_ctx_seq = pad(n_ctx / c.n_seq, k_pad);
    n_ctx = c.n_ctx_seq * c.n_seq;
  }
  c.n_ctx = n_ctx;
  c.n_stream = c.unified ? 1 : c.n_seq;
  c.type_k = pick(l.type_k, o);
  c.type_v = pick(l.type_v, o);
  // auto: the probe graph finds flash attention supported (CPU and CUDA support every head size
  // the models here use); a quantised V forces it on.
  c.flash_attn = l.flash_attn != FlashAttn::off;
  return c;
}

}  // namespace llmem::engines::llamacpp
