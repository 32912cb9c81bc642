// prepare_model(): the records and the decoder stack as runs of alike layers; plan_weights():
// the weight bytes of those records under one format, per run, by weights row and placement.
#include "llmem/core/prepared_model.h"

#include <algorithm>

#include "common/checked.h"
#include "core/gguf_file_type.h"
#include "llmem/common/error.h"

namespace llmem {
namespace {

// A record inside the decoder stack (a record whose layers lie past it, like DeepSeek-V3's MTP
// layer, counts with the tensors after the stack).
bool in_stack(const Tensor& t, int64_t layers) {
  return t.layer >= 0 && static_cast<int64_t>(t.layer) + t.layers <= layers;
}

// Tensors outside the stack sit on the first pipeline stage (embeddings, the vision tower and
// projector, which run before the first layer) or on the last (final norm, LM head, MTP).
bool on_first_stage(const Tensor& t) {
  if (t.group == WeightGroup::mtp) return false;
  return t.role == TensorRole::embedding || t.role == TensorRole::position_embedding ||
         t.group == WeightGroup::vision_encoder || t.group == WeightGroup::projector;
}

// What unquantised weights and activations compute in: the token embedding's dtype when it is
// a 16/32-bit float; a quantised embedding (GGUF) computes in f16.
DType embedding_dtype(const Tensor& t) {
  bool dense_float = t.dtype == DType::f32 || t.dtype == DType::f16 || t.dtype == DType::bf16;
  if (t.storage == TensorStorage::quantised) return DType::f16;
  if (t.storage == TensorStorage::ggml) {
    return t.ggml_type == GgmlType::f32    ? DType::f32
           : t.ggml_type == GgmlType::f16  ? DType::f16
           : t.ggml_type == GgmlType::bf16 ? DType::bf16
                                           : DType::f16;
  }
  return dense_float ? t.dtype : DType::f16;
}

const Tensor* first_embedding(const std::vector<Tensor>& records) {
  for (const auto& t : records) {
    if (t.role == TensorRole::embedding && t.group == WeightGroup::embeddings) return &t;
  }
  return nullptr;
}

void add_to(WeightColumns& c, const Tensor& t, uint64_t bytes) {
  uint64_t& cell = c.at(t.group, placement_of(t.split));
  cell = checked_add(cell, bytes, "weight bytes");
}

// Everything but the per-run figures, which differ between a dense or quantised scheme (one
// figure per record) and a gguf file type (one per record and layer).
template <typename BytesOf>
void plan_outside(const PreparedModel& p, WeightPlan& plan, BytesOf bytes_of) {
  for (uint32_t r : p.outside) {
    const Tensor& t = p.records[r];
    uint64_t b = checked_mul(bytes_of(r, -1), t.count(), "weight bytes");
    add_to(on_first_stage(t) ? plan.first_stage : plan.last_stage, t, b);
    if (p.tied_embeddings && t.role == TensorRole::embedding &&
        t.group == WeightGroup::embeddings) {
      uint64_t& copy = plan.tied_copy.at(WeightGroup::lm_head, placement_of(t.split));
      copy = checked_add(copy, b, "weight bytes");
    }
  }
}

void finish(WeightPlan& plan) {
  uint64_t total = checked_add(plan.first_stage.sum(), plan.last_stage.sum(), "weight bytes");
  for (const auto& run : plan.runs) {
    total = checked_add(
        total,
        checked_mul(run.per_layer.sum(), static_cast<uint64_t>(run.num_layers), "weight bytes"),
        "weight bytes");
  }
  plan.total_bytes = total;
}

// One run's bytes per layer, from a per-record figure.
template <typename BytesOf>
WeightColumns run_columns(const PreparedModel& p, const StackRun& run, BytesOf bytes_of,
                          int32_t layer) {
  WeightColumns c;
  for (uint32_t i = 0; i < run.member_count; ++i) {
    uint32_t r = p.members[run.first_member + i];
    const Tensor& t = p.records[r];
    add_to(c, t,
           checked_mul(bytes_of(r, layer), static_cast<uint64_t>(std::max<int64_t>(t.per_layer, 1)),
                       "weight bytes"));
  }
  return c;
}

WeightPlan plan_per_record(const PreparedModel& p, const std::vector<uint64_t>& bytes) {
  WeightPlan plan;
  auto bytes_of = [&](uint32_t r, int32_t) { return bytes[r]; };
  plan.runs.reserve(p.runs.size());
  for (uint32_t i = 0; i < p.runs.size(); ++i) {
    const StackRun& run = p.runs[i];
    plan.runs.push_back({run.first_layer, run.num_layers, i, run_columns(p, run, bytes_of, 0)});
  }
  plan_outside(p, plan, bytes_of);
  finish(plan);
  return plan;
}

WeightPlan plan_gguf(const PreparedModel& p, const WeightFormat& f) {
  std::vector<uint32_t> offsets;
  GgufFacts facts;
  facts.n_layer = static_cast<int>(p.num_layers);
  facts.n_expert = p.num_experts;
  if (p.num_kv_heads > 0) facts.n_gqa = p.num_attention_heads / p.num_kv_heads;
  facts.falcon = p.gguf_falcon_rules;
  facts.is_70b = p.gguf_70b_rules;
  std::vector<GgmlType> types = choose_gguf_types(p.records, facts, f.file_type, offsets);
  auto bytes_of = [&](uint32_t r, int32_t layer) {
    const Tensor& t = p.records[r];
    size_t slot =
        offsets[r] +
        (layer >= 0 && in_stack(t, p.num_layers) ? static_cast<size_t>(layer - t.layer) : 0);
    GgmlType type = types[slot];
    uint64_t row_len = t.shape.empty() ? 1 : static_cast<uint64_t>(t.shape.back());
    uint64_t rows = row_len == 0 ? 0 : t.elements() / row_len;
    return checked_mul(rows, ggml_row_bytes(type, row_len), "weight bytes");
  };
  WeightPlan plan;
  for (uint32_t i = 0; i < p.runs.size(); ++i) {
    const StackRun& run = p.runs[i];
    for (int32_t layer = run.first_layer; layer < run.first_layer + run.num_layers; ++layer) {
      WeightColumns c = run_columns(p, run, bytes_of, layer);
      if (!plan.runs.empty() && plan.runs.back().stack_run == i &&
          plan.runs.back().per_layer.bytes == c.bytes) {
        ++plan.runs.back().num_layers;
      } else {
        plan.runs.push_back({layer, 1, i, c});
      }
    }
  }
  plan_outside(p, plan, bytes_of);
  finish(plan);
  // A quantised embedding computes in f16; an f32/f16/bf16 one in its own type.
  plan.compute_dtype = DType::f16;
  if (const Tensor* e = first_embedding(p.records)) {
    auto it =
        std::find_if(p.records.begin(), p.records.end(), [e](const Tensor& t) { return &t == e; });
    GgmlType type = types[offsets[static_cast<size_t>(it - p.records.begin())]];
    if (type == GgmlType::f32) plan.compute_dtype = DType::f32;
    if (type == GgmlType::bf16) plan.compute_dtype = DType::bf16;
  }
  return plan;
}

}  // namespace

PreparedModel prepare_model(const ModelDescription& m) {
  PreparedModel p;
  p.model_type = m.model_type;
  p.records = m.tensors;
  p.file_tensors = m.file_tensors;
  p.num_layers = static_cast<int64_t>(m.layers.size());
  p.torch_dtype = m.torch_dtype;
  p.hidden_size = m.hidden_size;
  p.vocab_size = m.vocab_size;
  p.max_position_embeddings = m.max_position_embeddings;
  p.context_limit = m.context_limit;
  p.context_limit_basis = m.context_limit_basis;
  p.mtp_requested = m.mtp_requested;
  p.num_attention_heads = m.num_attention_heads;
  p.num_kv_heads = m.num_kv_heads;
  p.num_experts = m.num_experts;
  p.experts_per_token = m.experts_per_token;
  p.tied_embeddings = m.tied_embeddings;
  p.attention_dropout = m.attention_dropout;
  p.hidden_dropout = m.hidden_dropout;
  p.gguf_falcon_rules = m.gguf_falcon_rules;
  p.gguf_70b_rules = m.gguf_70b_rules;
  p.stored_format = m.stored_format;
  p.stored_label = m.weights_format;

  // Runs of alike layers: cut wherever a record starts or ends, or the layer spec changes.
  const int64_t layers = p.num_layers;
  std::vector<int64_t> cuts = {0, layers};
  for (size_t r = 0; r < p.records.size(); ++r) {
    const Tensor& t = p.records[r];
    if (!in_stack(t, layers)) {
      p.outside.push_back(static_cast<uint32_t>(r));
      continue;
    }
    cuts.push_back(t.layer);
    cuts.push_back(static_cast<int64_t>(t.layer) + t.layers);
  }
  for (int64_t i = 1; i < layers; ++i) {
    if (!(m.layers[static_cast<size_t>(i)] == m.layers[static_cast<size_t>(i - 1)])) {
      cuts.push_back(i);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const uint64_t hidden = static_cast<uint64_t>(std::max<int64_t>(m.hidden_size, 1));
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    StackRun run;
    run.first_layer = static_cast<int32_t>(cuts[c]);
    run.num_layers = static_cast<int32_t>(cuts[c + 1] - cuts[c]);
    run.spec = m.layers[static_cast<size_t>(cuts[c])];
    run.first_member = static_cast<uint32_t>(p.members.size());
    uint64_t attention = 0, ffn = 0, routed = 0;
    for (size_t r = 0; r < p.records.size(); ++r) {
      const Tensor& t = p.records[r];
      if (!in_stack(t, layers) || t.layer > run.first_layer ||
          t.layer + t.layers < run.first_layer + run.num_layers) {
        continue;
      }
      p.members.push_back(static_cast<uint32_t>(r));
      if (t.shape.size() < 2 || t.bias) continue;
      uint64_t elements = checked_mul(
          t.elements(), static_cast<uint64_t>(std::max<int64_t>(t.per_layer, 1)), "element count");
      if (t.group == WeightGroup::attention || t.group == WeightGroup::ssm) {
        attention = checked_add(attention, elements, "element count");
      } else if (t.routed) {
        routed = checked_add(routed, elements, "element count");
      } else if ((t.group == WeightGroup::mlp || t.group == WeightGroup::experts) &&
                 t.role != TensorRole::router) {
        ffn = checked_add(ffn, elements, "element count");
      }
    }
    run.member_count = static_cast<uint32_t>(p.members.size()) - run.first_member;
    if (routed > 0 && m.num_experts > 0) {
      // The routed total holds all E experts of the layer; k of them are used per token.
      ffn += routed / static_cast<uint64_t>(m.num_experts) *
             static_cast<uint64_t>(m.experts_per_token);
    }
    run.act_split_elements = std::max(attention, ffn) / hidden;
    p.runs.push_back(run);
  }

  // The stored plan: the records' own bytes.
  std::vector<uint64_t> bytes(p.records.size());
  for (size_t r = 0; r < p.records.size(); ++r) bytes[r] = p.records[r].bytes;
  p.stored = plan_per_record(p, bytes);
  const Tensor* e = first_embedding(p.records);
  p.stored.compute_dtype = e != nullptr ? embedding_dtype(*e) : m.torch_dtype;
  p.compute_dtype = p.stored.compute_dtype;
  return p;
}

WeightPlan plan_weights(const PreparedModel& p, const WeightFormat& f) {
  if (f.scheme == WeightScheme::gguf) return plan_gguf(p, f);
  std::vector<uint64_t> bytes(p.records.size());
  for (size_t r = 0; r < p.records.size(); ++r) bytes[r] = instance_bytes(p.records[r], f);
  WeightPlan plan = plan_per_record(p, bytes);
  // Unquantised tensors (the embedding among them) are held in the format's dtype.
  plan.compute_dtype = first_embedding(p.records) != nullptr ? f.dtype : p.torch_dtype;
  return plan;
}

}  // namespace llmem
