#include "llmem/request/infer.h"

#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "llmem/core/fit.h"
#include "llmem/core/kv_cache.h"
#include "llmem/core/weight_format.h"
#include "llmem/request/model_resolution.h"
#include "request/suggest.h"

namespace llmem::request {
namespace {

void check_engine(const Settings& s) {
  std::string engine = s.text("engine");
  if (engine != "generic") {
    throw InputError::field(
        "engine", engine, "generic",
        "{field} " + engine + " is not available yet in this build; accepted: generic");
  }
}

void check_rank_listing(const Settings& s, const InferenceOptions& o) {
  int64_t ranks = int64_t{o.tp} * o.pp;
  if (s.text("per_gpu") == "all" && ranks > k_max_listed_ranks) {
    throw InputError::field("per_gpu", "all", "at most 4096 ranks",
                            "{field} all lists every rank, at most " +
                                std::to_string(k_max_listed_ranks) + "; {field:tp} " +
                                std::to_string(o.tp) + " × {field:pp} " + std::to_string(o.pp) +
                                " uses " + std::to_string(ranks));
  }
}

// --weights against the model: its own stored label is accepted as it is.
std::optional<WeightFormat> resolve_weights(const Settings& s, const ModelDescription& m) {
  if (!s.has("weights")) return std::nullopt;
  std::string text = s.text("weights");
  auto f = parse_weight_format(text);
  if (!f && text == m.weights_format) return std::nullopt;  // the stored format, named as it is
  if (!f) {
    std::string shown = safe_text(text);
    throw InputError::field("weights", shown, accepted_weight_formats(),
                            "{field} is '" + shown + "' but must be one of " +
                                accepted_weight_formats() +
                                did_you_mean(text, split_list(accepted_weight_formats())));
  }
  return f;
}

// The dtype the weights compute in, as served: the named format's, else the checkpoint's (a
// float32 checkpoint is served as bf16).
DType served_dtype(const InferRequest& r) {
  if (r.options.weights) return r.options.weights->dtype;
  return r.model.torch_dtype == DType::f32 ? DType::bf16 : r.model.torch_dtype;
}

// "{field}" of a tp error, as the tp field of a wrapping error.
std::string as_tp_field(const std::string& text) {
  std::string out;
  size_t at = 0;
  for (size_t hit; (hit = text.find("{field}", at)) != std::string::npos; at = hit + 7) {
    out.append(text, at, hit - at);
    out += "{field:tp}";
  }
  return out + text.substr(at);
}

}  // namespace

InferRequest resolve_infer(const Settings& s) {
  InferRequest r;
  InferenceOptions& o = r.options;
  o = inference_options(s);
  check_engine(s);
  if (s.boolean("check") && !s.has("gpu")) {
    throw InputError::field("check", "true", "with a GPU to check against",
                            "{field} needs {field:gpu} NAME[xN] to check against");
  }
  if (s.has("gpu")) {
    std::string text = s.text("gpu");
    r.gpu = resolve_gpu(text);
    int32_t count = r.gpu->count;
    if (count > 1 && o.tp * o.pp == 1 && !s.has("tp") && !s.has("pp")) {
      o.tp = count;
      r.tp_from_gpu = true;
      r.notes.push_back("--gpu asks for " + std::to_string(count) +
                        " GPUs and no --tp/--pp: tensor parallel over " + std::to_string(count));
    } else if (count != o.tp * o.pp) {
      std::string shown = safe_text(text);
      throw InputError::field("gpu", shown, std::to_string(o.tp * o.pp) + " GPUs",
                              "{field} " + shown + " names " + std::to_string(count) +
                                  " GPUs but {field:tp} " + std::to_string(o.tp) +
                                  " × {field:pp} " + std::to_string(o.pp) + " uses " +
                                  std::to_string(o.tp * o.pp));
    }
    for (const auto& n : r.gpu->notes) r.notes.push_back(n);
  }
  check_rank_listing(s, o);
  HfConfigOptions hf;
  hf.include_mtp = s.boolean("include_mtp");
  ResolvedModel m = resolve_model(s.text("model"), hf, s.text("config"));
  r.model = std::move(m.model);
  r.model_setting = std::move(m.setting);
  o.weights = resolve_weights(s, r.model);
  if (o.weights && o.weights->label() != r.model.weights_format) {
    if (auto note = weight_format_note(*o.weights)) r.notes.push_back(*note);
  }
  return r;
}

MemoryEstimate estimate(const InferRequest& r, const Settings& s) {
  MemoryEstimate e;
  try {
    e = estimate_inference(r.model, r.options);
  } catch (const InputError& err) {
    if (!r.tp_from_gpu) throw;
    std::string text;
    if (err.field_name() != "tp") throw;
    text = as_tp_field(err.text());
    std::string gpu = safe_text(s.text("gpu"));
    throw InputError::field("gpu", gpu, err.accepted(),
                            "{field} " + gpu + " means tensor parallel over " +
                                std::to_string(r.options.tp) + " GPUs, but " + text);
  }
  Fields resolved = e.settings;
  resolved.insert(resolved.begin(), {"model", r.model_setting});
  if (r.gpu) {
    e.fits = fit_on(e.total_bytes, r.gpu->gpu, r.gpu->count);
    resolved.emplace_back("gpu", r.gpu->setting);
    if (auto note = capacity_note(r.gpu->gpu)) e.notes.push_back(*note);
    DType weights = served_dtype(r);
    KvDType kv = r.options.kv_dtype.value_or(kv_dtype_for(weights));
    if (auto note = dtype_support_note(r.gpu->gpu, weights, kv)) e.notes.push_back(*note);
  }
  e.settings = echo_settings(s, resolved);
  e.notes.insert(e.notes.begin(), r.notes.begin(), r.notes.end());
  if (s.text("per_gpu") == "all") {
    std::vector<GpuBreakdown> ranks;
    for (const auto& g : e.per_gpu) {
      for (int32_t rank = g.rank; rank <= g.last_rank; ++rank) {
        ranks.push_back({rank, rank, g.stage, 1, g.components, g.total_bytes});
      }
    }
    e.per_gpu = std::move(ranks);
  }
  return e;
}

MemoryEstimate run_infer(const Settings& s) { return estimate(resolve_infer(s), s); }

}  // namespace llmem::request
