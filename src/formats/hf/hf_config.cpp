#include "llmem/formats/hf_config.h"

#include <algorithm>

#include "formats/hf/architectures.h"
#include "formats/hf/config_resolution.h"
#include "formats/hf/context_limit.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/quantization_config.h"
#include "formats/json/json_display.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"

namespace llmem {
namespace hf {
namespace {

// The sub-configs that hold a wrapper's language model, in the order they are looked for.
constexpr std::string_view k_text_keys[] = {"text_config", "llm_config", "language_config"};

// Sub-configs of parts that are not the language model: their presence means a text sub-config
// alone does not describe the checkpoint.
constexpr std::string_view k_tower_keys[] = {
    "vision_config",    "audio_config",        "vision_encoder_config",
    "visual",           "vision_tower_config", "speech_config",
    "projector_config", "perceiver_config",    "vision_tokenizer_config"};

std::string list_supported() {
  std::string s;
  for (const auto& name : supported_model_types()) s += (s.empty() ? "" : ", ") + name;
  return s;
}

bool has_decoder_keys(const ConfigView& c) {
  for (auto k : {"hidden_size", "n_embd", "d_model", "num_hidden_layers", "n_layer"}) {
    if (c.json().is_object() && c.json().contains(k)) return true;
  }
  return false;
}

bool has_tower(const ConfigView& c) {
  for (auto k : k_tower_keys) {
    if (c.json().is_object() && c.json().contains(k) && c.json()[std::string(k)].is_object())
      return true;
  }
  return false;
}

}  // namespace

std::optional<NestedText> find_text_config(const ConfigView& c) {
  if (!c.json().is_object()) return std::nullopt;
  for (auto k : k_text_keys) {
    auto it = c.json().find(k);
    if (it == c.json().end() || !it->is_object()) continue;
    NestedText n;
    n.key = std::string(k);
    if (auto t = it->find("model_type"); t != it->end() && t->is_string()) {
      n.model_type = t->get<std::string>();
    }
    return n;
  }
  return std::nullopt;
}

Resolution resolve_architecture(const ConfigView& c, const HfConfigOptions& o) {
  Resolution r;
  r.written =
      c.json().is_object() && c.json().contains("model_type") && c.json()["model_type"].is_string()
          ? c.json()["model_type"].get<std::string>()
          : "";
  r.nested = find_text_config(c);
  if (!o.architecture.empty()) {
    r.entry = find_architecture(o.architecture);
    if (r.entry == nullptr) {
      throw InputError::field("architecture", display_text(o.architecture), list_supported(),
                              "{field} is \"" + display_text(o.architecture) +
                                  "\" but must be one of: " + list_supported());
    }
    std::string note = "estimated as model_type '" + std::string(r.entry->model_type) +
                       "', as the architecture setting asks (config.json's model_type is " +
                       (r.written.empty() ? "absent" : "'" + display_text(r.written) + "'") + ")";
    if (!r.entry->wrapper && !has_decoder_keys(c) && r.nested) {
      r.text_key = r.nested->key;
      note += "; read from its " + r.nested->key;
      if (has_tower(c)) note += " alone: the vision or audio parts beside it are not counted";
    }
    r.notes.push_back(note);
    return r;
  }
  if (!r.written.empty()) {
    r.entry = find_architecture(r.written);
    return r;
  }
  // No top-level model_type: a lone text sub-config of a known type describes the model when
  // nothing else (a vision tower, an audio encoder) sits beside it.
  if (r.nested && !has_tower(c)) {
    r.entry = find_architecture(r.nested->model_type);
    if (r.entry != nullptr) {
      r.text_key = r.nested->key;
      r.notes.push_back("config.json has no top-level model_type: the model is read from its " +
                        r.nested->key + " (model_type '" + display_text(r.nested->model_type) +
                        "')");
    }
  }
  return r;
}

std::string unsupported_message(const ConfigView& c, const Resolution& r) {
  std::string what = r.written.empty()
                         ? c.where("model_type") + " is missing"
                         : c.where("model_type") + " is \"" + display_text(r.written) + "\"";
  std::string nested;
  if (r.nested && !r.nested->model_type.empty()) {
    nested = " (its " + r.nested->key + " is \"" + display_text(r.nested->model_type) + "\"" +
             (find_architecture(r.nested->model_type) != nullptr
                  ? ", a supported type, but the parts beside it are not described"
                  : "") +
             ")";
  }
  return what + nested +
         ", which llmem has no builder for, so its tensors cannot be derived from config.json; "
         "supported model types: " +
         list_supported() +
         ". A model folder or Hub id (config.json with its safetensors) lets llmem read the "
         "stored tensors instead, and the architecture setting treats the config as one of "
         "the supported types";
}

}  // namespace hf

namespace {

// transformers writes `torch_dtype` (and since 4.56 `dtype`); a wrapper may carry it only in
// text_config. Qwen v1's remote code has bf16/fp16/fp32 booleans instead.
void read_torch_dtype(const ConfigView& c, ModelDescription& m, std::string_view type) {
  std::string name = c.get_string("torch_dtype", c.get_string("dtype", ""));
  std::string key = c.has("torch_dtype") ? "torch_dtype" : "dtype";
  if (name.empty()) {
    if (auto nested = hf::find_text_config(c)) {
      ConfigView t = c.sub(nested->key);
      name = t.get_string("torch_dtype", t.get_string("dtype", ""));
      key = nested->key + "." + (t.has("torch_dtype") ? "torch_dtype" : "dtype");
    }
  }
  if (name.empty()) {
    for (auto [flag, dtype] : {std::pair{"bf16", DType::bf16}, std::pair{"fp16", DType::f16},
                               std::pair{"fp32", DType::f32}}) {
      if (c.has(flag) && c.find(flag)->is_boolean() && c.get_bool(flag, false)) {
        m.torch_dtype = dtype;
        m.torch_dtype_given = true;
        return;
      }
    }
  }
  if (name.empty() && type == "gpt2") {
    // openai-community/gpt2 and its kin predate the key and store float32 (gpt2's
    // model.safetensors holds 4 bytes for each of its 124,439,808 parameters).
    m.torch_dtype = DType::f32;
    m.notes.push_back(
        "config.json has no torch_dtype: GPT-2 checkpoints store float32, so float32 is "
        "assumed (a model folder or Hub id reads the stored dtype instead)");
    return;
  }
  if (name.empty()) {
    // Every published checkpoint in tests/data/checkpoints whose config omits the dtype stores
    // 16-bit weights (bloom-176b, MiniMax-M1, Qwen-7B, a Llama-2-7B: total_size = 2 bytes per
    // parameter), and transformers' remote code for Qwen v1 picks bf16 itself.
    m.torch_dtype = DType::bf16;
    m.notes.push_back(std::string(c.has("torch_dtype") ? "config.json's torch_dtype is empty"
                                                       : "config.json has no torch_dtype") +
                      ": the weights are taken as bfloat16, as published checkpoints without "
                      "the key store them; a float32 checkpoint would hold twice the weight "
                      "bytes (a model folder or Hub id reads the stored dtype instead)");
    return;
  }
  auto t = parse_dtype(name);
  if (!t || !(*t == DType::f32 || *t == DType::f16 || *t == DType::bf16 || *t == DType::f64)) {
    c.fail(key, "is \"" + name + "\" but must be one of float32, float16, bfloat16");
  }
  m.torch_dtype = *t;
  m.torch_dtype_given = true;
}

// Keys whose value changes which tensors a model has: experts, MoE blocks, vision or audio
// towers, MTP / next-n layers, linear attention. A builder that never read one did not use it.
bool changes_shapes(const std::string& key, const nlohmann::json& v) {
  if (v.is_null() || (v.is_boolean() && !v.get<bool>())) return false;
  if (v.is_number() && v.get<double>() == 0) return false;
  if ((v.is_array() || v.is_object() || v.is_string()) && v.empty()) return false;
  auto has = [&](std::string_view part) { return key.find(part) != std::string::npos; };
  if (has("vision") || has("visual") || has("audio")) return v.is_object();
  if (v.is_string()) return false;
  return has("expert") || has("moe") || has("nextn") || has("mtp") || key.starts_with("linear_");
}

void note_unread_shape_keys(const ConfigView& c, ModelDescription& m, std::string_view type) {
  std::vector<std::string> unread;
  auto scan = [&](const nlohmann::json& j, const std::string& prefix) {
    if (!j.is_object()) return;
    for (const auto& [k, v] : j.items()) {
      if (changes_shapes(k, v) && !c.was_read(prefix + k)) {
        unread.push_back(prefix + k + (v.is_object() ? "" : " = " + json_show(v)));
      }
    }
  };
  scan(c.json(), "");
  if (auto nested = hf::find_text_config(c)) {
    scan(c.json()[nested->key], nested->key + ".");
  }
  if (unread.empty()) return;
  std::string list;
  for (const auto& u : unread) list += (list.empty() ? "" : ", ") + hf::display_text(u);
  m.notes.push_back("config.json: " + list + (unread.size() == 1 ? " is" : " are") +
                    " not read by the " + std::string(type) +
                    " builder: experts, towers or MTP layers such keys describe are not "
                    "counted from config.json (a model folder or Hub id reads the stored "
                    "tensors)");
}

// transformers' *ForSequenceClassification heads: score = nn.Linear(hidden, num_labels, no bias)
// in place of the LM head (GPTNeoX, Llama, Qwen2, Mistral … modeling files).
void apply_classification_head(const ConfigView& c, ModelDescription& m) {
  if (!m.architecture.ends_with("ForSequenceClassification")) return;
  // Encoder builders (BERT) write their own pooler and classifier.
  if (std::any_of(m.tensors.begin(), m.tensors.end(),
                  [](const Tensor& t) { return t.name == "classifier.weight"; })) {
    return;
  }
  int64_t labels = 2;  // PretrainedConfig's num_labels default
  if (auto n = c.opt_int("num_labels", 1, hf::k_max_vocab)) {
    labels = *n;
  } else if (const auto* ids = c.find("id2label"); ids != nullptr && ids->is_object()) {
    labels = std::max<int64_t>(1, static_cast<int64_t>(ids->size()));
  }
  std::erase_if(m.tensors, [](const Tensor& t) {
    return t.role == TensorRole::lm_head && t.group == WeightGroup::lm_head;
  });
  Tensor score;
  score.name = "score.weight";
  score.shape = {labels, m.hidden_size};
  score.role = TensorRole::lm_head;
  score.group = WeightGroup::lm_head;
  score.dtype = m.torch_dtype;
  score.bytes = dtype_bytes(score.dtype, score.elements());
  m.tensors.push_back(score);
  m.tied_embeddings = false;
  m.notes.push_back(m.architecture + ": a classification head score [" + std::to_string(labels) +
                    ", " + std::to_string(m.hidden_size) + "] in place of the LM head");
}

}  // namespace

const std::vector<std::string>& supported_model_types() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& e : hf::architecture_table()) v.emplace_back(e.model_type);
    return v;
  }();
  return names;
}

bool is_supported_model_type(std::string_view model_type) {
  return hf::find_architecture(model_type) != nullptr;
}

ModelDescription load_hf_config(std::string_view json_text, const HfConfigOptions& options) {
  std::string source = options.source.empty() ? "config.json" : options.source;
  if (json_text.size() > k_max_config_json_bytes) {
    throw FormatError(source + ": " + std::to_string(json_text.size()) +
                      " bytes is larger than the " + std::to_string(k_max_config_json_bytes) +
                      "-byte limit for a config.json");
  }
  ModelDescription m;
  nlohmann::json j = parse_json_lenient(json_text, source, &m.notes);
  if (!j.is_object()) throw FormatError(source + ": the top level must be a JSON object");
  ConfigView c(j, source);

  m.source = source;
  m.name = options.name.empty() ? source : options.name;
  m.model_type = c.get_string("model_type", "");
  auto archs = c.get_string_list("architectures");
  if (!archs.empty()) m.architecture = archs.front();
  const hf::Resolution r = hf::resolve_architecture(c, options);
  if (r.entry == nullptr) throw InputError(hf::unsupported_message(c, r));
  read_torch_dtype(c, m, r.entry->model_type);
  for (const auto& n : r.notes) m.notes.push_back(n);
  const hf::BuildContext ctx{r.entry->model_type, options};
  if (r.text_key.empty()) {
    r.entry->build(c, m, ctx);
  } else {
    r.entry->build(c.sub(r.text_key), m, ctx);
  }

  if (static_cast<int64_t>(m.layers.size()) != m.num_layers) {
    throw InternalError("internal: builder for '" + std::string(r.entry->model_type) +
                        "' described " + std::to_string(m.layers.size()) + " layers, expected " +
                        std::to_string(m.num_layers));
  }
  if (m.context_limit == 0) {
    auto nested = hf::find_text_config(c);
    if (nested) {
      hf::read_context_limit(c.sub(nested->key), c, m);
    } else {
      hf::read_context_limit(c, c, m);
    }
  }
  apply_classification_head(c, m);
  note_unread_shape_keys(c, m, r.entry->model_type);
  m.mtp_requested = options.include_mtp;
  m.weights_format = std::string(dtype_info(m.torch_dtype).name);
  m.stored_format.dtype = m.torch_dtype;
  // llama.cpp's quantiser gives an 80-layer Llama (LLM_TYPE_70B) more bits (llama-quant.cpp).
  m.gguf_70b_rules = r.entry->model_type == "llama" && m.num_layers == 80;
  // quantization_config; MLX uploads also (older ones only) write `quantization`, and a wrapper
  // may carry it in text_config (mlx-lm utils.py load_model reads all three).
  const nlohmann::json* q = c.find("quantization_config");
  if (const nlohmann::json* mlx = c.find("quantization");
      q == nullptr && mlx != nullptr && mlx->is_object() && mlx->contains("bits") &&
      mlx->contains("group_size")) {
    q = mlx;
  }
  if (q == nullptr && c.has("text_config") && c.find("text_config")->is_object()) {
    q = c.find("text_config")->contains("quantization_config")
            ? &(*c.find("text_config"))["quantization_config"]
            : nullptr;
    if (q != nullptr && q->is_null()) q = nullptr;
  }
  if (q != nullptr) {
    m.quantization_config_json = q->dump();
    apply_checkpoint_quantization(m, source, options.tensors_follow);
  } else if (!options.quantize_config_json.empty()) {
    // AutoGPTQ (auto_gptq/modeling/_base.py BaseQuantizeConfig.save_pretrained) writes its
    // settings to quantize_config.json, without quant_method.
    nlohmann::json g = parse_json_lenient(options.quantize_config_json, "quantize_config.json");
    if (!g.is_object()) throw FormatError("quantize_config.json: the top level must be an object");
    if (!g.contains("quant_method")) g["quant_method"] = "gptq";
    m.quantization_config_json = g.dump();
    m.notes.push_back(
        "config.json has no quantization_config: the GPTQ settings of quantize_config.json "
        "(AutoGPTQ) are used");
    apply_checkpoint_quantization(m, "quantize_config.json", options.tensors_follow);
  }
  return m;
}

}  // namespace llmem
