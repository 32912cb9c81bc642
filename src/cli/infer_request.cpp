#include "cli/infer_request.h"

#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "cli/resolve.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"
#include "llmem/core/weight_format.h"

namespace llmem::cli {

void add_infer_options(CLI::App& cmd, InferRequestText& t) {
  cmd.add_option("--weights", t.weights,
                 "weight format: " + accepted_weight_formats() +
                     " (default: the checkpoint's; fp32 checkpoints are served as bf16)")
      ->check(non_empty())
      ->type_name("FORMAT");
  cmd.add_option("--kv-dtype,--kv-cache-dtype", t.kv_dtype,
                 "KV cache dtype: " + accepted_kv_dtypes() + " (default: the compute dtype)")
      ->check(non_empty())
      ->type_name("DTYPE");
  cmd.add_option("--context", t.context,
                 "tokens per sequence (default 4096, capped at max_position_embeddings)")
      ->check(non_empty())
      ->type_name("N");
  cmd.add_option("--batch", t.batch, "concurrent sequences (default 1)")
      ->check(non_empty())
      ->type_name("N");
  cmd.add_option("--engine", t.engine, "generic (default); hf, vllm, llamacpp come later")
      ->type_name("generic")
      ->check(non_empty());
  cmd.add_option("--engine-version", t.engine_version, "engine version (recorded in settings)")
      ->check(non_empty())
      ->type_name("V");
  cmd.add_option("--prefill-chunk", t.prefill_chunk,
                 "prompt tokens per forward (default 8192, vLLM's max_num_batched_tokens)")
      ->check(non_empty())
      ->type_name("N");
  cmd.add_option("--tp", t.tp, "tensor-parallel GPUs (default 1)")
      ->check(non_empty())
      ->type_name("N");
  cmd.add_option("--pp", t.pp, "pipeline-parallel stages (default 1)")
      ->check(non_empty())
      ->type_name("N");
  cmd.add_option("--pp-layers", t.pp_layers,
                 "layers per pipeline stage, comma-separated (default: vLLM's even split)")
      ->check(non_empty())
      ->type_name("N,N,...");
  cmd.add_option("--gpu", t.gpu, "check the fit on NAME or NAMExN (see 'llmem gpus')")
      ->check(non_empty())
      ->type_name("NAME[xN]");
  cmd.add_option("--config", t.config,
                 "a config.json giving the architecture of a lone .safetensors MODEL")
      ->check(non_empty())
      ->type_name("FILE");
  cmd.add_option("--settings", t.settings_file,
                 "reproduce a run: a JSON settings object (the \"settings\" of --json output); "
                 "options given on the command line override it")
      ->check(non_empty())
      ->type_name("FILE");
  cmd.add_flag("--include-mtp", t.include_mtp,
               "count DeepSeek-V3's multi-token-prediction layer (off: as vLLM serves it)");
}

Units parse_units(const std::string& text, Units fallback) {
  if (text.empty()) return fallback;
  if (text == "GiB" || text == "gib") return Units::GiB;
  if (text == "GB" || text == "gb") return Units::GB;
  throw InputError("--units is '" + text + "' but must be GiB or GB");
}

namespace {

// Fills the options a settings object names, unless the command line gave them already.
std::string apply_settings_file(InferRequestText& t, const std::string& model) {
  std::ifstream in(t.settings_file, std::ios::binary);
  if (!in) throw InputError("--settings " + t.settings_file + ": cannot be opened for reading");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = parse_json_lenient(ss.str(), t.settings_file);
  if (!j.is_object()) throw InputError(t.settings_file + ": settings must be a JSON object");
  struct Field {
    const char* key;
    std::string* text;
  };
  const Field fields[] = {{"weights", &t.weights},
                          {"kv_dtype", &t.kv_dtype},
                          {"context", &t.context},
                          {"batch", &t.batch},
                          {"engine", &t.engine},
                          {"engine_version", &t.engine_version},
                          {"tp", &t.tp},
                          {"pp", &t.pp},
                          {"pp_layers", &t.pp_layers},
                          {"gpu", &t.gpu},
                          {"prefill_chunk", &t.prefill_chunk}};
  for (const auto& [key, value] : j.items()) {
    if (key == "model" || key == "include_mtp") continue;
    const Field* f = nullptr;
    for (const auto& candidate : fields) {
      if (key == candidate.key) f = &candidate;
    }
    if (f == nullptr) {
      throw InputError(t.settings_file + ": unknown setting '" + key +
                       "'; accepted: model, weights, kv_dtype, context, batch, engine, "
                       "engine_version, tp, pp, pp_layers, gpu, prefill_chunk, include_mtp");
    }
    if (!f->text->empty()) continue;  // the command line wins
    *f->text = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (j.contains("include_mtp") && j["include_mtp"].is_boolean() && j["include_mtp"].get<bool>()) {
    t.include_mtp = true;
  }
  if (!model.empty()) return model;
  if (!j.contains("model") || !j["model"].is_string()) {
    throw InputError(t.settings_file +
                     ": settings need a \"model\" string when MODEL is not given");
  }
  return j["model"].get<std::string>();
}

}  // namespace

InferRequest build_infer_request(const std::string& model_arg, const InferRequestText& text) {
  InferRequestText t = text;
  std::string model = model_arg;
  if (!t.settings_file.empty()) model = apply_settings_file(t, model_arg);
  InferRequest r;
  InferenceOptions& o = r.options;
  constexpr int64_t k_max_tokens = int64_t{1} << 40;
  if (!t.context.empty()) {
    o.context_tokens = parse_int_option("--context", t.context, 1, k_max_tokens);
    o.context_given = true;
  }
  if (!t.batch.empty()) o.batch = parse_int_option("--batch", t.batch, 1, k_max_tokens);
  if (!t.prefill_chunk.empty()) {
    o.prefill_chunk_tokens = parse_int_option("--prefill-chunk", t.prefill_chunk, 1, k_max_tokens);
  }
  if (!t.tp.empty()) o.tp = static_cast<int32_t>(parse_int_option("--tp", t.tp, 1, 4096));
  if (!t.pp.empty()) o.pp = static_cast<int32_t>(parse_int_option("--pp", t.pp, 1, 4096));
  if (!t.pp_layers.empty()) {
    size_t start = 0;
    while (start <= t.pp_layers.size()) {
      size_t comma = t.pp_layers.find(',', start);
      std::string part =
          t.pp_layers.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      o.pp_layers.push_back(parse_int_option("--pp-layers", part, 1, 4096));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (t.pp.empty()) o.pp = static_cast<int32_t>(o.pp_layers.size());
  }
  if (!t.kv_dtype.empty() && t.kv_dtype != "auto") {
    auto kv = parse_kv_dtype(t.kv_dtype);
    if (!kv) {
      throw InputError("--kv-dtype is '" + t.kv_dtype + "' but must be one of " +
                       accepted_kv_dtypes());
    }
    o.kv_dtype = kv;
  }
  if (!t.engine.empty() && t.engine != "generic") {
    if (t.engine == "hf" || t.engine == "vllm" || t.engine == "llamacpp") {
      throw InputError("--engine " + t.engine +
                       " is not available yet in this build; accepted: generic");
    }
    throw InputError("--engine is '" + t.engine +
                     "' but must be one of generic, hf, vllm, llamacpp");
  }
  if (!t.gpu.empty()) {
    r.gpu = parse_gpu_request(t.gpu);
    if (r.gpu->count > 1 && o.tp * o.pp == 1 && t.tp.empty() && t.pp.empty()) {
      o.tp = r.gpu->count;
      r.tp_from_gpu = t.gpu;
      r.notes.push_back("--gpu asks for " + std::to_string(r.gpu->count) +
                        " GPUs and no --tp/--pp: tensor parallel over " +
                        std::to_string(r.gpu->count));
    } else if (r.gpu->count != o.tp * o.pp) {
      throw InputError("--gpu " + t.gpu + " names " + std::to_string(r.gpu->count) +
                       " GPUs but --tp " + std::to_string(o.tp) + " × --pp " +
                       std::to_string(o.pp) + " uses " + std::to_string(o.tp * o.pp));
    }
  }

  HfConfigOptions hf;
  hf.include_mtp = t.include_mtp;
  r.model = resolve_model(model, hf, t.config);
  if (!t.weights.empty() && t.weights != r.model.weights_format) {
    auto f = parse_weight_format(t.weights);
    if (!f) {
      throw InputError("--weights is '" + t.weights + "' but must be one of " +
                       accepted_weight_formats());
    }
    o.weights = *f;
    if (auto note = weight_format_note(*f)) r.notes.push_back(*note);
  } else if (!t.weights.empty()) {
    o.weights = parse_weight_format(t.weights);  // the stored format named as it is
  }
  if (t.include_mtp) r.settings.emplace_back("include_mtp", true);
  if (!t.engine_version.empty()) r.settings.emplace_back("engine_version", t.engine_version);
  return r;
}

void apply_fit(MemoryEstimate& e, const GpuRequest& gpu) {
  FitResult f;
  f.gpu = gpu.gpu->name;
  f.count = gpu.count;
  f.capacity_bytes = gpu.gpu->memory_bytes;
  f.ok = e.total_bytes <= f.capacity_bytes;
  f.headroom_bytes = static_cast<int64_t>(f.capacity_bytes) - static_cast<int64_t>(e.total_bytes);
  e.fits = f;
  bool uses_bf16 = false;
  for (const auto& [key, value] : e.settings) {
    if ((key == "weights" || key == "kv_dtype") && value == Value{std::string("bf16")}) {
      uses_bf16 = true;
    }
  }
  if (uses_bf16 && !gpu.gpu->bf16) {
    e.notes.push_back(gpu.gpu->name +
                      " has no bf16 support: engines run bf16 checkpoints in "
                      "fp16 there (the same bytes; vLLM casts with a warning)");
  }
}

MemoryEstimate run_infer_request(const InferRequest& r) {
  MemoryEstimate e;
  try {
    e = estimate_inference(r.model, r.options);
  } catch (const InputError& err) {
    if (r.tp_from_gpu.empty() || err.field_name() != "tp") throw;
    throw InputError("--gpu " + r.tp_from_gpu + " means tensor parallel over " +
                     std::to_string(r.options.tp) + " GPUs, but " + err.message("--tp"));
  }
  if (r.gpu) {
    apply_fit(e, *r.gpu);
    e.settings.emplace_back(
        "gpu", r.gpu->gpu->name + (r.gpu->count > 1 ? "x" + std::to_string(r.gpu->count) : ""));
  }
  for (const auto& s : r.settings) e.settings.push_back(s);
  e.notes.insert(e.notes.begin(), r.notes.begin(), r.notes.end());
  return e;
}

}  // namespace llmem::cli
