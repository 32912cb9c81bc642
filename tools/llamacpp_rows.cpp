#include "llamacpp_rows.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "llmem/common/error.h"
#include "llmem/core/inference.h"
#include "llmem/formats/gguf.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/catalog.h"

namespace llmem::validation {
namespace {

using nlohmann::json;
constexpr double k_mib = 1048576.0;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

GgufFile rebuild(const json& model) {
  GgufFile f;
  f.source = model.value("name", "model") + ".gguf";
  f.version = 3;
  f.file_size = model["file"]["size"].get<uint64_t>();
  f.data_offset = model["file"]["data_offset"].get<uint64_t>();
  f.header_bytes = f.data_offset;
  for (const auto& e : model["metadata"]) {
    const std::string key = e[0].get<std::string>();
    const std::string type = e[1].get<std::string>();
    GgufValue v;
    if (type == "str") {
      v.type = GgufValueType::string;
      v.data = e[2].get<std::string>();
    } else if (type == "u32") {
      v.type = GgufValueType::u32;
      v.data = e[2].get<uint64_t>();
    } else if (type == "f32") {
      v.type = GgufValueType::f32;
      v.data = e[2].get<double>();
    } else if (type == "array") {
      v.type = GgufValueType::array;
      const std::string elem = e[2].get<std::string>();
      if (elem == "str") {
        v.element_type = GgufValueType::string;
        const size_t n = e[3]["count"].get<size_t>();
        std::vector<std::string> tokens(n);
        for (size_t i = 0; i < n; ++i) tokens[i] = "t" + std::to_string(i);
        v.data = std::move(tokens);
      } else {
        v.element_type = GgufValueType::i32;
        v.data = e[3].get<std::vector<int64_t>>();
      }
    } else {
      throw InputError("harness metadata type '" + type + "' of " + key + " is not known");
    }
    f.metadata.emplace_back(key, std::move(v));
  }
  for (const auto& t : model["tensors"]) {
    GgufTensorInfo info;
    info.name = t[0].get<std::string>();
    auto type = parse_ggml_type(t[1].get<std::string>());
    if (!type) throw InputError("harness tensor type " + t[1].get<std::string>() + " unknown");
    info.type = *type;
    for (const auto& d : t[2]) info.dims.push_back(d.get<uint64_t>());
    info.offset = t[3].get<uint64_t>();
    info.bytes = t[4].get<uint64_t>();
    f.tensors.push_back(std::move(info));
  }
  return f;
}

struct Rows {
  AccuracyReport& r;
  std::string case_id;
  std::string family;
  void add(const std::string& component, const std::string& unit, double meas, double est,
           std::optional<double> low = std::nullopt, std::optional<double> high = std::nullopt,
           std::string note = "") {
    AccuracyRow row;
    row.case_id = case_id;
    row.engine = "llamacpp";
    row.version = "v0.5.0";
    row.family = family;
    row.component = component;
    row.unit = unit;
    row.measured = meas;
    row.estimated = est;
    row.low = low;
    row.high = high;
    row.note = std::move(note);
    r.rows.push_back(std::move(row));
  }
  // A buffer llama.cpp printed in MiB against llmem's bytes, both as llama.cpp prints them.
  void buffer(const std::string& component, double printed, uint64_t bytes,
              std::optional<ByteRange> range = std::nullopt, std::string note = "") {
    const double est = printed_mib(static_cast<double>(bytes)) * k_mib;
    if (range) {
      add(component, "bytes", printed * k_mib, est, static_cast<double>(range->low),
          static_cast<double>(range->high), std::move(note));
    } else {
      add(component, "bytes", printed * k_mib, est, std::nullopt, std::nullopt, std::move(note));
    }
  }
};

FlashAttn fa_of(const std::string& s) {
  return s == "on" ? FlashAttn::on : s == "off" ? FlashAttn::off : FlashAttn::automatic;
}

std::string variant_of(const json& run) {
  std::string lib = run["machine"]["cpu_backend"].value("library", "");
  const std::string prefix = "libggml-cpu-";
  if (lib.rfind(prefix, 0) == 0) lib = lib.substr(prefix.size());
  if (lib.size() > 3 && lib.substr(lib.size() - 3) == ".so") lib.resize(lib.size() - 3);
  return lib;
}

}  // namespace

double printed_mib(double bytes) {
  // bytes × 100 / 2^20 exactly, rounded half to even (glibc printf of the exact binary value)
  const auto b = static_cast<uint64_t>(bytes);  // < 2^57: × 100 stays below 2^64
  const uint64_t scaled = b * 100;
  const uint64_t d = uint64_t{1} << 20;
  uint64_t q = scaled / d;
  const uint64_t rem = scaled % d;
  if (rem * 2 > d || (rem * 2 == d && q % 2 == 1)) ++q;
  return static_cast<double>(q) / 100.0;
}

ModelDescription harness_model(const json& model, const std::string& gguf_dir) {
  if (gguf_dir.empty()) return gguf_to_model_description(rebuild(model));
  const std::string path = gguf_dir + "/" + model.value("name", "") + ".gguf";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  const uint64_t size = model["file"]["size"].get<uint64_t>();
  const uint64_t header = model["file"]["data_offset"].get<uint64_t>();
  std::vector<char> bytes(header);
  in.read(bytes.data(), static_cast<std::streamsize>(header));
  const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
  return gguf_to_model_description(parse_gguf({p, bytes.size()}, size, path));
}

void llamacpp_run_rows(const json& run, const std::string& gguf_dir, AccuracyReport& report) {
  const std::string variant = variant_of(run);
  for (const auto& m : run["models"]) {
    if (m["load"].contains("error")) continue;
    const ModelDescription model = harness_model(m, gguf_dir);
    const PreparedModel p = prepare_model(model);
    const std::string name = m.value("name", "");
    bool model_rows = false;
    for (size_t i = 0; i < m["cases"].size(); ++i) {
      const json& c = m["cases"][i];
      const json& s = c["settings"];
      Rows rows{report, name + "#" + std::to_string(i), name};
      InferenceOptions o;
      o.engine = Engine::llamacpp;
      o.batch = s["n_seq_max"].get<int64_t>();
      o.batch_given = true;
      LlamaCppOptions& l = o.llamacpp;
      l.devices = 0;
      l.fit = false;
      l.kv_unified = false;  // node-llama-cpp fixes it (AddonContext.cpp)
      l.cpu_variant = variant;
      l.flash_attn = fa_of(s.value("flash_attn", "auto"));
      l.type_k = parse_kv_dtype(s.value("type_k", "f16"));
      l.type_v = parse_kv_dtype(s.value("type_v", "f16"));
      l.swa_full = s.value("swa_full", false);
      if (c.contains("error")) {
        // llama.cpp refused: llmem must refuse too.
        bool refused = false;
        try {
          l.n_ctx = s["n_ctx"].get<int64_t>();
          validate_inference_options(p, o);
        } catch (const InputError&) {
          refused = true;
        }
        rows.add("refusal", "count", 1, refused ? 1 : 0);
        continue;
      }
      const json& pr = c["printed"];
      // fed what llama.cpp printed (n_ctx is already padded; the unpadded request capped n_batch)
      l.n_ctx = pr["n_ctx"].get<int64_t>();
      l.batch_size = pr["n_batch"].get<int64_t>();
      l.ubatch_size = pr["n_ubatch"].get<int64_t>();
      validate_inference_options(p, o);
      const InferenceNumbers n = inference_numbers(p, engine_plan(p, o), o, engine_model(o.engine));
      const LlamaCppFigures& f = n.engine.llamacpp;
      rows.add("n_ctx_seq", "count", pr["n_ctx_seq"].get<double>(),
               static_cast<double>(f.n_ctx_seq));
      if (!model_rows) {
        model_rows = true;
        Rows mr{report, name, name};
        const HostParts& h = n.host;
        for (const auto& b : m["load"]["buffers"]) {
          const std::string buft = b["buft"].get<std::string>();
          const double mib = b["mib"].get<double>();
          uint64_t est = buft == "AMX"          ? h[HostPart::weights_amx]
                         : buft == "CPU_REPACK" ? h[HostPart::weights_repack]
                         : buft == "CPU_Mapped" ? h[HostPart::weights_mapped]
                         : buft == "CPU"        ? h[HostPart::weights_cpu]
                                                : 0;
          mr.buffer("model_" + buft, mib, est);
        }
      }
      const json& kv = c["kv"];
      if (kv["buffers"].size() >= 1)
        rows.buffer("kv_buffer", kv["buffers"][0]["mib"].get<double>(), f.kv_buffer_bytes);
      if (kv["buffers"].size() >= 2)
        rows.buffer("kv_swa_buffer", kv["buffers"][1]["mib"].get<double>(), f.kv_swa_buffer_bytes);
      if (kv["caches"].size() >= 1) {
        rows.buffer("kv_size", kv["caches"][0]["mib"].get<double>(),
                    static_cast<uint64_t>(static_cast<float>(f.kv_size_bytes)));
        rows.add("kv_cells", "count", kv["caches"][0]["cells"].get<double>(),
                 static_cast<double>(f.n_ctx_seq));
      }
      if (kv["caches"].size() >= 2) {
        rows.add("kv_swa_cells", "count", kv["caches"][1]["cells"].get<double>(),
                 static_cast<double>(f.swa_cells));
      }
      const json& rs = c["recurrent"];
      if (!rs["buffers"].empty())
        rows.buffer("rs_buffer", rs["buffers"][0]["mib"].get<double>(), f.rs_buffer_bytes);
      if (c.contains("output_buffer") && !c["output_buffer"].is_null()) {
        rows.buffer("output", c["output_buffer"]["mib"].get<double>(), f.output_bytes);
      }
      if (!c["compute"].empty()) {
        const uint64_t est = n.host[HostPart::activations];
        rows.buffer("compute", c["compute"][0]["mib"].get<double>(), est,
                    ByteRange{est, est - est / 10, est + est / 10});
      }
    }
  }
}

void llamacpp_shared_rows(const json& all, const std::string& /*shared_dir*/,
                          const std::string& extra_dir, AccuracyReport& r) {
  struct Case {
    const char* id;
    const char* config;  // "catalog:NAME" or "file:NAME"
    const char* weights;
    int64_t n_ctx, n_batch, n_ubatch;
    bool fa;
    const char* gpu;  // catalog name
  };
  const Case cases[] = {
      {"llamacpp-ci-pythia2.8b-f16-v100", "file:pythia-2.8b.json", "fp16", 2048, 2048, 512, false,
       "V100-16GB"},
      {"llamacpp-ci-pythia2.8b-q8_0-v100", "file:pythia-2.8b.json", "q8_0", 2048, 2048, 512, false,
       "V100-16GB"},
      {"llamacpp-ci-pythia2.8b-q4_0-v100", "file:pythia-2.8b.json", "q4_0", 2048, 2048, 512, false,
       "V100-16GB"},
      {"llamacpp-ci-openllama7bv2-f16-v100-ctx512", "catalog:llama-2-7b-hf", "fp16", 512, 512, 512,
       false, "V100-16GB"},
      {"llamacpp-phi3-mini-q4km-rtx3070", "catalog:phi-3-mini-4k-instruct", "q4_k_m", 4096, 256,
       256, false, ""},
  };
  for (const auto& m : all) {
    if (m.value("kind", "") != "inference-llamacpp") continue;
    const std::string id = m.value("id", "");
    const Case* k = nullptr;
    for (const auto& c : cases) {
      if (id == c.id) k = &c;
    }
    if (k == nullptr) {
      r.skipped.push_back(
          {id, id.find("qwen36") != std::string::npos
                   ? "Qwen3.6 (Gated DeltaNet hybrid, model_type qwen3_5) has no reader in llmem, "
                     "and its UD-Q4_K_XL tensor types do not follow llama-quantize's rules; its KV "
                     "and recurrent figures are reproduced by hand in docs/llamacpp-rules.md §10"
                   : "no config for the model on this machine (mistral-small-2409); its KV figure "
                     "is reproduced by hand in docs/llamacpp-rules.md §10 under the measurement's "
                     "own layer assumption"});
      continue;
    }
    ModelDescription model;
    const std::string spec = k->config;
    if (spec.rfind("catalog:", 0) == 0) {
      model = *load_catalog_model(spec.substr(8));
    } else {
      HfConfigOptions ho;
      ho.name = spec.substr(5);
      model = load_hf_config(read_text(extra_dir + "/models/" + spec.substr(5)), ho);
    }
    const PreparedModel p = prepare_model(model);
    InferenceOptions o;
    o.engine = Engine::llamacpp;
    o.batch = 1;
    o.batch_given = true;
    o.weights = parse_weight_format(k->weights);
    if (o.weights->scheme == WeightScheme::dense) o.weights->dtype = DType::f16;
    LlamaCppOptions& l = o.llamacpp;
    l.devices = 1;
    l.fit = false;  // these builds predate --fit
    l.n_ctx = k->n_ctx;
    l.batch_size = k->n_batch;
    l.ubatch_size = k->n_ubatch;
    l.flash_attn = k->fa ? FlashAttn::on : FlashAttn::off;
    validate_inference_options(p, o);
    std::vector<StageParts> stages(k_max_llamacpp_devices);
    const InferenceNumbers n = inference_numbers(p, engine_plan(p, o), o, engine_model(o.engine),
                                                 stages.data(), stages.size());
    const LlamaCppFigures& f = n.engine.llamacpp;
    const json& me = m["measured"];
    Rows rows{r, id, spec};
    auto mib = [&](const char* key) -> std::optional<double> {
      if (!me.contains(key)) return std::nullopt;
      return me[key]["value"].get<double>();
    };
    const bool old = id.find("openllama") != std::string::npos;
    const std::string old_note =
        old ? "build 1707 (Dec 2023) prints other lines; v0.5.0 rules" : "";
    if (auto v = mib(old ? "vram_used_model" : "cuda0_model_buffer")) {
      rows.buffer("model_CUDA0", *v, f.device[0].model, std::nullopt,
                  id.find("phi3") != std::string::npos
                      ? "Q4_K_M per-tensor types from llama-quantize's rules"
                      : old_note);
    }
    if (auto v = mib(old ? "system_memory_used" : "cpu_mapped_model_buffer")) {
      rows.buffer("model_CPU_Mapped", *v, n.host[HostPart::weights_mapped], std::nullopt,
                  old ? "that build counted 0.11 MiB more on the host (not explained)" : "");
    }
    for (const char* key : {"cuda0_kv_buffer", "kv_self_size", "kv_size"}) {
      if (auto v = mib(key)) {
        rows.buffer("kv_buffer", *v, f.kv_buffer_bytes, std::nullopt, old_note);
        break;
      }
    }
    if (!old) {
      if (auto v = mib("cuda0_compute_buffer")) {
        const ByteRange& c = {f.device[0].compute, stages[0].activations_low,
                              stages[0].activations_high};
        rows.buffer("compute", *v, f.device[0].compute, c);
      }
      if (auto v = mib("cuda_host_compute_buffer")) {
        const uint64_t est = n.host[HostPart::activations];
        rows.buffer("compute_host", *v, est, ByteRange{est, est - est / 10, est + est / 10});
      }
      if (auto v = mib("cuda_host_output_buffer")) rows.buffer("output", *v, f.output_bytes);
    }
  }
}

}  // namespace llmem::validation
