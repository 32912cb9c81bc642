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

// A bits-per-weight value with at most two decimals, without trailing zeros ("4.25", "4", "3.5").
std::string decimal_text(double v) {
  const int64_t hundredths = static_cast<int64_t>(v * 100.0 + 0.5);
  std::string s = std::to_string(hundredths / 100);
  const int64_t frac = hundredths % 100;
  if (frac != 0) {
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) s += static_cast<char>('0' + frac % 10);
  }
  return s;
}

// "4.25" → 4.25 (1..16, at most two decimals); nullopt otherwise.
std::optional<double> parse_decimal(std::string_view s) {
  size_t dot = s.find('.');
  auto whole = parse_count(s.substr(0, dot), 16);
  if (!whole) return std::nullopt;
  double v = static_cast<double>(*whole);
  if (dot == std::string_view::npos) return v;
  std::string_view frac = s.substr(dot + 1);
  if (frac.empty() || frac.size() > 2) return std::nullopt;
  double scale = 0.1;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    v += (c - '0') * scale;
    scale /= 10;
  }
  return v;
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
    case WeightScheme::mlx:
      switch (mlx_mode) {
        case MlxMode::mxfp4:
          return "mlx-mxfp4";
        case MlxMode::nvfp4:
          return "mlx-nvfp4";
        case MlxMode::mxfp8:
          return "mlx-mxfp8";
        default:
          return "mlx-" + std::to_string(bits) + "bit-g" + std::to_string(group_size);
      }
    case WeightScheme::torchao:
      switch (torchao_kind) {
        case TorchaoKind::int4_plain:
          return "torchao-int4-g" + std::to_string(group_size);
        case TorchaoKind::int4_tile_packed:
          return "torchao-int4-tile-g" + std::to_string(group_size);
        case TorchaoKind::int4_plain_int32:
          return "torchao-int4-int32-g" + std::to_string(group_size);
        case TorchaoKind::int8_v2:
          return "torchao-int8";
        case TorchaoKind::int8_v1:
          return "torchao-int8-v1";
        case TorchaoKind::fp8_row:
          return "torchao-fp8";
        case TorchaoKind::fp8_tensor:
          return "torchao-fp8-tensor";
        case TorchaoKind::count:
          break;
      }
      return "torchao";
    case WeightScheme::hqq:
      return "hqq-" + std::to_string(bits) + "bit" + group_suffix(*this);
    case WeightScheme::eetq:
      return "eetq";
    case WeightScheme::aqlm:
      return "aqlm-" + std::to_string(num_codebooks) + "x" + std::to_string(codebook_bits) + "-g" +
             std::to_string(group_size) +
             (out_group_size != 1 ? "-o" + std::to_string(out_group_size) : "");
    case WeightScheme::exl2:
    case WeightScheme::exl3:
      return std::string(scheme == WeightScheme::exl2 ? "exl2-" : "exl3-") +
             decimal_text(bits_per_weight) + "-h" + std::to_string(head_bits);
    case WeightScheme::bitnet:
      return "bitnet";
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

// mlx-<B>bit[-g<G>] (affine; B in 2..6, 8; G in 32, 64, 128, default 64, mlx-lm's default) and
// the fp modes mlx-mxfp4 / mlx-nvfp4 / mlx-mxfp8 (mlx ops.cpp fp_quantize: groups of 32/16/32).
Parsed mlx_format(std::string_view name) {
  if (!starts_with(name, "mlx-")) return std::nullopt;
  std::string_view rest = name.substr(4);
  WeightFormat f;
  f.scheme = WeightScheme::mlx;
  f.quantise_embeddings = true;
  f.quantise_lm_head = true;
  f.quantise_router = true;
  f.skip_indivisible = true;
  f.symmetric = false;
  if (rest == "mxfp4" || rest == "nvfp4" || rest == "mxfp8") {
    f.mlx_mode = rest == "mxfp4"   ? MlxMode::mxfp4
                 : rest == "nvfp4" ? MlxMode::nvfp4
                                   : MlxMode::mxfp8;
    f.bits = rest == "mxfp8" ? 8 : 4;
    f.group_size = rest == "nvfp4" ? 16 : 32;
    f.scale_dtype = DType::u8;
    return f;
  }
  size_t bit = rest.find("bit");
  if (bit == std::string_view::npos) return std::nullopt;
  auto b = parse_count(rest.substr(0, bit), 8);
  if (!b || *b < 2 || *b == 7) return std::nullopt;
  f.bits = static_cast<int32_t>(*b);
  f.group_size = 64;
  if (!parse_group_suffix(rest.substr(bit + 3), f, false) || f.group_size <= 0) return std::nullopt;
  if (f.group_size != 32 && f.group_size != 64 && f.group_size != 128) return std::nullopt;
  return f;
}

// torchao-int4[-tile|-int32][-g<G>], torchao-int8[-v1], torchao-fp8[-tensor].
Parsed torchao_format(std::string_view name) {
  if (!starts_with(name, "torchao-")) return std::nullopt;
  std::string_view rest = name.substr(8);
  WeightFormat f;
  f.scheme = WeightScheme::torchao;
  if (rest == "int8" || rest == "int8-v1") {
    f.torchao_kind = rest == "int8" ? TorchaoKind::int8_v2 : TorchaoKind::int8_v1;
    f.bits = 8;
    return f;
  }
  if (rest == "fp8" || rest == "fp8-tensor") {
    f.torchao_kind = rest == "fp8" ? TorchaoKind::fp8_row : TorchaoKind::fp8_tensor;
    f.bits = 8;
    return f;
  }
  if (!starts_with(rest, "int4")) return std::nullopt;
  rest.remove_prefix(4);
  f.bits = 4;
  f.torchao_kind = TorchaoKind::int4_plain;
  if (starts_with(rest, "-tile")) {
    f.torchao_kind = TorchaoKind::int4_tile_packed;
    rest.remove_prefix(5);
  } else if (starts_with(rest, "-int32")) {
    f.torchao_kind = TorchaoKind::int4_plain_int32;
    rest.remove_prefix(6);
  }
  if (!parse_group_suffix(rest, f, false) || f.group_size <= 0) return std::nullopt;
  return f;
}

// hqq-<B>bit[-g<G>|-channel]: B in 1, 2, 3, 4, 5, 6, 8 (hqq Quantizer.SUPPORTED_BITS; 1.58 is
// stored as 2-bit), G default 64 (HqqConfig).
Parsed hqq_format(std::string_view name) {
  if (!starts_with(name, "hqq-")) return std::nullopt;
  std::string_view rest = name.substr(4);
  size_t bit = rest.find("bit");
  if (bit == std::string_view::npos) return std::nullopt;
  auto b = parse_count(rest.substr(0, bit), 8);
  if (!b || *b == 7) return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::hqq;
  f.bits = static_cast<int32_t>(*b);
  f.group_size = 64;
  f.skip_indivisible = true;
  if (!parse_group_suffix(rest.substr(bit + 3), f, false)) return std::nullopt;
  return f;
}

Parsed eetq_format(std::string_view name) {
  if (name != "eetq") return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::eetq;
  f.bits = 8;
  f.dtype = DType::f16;  // EETQ runs in float16 (EetqLinear's bias and scales are fp16)
  return f;
}

// aqlm-<C>x<B>[-g<I>][-o<O>]: C codebooks of 2^B entries over groups of I inputs (default 8) and O
// outputs (default 1), as AQLM's names say ("1x16", "2x8").
Parsed aqlm_format(std::string_view name) {
  if (!starts_with(name, "aqlm-")) return std::nullopt;
  std::string_view rest = name.substr(5);
  size_t x = rest.find('x');
  if (x == std::string_view::npos) return std::nullopt;
  size_t end = rest.find('-', x);
  auto c = parse_count(rest.substr(0, x), 8);
  auto b = parse_count(rest.substr(x + 1, end == std::string_view::npos ? end : end - x - 1), 16);
  if (!c || !b) return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::aqlm;
  f.num_codebooks = static_cast<int32_t>(*c);
  f.codebook_bits = static_cast<int32_t>(*b);
  f.bits = static_cast<int32_t>(*c * *b);
  f.group_size = 8;
  f.dtype = DType::f16;  // AQLM's convert_to_hf.py writes torch_dtype float16
  f.skip_indivisible = true;
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  while (!rest.empty()) {
    if (rest.size() < 3 || rest[0] != '-') return std::nullopt;
    size_t next = rest.find('-', 1);
    std::string_view part = rest.substr(1, next == std::string_view::npos ? next : next - 1);
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
    auto v = parse_count(part.substr(1), 1 << 10);
    if (!v) return std::nullopt;
    if (part[0] == 'g') {
      f.group_size = *v;
    } else if (part[0] == 'o') {
      f.out_group_size = static_cast<int32_t>(*v);
    } else {
      return std::nullopt;
    }
  }
  return f;
}

// exl2-<bpw>[-h<bits>] / exl3-<bpw>[-h<bits>]: average bits per weight of the decoder linears and
// the head's bits (default 6, both converters' default; 16 keeps the head unquantised).
Parsed exl_format(std::string_view name) {
  const bool v2 = starts_with(name, "exl2-");
  if (!v2 && !starts_with(name, "exl3-")) return std::nullopt;
  std::string_view rest = name.substr(5);
  size_t h = rest.find("-h");
  auto bpw = parse_decimal(rest.substr(0, h));
  if (!bpw || *bpw < 1 || *bpw > 8) return std::nullopt;
  WeightFormat f;
  f.scheme = v2 ? WeightScheme::exl2 : WeightScheme::exl3;
  f.bits_per_weight = *bpw;
  f.bits = static_cast<int32_t>(*bpw + 0.999);
  f.head_bits = 6;
  f.dtype = DType::f16;  // both keep unquantised tensors in float16
  if (h != std::string_view::npos) {
    auto hb = parse_count(rest.substr(h + 2), 16);
    if (!hb) return std::nullopt;
    f.head_bits = static_cast<int32_t>(*hb);
  }
  if (f.head_bits != 16) f.quantise_lm_head = true;
  return f;
}

Parsed bitnet_format(std::string_view name) {
  if (name != "bitnet") return std::nullopt;
  WeightFormat f;
  f.scheme = WeightScheme::bitnet;
  f.bits = 2;
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
    {"mlx-<2..6|8>bit[-g32|-g64|-g128], mlx-mxfp4, mlx-nvfp4, mlx-mxfp8", mlx_format},
    {"torchao-int4[-tile|-int32][-gN], torchao-int8[-v1], torchao-fp8[-tensor]", torchao_format},
    {"hqq-<1|2|3|4|5|6|8>bit[-gN|-channel]", hqq_format},
    {"eetq", eetq_format},
    {"aqlm-<C>x<B>[-gN][-oN]", aqlm_format},
    {"exl2-<bpw>[-hN], exl3-<bpw>[-hN]", exl_format},
    {"bitnet", bitnet_format},
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

std::optional<std::string> weight_format_note(const WeightFormat& f) {
  const std::string bits = decimal_text(f.bits_per_weight);
  const std::string head = f.head_bits == 16
                               ? "the head stays float16"
                               : "the head is counted at head_bits " + std::to_string(f.head_bits);
  if (f.scheme == WeightScheme::exl2) {
    return "EXL2 bits " + bits +
           " is the converter's budget for every stored byte of the decoder linears (exllamav2 "
           "conversion/optimize.py weight_budget): they are counted at the budget, an upper "
           "bound; the layout the optimizer picked is at most that (measurement.json and the "
           "file's header tell the exact choice); " +
           head + " (qparams_headoptions layout)";
  }
  if (f.scheme == WeightScheme::exl3) {
    return "EXL3 bits " + bits +
           " is the average over the decoder linears, rounded to 0.01 (exllamav3 "
           "conversion/allocation.py): their trellis bytes are known to within ±0.005 bits per "
           "weight; " +
           head;
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
