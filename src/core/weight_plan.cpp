// What a weight format does to tensors: which it quantises, the bytes of one instance, rewriting
// a model's records. The byte formulas are in quantised_bytes.cpp, llama.cpp's per-tensor type
// rules in gguf_file_type.cpp, the plans in prepared_model.cpp.
#include "llmem/core/weight_plan.h"

#include "common/checked.h"
#include "core/gguf_file_type.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

// A ggml type's element dtype, for the records it stores.
DType ggml_element_dtype(GgmlType t) {
  switch (t) {
    case GgmlType::f32:
      return DType::f32;
    case GgmlType::f16:
      return DType::f16;
    case GgmlType::bf16:
      return DType::bf16;
    default:
      return DType::u8;
  }
}

// The element type a quantised scheme stores its values in.
DType stored_value_dtype(const WeightFormat& f) {
  switch (f.scheme) {
    case WeightScheme::fp8:
      return f.quant_dtype;
    case WeightScheme::int8:
    case WeightScheme::bnb_int8:
      return DType::i8;
    case WeightScheme::mxfp4:
    case WeightScheme::nvfp4:
      return DType::f4_e2m1;
    case WeightScheme::bnb_4bit:
      return DType::u8;
    default:
      return DType::i32;  // gptq, awq, packed_int: packed int32 words
  }
}

bool quantises(const Tensor& t, const WeightFormat& f) {
  if (f.scheme == WeightScheme::dense) return false;
  if (f.honour_keep_unquantised && t.keep_unquantised) return false;
  if (is_quantisable(t)) return true;
  // GPTQ's `lm_head: true` quantises the output projection too.
  return f.scheme == WeightScheme::gptq && f.quantise_lm_head && t.role == TensorRole::lm_head &&
         t.shape.size() >= 2;
}

}  // namespace

bool is_quantisable(const Tensor& t) {
  if (t.shape.size() < 2 || t.bias) return false;  // biases, norms, 1-D vectors
  switch (t.role) {
    case TensorRole::q:
    case TensorRole::k:
    case TensorRole::v:
    case TensorRole::qkv:
    case TensorRole::o:
    case TensorRole::q_a:
    case TensorRole::q_b:
    case TensorRole::kv_a:
    case TensorRole::kv_b:
    case TensorRole::gate:
    case TensorRole::up:
    case TensorRole::gate_up:
    case TensorRole::down:
    case TensorRole::ssm_in:
    case TensorRole::ssm_out:
      return true;
    default:
      return false;  // embeddings, LM head, norms, routers, vision, conv1d, A_log …
  }
}

uint64_t instance_bytes(const Tensor& t, const WeightFormat& f) {
  if (f.scheme == WeightScheme::gguf) {
    throw InternalError("internal: instance_bytes called for a gguf file type");
  }
  if (quantises(t, f)) return quantised_weight_bytes(f, t.shape);
  return dtype_bytes(f.dtype, t.elements());
}

void apply_weight_format(ModelDescription& m, const WeightFormat& f) {
  m.stored_format = f;
  m.weights_format = f.label();
  if (f.scheme != WeightScheme::gguf) {
    for (auto& t : m.tensors) {
      if (quantises(t, f)) {
        t.storage = TensorStorage::quantised;
        t.dtype = stored_value_dtype(f);
        t.bytes = quantised_weight_bytes(f, t.shape);
      } else {
        t.storage = TensorStorage::dense;
        t.dtype = f.dtype;
        t.bytes = dtype_bytes(t.dtype, t.elements());
      }
    }
    return;
  }
  std::vector<uint32_t> offsets;
  std::vector<GgmlType> types = choose_gguf_types(m.tensors, gguf_facts(m), f.file_type, offsets);
  std::vector<Tensor> out;
  out.reserve(m.tensors.size());
  for (size_t r = 0; r < m.tensors.size(); ++r) {
    const Tensor& t = m.tensors[r];
    const uint64_t rows =
        t.shape.empty()
            ? 1
            : t.elements() / static_cast<uint64_t>(std::max<int64_t>(t.shape.back(), 1));
    const uint64_t row_len = t.shape.empty() ? 1 : static_cast<uint64_t>(t.shape.back());
    auto stored = [&](Tensor piece, GgmlType type) {
      piece.storage = TensorStorage::ggml;
      piece.ggml_type = type;
      piece.dtype = ggml_element_dtype(type);
      piece.bytes = checked_mul(rows, ggml_row_bytes(type, row_len), "weight bytes");
      out.push_back(std::move(piece));
    };
    if (!t.in_stack()) {
      stored(t, types[offsets[r]]);
      continue;
    }
    // A run of layers per type: llama.cpp's rules give some layers more bits.
    int32_t start = 0;
    for (int32_t i = 1; i <= t.layers; ++i) {
      if (i < t.layers && types[offsets[r] + static_cast<uint32_t>(i)] ==
                              types[offsets[r] + static_cast<uint32_t>(start)]) {
        continue;
      }
      Tensor piece = t;
      piece.layer = t.layer + start;
      piece.layers = i - start;
      stored(std::move(piece), types[offsets[r] + static_cast<uint32_t>(start)]);
      start = i;
    }
  }
  m.tensors = std::move(out);
}

std::optional<WeightFormat> serving_default_format(const ModelDescription& m) {
  if (m.weights_format != "f32") return std::nullopt;
  WeightFormat bf16;
  bf16.dtype = DType::bf16;
  return bf16;
}

std::optional<std::string> apply_serving_default(ModelDescription& m) {
  auto f = serving_default_format(m);
  if (!f) return std::nullopt;
  apply_weight_format(m, *f);
  return std::string(k_serving_default_note);
}

Placement placement_of(TpSplit s) {
  switch (s) {
    case TpSplit::column:
    case TpSplit::row:
    case TpSplit::vocab:
      return Placement::split;
    case TpSplit::kv_heads:
      return Placement::kv_heads;
    default:
      return Placement::replicated;
  }
}

uint64_t WeightColumns::sum() const {
  uint64_t n = 0;
  for (uint64_t b : bytes) n = checked_add(n, b, "weight bytes");
  return n;
}

}  // namespace llmem
