// Adding tensor records in Hugging Face naming and PyTorch shape order (nn.Linear weight is
// [out_features, in_features]): where a tensor sits (Place) and the adder that extends a record
// over consecutive layers instead of adding one per layer or expert.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "llmem/core/model_description.h"

namespace llmem::hf {

// Where the tensors being added sit: the decoder layer (-1 outside the stack), the weights row
// when the role alone does not tell it (experts, MTP, vision), and how many instances of the
// tensor the layer holds (an MoE layer's per-expert tensors, whose name writes the expert index
// as '#').
struct Place {
  int32_t layer = -1;
  WeightGroup group = WeightGroup::count;  // count: default_group(role)
  bool routed = false;                     // routed experts: k of E used per token
  int64_t instances = 1;
  int32_t experts = 0;  // routed experts in one instance (E for a fused expert tensor)
  // Stored in float32 whatever the checkpoint's dtype (transformers' _keep_in_fp32_modules,
  // vLLM's params_dtype=torch.float32: MiniMax's router, Qwen3.5's A_log).
  bool fp32 = false;

  Place() = default;
  Place(int32_t layer_index) : layer(layer_index) {}  // NOLINT: a bare layer is the common case
};

// `count` per-expert instances of a routed expert's tensor in decoder layer `layer`.
Place routed_experts(int32_t layer, int64_t count);
// One fused tensor holding `count` routed experts ([E, …]).
Place fused_experts(int32_t layer, int32_t count);
// A shared expert (every token uses it) of an MoE layer.
Place shared_expert(int32_t layer);
// An MTP layer's tensors (outside num_hidden_layers; `instances` MTP layers alike).
Place mtp_layer(int64_t instances = 1);
// A vision tower's tensors (`instances` alike encoder layers), or the projector's.
Place vision_tower(int64_t instances = 1);
Place projector();
// `at` in the MTP row when `mtp` (an MTP layer built by the decoder layer's own code).
Place in_mtp(Place at, bool mtp);
// `at`, stored in float32.
Place as_fp32(Place at);

// Adds tensor records with storage bytes at the model's torch_dtype. A tensor added for
// consecutive layers, with the same shape and instance count, extends one record.
class TensorAdder {
 public:
  explicit TensorAdder(ModelDescription& m) : m_(m) {}

  void add(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
           const Place& at = {});

  // nn.Linear(in, out): weight [out, in] and optional bias [out]. A row-parallel bias stays
  // whole on every rank, so it is recorded as replicated.
  void linear(const std::string& prefix, int64_t in, int64_t out, bool bias, TensorRole role,
              TpSplit split, const Place& at = {});

  // A bias vector (never quantised; 2-D for fused experts' biases, [E, out]).
  void bias(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
            const Place& at = {}) {
    add_bias(name, std::move(shape), role, split, at);
  }

  // A norm with weight [dim] (and bias [dim] for LayerNorm).
  void norm(const std::string& prefix, int64_t dim, bool bias, const Place& at = {});

  ModelDescription& model() { return m_; }

 private:
  void add_bias(const std::string& name, std::vector<int64_t> shape, TensorRole role, TpSplit split,
                const Place& at);
  void add_tensor(const std::string& name, std::vector<int64_t>&& shape, TensorRole role,
                  TpSplit split, const Place& at, bool bias);

  ModelDescription& m_;
  std::unordered_map<std::string, size_t> last_;  // record key → its latest record
  Tensor probe_;                                  // the tensor being added, reused
  std::string key_;                               // its record key, reused
};

}  // namespace llmem::hf
