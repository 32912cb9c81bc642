// llama.cpp's model buffers: every weight's buffer type and bytes on its device or the host.
// Sources (docs/llamacpp-rules.md §2.2–2.4):
//   - src/llama-model-loader.cpp select_weight_buft / weight_buft_supported: a weight takes the
//     first buffer type of its layer's list that supports its op; create_tensor: with mmap a host
//     buffer type becomes plain CPU; TENSOR_DUPLICATED: a tied output is its own tensor when its
//     buffer type differs from token_embd's; get_mapping_range: the CPU_Mapped buffer spans the
//     first to the last CPU tensor of the file;
//   - src/llama-model.cpp make_cpu_buft_list (the GPU's pinned host type, then the CPU's extra
//     types AMX, CPU_REPACK, then CPU) and make_gpu_buft_list;
//   - ggml/src/ggml-cuda/ggml-cuda.cu ggml_backend_cuda_buffer_type_get_alloc_size (a quantised
//     tensor whose row is not a multiple of MATRIX_ROW_PADDING = 512 gets one padded row end) and
//     the CUDA buffer's 128-byte alignment; ggml/src/ggml-alloc.c
//     ggml_backend_alloc_ctx_tensors_from_buft_impl (tensors back to back, each aligned);
//   - ggml/src/ggml-cpu/amx/amx.cpp extra_buffer_type::supports_op with amx/mmq.cpp
//     ggml_backend_amx_get_alloc_size; ggml/src/ggml-cpu/repack.cpp
//     ggml_repack_get_optimal_repack_type (x86) and extra_buffer_type::supports_op;
//   - common/common.h llm_add_n_cpu_moe overrides (--cpu-moe, --n-cpu-moe).
#include <algorithm>

#include "core/engines/llamacpp.h"
#include "core/gguf_file_type.h"
#include "llmem/common/error.h"

namespace llmem::engines::llamacpp {
namespace {

constexpr uint64_t k_cpu_align = 32;  // TENSOR_ALIGNMENT
constexpr uint64_t k_cuda_align = 128;
constexpr uint64_t k_row_padding = 512;  // MATRIX_ROW_PADDING

uint64_t pad(uint64_t x, uint64_t n) { return (x + n - 1) / n * n; }

enum class Op : uint8_t { get_rows, mul_mat, mul_mat_id, other };

Op op_of(const Tensor& t) {
  if (t.role == TensorRole::embedding || t.role == TensorRole::position_embedding)
    return Op::get_rows;
  if (t.bias || t.shape.size() < 2) return Op::other;
  if (t.role == TensorRole::ssm_conv || t.role == TensorRole::ssm_param) return Op::other;
  if (t.routed) return Op::mul_mat_id;
  return Op::mul_mat;
}

enum class Buft : uint8_t { cuda, cuda_host, mapped, cpu, repack, amx, count };

struct Shape {
  uint64_t ne0 = 1;        // row length (K)
  uint64_t ne1 = 1;        // rows of one matrix (N)
  uint64_t mats = 1;       // matrices in one GGUF tensor (fused experts)
  uint64_t instances = 1;  // GGUF tensors per layer
  int dims = 1;
};

Shape shape_of(const Tensor& t) {
  Shape s;
  if (t.shape.empty()) return s;
  s.ne0 = static_cast<uint64_t>(t.shape.back());
  s.dims = static_cast<int>(t.shape.size());
  if (t.shape.size() >= 2) s.ne1 = static_cast<uint64_t>(t.shape[t.shape.size() - 2]);
  for (size_t i = 0; i + 2 < t.shape.size(); ++i) s.mats *= static_cast<uint64_t>(t.shape[i]);
  s.instances = static_cast<uint64_t>(std::max<int64_t>(t.per_layer, 1));
  // Hugging Face's per-expert tensors are one fused 3-D tensor in a GGUF file.
  if (t.routed && t.experts <= 1 && t.per_layer > 1) {
    s.mats *= s.instances;
    s.instances = 1;
    s.dims = 3;
  }
  if (t.routed && s.dims == 2 && t.experts > 1) s.dims = 3;
  return s;
}

uint64_t nbytes(GgmlType type, const Shape& s) {
  return checked_mul(checked_mul(ggml_row_bytes(type, s.ne0), s.ne1, "tensor bytes"), s.mats,
                     "tensor bytes");
}

bool quantised_type(GgmlType t) { return ggml_type_info(t).block_elements > 1; }

uint64_t cuda_alloc(GgmlType type, const Shape& s) {
  uint64_t b = nbytes(type, s);
  if (quantised_type(type) && s.ne0 % k_row_padding != 0) {
    b += ggml_row_bytes(type, k_row_padding - s.ne0 % k_row_padding);
  }
  return pad(b, k_cuda_align);
}

bool amx_takes(GgmlType type, const Shape& s, Op op) {
  if (op != Op::mul_mat || s.dims != 2 || s.ne1 % 32 != 0) return false;
  switch (type) {
    case GgmlType::q4_0:
    case GgmlType::q4_1:
    case GgmlType::q8_0:
      return s.ne0 % 32 == 0;
    case GgmlType::q4_K:
    case GgmlType::q5_K:
    case GgmlType::q6_K:
    case GgmlType::iq4_xs:
      return s.ne0 % 256 == 0;
    case GgmlType::f16:
      return s.ne0 % 16 == 0;
    default:
      return false;
  }
}

uint64_t amx_size(GgmlType type, const Shape& s) {
  const auto& info = ggml_type_info(type);
  const uint64_t blocks = s.ne0 / info.block_elements;
  switch (type) {  // amx/mmq.cpp get_row_size: q8_0 and the K-quants keep an extra scale
    case GgmlType::q8_0:
    case GgmlType::q4_K:
    case GgmlType::q5_K:
      return s.ne1 * blocks * (info.block_bytes + 4) * s.mats;
    case GgmlType::iq4_xs:
      return s.ne1 * blocks * (info.block_bytes + 2) * s.mats;
    default:
      return nbytes(type, s);
  }
}

bool repack_takes(GgmlType type, const Shape& s, Op op, const CpuFeatures& f) {
  if (!((op == Op::mul_mat && s.dims == 2) || (op == Op::mul_mat_id && s.dims == 3))) return false;
  if (s.ne1 % 8 != 0) return false;
  switch (type) {
    case GgmlType::q4_0:
    case GgmlType::q4_K:
    case GgmlType::iq4_nl:
    case GgmlType::mxfp4:
      return f.avx2;
    case GgmlType::q2_K:
      return f.avx512;
    default:
      return false;
  }
}

struct Choice {
  Buft buft = Buft::mapped;
  int32_t device = -1;
  uint64_t bytes = 0;  // allocated (aligned) bytes; the file bytes for mapped tensors
};

// The host buffer type (make_cpu_buft_list): the first GPU's pinned host type when a GPU is
// present (plain CPU under mmap), else the CPU's extra types, then CPU.
Choice host_choice(GgmlType type, const Shape& s, Op op, const InferenceOptions& o,
                   const CpuFeatures& f, int32_t devices) {
  Choice c;
  const bool mmap = o.llamacpp.mmap;
  if (devices > 0 && !o.llamacpp.no_host) {
    c.buft = mmap ? Buft::mapped : Buft::cuda_host;
    c.bytes = mmap ? nbytes(type, s) : pad(nbytes(type, s), k_cpu_align);
    return c;
  }
  if (f.amx && amx_takes(type, s, op)) {
    c.buft = Buft::amx;
    c.bytes = pad(amx_size(type, s), k_cpu_align);
    return c;
  }
  if (repack_takes(type, s, op, f)) {
    c.buft = Buft::repack;
    c.bytes = pad(nbytes(type, s), k_cpu_align);
    return c;
  }
  c.buft = mmap ? Buft::mapped : Buft::cpu;
  c.bytes = mmap ? nbytes(type, s) : pad(nbytes(type, s), k_cpu_align);
  return c;
}

// The layer llama.cpp gives a record: its decoder layer, the input layer (-1: always the CPU) or
// the output layer (n_layer_all); vision towers and projectors live in the separate mmproj file.
int32_t llama_layer(const Tensor& t, int32_t layer, int32_t n_layer_all, bool& skip) {
  skip = t.group == WeightGroup::vision_encoder || t.group == WeightGroup::projector;
  if (t.layer >= 0) return layer;
  if (t.role == TensorRole::embedding || t.role == TensorRole::position_embedding) return -1;
  return n_layer_all;
}

std::vector<GgmlType> planned_types(const PreparedModel& p, const InferenceOptions& o,
                                    std::vector<uint32_t>& offsets) {
  if (!o.weights || o.weights->scheme != WeightScheme::gguf) return {};
  GgufFacts facts;
  facts.n_layer = static_cast<int>(p.num_layers);
  facts.n_expert = p.num_experts;
  if (p.num_kv_heads > 0) facts.n_gqa = p.num_attention_heads / p.num_kv_heads;
  facts.falcon = p.gguf_falcon_rules;
  facts.is_70b = p.gguf_70b_rules;
  return choose_gguf_types(p.records, facts, o.weights->file_type, offsets);
}

}  // namespace

void model_buffers(const PreparedModel& p, const WeightPlan& w, const InferenceOptions& o,
                   const Placement& pl, Buffers& b) {
  const CpuFeatures f = cpu_features(o.llamacpp.cpu_variant);
  std::vector<uint32_t> offsets;
  const std::vector<GgmlType> planned = planned_types(p, o, offsets);
  const bool dense_override = o.weights && o.weights->scheme == WeightScheme::dense;
  auto type_of = [&](uint32_t r, int32_t layer) {
    const Tensor& t = p.records[r];
    if (!planned.empty()) {
      size_t slot = offsets[r] + (t.layer >= 0 ? static_cast<size_t>(layer - t.layer) : 0);
      return planned[slot];
    }
    if (dense_override && (t.shape.size() >= 2 && !t.bias)) {
      return o.weights->dtype == DType::f32   ? GgmlType::f32
             : o.weights->dtype == DType::f16 ? GgmlType::f16
                                              : GgmlType::bf16;
    }
    return tensor_type(p, w, r, layer);
  };
  const bool any_override = !o.llamacpp.override_tensor.empty();
  const int32_t n_cpu_moe = o.llamacpp.cpu_moe ? pl.n_layer_all : o.llamacpp.n_cpu_moe;

  // The choice for one GGUF tensor (record r on layer `layer`).
  auto choose = [&](uint32_t r, int32_t layer, GgmlType type, const Shape& s, Op op) {
    const Tensor& t = p.records[r];
    bool skip = false;
    const int32_t il = llama_layer(t, layer, pl.n_layer_all, skip);
    int32_t device = il < 0 ? -1 : pl.device_of(il);
    bool to_host = device < 0;
    if (t.routed && layer >= 0 && layer < n_cpu_moe) to_host = true;  // --cpu-moe, --n-cpu-moe
    if (any_override) {
      const std::string name = gguf_name(t, layer);
      for (const auto& ot : o.llamacpp.override_tensor) {
        if (!pattern_search(ot.pattern, name)) continue;
        if (ot.buffer_type == "CPU") {
          to_host = true;
        } else {
          const int32_t d = std::stoi(ot.buffer_type.substr(4));
          if (d < pl.devices) {
            device = d;
            to_host = false;
          }
        }
        break;
      }
    }
    Choice c;
    if (!to_host && device >= 0) {
      c.buft = Buft::cuda;
      c.device = device;
      c.bytes = cuda_alloc(type, s);
    } else {
      c = host_choice(type, s, op, o, f, pl.devices);
    }
    return c;
  };

  uint64_t mapped_lo = UINT64_MAX, mapped_hi = 0;
  auto add = [&](const Choice& c, WeightGroup group, uint64_t file_offset, uint64_t file_bytes) {
    switch (c.buft) {
      case Buft::cuda: {
        const auto d = static_cast<size_t>(c.device);
        add_to(b.device[d], weights_part(group), c.bytes);
        b.sizes[d].model += c.bytes;
        break;
      }
      case Buft::cuda_host:
        b.host[HostPart::weights_cuda_host] += c.bytes;
        break;
      case Buft::cpu:
        b.host[HostPart::weights_cpu] += c.bytes;
        break;
      case Buft::repack:
        b.host[HostPart::weights_repack] += c.bytes;
        break;
      case Buft::amx:
        b.host[HostPart::weights_amx] += c.bytes;
        break;
      case Buft::mapped:
        mapped_lo = std::min(mapped_lo, file_offset);
        mapped_hi = std::max(mapped_hi, file_offset + file_bytes);
        break;
      default:
        break;
    }
  };

  // The file order: the GGUF's own when the description came from one, else the converter's
  // (token_embd, the layers in order, then the output tensors), each aligned to 32 bytes.
  Choice embd_choice;
  GgmlType embd_type = GgmlType::f16;
  Shape embd_shape;
  bool embd_found = false;
  auto visit = [&](uint32_t r, int32_t layer, uint64_t offset) -> uint64_t {
    const Tensor& t = p.records[r];
    bool skip = false;
    llama_layer(t, layer, pl.n_layer_all, skip);
    if (skip) return 0;
    const GgmlType type = type_of(r, layer);
    Shape s = shape_of(t);
    const Op op = op_of(t);
    uint64_t used = 0;
    const uint64_t file_bytes = nbytes(type, s);
    for (uint64_t i = 0; i < s.instances; ++i) {
      const Choice c = choose(r, layer, type, s, op);
      add(c, t.group, offset + used, file_bytes);
      if (t.role == TensorRole::embedding && !embd_found) {
        embd_found = true;
        embd_choice = c;
        embd_type = type;
        embd_shape = s;
      }
      used += pad(file_bytes, k_cpu_align);
    }
    return used;
  };
  if (!p.file_tensors.empty()) {
    for (const FileTensor& ft : p.file_tensors) visit(ft.record, ft.layer, ft.offset);
  } else {
    uint64_t offset = 0;
    for (uint32_t r : p.outside) {
      if (p.records[r].group == WeightGroup::embeddings) offset += visit(r, -1, offset);
    }
    for (const auto& run : p.runs) {
      for (int32_t layer = run.first_layer; layer < run.first_layer + run.num_layers; ++layer) {
        for (uint32_t i = 0; i < run.member_count; ++i) {
          offset += visit(p.members[run.first_member + i], layer, offset);
        }
      }
    }
    for (uint32_t r : p.outside) {
      if (p.records[r].group != WeightGroup::embeddings) offset += visit(r, -1, offset);
    }
  }
  // A tied output: a duplicate of token_embd with op MUL_MAT on the output layer, its own tensor
  // when its buffer type differs from token_embd's.
  if (p.tied_embeddings && embd_found) {
    Tensor out;
    out.role = TensorRole::lm_head;
    out.group = WeightGroup::lm_head;
    out.shape = {static_cast<int64_t>(embd_shape.ne1), static_cast<int64_t>(embd_shape.ne0)};
    Shape s = embd_shape;
    s.dims = 2;
    const int32_t device = pl.device_of(pl.n_layer_all);
    Choice c;
    if (device >= 0) {
      c.buft = Buft::cuda;
      c.device = device;
      c.bytes = cuda_alloc(embd_type, s);
    } else {
      c = host_choice(embd_type, s, Op::mul_mat, o, f, pl.devices);
    }
    if (c.buft != embd_choice.buft) add(c, WeightGroup::lm_head, 0, 0);
  }
  if (mapped_hi > mapped_lo) b.host[HostPart::weights_mapped] = mapped_hi - mapped_lo;
  for (int32_t d = 0; d < pl.devices; ++d) {
    int32_t layers = 0;
    for (int32_t il = 0; il <= pl.n_layer_all; ++il) layers += pl.device_of(il) == d ? 1 : 0;
    b.sizes[static_cast<size_t>(d)].layers = layers;
  }
}

}  // namespace llmem::engines::llamacpp
