// Small lookups over a ModelDescription shared by the architecture tests.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "formats/records/record_set.h"
#include "llmem/core/model_description.h"

namespace llmem::test {

// The record holding the tensor `name` ("model.layers.3.mlp.experts.7.w1.weight"): the same
// name template, a decoder layer inside the record's layers and an instance index inside its
// count; nullptr when no record holds it.
inline const Tensor* find_tensor(const ModelDescription& m, const std::string& name) {
  const std::string pattern = name_template(name);
  std::vector<int64_t> indices;
  for (size_t start = 0; start <= name.size();) {
    size_t dot = name.find('.', start);
    std::string_view part = std::string_view(name).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos) {
      indices.push_back(std::stoll(std::string(part)));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& t : m.tensors) {
    if (t.name != pattern) continue;
    if (t.layer >= 0) {
      if (indices.empty() || indices[0] < t.layer || indices[0] >= t.layer + t.layers) continue;
      if (indices.size() > 1 && indices[1] >= t.per_layer) continue;
    }
    return &t;
  }
  return nullptr;
}

// The one tensor `name` as an instance of its record: layer set to the name's decoder layer, one
// layer, one instance. Throws when no record holds it.
inline Tensor instance_of(const ModelDescription& m, const std::string& name) {
  const Tensor* r = find_tensor(m, name);
  if (r == nullptr) throw std::runtime_error("no tensor " + name);
  Tensor t = *r;
  t.name = name;
  if (t.layer >= 0) t.layer = static_cast<int32_t>(first_index(name));
  t.layers = 1;
  t.per_layer = 1;
  return t;
}

inline uint64_t params_with_role(const ModelDescription& m, TensorRole role) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) {
    if (t.role == role) n += t.total_elements();
  }
  return n;
}

inline uint64_t params_in_group(const ModelDescription& m, WeightGroup group) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) {
    if (t.group == group) n += t.total_elements();
  }
  return n;
}

}  // namespace llmem::test
