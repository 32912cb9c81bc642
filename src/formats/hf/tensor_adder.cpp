#include "formats/hf/tensor_adder.h"

#include "common/checked.h"
#include "formats/records/record_set.h"

namespace llmem::hf {

Place routed_experts(int32_t layer, int64_t count) {
  Place p(layer);
  p.group = WeightGroup::experts;
  p.routed = true;
  p.instances = count;
  p.experts = 1;
  return p;
}

Place fused_experts(int32_t layer, int32_t count) {
  Place p(layer);
  p.group = WeightGroup::experts;
  p.routed = true;
  p.experts = count;
  return p;
}

Place shared_expert(int32_t layer) {
  Place p(layer);
  p.group = WeightGroup::experts;
  return p;
}

Place mtp_layer(int64_t instances) {
  Place p;
  p.group = WeightGroup::mtp;
  p.instances = instances;
  return p;
}

Place vision_tower(int64_t instances) {
  Place p;
  p.group = WeightGroup::vision_encoder;
  p.instances = instances;
  return p;
}

Place projector() {
  Place p;
  p.group = WeightGroup::projector;
  return p;
}

Place as_fp32(Place at) {
  at.fp32 = true;
  return at;
}

Place in_mtp(Place at, bool mtp) {
  if (mtp) {
    at.group = WeightGroup::mtp;
    at.layer = -1;
  }
  return at;
}

void TensorAdder::add(const std::string& name, std::vector<int64_t> shape, TensorRole role,
                      TpSplit split, const Place& at) {
  add_tensor(name, std::move(shape), role, split, at, false);
}

void TensorAdder::add_tensor(const std::string& name, std::vector<int64_t>&& shape, TensorRole role,
                             TpSplit split, const Place& at, bool bias) {
  // Builders add thousands of tensors per model: the probe and key buffers are reused, and a
  // tensor that extends a record allocates nothing more.
  Tensor& t = probe_;
  name_template_into(t.name, name);
  t.shape = std::move(shape);
  t.role = role;
  t.group = at.group == WeightGroup::count ? default_group(role) : at.group;
  t.split = split;
  t.bias = bias;
  t.routed = at.routed;
  t.layer = at.layer;
  t.layers = 1;
  t.per_layer = at.instances;
  t.experts = at.experts;
  t.dtype = at.fp32 ? DType::f32 : m_.torch_dtype;
  t.bytes = dtype_bytes(t.dtype, t.elements());
  record_key_into(key_, t);
  key_.append(reinterpret_cast<const char*>(&t.per_layer), sizeof t.per_layer);
  auto it = last_.find(key_);
  if (it != last_.end()) {
    Tensor& r = m_.tensors[it->second];
    if (t.layer >= 0 && r.layer + r.layers == t.layer) {
      ++r.layers;
      return;
    }
    if (t.layer < 0) {
      r.per_layer = checked_add(r.per_layer, t.per_layer, "tensor count");
      return;
    }
  }
  m_.tensors.push_back(t);
  last_.insert_or_assign(key_, m_.tensors.size() - 1);
}

void TensorAdder::linear(const std::string& prefix, int64_t in, int64_t out, bool bias,
                         TensorRole role, TpSplit split, const Place& at) {
  add(prefix + ".weight", {out, in}, role, split, at);
  if (bias) {
    TpSplit bias_split = split == TpSplit::row ? TpSplit::replicated : split;
    add_bias(prefix + ".bias", {out}, role, bias_split, at);
  }
}

void TensorAdder::add_bias(const std::string& name, std::vector<int64_t> shape, TensorRole role,
                           TpSplit split, const Place& at) {
  add_tensor(name, std::move(shape), role, split, at, true);
}

void TensorAdder::norm(const std::string& prefix, int64_t dim, bool bias, const Place& at) {
  Place p = at;
  if (p.group == WeightGroup::count || p.group == WeightGroup::experts)
    p.group = WeightGroup::norms;
  p.routed = false;
  add(prefix + ".weight", {dim}, TensorRole::norm, TpSplit::replicated, p);
  if (bias) add_bias(prefix + ".bias", {dim}, TensorRole::norm, TpSplit::replicated, p);
}

}  // namespace llmem::hf
