// What a weight format does to a model's tensors, and the weight plan: a model's weight bytes
// under one format, as per-layer figures by weights row and tensor-parallel placement, which the
// inference and training fast paths take. Parameter counts (logical shapes) never change.
//
//   auto prepared = llmem::prepare_model(model);
//   auto plan = llmem::plan_weights(prepared, *llmem::parse_weight_format("gptq-4bit-g128"));
//   uint64_t bytes = plan.total_bytes;
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmem/core/model_description.h"
#include "llmem/core/weight_format.h"

namespace llmem {

// True when a tensor is one of the linear layers every scheme quantises: a ≥2-D weight of
// attention, MLP, experts or the SSM projections; never embeddings, LM head, norms, routers,
// vision, biases or the SSM's conv and parameters.
bool is_quantisable(const Tensor& t);

// True when format `f` quantises `t`: the linear layers above, plus what the format covers
// (quantise_lm_head, quantise_embeddings, quantise_router: MLX, GPTQ lm_head, EXL2/EXL3 heads,
// torchao include_input_output_embeddings), minus the tensors its config keeps dense
// (keep_unquantised) and, where the format says so, tensors whose K is not a whole number of
// groups. Dense and gguf formats quantise nothing here (gguf chooses ggml types per tensor).
bool is_quantisable(const Tensor& t, const WeightFormat& f);

// Storage bytes of one quantised weight of logical `shape` (PyTorch order: [..., out, in]; the
// leading dimensions count fused experts) under a non-dense, non-gguf scheme.
uint64_t quantised_weight_bytes(const WeightFormat& f, const std::vector<int64_t>& shape);

// The same for the LM head, which EXL2 and EXL3 store at head_bits (ExLlamaV2's
// qparams_headoptions layout); every other scheme stores it as any other weight.
uint64_t head_weight_bytes(const WeightFormat& f, const std::vector<int64_t>& shape);

// Bytes of one instance of `t` under `f`, for every scheme but gguf (whose type depends on the
// layer: see apply_weight_format).
uint64_t instance_bytes(const Tensor& t, const WeightFormat& f);

// Rewrites each record's storage (`storage`, `dtype`, `ggml_type`, `bytes`), the model's
// stored_format and weights_format. Quantised records get storage `quantised` and `dtype` = the
// element type of the stored values (i32 for packed ints, u8 for bnb, f4_e2m1 for fp4); under a
// gguf file type every record gets storage `ggml` and its type by llama.cpp's rules, and a record
// whose type changes from layer to layer is split into runs of layers.
void apply_weight_format(ModelDescription& m, const WeightFormat& f);

// SPEC §1's default --weights: the checkpoint's format, except that a float32 checkpoint is
// served as bf16, as vLLM's dtype "auto" does. nullopt: the model is served as stored.
std::optional<WeightFormat> serving_default_format(const ModelDescription& m);
inline constexpr const char* k_serving_default_note =
    "the checkpoint is float32: served as bf16, as vLLM's dtype 'auto' does (weights=fp32 keeps "
    "float32)";

// Applies serving_default_format; returns the note to show, or nullopt.
std::optional<std::string> apply_serving_default(ModelDescription& m);

// Where tensor parallelism puts a tensor's bytes: split over the ranks (column, row, vocab),
// split by K/V heads (replicated past them), or whole on every rank.
enum class Placement : uint8_t { split, kv_heads, replicated, count };
Placement placement_of(TpSplit s);

// Weight bytes by weights row (WeightGroup) and placement.
struct WeightColumns {
  static constexpr size_t k_size =
      static_cast<size_t>(WeightGroup::count) * static_cast<size_t>(Placement::count);
  std::array<uint64_t, k_size> bytes{};

  uint64_t& at(WeightGroup g, Placement p) {
    return bytes[static_cast<size_t>(g) * static_cast<size_t>(Placement::count) +
                 static_cast<size_t>(p)];
  }
  uint64_t at(WeightGroup g, Placement p) const {
    return bytes[static_cast<size_t>(g) * static_cast<size_t>(Placement::count) +
                 static_cast<size_t>(p)];
  }
  uint64_t sum() const;
};

// Consecutive decoder layers holding the same weight bytes, inside one run of alike layers of
// the prepared stack (PreparedModel::runs[stack_run]).
struct WeightRun {
  int32_t first_layer = 0;
  int32_t num_layers = 0;
  uint32_t stack_run = 0;
  WeightColumns per_layer;  // one layer's bytes
};

struct WeightPlan {
  std::vector<WeightRun> runs;  // the decoder stack in layer order, every layer once
  WeightColumns first_stage;    // embeddings, vision tower, projector: the first pipeline stage
  WeightColumns last_stage;     // final norm, LM head, MTP: the last pipeline stage
  WeightColumns tied_copy;      // the embedding a tied LM head needs on a later stage
  uint64_t total_bytes = 0;     // every byte once (the tied copy not counted)
  DType compute_dtype = DType::bf16;  // what unquantised weights and activations compute in
};

}  // namespace llmem
