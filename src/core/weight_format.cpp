// --weights: the canonical label of a format and the grammar that reads one back. What a format
// does to tensors is in weight_plan.cpp, the byte formulas in quantised_bytes.cpp.
#include "llmem/core/weight_format.h"

#include <cctype>
#include <string>

#include "core/gguf_file_type.h"

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

namespace {

using Parsed = std::optional<WeightFormat>;

Parsed dense_format(std::string_view name) {
  auto d = parse_dtype(name);
  if (!d || (*d != DType::f32 && *d != DType::f16 && *d != DType::bf16)) return std::nullopt;
  WeightFormat f;
  f.dtype = *d;
  return f;
}

Parsed fp8_format(std::string_view name) {
  if (!starts_with(name, "fp8")) return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::fp8;
  std::string_view rest = name.substr(3);
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
  if (!starts_with(rest, "-block")) return std::nullopt;
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

Parsed int8_format(std::string_view name) {
  if (name != "int8" && name != "w8a8" && name != "int8-channel" && name != "int8-tensor") {
    return std::nullopt;
  }
  WeightFormat f;
  f.scheme = WeightScheme::int8;
  f.granularity = name == "int8-tensor" ? ScaleGranularity::tensor : ScaleGranularity::channel;
  return f;
}

Parsed packed_int_format(std::string_view name) {
  if (name == "int4") name = "w4a16-g128";
  if (name.size() < 5 || name[0] != 'w' || name.substr(2, 3) != "a16") return std::nullopt;
  if (name[1] != '4' && name[1] != '8') return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::packed_int;
  f.bits = name[1] - '0';
  f.group_size = f.bits == 8 ? 0 : 128;  // RedHatAI w8a16 is per channel, w4a16 groups of 128
  if (!parse_group_suffix(name.substr(5), f, true)) return std::nullopt;
  return f;
}

Parsed gptq_or_awq(std::string_view name, std::string_view prefix, WeightScheme scheme) {
  if (!starts_with(name, prefix)) return std::nullopt;
  std::string_view rest = name.substr(prefix.size());
  size_t bit = rest.find("bit");
  if (bit == std::string_view::npos) return std::nullopt;
  auto b = parse_count(rest.substr(0, bit), 8);
  if (!b || (*b != 2 && *b != 3 && *b != 4 && *b != 8)) return std::nullopt;
  WeightFormat f;
  f.scheme = scheme;
  f.bits = static_cast<int32_t>(*b);
  f.dtype = DType::f16;
  if (!parse_group_suffix(rest.substr(bit + 3), f, scheme == WeightScheme::gptq)) {
    return std::nullopt;
  }
  return f;
}

Parsed gptq_format(std::string_view name) { return gptq_or_awq(name, "gptq-", WeightScheme::gptq); }
Parsed awq_format(std::string_view name) { return gptq_or_awq(name, "awq-", WeightScheme::awq); }

Parsed bnb_4bit_format(std::string_view name) {
  if (name != "nf4" && name != "fp4" && name != "nf4-dq" && name != "fp4-dq") return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::bnb_4bit;
  f.fp4_nf4 = starts_with(name, "nf4");
  f.double_quant = name.size() > 3;
  f.bits = 4;
  return f;
}

Parsed bnb_int8_format(std::string_view name) {
  if (name != "llm-int8" && name != "bnb-int8") return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::bnb_int8;
  f.bits = 8;
  return f;
}

Parsed fp4_block_format(std::string_view name) {
  if (name != "mxfp4" && name != "nvfp4") return std::nullopt;
  WeightFormat f;
  f.scheme = name == "mxfp4" ? WeightScheme::mxfp4 : WeightScheme::nvfp4;
  f.bits = 4;
  return f;
}

Parsed gguf_format(std::string_view name) {
  for (size_t i = 0; i < static_cast<size_t>(GgufFileType::count); ++i) {
    auto ft = static_cast<GgufFileType>(i);
    if (gguf_file_type_option(ft) == name) {
      WeightFormat f;
      f.scheme = WeightScheme::gguf;
      f.file_type = ft;
      return f;
    }
  }
  return std::nullopt;
}

// The --weights grammar, one row per family: how accepted_weight_formats() shows it and the
// parser that reads it. Both come from this table, so the list never drifts from the parser.
struct FormatSyntax {
  std::string_view shown;
  Parsed (*parse)(std::string_view lowercase_name);
};

constexpr FormatSyntax k_syntax[] = {
    {"fp32, bf16, fp16", dense_format},
    {"fp8, fp8_e5m2, fp8-channel, fp8-block128x128", fp8_format},
    {"int8 (w8a8), int8-tensor", int8_format},
    {"int4 (w4a16), w4a16[-gN|-channel][-act][-asym], w8a16[-gN|-channel]", packed_int_format},
    {"gptq-<2|3|4|8>bit[-gN|-channel][-act]", gptq_format},
    {"awq-<2|3|4|8>bit[-gN]", awq_format},
    {"nf4, nf4-dq, fp4, fp4-dq", bnb_4bit_format},
    {"llm-int8", bnb_int8_format},
    {"mxfp4, nvfp4", fp4_block_format},
    {"", gguf_format},  // shown from llama.cpp's file-type table
};

}  // namespace

std::optional<WeightFormat> parse_weight_format(std::string_view name_in) {
  const std::string name = lower(name_in);
  for (const auto& syntax : k_syntax) {
    if (auto f = syntax.parse(name)) return f;
  }
  return std::nullopt;
}

std::string accepted_weight_formats() {
  std::string s;
  for (const auto& syntax : k_syntax) {
    if (syntax.shown.empty()) continue;
    s += (s.empty() ? "" : ", ") + std::string(syntax.shown);
  }
  for (size_t i = 0; i < static_cast<size_t>(GgufFileType::count); ++i) {
    s += ", ";
    s += gguf_file_type_option(static_cast<GgufFileType>(i));
  }
  return s;
}

}  // namespace llmem
