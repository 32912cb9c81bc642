// What a stored checkpoint holds, from its safetensors headers alone: each tensor's dtype, shape
// and bytes, bytes per dtype and in total. reconcile() then lets the stored bytes replace the
// config-derived ones in a ModelDescription and reports every disagreement (a missing LM head,
// an unexpected vision tower, quantised layers with their scales and zeros).
//
//   auto ck = llmem::make_checkpoint({{"model.safetensors", header}});
//   llmem::reconcile(model, ck);   // model came from config.json
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/dtype.h"
#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"
#include "llmem/formats/safetensors.h"

namespace llmem {

struct CheckpointTensor {
  std::string name;
  DType dtype = DType::bf16;
  std::vector<int64_t> shape;  // as stored (packed quantised tensors differ from the logical one)
  uint64_t bytes = 0;
  std::string file;  // the shard holding it
};

struct Checkpoint {
  std::vector<std::string> files;         // shard file names, in the order given
  std::vector<CheckpointTensor> tensors;  // per file, in data-offset order
  std::map<DType, uint64_t> bytes_per_dtype;
  uint64_t total_bytes = 0;                     // sum of the tensors' bytes
  std::optional<uint64_t> index_total_size;     // the index's metadata.total_size, when given
  std::map<std::string, std::string> metadata;  // __metadata__ of the first file
  std::vector<std::string> notes;               // disagreements found while combining the shards
};

// One file's header, named as the index names it ("model-00001-of-00004.safetensors").
struct CheckpointShard {
  std::string file;
  SafetensorsHeader header;
};

// Combines shard headers into one checkpoint. A tensor name in two shards is a FormatError.
// With an index: every shard it lists must be given, every weight_map entry must be in the
// shard it names (FormatError otherwise); a shard tensor absent from the weight_map and a
// total_size that differs from the headers' sum are notes.
Checkpoint make_checkpoint(const std::vector<CheckpointShard>& shards,
                           const SafetensorsIndex* index = nullptr,
                           const std::string& index_source = "model.safetensors.index.json");

// Lets the checkpoint's stored bytes replace the config-derived bytes, matching tensors by name.
// Quantisation parts (qweight, qzeros, scales, g_idx, weight_scale(_inv), input_scale, bnb's
// weight.absmax …, MXFP4's *_blocks/*_scales) are counted into the weight they belong to.
// Stored tensors the description lacks are added (role vision, projector, lm_head or other,
// guessed from the name); described tensors the checkpoint lacks keep their config bytes.
// Logical shapes and parameter counts of described tensors never change. Every disagreement
// is a line in m.notes.
void reconcile(ModelDescription& m, const Checkpoint& c);

// config.json together with the checkpoint it describes (a model folder, a Hub repo). A supported
// model_type is built from the config and reconciled with the stored tensors. For a type with no
// builder the weights come exactly from the stored tensors, and the KV cache layout from
// - a text sub-config of a supported type (text_config, llm_config, language_config), read by its
//   builder; else
// - the stored projection shapes, when every decoder layer has plain q/k/v/o projections and the
//   config has no sliding-window, latent-attention, linear-attention or SSM key;
// otherwise it is an InputError saying which key stops it. A note says which was used.
ModelDescription load_hf_model(std::string_view config_json, const Checkpoint& c,
                               const HfConfigOptions& options);

// A weights-only description from a checkpoint without config.json: every stored tensor, role
// and layer guessed from its name, no layer specs (no KV-cache arithmetic is possible).
ModelDescription describe_checkpoint(const Checkpoint& c, const std::string& name,
                                     const std::string& source);

// The role, weights row and routing a tensor name suggests (vision tower, projector, LM head,
// embedding, q/k/v/o, gate/up/down, experts …), from the spellings transformers and the
// checkpoint writers use.
struct RoleGuess {
  TensorRole role = TensorRole::other;
  WeightGroup group = WeightGroup::other;
  bool routed = false;
};
RoleGuess guess_tensor_role(const std::string& name);

}  // namespace llmem
