// Small lookups over a ModelDescription shared by the architecture tests.
#pragma once

#include <string>

#include "llmem/core/model_description.h"

namespace llmem::test {

inline const Tensor* find_tensor(const ModelDescription& m, const std::string& name) {
  for (const auto& t : m.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

inline uint64_t params_with_role(const ModelDescription& m, TensorRole role) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) {
    if (t.role == role) n += t.elements();
  }
  return n;
}

}  // namespace llmem::test
