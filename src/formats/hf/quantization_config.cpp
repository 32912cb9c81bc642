// config.json quantization_config → WeightFormat, for each quant_method transformers and vLLM read.
// Keys and defaults: transformers src/transformers/utils/quantization_config.py (GPTQConfig,
// AwqConfig, BitsAndBytesConfig, FineGrainedFP8Config, Mxfp4Config, FbgemmFp8Config, HqqConfig,
// EetqConfig, AqlmConfig, TorchAoConfig, BitNetQuantConfig), neuralmagic/compressed-tensors
// (QuantizationConfig, QuantizationArgs), vLLM's modelopt.py for NVIDIA ModelOpt checkpoints,
// mlx-lm utils.py (quantize_model, load_model: MLX's `quantization` with per-module overrides),
// exllamav2 conversion/compile.py and exllamav3 conversion/compile.py (EXL2/EXL3 `bits`,
// `head_bits`). docs/quantization.md lists what each keeps unquantised and the sources.
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
    "fp8, gptq, awq, bitsandbytes, compressed-tensors, mxfp4, modelopt, fbgemm_fp8, torchao, hqq, "
    "eetq, aqlm, exl2, exl3, bitnet, and MLX's bits/group_size (no quant_method)";

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

// A module name without its trailing ".weight" (AQLM lists weights, the matchers take modules).
std::vector<std::string> module_names(std::vector<std::string> names) {
  for (auto& n : names) {
    if (n.size() > 7 && n.ends_with(".weight")) n.resize(n.size() - 7);
  }
  return names;
}

// MLX (mlx-lm utils.py quantize_model / load_model): {"group_size", "bits", "mode"} and, per
// module path, false (left dense) or its own {"group_size", "bits", "mode"}.
struct MlxOverride {
  std::string module;
  bool quantised = true;
  WeightFormat format;
};

WeightFormat mlx_settings(const ConfigView& q, WeightFormat base) {
  std::string mode = q.get_string("mode", "affine");
  if (mode == "affine") {
    base.mlx_mode = MlxMode::affine;
    base.bits = static_cast<int32_t>(q.get_int("bits", 4, 2, 8));
    if (base.bits == 7) q.fail("bits", "is 7 but MLX supports 2, 3, 4, 5, 6 and 8");
    base.group_size = q.get_int("group_size", 64, 32, 128);
    if (base.group_size != 32 && base.group_size != 64 && base.group_size != 128) {
      q.fail("group_size",
             "is " + std::to_string(base.group_size) + " but MLX supports 32, 64, 128");
    }
    base.symmetric = false;
    base.scale_dtype.reset();
  } else if (mode == "mxfp4" || mode == "nvfp4" || mode == "mxfp8") {
    base.mlx_mode = mode == "mxfp4"   ? MlxMode::mxfp4
                    : mode == "nvfp4" ? MlxMode::nvfp4
                                      : MlxMode::mxfp8;
    base.bits = mode == "mxfp8" ? 8 : 4;
    base.group_size = mode == "nvfp4" ? 16 : 32;
    base.scale_dtype = DType::u8;
  } else {
    q.fail("mode", "is \"" + mode + "\" but MLX modes are affine, mxfp4, nvfp4, mxfp8");
  }
  return base;
}

WeightFormat from_mlx(const ConfigView& q, const ModelDescription& m,
                      std::vector<MlxOverride>& overrides) {
  WeightFormat f = *parse_weight_format("mlx-4bit-g64");
  f.dtype = unquantised_dtype(m);
  f = mlx_settings(q, f);
  for (const auto& [key, value] : q.json().items()) {
    if (value.is_boolean()) {
      overrides.push_back({key, value.get<bool>(), f});
    } else if (value.is_object()) {
      overrides.push_back({key, true, mlx_settings(q.sub(key), f)});
    }
  }
  return f;
}

// The concrete name of a record in `layer`: the first '#' is the layer, further ones the
// instance `instance`.
std::string concrete(const std::string& pattern, int32_t layer, const char* instance) {
  std::string out;
  bool first = true;
  for (char c : pattern) {
    if (c != '#') {
      out += c;
      continue;
    }
    out += first && layer >= 0 ? std::to_string(layer) : std::string(instance);
    first = false;
  }
  return out;
}

// A module path without the wrapper prefixes that differ between mlx-lm/mlx-vlm paths and the
// names llmem's readers give ("language_model.model.layers.0…" in an mlx-vlm config,
// "model.language_model.layers.0…" in transformers' multimodal checkpoints, "model.layers.0…" in
// a text model), and without a trailing ".weight".
std::string canonical_module(std::string_view name) {
  if (name.ends_with(".weight")) name.remove_suffix(7);
  for (std::string_view p :
       {"model.language_model.", "language_model.model.", "language_model.", "model."}) {
    if (name.starts_with(p)) {
      name.remove_prefix(p.size());
      break;
    }
  }
  return std::string(name);
}

// Which override (index + 1) names the module of tensor `name` exactly (MLX paths are the
// model's module paths); 0 for none.
size_t override_for(const std::string& name, const std::vector<MlxOverride>& overrides) {
  const std::string module = canonical_module(name);
  for (size_t i = 0; i < overrides.size(); ++i) {
    if (canonical_module(overrides[i].module) == module) return i + 1;
  }
  return 0;
}

// Rewrites the records that an override names, layer by layer: dense (false) or quantised with
// their own bits and group size.
void apply_mlx_overrides(ModelDescription& m, const std::vector<MlxOverride>& overrides) {
  if (overrides.empty()) return;
  std::vector<Tensor> out;
  out.reserve(m.tensors.size());
  size_t changed = 0;
  auto rewrite = [&](Tensor t, size_t which) {
    if (which != 0) {
      const MlxOverride& o = overrides[which - 1];
      WeightFormat f = o.format;
      if (!o.quantised) {
        t.storage = TensorStorage::dense;
        t.dtype = f.dtype;
        t.bytes = dtype_bytes(f.dtype, t.elements());
      } else if (is_quantisable(t, f)) {
        t.storage = TensorStorage::quantised;
        t.bytes = quantised_weight_bytes(f, t.shape);
      }
      changed += t.count();
    }
    out.push_back(std::move(t));
  };
  for (const auto& t : m.tensors) {
    if (t.layer < 0) {
      rewrite(t, override_for(concrete(t.name, -1, "0"), overrides));
      continue;
    }
    int32_t start = 0;
    size_t current = override_for(concrete(t.name, t.layer, "0"), overrides);
    for (int32_t i = 1; i <= t.layers; ++i) {
      size_t next =
          i < t.layers ? override_for(concrete(t.name, t.layer + i, "0"), overrides) : current + 1;
      if (i < t.layers && next == current) continue;
      Tensor r = t;
      r.layer = t.layer + start;
      r.layers = i - start;
      rewrite(std::move(r), current);
      start = i;
      current = next;
    }
  }
  m.tensors = std::move(out);
  if (changed > 0) {
    m.notes.push_back("MLX per-module settings in quantization: " + std::to_string(changed) +
                      " tensors are counted with their own bits and group size (or dense)");
  }
}

// torchao (transformers TorchAoConfig): quant_type is a name with quant_type_kwargs (torchao
// < 0.10, tensors of the v1 AffineQuantizedTensor) or {"default": {"_type": "<Config>", "_data":
// {...}}} (torchao/core/config.py config_to_dict).
WeightFormat from_torchao(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f;
  f.scheme = WeightScheme::torchao;
  f.dtype = unquantised_dtype(m);
  keep = q.get_string_list("modules_to_not_convert");
  if (q.get_bool("include_input_output_embeddings", false)) {
    f.quantise_embeddings = true;
    f.quantise_lm_head = true;
  }
  const nlohmann::json* type = q.find("quant_type");
  if (type == nullptr) q.fail("quant_type", "is missing; torchao configs name their quant_type");
  if (type->is_string()) {
    std::string name = type->get<std::string>();
    ConfigView kw = q.has("quant_type_kwargs") ? q.sub("quant_type_kwargs") : q;
    if (name == "int4_weight_only") {
      f.torchao_kind = TorchaoKind::int4_tile_packed;  // v1 default TensorCoreTiledLayout
      f.bits = 4;
      f.group_size = q.has("quant_type_kwargs") ? kw.get_int("group_size", 128, 1, 1 << 20) : 128;
    } else if (name == "int8_weight_only" || name == "int8_dynamic_activation_int8_weight") {
      f.torchao_kind = TorchaoKind::int8_v1;
      f.bits = 8;
    } else if (name == "float8_weight_only") {
      f.torchao_kind = TorchaoKind::fp8_row;
      f.bits = 8;
    } else if (name == "float8_dynamic_activation_float8_weight") {
      f.torchao_kind = TorchaoKind::fp8_tensor;  // v1 default granularity PerTensor
      f.bits = 8;
    } else {
      q.fail("quant_type", "is \"" + name +
                               "\", a torchao type llmem does not model (modelled: "
                               "int4_weight_only, int8_weight_only, "
                               "int8_dynamic_activation_int8_weight, float8_weight_only, "
                               "float8_dynamic_activation_float8_weight)");
    }
    return f;
  }
  if (!type->is_object() || !type->contains("default")) {
    q.fail("quant_type", "must be a name or an object with a \"default\" entry");
  }
  ConfigView d = q.sub("quant_type").sub("default");
  std::string cls = d.get_string("_type", "");
  ConfigView data = d.has("_data") ? d.sub("_data") : d;
  if (cls == "ModuleFqnToConfig" || cls == "FqnToConfig") {
    const nlohmann::json* table = data.find("module_fqn_to_config");
    if (table == nullptr) table = data.find("fqn_to_config");
    if (table == nullptr || !table->is_object() || !table->contains("_default")) {
      data.fail("module_fqn_to_config",
                "has no \"_default\" entry; per-module torchao configs "
                "are not modelled");
    }
    for (const auto& [module, cfg] : table->items()) {
      if (cfg.is_null()) keep.push_back(module);
    }
    m.notes.push_back(
        "torchao module_fqn_to_config: every module is counted with its \"_default\" config "
        "(modules mapped to null stay dense); other per-module entries are not modelled");
    nlohmann::json inner = {{"quant_type", {{"default", (*table)["_default"]}}}};
    ConfigView iv(inner, q.source(), q.prefix());
    Patterns ignored;
    WeightFormat g = from_torchao(iv, m, ignored);
    g.quantise_embeddings = f.quantise_embeddings;
    g.quantise_lm_head = f.quantise_lm_head;
    return g;
  }
  const int64_t version = data.get_int("version", 2, 1, 2);
  auto granularity = [&]() {
    const nlohmann::json* g = data.find("granularity");
    if (g == nullptr) return std::string();
    const nlohmann::json* w = g->is_array() && !g->empty() ? &g->back() : g;
    return w->is_object() ? w->value("_type", std::string()) : std::string();
  };
  if (cls == "Int4WeightOnlyConfig") {
    f.bits = 4;
    f.group_size = data.get_int("group_size", 128, 1, 1 << 20);
    std::string packing = data.get_string("int4_packing_format", version == 1 ? "tile" : "plain");
    if (version == 1 || packing == "tile_packed_to_4d") {
      f.torchao_kind = TorchaoKind::int4_tile_packed;
    } else if (packing == "plain" || packing == "preshuffled") {
      f.torchao_kind = TorchaoKind::int4_plain;  // Int4PreshuffledTensor stores the same bytes
    } else if (packing == "plain_int32") {
      f.torchao_kind = TorchaoKind::int4_plain_int32;
    } else {
      data.fail("int4_packing_format", "is \"" + packing +
                                           "\"; modelled: plain, preshuffled, plain_int32, "
                                           "tile_packed_to_4d");
    }
  } else if (cls == "Int8WeightOnlyConfig" || cls == "Int8DynamicActivationInt8WeightConfig") {
    f.bits = 8;
    f.torchao_kind = version == 1 ? TorchaoKind::int8_v1 : TorchaoKind::int8_v2;
  } else if (cls == "Float8WeightOnlyConfig" ||
             cls == "Float8DynamicActivationFloat8WeightConfig") {
    f.bits = 8;
    std::string g = granularity();
    // Float8WeightOnlyConfig defaults to PerRow, the dynamic config to PerTensor (quant_api.py).
    if (g.empty()) g = cls == "Float8WeightOnlyConfig" ? "PerRow" : "PerTensor";
    if (g != "PerRow" && g != "PerTensor") {
      data.fail("granularity", "is " + g + "; modelled: PerRow, PerTensor");
    }
    f.torchao_kind = g == "PerRow" ? TorchaoKind::fp8_row : TorchaoKind::fp8_tensor;
  } else {
    d.fail("_type", "is \"" + cls +
                        "\", a torchao config llmem does not model (modelled: "
                        "Int4WeightOnlyConfig, Int8WeightOnlyConfig, "
                        "Int8DynamicActivationInt8WeightConfig, Float8WeightOnlyConfig, "
                        "Float8DynamicActivationFloat8WeightConfig)");
  }
  return f;
}

// HQQ (transformers HqqConfig.to_dict): {"quant_config": {"weight_quant_params": {nbits,
// group_size, axis, …}, …} or per-module {"self_attn.q_proj": {"weight_quant_params": …}, …},
// "skip_modules": […]}.
WeightFormat from_hqq(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f = *parse_weight_format("hqq-4bit-g64");
  f.dtype = unquantised_dtype(m);
  keep = q.has("skip_modules") ? q.get_string_list("skip_modules") : Patterns{"lm_head"};
  ConfigView c = q.has("quant_config") ? q.sub("quant_config") : q;
  std::string module;  // per-module configs: the first one stands for all (a note says so)
  if (!c.has("weight_quant_params")) {
    for (const auto& [key, value] : c.json().items()) {
      if (value.is_object() && value.contains("weight_quant_params")) {
        module = key;
        m.notes.push_back(
            "HQQ per-module quant_config: every linear layer is counted with the "
            "settings of '" +
            key + "'");
        break;
      }
    }
  }
  ConfigView w = module.empty() ? (c.has("weight_quant_params") ? c.sub("weight_quant_params") : c)
                                : c.sub(module).sub("weight_quant_params");
  const double nbits = w.get_double("nbits", w.get_double("bits", 4));
  if (nbits == 1.58) {
    f.bits = 2;  // hqq Quantizer.bit_to_packing: 1.58 → "2bit_u8"
  } else if (nbits == 1 || nbits == 2 || nbits == 3 || nbits == 4 || nbits == 5 || nbits == 6 ||
             nbits == 8) {
    f.bits = static_cast<int32_t>(nbits);
  } else {
    w.fail("nbits", "is " + std::to_string(nbits) + " but HQQ supports 1, 1.58, 2, 3, 4, 5, 6, 8");
  }
  const nlohmann::json* g = w.find("group_size");
  f.group_size = g == nullptr ? 0 : w.get_int("group_size", 64, 1, 1 << 20);
  return f;
}

// AQLM (transformers AqlmConfig; AQLM convert_to_hf.py update_config).
WeightFormat from_aqlm(const ConfigView& q, const ModelDescription& m, Patterns& keep) {
  WeightFormat f = *parse_weight_format("aqlm-1x16");
  f.dtype = unquantised_dtype(m);
  f.num_codebooks = static_cast<int32_t>(q.get_int("num_codebooks", 1, 1, 8));
  f.codebook_bits = static_cast<int32_t>(q.get_int("nbits_per_codebook", 16, 1, 16));
  f.group_size = q.get_int("in_group_size", 8, 1, 1 << 10);
  f.out_group_size = static_cast<int32_t>(q.get_int("out_group_size", 1, 1, 1 << 10));
  f.bits = f.num_codebooks * f.codebook_bits;
  keep = module_names(q.get_string_list("linear_weights_not_to_quantize"));
  return f;
}

// EXL2/EXL3 (exllamav2/exllamav3 conversion/compile.py): {"bits": average bpw, "head_bits"}.
WeightFormat from_exl(const ConfigView& q, ModelDescription& m, bool v3) {
  WeightFormat f = *parse_weight_format(v3 ? "exl3-4" : "exl2-4");
  f.bits_per_weight = q.get_double("bits", 0);
  if (!(f.bits_per_weight >= 1 && f.bits_per_weight <= 8)) {
    q.fail("bits", "must be the average bits per weight between 1 and 8");
  }
  f.bits = static_cast<int32_t>(f.bits_per_weight + 0.999);
  f.head_bits = static_cast<int32_t>(q.get_int("head_bits", 6, 1, 16));
  f.quantise_lm_head = f.head_bits != 16;
  f.dtype = DType::f16;
  if (auto note = weight_format_note(f)) m.notes.push_back(*note);
  return f;
}

// BitNet (transformers BitNetQuantConfig): offline checkpoints store packed ternary weights;
// quantization_mode "online" stores the full-precision weights and quantises them per forward.
WeightFormat from_bitnet(const ConfigView& q, ModelDescription& m, Patterns& keep) {
  WeightFormat f = *parse_weight_format("bitnet");
  f.dtype = unquantised_dtype(m);
  keep = q.get_string_list("modules_to_not_convert");
  keep.push_back("lm_head");  // replace_with_bitnet_linear always keeps lm_head
  if (q.get_string("quantization_mode", "offline") == "online") {
    m.notes.push_back(
        "bitnet quantization_mode online: the checkpoint stores the full-precision weights "
        "(AutoBitLinear quantises them at each forward), so they are counted at " +
        std::string(dtype_info(f.dtype).name));
    WeightFormat dense;
    dense.dtype = f.dtype;
    return dense;
  }
  return f;
}

}  // namespace

void apply_checkpoint_quantization(ModelDescription& m, const std::string& source,
                                   bool tensors_follow) {
  nlohmann::json j = parse_json_lenient(m.quantization_config_json, source);
  if (!j.is_object()) throw InputError(source + ": quantization_config must be a JSON object");
  ConfigView q(j, source, "quantization_config.");
  std::string method = q.get_string("quant_method", "");
  WeightFormat f;
  Patterns keep;
  std::vector<MlxOverride> mlx_overrides;
  if (method.empty() && (q.has("desc_act") || q.has("damp_percent") || q.has("sym"))) {
    // GPTQ settings without quant_method (AutoGPTQ's quantize_config.json keys; MLX writes none
    // of them).
    m.notes.push_back(
        "quantization_config has no quant_method but GPTQ's keys (desc_act, sym, "
        "damp_percent): read as gptq");
    f = from_gptq(q, m, keep);
  } else if (method.empty() && q.has("bits") && q.has("group_size")) {
    f = from_mlx(q, m, mlx_overrides);
  } else if (method == "fp8") {
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
    // transformers integrations/fbgemm_fp8.py FbgemmFp8Linear: weight f8 [N, K], weight_scale
    // fp32 [N, 1] (input_scale_ub is a non-persistent buffer, not stored).
    f.scheme = WeightScheme::fp8;
    f.granularity = ScaleGranularity::channel;
    f.scale_dtype = DType::f32;
    f.dtype = unquantised_dtype(m);
    keep = q.get_string_list("modules_to_not_convert");
  } else if (method == "torchao") {
    f = from_torchao(q, m, keep);
  } else if (method == "hqq") {
    f = from_hqq(q, m, keep);
  } else if (method == "eetq") {
    // transformers EetqConfig: weights "int8"; integrations/eetq.py keeps lm_head.
    if (q.get_string("weights", "int8") != "int8") {
      q.fail("weights", "is \"" + q.get_string("weights", "") + "\" but EETQ stores int8");
    }
    f = *parse_weight_format("eetq");
    keep = q.has("modules_to_not_convert") ? q.get_string_list("modules_to_not_convert")
                                           : Patterns{"lm_head"};
  } else if (method == "aqlm") {
    f = from_aqlm(q, m, keep);
  } else if (method == "exl2" || method == "exl3") {
    f = from_exl(q, m, method == "exl3");
  } else if (method == "bitnet") {
    f = from_bitnet(q, m, keep);
  } else if (tensors_follow) {
    m.notes.push_back("quantization_config quant_method '" + method +
                      "' is not modelled (modelled: " + k_methods +
                      "): the checkpoint's stored tensor bytes decide the weights");
    return;
  } else {
    throw InputError(source + ": quantization_config quant_method '" + method +
                     "' is not modelled (modelled: " + k_methods +
                     "); from config.json alone its bytes are unknown. A model folder, a "
                     ".safetensors file or a Hub id lets llmem count the stored tensors");
  }
  mark_unquantised_modules(m, keep);
  f.honour_keep_unquantised = true;
  apply_weight_format(m, f);
  apply_mlx_overrides(m, mlx_overrides);
  if (m.torch_dtype == DType::f32 && f.scheme != WeightScheme::dense) {
    m.notes.push_back(
        "torch_dtype is float32: the tensors the quantisation leaves (embeddings, "
        "LM head, norms) are counted in bf16, as vLLM serves them; a float32 file "
        "stores them at twice those bytes");
  }
}

}  // namespace llmem
