// Collecting tensor instances into the grouped records of a ModelDescription
// (include/llmem/core/model_description.h). Readers add tensors one instance at a time, or a
// layer's experts at once; finish() merges instances that share a name pattern, a shape and a
// storage into records over runs of consecutive layers. Memory grows with the distinct
// (pattern, layer) pairs, never with the instances a count in a file claims.
//
//   RecordSet set;
//   set.add(q_proj_of_layer_3);               // name "model.layers.3.self_attn.q_proj.weight"
//   set.add(w1_of_layer_3, /*instances=*/8);  // name "model.layers.3.mlp.experts.#.w1.weight"
//   model.tensors = set.finish();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llmem/core/model_description.h"

namespace llmem {

// A tensor name with every all-digit dotted component written '#':
// "model.layers.3.mlp.experts.7.w1.weight" → "model.layers.#.mlp.experts.#.w1.weight".
std::string name_template(std::string_view name);

// The first all-digit dotted component of a name (its layer in a decoder stack), or -1.
int64_t first_index(std::string_view name);

// The identity of a record apart from its layers and instance count: name template, shape, role,
// group, placement and storage. Instances with equal keys in consecutive layers merge.
std::string record_key(const Tensor& t);

// The same key appended to `out` (cleared first), reusing its storage.
void record_key_into(std::string& out, const Tensor& t);

// name_template() into `out` (cleared first), reusing its storage.
void name_template_into(std::string& out, std::string_view name);

class RecordSet {
 public:
  // Adds `instances` instances of `t`; t.layer is the decoder layer (-1 outside the stack),
  // t.layers must be 1. The name may be concrete: it is reduced to its template.
  void add(Tensor t, int64_t instances = 1);

  // The records, in the order their patterns first appeared; consecutive layers with the same
  // instance count merge into one record.
  std::vector<Tensor> finish();

  size_t distinct() const { return keys_.size(); }

 private:
  struct Entry {
    Tensor tensor;  // the first instance, with the template as its name
    std::vector<std::pair<int32_t, int64_t>> layers;  // (layer, instances), in arrival order
  };
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> keys_;
};

}  // namespace llmem
