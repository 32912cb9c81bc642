#include "llmem/formats/hf_config.h"

#include <algorithm>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/quantization_config.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

// transformers writes `torch_dtype` (and since 4.56 `dtype`); a wrapper may carry it only in
// text_config.
void read_torch_dtype(const ConfigView& c, ModelDescription& m) {
  std::string name = c.get_string("torch_dtype", c.get_string("dtype", ""));
  if (name.empty() && c.has("text_config") && c.find("text_config")->is_object()) {
    ConfigView t = c.sub("text_config");
    name = t.get_string("torch_dtype", t.get_string("dtype", ""));
  }
  if (name.empty()) {
    m.torch_dtype = DType::f32;
    m.notes.push_back(std::string(c.has("torch_dtype") ? "config.json's torch_dtype is empty"
                                                       : "config.json has no torch_dtype") +
                      ": the checkpoint is taken as float32, as transformers loads it by default");
    return;
  }
  auto t = parse_dtype(name);
  if (!t || !(*t == DType::f32 || *t == DType::f16 || *t == DType::bf16 || *t == DType::f64)) {
    c.fail("torch_dtype", "is \"" + name + "\" but must be one of float32, float16, bfloat16");
  }
  m.torch_dtype = *t;
  m.torch_dtype_given = true;
}

std::string list_supported() {
  std::string s;
  for (const auto& name : supported_model_types()) s += (s.empty() ? "" : ", ") + name;
  return s;
}

bool has_standard_keys(const ConfigView& c) {
  for (auto k : {"hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                 "vocab_size"}) {
    if (!c.has(k)) return false;
  }
  return true;
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
  read_torch_dtype(c, m);

  hf::ArchBuilder build = nullptr;
  for (const auto& e : hf::architecture_table()) {
    if (e.model_type == m.model_type) build = e.build;
  }
  if (build == nullptr) {
    if (!has_standard_keys(c)) {
      if (m.model_type.empty()) {
        c.fail("model_type", "is missing; supported model types: " + list_supported());
      }
      c.fail("model_type", "is \"" + m.model_type +
                               "\", which is not supported; supported: " + list_supported() +
                               " (or any decoder with hidden_size, num_hidden_layers, "
                               "num_attention_heads, intermediate_size and vocab_size)");
    }
    build = hf::build_generic;
  }
  build(c, m, options);
  if (options.include_mtp && std::none_of(m.tensors.begin(), m.tensors.end(), [](const Tensor& t) {
        return t.group == WeightGroup::mtp;
      })) {
    m.notes.push_back(
        "include_mtp has no effect: llmem models a multi-token-prediction layer only for "
        "deepseek_v2/deepseek_v3, not for model_type '" +
        m.model_type + "'");
  }

  if (static_cast<int64_t>(m.layers.size()) != m.num_layers) {
    throw InternalError("internal: builder for '" + m.model_type + "' described " +
                        std::to_string(m.layers.size()) + " layers, expected " +
                        std::to_string(m.num_layers));
  }
  m.weights_format = std::string(dtype_info(m.torch_dtype).name);
  m.stored_format.dtype = m.torch_dtype;
  // llama.cpp's quantiser gives an 80-layer Llama (LLM_TYPE_70B) more bits (llama-quant.cpp).
  m.gguf_70b_rules = m.model_type == "llama" && m.num_layers == 80;
  if (const auto* q = c.find("quantization_config")) {
    m.quantization_config_json = q->dump();
    apply_checkpoint_quantization(m, source);
  }
  return m;
}

}  // namespace llmem
