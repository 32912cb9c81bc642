#include "llmem/weight_format.h"

#include "common/checked.h"

namespace llmem {
namespace {

// One fp32 scale per tensor: vLLM's per-tensor fp8 (weight_scale, torch.float32, shape []),
// compressed-tensors' "tensor" strategy.
constexpr uint64_t k_fp32_scale_bytes = 4;

bool glob_match(std::string_view pattern, std::string_view text) {
  // '*' matches one or more characters within a dotted path (enough for config patterns).
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string WeightFormat::label() const {
  switch (scheme) {
    case WeightScheme::dense:
      return std::string(dtype_info(dtype).name);
    case WeightScheme::fp8_per_tensor:
      return quant_dtype == DType::f8_e5m2 ? "fp8_e5m2" : "fp8";
    case WeightScheme::int8_per_tensor:
      return "int8";
    case WeightScheme::count:
      break;
  }
  return "unknown";
}

std::optional<WeightFormat> parse_weight_format(std::string_view name) {
  WeightFormat f;
  if (name == "fp8" || name == "fp8_e4m3") {
    f.scheme = WeightScheme::fp8_per_tensor;
    return f;
  }
  if (name == "fp8_e5m2") {
    f.scheme = WeightScheme::fp8_per_tensor;
    f.quant_dtype = DType::f8_e5m2;
    return f;
  }
  if (name == "int8") {
    f.scheme = WeightScheme::int8_per_tensor;
    f.quant_dtype = DType::i8;
    return f;
  }
  auto d = parse_dtype(name);
  if (d && (*d == DType::f32 || *d == DType::f16 || *d == DType::bf16)) {
    f.dtype = *d;
    return f;
  }
  return std::nullopt;
}

std::string accepted_weight_formats() { return "fp32, bf16, fp16, fp8, fp8_e5m2, int8"; }

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
  // Mamba's conv1d weight [channels, 1, kernel] is not a linear layer.
  return t.name.find("conv1d") == std::string::npos && t.name.find("A_log") == std::string::npos;
}

bool module_matches(std::string_view name, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    // A module pattern matches the module itself or anything below it.
    if (glob_match(p, name)) return true;
    for (size_t dot = name.find('.'); dot != std::string_view::npos;
         dot = name.find('.', dot + 1)) {
      if (glob_match(p, name.substr(0, dot))) return true;
    }
  }
  return false;
}

void apply_weight_format(ModelDescription& m, const WeightFormat& f) {
  for (auto& t : m.tensors) {
    bool quantise = f.scheme != WeightScheme::dense && is_quantisable(t) &&
                    !module_matches(t.name, f.keep_unquantised);
    if (!quantise) {
      t.format.clear();
      t.dtype = f.dtype;
      t.bytes = dtype_bytes(t.dtype, t.elements());
      continue;
    }
    t.dtype = f.quant_dtype;
    t.format = f.label();
    uint64_t scales = k_fp32_scale_bytes * (f.activation_scale ? 2 : 1);
    t.bytes = checked_add(dtype_bytes(f.quant_dtype, t.elements()), scales, "weight bytes");
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
