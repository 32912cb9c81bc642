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
    case WeightScheme::bitnet:
    case WeightScheme::hqq:
      return DType::u8;
    case WeightScheme::eetq:
      return DType::i8;
    case WeightScheme::torchao:
      return f.torchao_kind == TorchaoKind::fp8_row || f.torchao_kind == TorchaoKind::fp8_tensor
                 ? DType::f8_e4m3
             : f.torchao_kind == TorchaoKind::int8_v1 || f.torchao_kind == TorchaoKind::int8_v2
                 ? DType::i8
                 : DType::u8;
    case WeightScheme::aqlm:
    case WeightScheme::exl3:
      return DType::i16;  // codes (1x16) / trellis
    default:
      return DType::i32;  // gptq, awq, packed_int: packed int32 words
  }
}

// Bytes of one quantised instance: the LM head has its own bits under EXL2/EXL3 (head_bits).
uint64_t quantised_instance_bytes(const Tensor& t, const WeightFormat& f) {
  if (t.role == TensorRole::lm_head) return head_weight_bytes(f, t.shape);
  return quantised_weight_bytes(f, t.shape);
}

}  // namespace

bool is_quantisable(const Tensor& t, const WeightFormat& f) {
  if (f.scheme == WeightScheme::dense || f.scheme == WeightScheme::gguf) return false;
  if (f.honour_keep_unquantised && t.keep_unquantised) return false;
  if (t.shape.size() < 2 || t.bias) return false;
  bool covered = is_quantisable(t);
  switch (t.role) {
    case TensorRole::lm_head:
      covered = f.quantise_lm_head;
      break;
    case TensorRole::embedding:
    case TensorRole::position_embedding:
      covered = f.quantise_embeddings;
      break;
    case TensorRole::router:
      covered = f.quantise_router;
      break;
    default:
      break;
  }
  if (!covered) return false;
  if (f.skip_indivisible && f.group_size > 0 && t.shape.back() % f.group_size != 0) return false;
  return true;
}

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
  if (is_quantisable(t, f)) return quantised_instance_bytes(t, f);
  return dtype_bytes(f.dtype, t.elements());
}

void apply_weight_format(ModelDescription& m, const WeightFormat& f) {
  m.stored_format = f;
  m.weights_format = f.label();
  if (f.scheme != WeightScheme::gguf) {
    for (auto& t : m.tensors) {
      if (is_quantisable(t, f)) {
        t.storage = TensorStorage::quantised;
        t.dtype = stored_value_dtype(f);
        t.bytes = quantised_instance_bytes(t, f);
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
