// --weights names, module matching and applying a format to a model's tensors. The byte formulas
// are in quantised_bytes.cpp, llama.cpp's file-type rules in gguf_file_type.cpp.
#include "llmem/core/weight_format.h"

#include <cctype>
#include <string>

#include "common/checked.h"
#include "core/gguf_file_type.h"
#include "llmem/core/ggml_type.h"

namespace llmem {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Parses a decimal integer in [1, max]; nullopt otherwise.
std::optional<int64_t> parse_count(std::string_view s, int64_t max) {
  if (s.empty() || s.size() > 7) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > max) return std::nullopt;
  return v;
}

// "-g128" / "-channel" suffixes of the integer formats; returns false on anything else.
bool parse_group_suffix(std::string_view rest, WeightFormat& f, bool allow_act) {
  while (!rest.empty()) {
    if (rest[0] != '-') return false;
    rest.remove_prefix(1);
    size_t end = rest.find('-');
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (part == "channel") {
      f.group_size = 0;
    } else if (part.size() > 1 && part[0] == 'g') {
      auto g = parse_count(part.substr(1), 1 << 20);
      if (!g) return false;
      f.group_size = *g;
    } else if (allow_act && part == "act") {
      f.act_order = true;
    } else if (part == "asym" && f.scheme == WeightScheme::packed_int) {
      f.symmetric = false;
    } else {
      return false;
    }
  }
  return true;
}

std::string group_suffix(const WeightFormat& f) {
  return f.group_size <= 0 ? "-channel" : "-g" + std::to_string(f.group_size);
}

}  // namespace

std::string WeightFormat::label() const {
  switch (scheme) {
    case WeightScheme::dense:
      return std::string(dtype_info(dtype).name);
    case WeightScheme::fp8: {
      std::string base = quant_dtype == DType::f8_e5m2 ? "fp8_e5m2" : "fp8";
      if (granularity == ScaleGranularity::channel) return base + "-channel";
      if (granularity == ScaleGranularity::block) {
        return base + "-block" + std::to_string(block_rows) + "x" + std::to_string(block_cols);
      }
      return base;
    }
    case WeightScheme::int8:
      return granularity == ScaleGranularity::tensor ? "int8-tensor" : "int8";
    case WeightScheme::gptq:
      return "gptq-" + std::to_string(bits) + "bit" + group_suffix(*this) +
             (act_order ? "-act" : "");
    case WeightScheme::awq:
      return "awq-" + std::to_string(bits) + "bit" + group_suffix(*this);
    case WeightScheme::packed_int:
      return "w" + std::to_string(bits) + "a16" + group_suffix(*this) + (act_order ? "-act" : "") +
             (symmetric ? "" : "-asym");
    case WeightScheme::bnb_4bit:
      return std::string(fp4_nf4 ? "nf4" : "fp4") + (double_quant ? "-dq" : "");
    case WeightScheme::bnb_int8:
      return "llm-int8";
    case WeightScheme::mxfp4:
      return "mxfp4";
    case WeightScheme::nvfp4:
      return "nvfp4";
    case WeightScheme::gguf:
      return std::string(gguf_file_type_option(file_type));
    case WeightScheme::count:
      break;
  }
  return "unknown";
}

std::optional<WeightFormat> parse_weight_format(std::string_view name_in) {
  const std::string name = lower(name_in);
  WeightFormat f;
  if (auto d = parse_dtype(name);
      d && (*d == DType::f32 || *d == DType::f16 || *d == DType::bf16)) {
    f.dtype = *d;
    return f;
  }
  if (starts_with(name, "fp8")) {
    f.scheme = WeightScheme::fp8;
    std::string_view rest = std::string_view(name).substr(3);
    if (starts_with(rest, "_e5m2")) {
      f.quant_dtype = DType::f8_e5m2;
      rest.remove_prefix(5);
    } else if (starts_with(rest, "_e4m3")) {
      rest.remove_prefix(5);
    }
    if (rest.empty()) return f;
    if (rest == "-channel" || rest == "-dynamic") {
      f.granularity = ScaleGranularity::channel;
      return f;
    }
    if (starts_with(rest, "-block")) {
      f.granularity = ScaleGranularity::block;
      rest.remove_prefix(6);
      if (rest.empty()) return f;
      size_t x = rest.find('x');
      if (x == std::string_view::npos) return std::nullopt;
      auto r = parse_count(rest.substr(0, x), 1 << 16);
      auto c = parse_count(rest.substr(x + 1), 1 << 16);
      if (!r || !c) return std::nullopt;
      f.block_rows = *r;
      f.block_cols = *c;
      return f;
    }
    return std::nullopt;
  }
  if (name == "int8" || name == "w8a8" || name == "int8-channel") {
    f.scheme = WeightScheme::int8;
    f.granularity = ScaleGranularity::channel;
    return f;
  }
  if (name == "int8-tensor") {
    f.scheme = WeightScheme::int8;
    f.granularity = ScaleGranularity::tensor;
    return f;
  }
  if (name == "int4") return parse_weight_format("w4a16-g128");
  if (name.size() >= 5 && name[0] == 'w' && name.substr(2, 3) == "a16") {
    f.scheme = WeightScheme::packed_int;
    if (name[1] != '4' && name[1] != '8') return std::nullopt;
    f.bits = name[1] - '0';
    f.group_size = f.bits == 8 ? 0 : 128;  // RedHatAI w8a16 is per channel, w4a16 groups of 128
    if (!parse_group_suffix(std::string_view(name).substr(5), f, true)) return std::nullopt;
    return f;
  }
  for (auto [prefix, scheme] :
       {std::pair{"gptq-", WeightScheme::gptq}, std::pair{"awq-", WeightScheme::awq}}) {
    if (!starts_with(name, prefix)) continue;
    std::string_view rest = std::string_view(name).substr(std::string_view(prefix).size());
    size_t bit = rest.find("bit");
    if (bit == std::string_view::npos) return std::nullopt;
    auto b = parse_count(rest.substr(0, bit), 8);
    if (!b || (*b != 2 && *b != 3 && *b != 4 && *b != 8)) return std::nullopt;
    f.scheme = scheme;
    f.bits = static_cast<int32_t>(*b);
    f.dtype = DType::f16;
    if (!parse_group_suffix(rest.substr(bit + 3), f, scheme == WeightScheme::gptq)) {
      return std::nullopt;
    }
    return f;
  }
  if (name == "nf4" || name == "fp4" || name == "nf4-dq" || name == "fp4-dq") {
    f.scheme = WeightScheme::bnb_4bit;
    f.fp4_nf4 = starts_with(name, "nf4");
    f.double_quant = name.size() > 3;
    f.bits = 4;
    return f;
  }
  if (name == "llm-int8" || name == "bnb-int8") {
    f.scheme = WeightScheme::bnb_int8;
    f.bits = 8;
    return f;
  }
  if (name == "mxfp4" || name == "nvfp4") {
    f.scheme = name == "mxfp4" ? WeightScheme::mxfp4 : WeightScheme::nvfp4;
    f.bits = 4;
    return f;
  }
  for (size_t i = 0; i < static_cast<size_t>(GgufFileType::count); ++i) {
    auto ft = static_cast<GgufFileType>(i);
    if (gguf_file_type_option(ft) == name) {
      f.scheme = WeightScheme::gguf;
      f.file_type = ft;
      return f;
    }
  }
  return std::nullopt;
}

std::string accepted_weight_formats() {
  std::string s =
      "fp32, bf16, fp16, fp8, fp8_e5m2, fp8-channel, fp8-block128x128, int8 (w8a8), "
      "int8-tensor, int4 (w4a16), w4a16[-gN|-channel][-act][-asym], w8a16[-gN|-channel], "
      "gptq-<2|3|4|8>bit[-gN|-channel][-act], awq-<2|3|4|8>bit[-gN], nf4, nf4-dq, fp4, fp4-dq, "
      "llm-int8, mxfp4, nvfp4";
  for (size_t i = 0; i < static_cast<size_t>(GgufFileType::count); ++i) {
    s += ", ";
    s += gguf_file_type_option(static_cast<GgufFileType>(i));
  }
  return s;
}

bool is_quantisable(const Tensor& t) {
  if (t.shape.size() < 2) return false;  // biases, norms, 1-D vectors
  switch (t.role) {
    case TensorRole::attention:
    case TensorRole::mlp:
    case TensorRole::routed_expert:
    case TensorRole::shared_expert:
    case TensorRole::ssm:
    case TensorRole::mtp:
      break;
    default:
      return false;
  }
  // Fused expert biases ([experts, out], gpt-oss "gate_up_proj_bias") are 2-D but not weights.
  std::string_view name = t.name;
  if (name.size() >= 4 && name.substr(name.size() - 4) == "bias") return false;
  // Mamba's conv1d weight [channels, 1, kernel] is not a linear layer.
  return t.name.find("conv1d") == std::string::npos && t.name.find("A_log") == std::string::npos;
}

void apply_weight_format(ModelDescription& m, const WeightFormat& f) {
  if (f.scheme == WeightScheme::gguf) {
    std::vector<GgmlType> types = choose_gguf_types(m, f.file_type);
    for (size_t i = 0; i < m.tensors.size(); ++i) {
      Tensor& t = m.tensors[i];
      const GgmlTypeInfo& info = ggml_type_info(types[i]);
      uint64_t rows = t.shape.empty() ? 1 : t.elements() / static_cast<uint64_t>(t.shape.back());
      uint64_t row_len = t.shape.empty() ? 1 : static_cast<uint64_t>(t.shape.back());
      t.bytes = checked_mul(rows, ggml_row_bytes(types[i], row_len), "weight bytes");
      t.format = std::string(info.name);
      t.dtype = types[i] == GgmlType::f32    ? DType::f32
                : types[i] == GgmlType::f16  ? DType::f16
                : types[i] == GgmlType::bf16 ? DType::bf16
                                             : DType::u8;
    }
    m.weights_format = f.label();
    return;
  }
  const bool lm_head_too = f.scheme == WeightScheme::gptq && f.quantise_lm_head;
  for (auto& t : m.tensors) {
    bool candidate =
        is_quantisable(t) || (lm_head_too && t.role == TensorRole::lm_head && t.shape.size() >= 2);
    bool quantise = f.scheme != WeightScheme::dense && candidate &&
                    !(f.honour_keep_unquantised && t.keep_unquantised);
    if (!quantise) {
      t.format.clear();
      t.dtype = f.dtype;
      t.bytes = dtype_bytes(t.dtype, t.elements());
      continue;
    }
    t.format = f.label();
    t.bytes = quantised_weight_bytes(f, t.shape);
    switch (f.scheme) {
      case WeightScheme::fp8:
        t.dtype = f.quant_dtype;
        break;
      case WeightScheme::int8:
      case WeightScheme::bnb_int8:
        t.dtype = DType::i8;
        break;
      case WeightScheme::mxfp4:
      case WeightScheme::nvfp4:
        t.dtype = DType::f4_e2m1;
        break;
      case WeightScheme::bnb_4bit:
        t.dtype = DType::u8;
        break;
      default:
        t.dtype = DType::i32;
        break;  // gptq, awq, packed_int: packed int32 words
    }
  }
  m.weights_format = f.label();
}

std::optional<std::string> apply_serving_default(ModelDescription& m) {
  if (m.weights_format != "f32") return std::nullopt;
  WeightFormat bf16;
  bf16.dtype = DType::bf16;
  apply_weight_format(m, bf16);
  return "the checkpoint is float32: served as bf16, as vLLM's dtype 'auto' does (--weights "
         "fp32 keeps float32)";
}

}  // namespace llmem
