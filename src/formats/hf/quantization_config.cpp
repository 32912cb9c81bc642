// config.json quantization_config → WeightFormat, for each quant_method transformers and vLLM read.
// Keys and defaults: transformers src/transformers/utils/quantization_config.py (GPTQConfig,
// AwqConfig, BitsAndBytesConfig, FineGrainedFP8Config, Mxfp4Config, FbgemmFp8Config),
// neuralmagic/compressed-tensors (QuantizationConfig, QuantizationArgs) and vLLM's
// modelopt.py for NVIDIA ModelOpt checkpoints. docs/quantization.md lists what each keeps
// unquantised.
#include "formats/hf/quantization_config.h"

#include "formats/hf/config_view.h"
#include "formats/hf/module_patterns.h"
#include "formats/json/json_text.h"
#include "llmem/common/error.h"
#include "llmem/core/weight_plan.h"

namespace llmem {
namespace {

using Patterns = std::vector<std::string>;

constexpr const char* k_methods =
    "fp8, gptq, awq, bitsandbytes, compressed-tensors, mxfp4, modelopt, fbgemm_fp8";

DType unquantised_dtype(const ModelDescription& m) {
  return m.torch_dtype == DType::f32 ? DType::bf16 : m.torch_dtype;
}

int32_t read_bits(const ConfigView& q, std::string_view key, int64_t fallback) {
  int64_t b = q.get_int(key, fallback, 2, 8);
  if (b != 2 && b != 3 && b != 4 && b != 8)
    q.fail(key, "is " + std::to_string(b) + " but must be 2, 3, 4 or 8");
  return static_cast<int32_t>(b);
}

int64_t read_group(const ConfigView& q, std::string_view key, int64_t fallback) {
  int64_t g = q.get_int(key, fallback, -1, 1 << 20);
  if (g == 0) q.fail(key, "is 0 but must be -1 (per channel) or a positive group size");
  return g < 0 ? 0 : g;
}

WeightFormat from_fp8(const ConfigView& q, const ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.scheme = WeightScheme::fp8;
  f.dtype = m.torch_dtype;
  f.quant_dtype = q.get_string("fmt", "e4m3") == "e5m2" ? DType::f8_e5m2 : DType::f8_e4m3;
  f.activation_scale = q.get_string("activation_scheme", "dynamic") == "static";
  if (q.has("weight_block_size")) {
    auto b = q.get_int_list("weight_block_size", 1, 1 << 16);
    if (b.size() != 2) q.fail("weight_block_size", "must hold 2 integers [rows, columns]");
    f.granularity = ScaleGranularity::block;
    f.block_rows = b[0];
    f.block_cols = b[1];
  }
  keep = q.get_string_list("modules_to_not_convert");
  return f;
}

WeightFormat from_gptq(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.scheme = WeightScheme::gptq;
  f.dtype = unquantised_dtype(m);
  f.bits = read_bits(q, "bits", 4);
  f.group_size = read_group(q, "group_size", 128);
  f.act_order = q.get_bool("desc_act", false);
  f.symmetric = q.get_bool("sym", true);
  f.quantise_lm_head = q.get_bool("lm_head", false);
  keep = q.get_string_list("modules_to_not_convert");
  std::string format = q.get_string("checkpoint_format", "gptq");
  if (format != "gptq") {
    m.notes.push_back("quantization_config checkpoint_format '" + format +
                      "' is counted with the AutoGPTQ 'gptq' layout");
  }
  if (q.has("dynamic")) {
    m.notes.push_back(
        "quantization_config 'dynamic' per-module overrides are not modelled: "
        "every linear layer is counted at " +
        f.label());
  }
  return f;
}

WeightFormat from_awq(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.scheme = WeightScheme::awq;
  f.dtype = unquantised_dtype(m);
  f.bits = read_bits(q, q.has("w_bit") ? "w_bit" : "bits", 4);
  f.group_size = read_group(q, q.has("q_group_size") ? "q_group_size" : "group_size", 128);
  keep = q.get_string_list("modules_to_not_convert");
  std::string version = q.get_string("version", "gemm");
  if (version != "gemm") {
    m.notes.push_back("quantization_config AWQ version '" + version +
                      "' is counted with the GEMM layout");
  }
  return f;
}

WeightFormat from_bnb(const ConfigView& q, const ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.dtype = unquantised_dtype(m);
  bool four = q.get_bool("load_in_4bit", false);
  bool eight = q.get_bool("load_in_8bit", false);
  if (four == eight) {
    q.fail("load_in_4bit", std::string("and load_in_8bit are both ") + (four ? "true" : "false") +
                               "; exactly one must be true");
  }
  if (four) {
    f.scheme = WeightScheme::bnb_4bit;
    f.bits = 4;
    std::string type = q.get_string("bnb_4bit_quant_type", "fp4");
    if (type != "nf4" && type != "fp4") {
      q.fail("bnb_4bit_quant_type", "is \"" + type + "\" but must be nf4 or fp4");
    }
    f.fp4_nf4 = type == "nf4";
    f.double_quant = q.get_bool("bnb_4bit_use_double_quant", false);
  } else {
    f.scheme = WeightScheme::bnb_int8;
    f.bits = 8;
  }
  // transformers also skips the output embedding (get_keys_to_not_convert): the LM head is never
  // quantisable in llmem, so only the configured list is added.
  keep = q.get_string_list("llm_int8_skip_modules");
  return f;
}

WeightFormat from_compressed_tensors(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.dtype = unquantised_dtype(m);
  f.scale_dtype = f.dtype;  // observers produce scales in the weight's dtype
  keep = q.get_string_list("ignore");
  const auto* groups = q.find("config_groups");
  if (groups == nullptr || !groups->is_object() || groups->empty()) {
    q.fail("config_groups", "is missing or empty; a compressed-tensors config needs one group");
  }
  if (groups->size() > 1) {
    m.notes.push_back("quantization_config has " + std::to_string(groups->size()) +
                      " config_groups; every linear layer is counted with the first");
  }
  ConfigView g = q.sub("config_groups").sub(groups->begin().key());
  ConfigView w = g.sub("weights");
  std::string format = g.get_string("format", q.get_string("format", ""));
  int64_t bits = w.get_int("num_bits", 8, 1, 16);
  std::string type = w.get_string("type", "int");
  std::string strategy = w.get_string("strategy", "tensor");
  f.symmetric = w.get_bool("symmetric", true);
  bool static_input = false;
  if (g.has("input_activations")) {
    static_input = !g.sub("input_activations").get_bool("dynamic", false);
  }
  if (type == "float" && bits == 4) {
    int64_t group = w.get_int("group_size", 16, 1, 1 << 20);
    f.scheme = group == 32 ? WeightScheme::mxfp4 : WeightScheme::nvfp4;
    f.bits = 4;
    f.activation_scale = g.has("input_activations");
    return f;
  }
  if (type == "float" && bits == 8) {
    f.scheme = WeightScheme::fp8;
    f.granularity = strategy == "channel" ? ScaleGranularity::channel
                    : strategy == "block" ? ScaleGranularity::block
                                          : ScaleGranularity::tensor;
    if (f.granularity == ScaleGranularity::block) {
      auto b = w.get_int_list("block_structure", 1, 1 << 16);
      if (b.size() != 2) w.fail("block_structure", "must hold 2 integers [rows, columns]");
      f.block_rows = b[0];
      f.block_cols = b[1];
    }
    f.activation_scale = static_input;
    return f;
  }
  if (type != "int") w.fail("type", "is \"" + type + "\" but must be int or float");
  if (format == "int-quantized" || format == "naive-quantized" ||
      (bits == 8 && format != "pack-quantized")) {
    f.scheme = WeightScheme::int8;
    f.bits = 8;
    f.granularity = strategy == "tensor" ? ScaleGranularity::tensor : ScaleGranularity::channel;
    f.activation_scale = static_input;
    return f;
  }
  f.scheme = WeightScheme::packed_int;
  f.bits = static_cast<int32_t>(bits);
  f.group_size = strategy == "group" ? w.get_int("group_size", 128, 1, 1 << 20) : 0;
  f.act_order = w.get_string("actorder", "") == "group";
  return f;
}

WeightFormat from_modelopt(const ConfigView& q, const ModelDescription& m, Patterns& keep) {
  // ModelOpt writes {"quant_algo": ...} at the top or under "quantization".
  ConfigView c = q.has("quantization") ? q.sub("quantization") : q;
  std::string algo = c.get_string("quant_algo", "");
  WeightFormat f;
  f.dtype = unquantised_dtype(m);
  keep = c.get_string_list("exclude_modules");
  if (algo == "NVFP4") {
    f.scheme = WeightScheme::nvfp4;
    f.bits = 4;
    f.activation_scale = true;
  } else if (algo == "FP8") {
    f.scheme = WeightScheme::fp8;
    f.activation_scale = true;
  } else {
    c.fail("quant_algo", "is \"" + algo + "\" but must be NVFP4 or FP8");
  }
  return f;
}

}  // namespace

void apply_checkpoint_quantization(ModelDescription& m, const std::string& source) {
  nlohmann::json j = parse_json_lenient(m.quantization_config_json, source);
  if (!j.is_object()) throw InputError(source + ": quantization_config must be a JSON object");
  ConfigView q(j, source, "quantization_config.");
  std::string method = q.get_string("quant_method", "");
  WeightFormat f;
  Patterns keep;
  if (method == "fp8") {
    f = from_fp8(q, m, keep);
  } else if (method == "gptq") {
    f = from_gptq(q, m, keep);
  } else if (method == "awq") {
    f = from_awq(q, m, keep);
  } else if (method == "bitsandbytes") {
    f = from_bnb(q, m, keep);
  } else if (method == "compressed-tensors") {
    f = from_compressed_tensors(q, m, keep);
  } else if (method == "mxfp4") {
    f.scheme = WeightScheme::mxfp4;
    f.bits = 4;
    f.dtype = unquantised_dtype(m);
    keep = q.get_string_list("modules_to_not_convert");
  } else if (method == "modelopt") {
    f = from_modelopt(q, m, keep);
  } else if (method == "fbgemm_fp8") {
    f.scheme = WeightScheme::fp8;
    f.granularity = ScaleGranularity::channel;
    f.scale_dtype = DType::f32;
    f.dtype = unquantised_dtype(m);
    keep = q.get_string_list("modules_to_not_convert");
  } else {
    m.notes.push_back("quantization_config quant_method '" + method +
                      "' is not modelled (modelled: " + k_methods + "): weights are counted at " +
                      std::string(dtype_info(m.torch_dtype).name));
    return;
  }
  mark_unquantised_modules(m, keep);
  f.honour_keep_unquantised = true;
  apply_weight_format(m, f);
  if (m.torch_dtype == DType::f32) {
    m.notes.push_back(
        "torch_dtype is float32: the tensors the quantisation leaves (embeddings, "
        "LM head, norms) are counted in bf16, as vLLM serves them; a float32 file "
        "stores them at twice those bytes");
  }
}

}  // namespace llmem
