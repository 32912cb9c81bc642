// The engines against the shared measurements (tools/engine_accuracy.h). Each case is turned
// into the InferenceOptions its log states; where the log does not state a setting, the engine's
// own default for that version, GPU and entry point applies (the llm-d sweep ran `vllm serve`).
#include "engine_accuracy.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "llamacpp_rows.h"
#include "llmem/common/error.h"
#include "llmem/core/inference.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/catalog.h"

namespace llmem::validation {
namespace {

using nlohmann::json;
constexpr double k_gib = 1073741824.0;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Measured model id → (config, weights format, family). The config is a catalog name or a file
// under <extra>/models.
struct ModelMap {
  const char* hf_id;
  const char* config;   // "catalog:NAME" or "file:NAME.json"
  const char* weights;  // "" = the dtype the log prints; else a --weights label
};
constexpr ModelMap k_models[] = {
    {"meta-llama/Llama-3.1-8B-Instruct", "catalog:llama-3.1-8b", ""},
    {"RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16", "catalog:llama-3.1-8b", "w4a16"},
    {"RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8", "catalog:llama-3.1-8b", "w8a8"},
    {"Qwen/Qwen2.5-7B-Instruct", "catalog:qwen2.5-7b-instruct", ""},
    {"RedHatAI/Qwen2.5-7B-Instruct-fp8-dynamic", "catalog:qwen2.5-7b-instruct", "fp8-dynamic"},
    {"RedHatAI/Qwen2.5-7B-Instruct-quantized.w8a8", "catalog:qwen2.5-7b-instruct", "w8a8"},
    {"Qwen/Qwen3-8B", "catalog:qwen3-8b", ""},
    {"google/gemma-2-9b-it", "catalog:gemma-2-9b", ""},
    {"mistralai/Mixtral-8x7B-Instruct-v0.1", "catalog:mixtral-8x7b-v0.1", ""},
    {"meta-llama/Llama-4-Scout-17B-16E-Instruct", "catalog:llama-4-scout-17b-16e-instruct", ""},
    {"redhatai/Llama-3.3-70B-Instruct-quantized.w8a8", "catalog:llama-3.1-70b", "w8a8"},
    {"codellama/CodeLlama-7b-hf", "file:codellama-7b-hf.json", ""},
    {"google/gemma-2-27b-it", "file:gemma-2-27b.json", ""},
    {"google/gemma-2-2b-it", "file:gemma-2-2b.json", ""},
    {"google/gemma-7b", "file:gemma-7b.json", ""},
    {"microsoft/phi-2", "file:phi-2.json", ""},
    {"Qwen/Qwen1.5-MoE-A2.7B", "file:qwen1.5-moe-a2.7b.json", ""},
    {"Qwen/Qwen2.5-72B-Instruct", "file:qwen2.5-72b-instruct.json", ""},
    {"Qwen/Qwen3-14B", "file:qwen3-14b.json", ""},
};

const ModelMap* model_map(const std::string& id) {
  for (const auto& m : k_models) {
    if (id == m.hf_id) return &m;
  }
  return nullptr;
}

ModelDescription load_config(const std::string& spec, const std::string& extra_dir) {
  if (spec.rfind("catalog:", 0) == 0) {
    auto m = load_catalog_model(spec.substr(8));
    if (!m) throw InputError("catalog model " + spec.substr(8) + " is missing");
    return *m;
  }
  const std::string path = extra_dir + "/models/" + spec.substr(5);
  HfConfigOptions o;
  o.name = spec.substr(5);
  o.source = path;
  return load_hf_config(read_text(path), o);
}

std::optional<double> number(const json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

// The names measurements.json uses for the same figure (the llm-d logs and the version sweep).
const char* alias(const std::string& key) {
  if (key == "weights_model_loading") return "weight_memory";
  if (key == "available_kv_cache_memory") return "kv_cache_memory";
  if (key == "gpu_kv_cache_size_tokens") return "kv_cache_tokens";
  if (key == "num_gpu_blocks") return "kv_cache_blocks";
  if (key == "torch_peak_memory_increase_activation") return "activation_memory";
  if (key == "non_torch_forward_increase") return "non_torch_forward_memory";
  if (key == "cuda_graph_memory_actual") return "cuda_graph_memory";
  return nullptr;
}

// A measured figure in bytes (GiB, MiB or B units) or as a count.
std::optional<double> measured(const json& m, const std::string& key) {
  if (!m.contains(key)) {
    const char* other = alias(key);
    return other != nullptr && m.contains(other) ? measured(m, other) : std::nullopt;
  }
  const json& e = m[key];
  auto v = number(e.value("value", json()));
  if (!v) return std::nullopt;
  const std::string unit = e.value("unit", "");
  if (unit == "GiB") return *v * k_gib;
  if (unit == "MiB") return *v * 1048576.0;
  return *v;
}

int int_setting(const json& c, const char* key, int fallback) {
  if (c.contains(key) && c[key].is_number_integer()) return c[key].get<int>();
  return fallback;
}

GpuTarget h100() {
  const GpuSpec* g = find_gpu("H100-80GB");
  GpuTarget t;
  t.name = g->name;
  t.memory_bytes = g->memory_bytes;
  t.compute_capability = g->compute_capability;
  t.nvswitch = g->interconnect == "nvlink";
  t.sm_count = 132;  // H100 SXM5: 132 SMs (NVIDIA H100 Tensor Core GPU Architecture whitepaper)
  return t;
}

struct VllmCase {
  std::string id;
  std::string family;
  std::string version;
  InferenceOptions o;
  ModelDescription model;
  json measured;
};

void add(AccuracyReport& r, const VllmCase& c, const std::string& component,
         const std::string& unit, double meas, double est, std::optional<double> low = std::nullopt,
         std::optional<double> high = std::nullopt, std::string note = "") {
  if (c.family.find("scout") != std::string::npos && note.find("trimmed") == std::string::npos) {
    note =
        "catalog config trimmed at its source (no vision tower): weights and the encoder "
        "cache miss it" +
        (note.empty() ? std::string() : "; " + note);
  }
  AccuracyRow row;
  row.case_id = c.id;
  row.engine = "vllm";
  row.version = c.version;
  row.family = c.family;
  row.component = component;
  row.unit = unit;
  row.measured = meas;
  row.estimated = est;
  row.low = low;
  row.high = high;
  row.note = std::move(note);
  r.rows.push_back(std::move(row));
}

std::optional<VllmCase> vllm_case(const json& m, const std::string& extra_dir, AccuracyReport& r) {
  const std::string id = m.value("id", "");
  auto skip = [&](const std::string& why) {
    r.skipped.push_back({id, why});
    return std::nullopt;
  };
  const json& c = m["config"];
  std::string version = c.value("vllm_version", "");
  if (version.rfind("v0.", 0) != 0) {
    return skip("vLLM version not stated, or a V0 engine (" +
                (version.empty() ? std::string("no version") : version.substr(0, 60)) + ")");
  }
  version = version.substr(0, version.find(' '));
  const ModelMap* map = model_map(m.value("model", ""));
  if (map == nullptr) return skip("no config for " + m.value("model", "?") + " on this machine");
  if (!c.contains("tensor_parallel_size") || !c["tensor_parallel_size"].is_number_integer()) {
    return skip("tensor-parallel size not stated");
  }
  if (!measured(m["measured"], "available_kv_cache_memory")) {
    return skip("the log prints no available KV memory");
  }
  VllmCase v;
  v.id = id;
  v.family = map->config;
  v.version = version;
  v.measured = m["measured"];
  v.model = load_config(map->config, extra_dir);
  InferenceOptions& o = v.o;
  o.engine = Engine::vllm;
  o.engine_version = version;
  try {
    o.tp = int_setting(c, "tensor_parallel_size", 1);
    o.pp = int_setting(c, "pipeline_parallel_size", 1);
    o.gpu = h100();
    const std::string dtype = c.value("dtype", "torch.bfloat16");
    const DType compute = dtype == "torch.float16"   ? DType::f16
                          : dtype == "torch.float32" ? DType::f32
                                                     : DType::bf16;
    std::string weights = map->weights;
    if (c.contains("quantization") && c["quantization"] == "fp8") weights = "fp8";
    if (weights.empty())
      weights = compute == DType::f16 ? "fp16" : compute == DType::f32 ? "fp32" : "bf16";
    auto f = parse_weight_format(weights);
    if (!f) return skip("weights format " + weights + " unknown to llmem");
    if (f->scheme != WeightScheme::dense) f->dtype = compute;
    o.weights = *f;
    const std::string kv = c.value("kv_cache_dtype", "auto");
    if (kv != "auto") o.kv_dtype = parse_kv_dtype(kv);
    if (c.contains("max_model_len") && c["max_model_len"].is_number_integer()) {
      o.vllm.max_model_len = c["max_model_len"].get<int64_t>();
    }
    if (c.contains("max_num_seqs") && c["max_num_seqs"].is_number_integer()) {
      o.vllm.max_num_seqs = c["max_num_seqs"].get<int64_t>();
    }
    if (c.contains("max_num_batched_tokens") && c["max_num_batched_tokens"].is_number_integer()) {
      o.vllm.max_num_batched_tokens = c["max_num_batched_tokens"].get<int64_t>();
    }
    if (auto u = number(c.value("gpu_memory_utilization", json()))) {
      o.vllm.gpu_memory_utilization = *u;
    }
    o.vllm.enforce_eager = c.value("enforce_eager", false);
    auto prepared = prepare_model(v.model);
    validate_inference_options(prepared, o);
  } catch (const Error& e) {
    return skip(std::string("llmem refuses the setup: ") + e.what());
  }
  return v;
}

double gib_round_tolerance(double bytes_per_block) {
  return bytes_per_block > 0 ? 0.005 * k_gib / bytes_per_block + 1.0 : 1.0;
}

void vllm_rows(const VllmCase& c, AccuracyReport& r, std::vector<double>& residual,
               std::vector<double>& terms_out) {
  const json& me = c.measured;
  auto prepared = prepare_model(c.model);
  std::vector<StageParts> stages(static_cast<size_t>(c.o.pp));
  const WeightPlan plan = engine_plan(prepared, c.o);
  const InferenceNumbers n = inference_numbers(prepared, plan, c.o, engine_model(Engine::vllm),
                                               stages.data(), stages.size());
  const VllmFigures& f = n.engine.vllm;
  const bool pp = c.o.pp > 1;
  const std::string w0 = pp ? "[Worker_PP0]" : "";
  // weights: rank 0's "Model loading took"
  if (auto w = measured(me, "weights_model_loading")) {
    const double est = static_cast<double>(stages[0].parts.sum(PartParent::weights));
    add(r, c, "weights", "bytes", *w, est);
  }
  // KV: rank 0's "Available KV cache memory"; the bound is 2 % of the requested memory
  if (auto kv = measured(me, "available_kv_cache_memory")) {
    add(r, c, "kv_cache", "bytes", *kv, static_cast<double>(f.available_kv_bytes), std::nullopt,
        std::nullopt,
        "error relative to requested: " +
            std::to_string(100.0 * (static_cast<double>(f.available_kv_bytes) - *kv) /
                           static_cast<double>(f.requested_bytes)) +
            " %");
    // Page arithmetic from the measured KV: blocks, tokens, concurrency.
    InferenceOptions o = c.o;
    // With pipeline parallelism vLLM takes the smallest worker's pool; each worker's is the
    // requested memory less its own non-KV memory (both printed).
    double pool = *kv;
    if (c.o.pp > 1) {
      if (auto req = measured(me, "requested_memory")) {
        for (int32_t w = 0; w < c.o.pp; ++w) {
          if (auto non_kv =
                  measured(me, "total_non_kv_cache_memory[Worker_PP" + std::to_string(w) + "]")) {
            pool = std::min(pool, *req - *non_kv);
          }
        }
      }
    }
    o.vllm.kv_cache_memory_bytes = static_cast<uint64_t>(pool);
    std::vector<StageParts> st(static_cast<size_t>(o.pp));
    const InferenceNumbers m2 =
        inference_numbers(prepared, plan, o, engine_model(Engine::vllm), st.data(), st.size());
    const VllmFigures& g = m2.engine.vllm;
    const double per_block = static_cast<double>(g.page_bytes) * g.group_size;
    if (auto blocks = measured(me, "num_gpu_blocks")) {
      const double tol = gib_round_tolerance(per_block);
      add(r, c, "kv_blocks", "count", *blocks, static_cast<double>(g.num_gpu_blocks),
          static_cast<double>(g.num_gpu_blocks) - tol, static_cast<double>(g.num_gpu_blocks) + tol,
          "from the measured KV GiB (±0.005 GiB print rounding)");
    }
    if (auto tokens = measured(me, "gpu_kv_cache_size_tokens")) {
      add(r, c, "kv_tokens", "count", *tokens, static_cast<double>(g.kv_cache_tokens));
    }
    if (auto conc = measured(me, "max_concurrency")) {
      add(r, c, "max_concurrency", "count", *conc, std::round(g.max_concurrency * 100) / 100);
    }
  }
  // The profile peak (rank 0 / its stage)
  auto peak_meas = measured(me, "torch_peak_memory_increase_activation" + w0);
  if (!peak_meas && pp)
    peak_meas = measured(me, "torch_peak_memory_increase_activation[Worker_PP0]");
  if (peak_meas) {
    // stage 0's terms
    const Parts& p0 = stages[0].parts;
    const double terms =
        static_cast<double>(p0.sum(PartParent::activations) - p0[Part::act_unattributed]);
    const double est = static_cast<double>(p0.sum(PartParent::activations));
    add(r, c, "activations", "bytes", *peak_meas, est,
        static_cast<double>(stages[0].activations_low),
        static_cast<double>(stages[0].activations_high));
    residual.push_back(*peak_meas - terms);
    terms_out.push_back(terms);
    if (pp) {  // the last stage too
      if (auto last = measured(me, "torch_peak_memory_increase_activation[Worker_PP" +
                                       std::to_string(c.o.pp - 1) + "]")) {
        const Parts& pl = stages.back().parts;
        const double t2 =
            static_cast<double>(pl.sum(PartParent::activations) - pl[Part::act_unattributed]);
        VllmCase c2 = c;
        c2.id = c.id + "[PP" + std::to_string(c.o.pp - 1) + "]";
        add(r, c2, "activations", "bytes", *last,
            static_cast<double>(pl.sum(PartParent::activations)),
            static_cast<double>(stages.back().activations_low),
            static_cast<double>(stages.back().activations_high));
        residual.push_back(*last - t2);
        terms_out.push_back(t2);
      }
    }
  }
  auto nt = measured(me, "non_torch_forward_increase" + w0);
  if (nt) {
    add(r, c, "non_torch_increase", "bytes", *nt, static_cast<double>(f.non_torch_increase.bytes),
        static_cast<double>(f.non_torch_increase.low),
        static_cast<double>(f.non_torch_increase.high));
  }
  if (auto base = measured(me, "init_non_torch_memory")) {
    add(r, c, "baseline", "bytes", *base, static_cast<double>(f.baseline.bytes),
        static_cast<double>(f.baseline.low), static_cast<double>(f.baseline.high));
  }
  if (auto g = measured(me, "cuda_graph_memory_actual")) {
    add(r, c, "cuda_graphs", "bytes", *g, static_cast<double>(f.cuda_graphs.bytes),
        static_cast<double>(f.cuda_graphs.low), static_cast<double>(f.cuda_graphs.high));
  }
  if (auto g = measured(me, "cuda_graph_memory_estimated")) {
    add(r, c, "cuda_graph_estimate", "bytes", *g, static_cast<double>(f.cuda_graph_estimate_bytes));
  }
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

AccuracyReport engine_accuracy(const std::string& shared_dir, const std::string& extra_dir,
                               const std::string& llamacpp_run) {
  AccuracyReport r;
  const json all = json::parse(read_text(shared_dir + "/validation/measurements.json"));
  // vLLM
  std::vector<VllmCase> cases;
  for (const auto& m : all) {
    if (m.value("kind", "") != "inference-vllm") continue;
    if (auto c = vllm_case(m, extra_dir, r)) cases.push_back(std::move(*c));
  }
  // Rows, then the leave-one-model-out check of the fitted constant: each case's peak predicted
  // with the median residual of the other model families.
  struct Loo {
    size_t row;
    std::string family;
    double terms;
    double measured;
  };
  std::vector<Loo> loo;
  std::vector<std::pair<std::string, double>> residuals;
  for (const auto& c : cases) {
    std::vector<double> res, terms;
    const size_t before = r.rows.size();
    try {
      vllm_rows(c, r, res, terms);
    } catch (const Error& e) {
      r.rows.resize(before);
      r.skipped.push_back({c.id, std::string("llmem refuses the setup: ") + e.what()});
      continue;
    }
    size_t k = 0;
    for (size_t i = before; i < r.rows.size(); ++i) {
      if (r.rows[i].component != "activations") continue;
      if (c.version.rfind("v0.19", 0) == 0) {
        loo.push_back({i, c.family, terms[k], r.rows[i].measured});
        residuals.emplace_back(c.family, res[k]);
      }
      ++k;
    }
  }
  for (const auto& l : loo) {
    std::vector<double> others;
    for (const auto& [fam, res] : residuals) {
      if (fam != l.family) others.push_back(res);
    }
    AccuracyRow row = r.rows[l.row];
    row.component = "activations_loo";
    row.estimated = l.terms + median(others);
    row.low.reset();
    row.high.reset();
    row.note =
        "constant fitted on the other model families: " + std::to_string(median(others) / k_gib) +
        " GiB";
    r.rows.push_back(std::move(row));
  }
  // llama.cpp: the shared logs and the recorded real-llama.cpp run.
  llamacpp_shared_rows(all, shared_dir, extra_dir, r);
  if (!llamacpp_run.empty()) llamacpp_run_rows(json::parse(read_text(llamacpp_run)), "", r);
  return r;
}

std::vector<const AccuracyRow*> select(const AccuracyReport& report, const std::string& engine,
                                       const std::string& component,
                                       const std::string& version_prefix) {
  std::vector<const AccuracyRow*> out;
  for (const auto& row : report.rows) {
    if (row.engine == engine && row.component == component &&
        row.version.rfind(version_prefix, 0) == 0) {
      out.push_back(&row);
    }
  }
  return out;
}

Summary summarise(const std::vector<const AccuracyRow*>& rows) {
  Summary s;
  s.rows = rows.size();
  std::vector<double> abs;
  for (const auto* r : rows) {
    const double e = r->error_pct();
    abs.push_back(std::fabs(e));
    if (std::fabs(e) >= std::fabs(s.worst_pct)) {
      s.worst_pct = e;
      s.worst_case = r->case_id;
      s.worst_mib = r->error_mib();
    }
    if (auto in = r->in_range()) {
      ++s.ranged;
      if (*in) ++s.in_range;
    }
  }
  s.median_abs_pct = median(abs);
  return s;
}

namespace {

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

std::string value(const AccuracyRow& r, double v) {
  return r.unit == "bytes" ? fixed(v / 1048576.0, 2) + " MiB" : fixed(v, 2);
}

}  // namespace

std::string accuracy_markdown(const AccuracyReport& report) {
  std::ostringstream out;
  out << "## Summary per engine and component\n\n"
         "| engine | rules | component | rows | median \\|error\\| | worst error | worst case | "
         "range coverage |\n|---|---|---|---|---|---|---|---|\n";
  std::vector<std::tuple<std::string, std::string, std::string>> keys;
  for (const auto& r : report.rows) {
    std::string rules =
        r.engine == "vllm" ? (r.version.rfind("v0.19", 0) == 0 ? "v0.19" : r.version) : r.version;
    auto k = std::make_tuple(r.engine, rules, r.component);
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const auto& [engine, rules, component] : keys) {
    std::vector<const AccuracyRow*> rows;
    for (const auto& r : report.rows) {
      std::string rr =
          r.engine == "vllm" ? (r.version.rfind("v0.19", 0) == 0 ? "v0.19" : r.version) : r.version;
      if (r.engine == engine && rr == rules && r.component == component) rows.push_back(&r);
    }
    const Summary s = summarise(rows);
    out << "| " << engine << " | " << rules << " | " << component << " | " << s.rows << " | "
        << fixed(s.median_abs_pct, 2) << " % | " << fixed(s.worst_pct, 2) << " % ("
        << fixed(s.worst_mib, 2) << (rows.empty() || rows[0]->unit == "bytes" ? " MiB" : "")
        << ") | `" << s.worst_case << "` | "
        << (s.ranged ? std::to_string(s.in_range) + " / " + std::to_string(s.ranged) : "–")
        << " |\n";
  }
  out << "\n## Every row\n\n| case | engine | component | measured | estimated | error | "
         "range | in range | note |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : report.rows) {
    out << "| `" << r.case_id << "` | " << r.engine << " " << r.version << " | " << r.component
        << " | " << value(r, r.measured) << " | " << value(r, r.estimated) << " | "
        << fixed(r.error_pct(), 2) << " % (" << fixed(r.error_mib(), 2) << ") | "
        << (r.low ? value(r, *r.low) + " – " + value(r, *r.high) : "–") << " | "
        << (r.in_range() ? (*r.in_range() ? "yes" : "**no**") : "–") << " | " << r.note << " |\n";
  }
  out << "\n## Cases llmem cannot express\n\n| case | reason |\n|---|---|\n";
  for (const auto& s : report.skipped) out << "| `" << s.case_id << "` | " << s.reason << " |\n";
  return out.str();
}

}  // namespace llmem::validation
