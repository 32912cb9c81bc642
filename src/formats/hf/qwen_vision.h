// The Qwen3-VL family's vision tower (Qwen3_5VisionModel, Qwen3VLVisionModel), as the published
// checkpoints store it under `prefix` ("model.visual"), after vLLM's
// vllm/transformers_utils/configs/qwen3_5.py (Qwen3_5VisionConfig defaults, a copy of
// transformers') and vllm/model_executor/models/qwen3_vl.py (commit ffd91ee17a79):
//   patch_embed.proj   Conv3d(in_channels, hidden, (temporal_patch, patch, patch)) + bias
//   pos_embed          [num_position_embeddings, hidden]
//   blocks.N.{norm1, norm2 (LayerNorm), attn.qkv [3h, h] + b, attn.proj, mlp.linear_fc1
//            [intermediate, h] + b, mlp.linear_fc2}
//   merger.{norm [h], linear_fc1 [h·m², h·m²] + b, linear_fc2 [out_hidden, h·m²] + b}, m the
//            spatial_merge_size
//   deepstack_merger_list.K (Qwen3-VL's deepstack_visual_indexes): the merger with its norm over
//            h·m²
// Every tensor is replicated under tensor parallelism; the mergers are the projector.
#pragma once

#include <string>

#include "formats/hf/config_view.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

// Missing keys take Qwen3_5VisionConfig's defaults, each with a note.
void add_qwen3_vision(const ConfigView& v, TensorAdder& t, const std::string& prefix);

}  // namespace llmem::hf
