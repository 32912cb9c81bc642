// A model reduced once to what every estimate needs: its tensor records, its decoder stack as
// runs of alike layers, and the weight plan of its stored format. Inference and training both
// start from it; a weight format chosen later is a plan_weights() call, not a copy of the model.
//
//   auto p = llmem::prepare_model(model);
//   auto plan = llmem::plan_weights(p, *llmem::parse_weight_format("q4_k_m"));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llmem/core/model_description.h"
#include "llmem/core/weight_plan.h"

namespace llmem {

// Consecutive decoder layers alike in structure: the same layer spec, covered by the same
// records.
struct StackRun {
  int32_t first_layer = 0;
  int32_t num_layers = 0;
  LayerSpec spec;
  uint32_t first_member = 0;  // its records: PreparedModel::members[first_member …]
  uint32_t member_count = 0;
  uint64_t act_split_elements = 0;  // widest per-token intermediate (attention or FFN), ÷ tp
};

struct PreparedModel {
  std::string model_type;                // config.json model_type or GGUF general.architecture
  std::vector<Tensor> records;           // the model's records, as described
  std::vector<FileTensor> file_tensors;  // a GGUF file's tensors in file order (else empty)
  std::vector<uint32_t> members;         // record indices, per run
  std::vector<uint32_t> outside;         // records outside the decoder stack
  std::vector<StackRun> runs;            // the decoder stack, in layer order
  int64_t num_layers = 0;
  DType compute_dtype = DType::bf16;  // what unquantised weights and activations use
  DType torch_dtype = DType::bf16;
  int64_t hidden_size = 0;
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  int64_t context_limit = 0;  // ModelDescription::context_limit
  std::string context_limit_basis;
  bool mtp_requested = false;  // ModelDescription::mtp_requested
  int32_t num_attention_heads = 0;
  int32_t num_kv_heads = 0;
  int32_t num_experts = 0;
  int32_t experts_per_token = 0;
  bool tied_embeddings = false;
  double attention_dropout = 0.0;  // the config's dropout (training)
  double hidden_dropout = 0.0;
  bool gguf_falcon_rules = false;
  bool gguf_70b_rules = false;
  WeightFormat stored_format;  // the format the records are held in
  std::string stored_label;    // its label, as the model names it ("bf16", "gguf-q4_K" …)
  WeightPlan stored;           // the plan of the records as they are
};

PreparedModel prepare_model(const ModelDescription& m);

// The model's weights under `f`: a pure function of the prepared records. The gguf file types
// choose each tensor's ggml type by llama.cpp's rules, layer by layer.
WeightPlan plan_weights(const PreparedModel& p, const WeightFormat& f);

}  // namespace llmem
