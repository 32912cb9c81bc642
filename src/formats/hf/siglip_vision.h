// The SigLIP vision tower as transformers stores it (modeling_siglip.py SiglipVisionModel), used by
// Gemma 3's vision_config (model_type "siglip_vision_model"). Under `prefix`
// ("vision_tower.vision_model"):
//   embeddings.patch_embedding   Conv2d(num_channels, hidden, patch, stride patch) weight + bias
//   embeddings.position_embedding [(image_size / patch_size)^2, hidden]
//   encoder.layers.N.{layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.fc1, mlp.fc2}
//   post_layernorm
//   head.* (SiglipMultiheadAttentionPoolingHead) only when vision_use_head (SiglipVisionConfig
//   default true; Gemma 3 sets it false)
// Every tensor has role vision and is replicated under tensor parallelism.
#pragma once

#include <string>

#include "formats/hf/config_view.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

// Reads the SigLIP keys of `v` (missing ones take SiglipVisionConfig's defaults, with a note) and
// adds the tower. Returns the tower's hidden size.
int64_t add_siglip_vision(const ConfigView& v, TensorAdder& t, const std::string& prefix);

}  // namespace llmem::hf
