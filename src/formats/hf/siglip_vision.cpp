#include "formats/hf/siglip_vision.h"

#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"

namespace llmem::hf {
namespace {

// SiglipVisionConfig's defaults (transformers configuration_siglip.py).
constexpr std::string_view k_siglip = "SiglipVisionConfig";

void vision_linear(TensorAdder& t, const std::string& prefix, int64_t in, int64_t out) {
  t.linear(prefix, in, out, true, TensorRole::vision, TpSplit::replicated);
}

void vision_layer_norm(TensorAdder& t, const std::string& prefix, int64_t dim) {
  t.add(prefix + ".weight", {dim}, TensorRole::vision, TpSplit::replicated);
  t.bias(prefix + ".bias", {dim}, TensorRole::vision, TpSplit::replicated);
}

}  // namespace

int64_t add_siglip_vision(const ConfigView& v, TensorAdder& t, const std::string& prefix) {
  ModelDescription& m = t.model();
  int64_t hidden = int_or_class_default(v, m, "hidden_size", 768, 1, k_max_hidden, k_siglip);
  int64_t inter =
      int_or_class_default(v, m, "intermediate_size", 3072, 1, k_max_intermediate, k_siglip);
  int64_t layers = int_or_class_default(v, m, "num_hidden_layers", 12, 0, k_max_layers, k_siglip);
  int64_t heads = int_or_class_default(v, m, "num_attention_heads", 12, 1, k_max_heads, k_siglip);
  int64_t channels = int_or_class_default(v, m, "num_channels", 3, 1, 64, k_siglip);
  int64_t image = int_or_class_default(v, m, "image_size", 224, 1, 1 << 16, k_siglip);
  int64_t patch = int_or_class_default(v, m, "patch_size", 16, 1, 1 << 16, k_siglip);
  bool use_head = bool_or_class_default(v, m, "vision_use_head", true, k_siglip);
  if (hidden % heads != 0) {
    v.fail("num_attention_heads", "is " + std::to_string(heads) +
                                      " but must divide hidden_size=" + std::to_string(hidden));
  }
  if (image % patch != 0) {
    v.fail("patch_size",
           "is " + std::to_string(patch) + " but must divide image_size=" + std::to_string(image));
  }
  int64_t side = image / patch;

  std::string emb = prefix + ".embeddings";
  t.add(emb + ".patch_embedding.weight", {hidden, channels, patch, patch}, TensorRole::vision,
        TpSplit::replicated);
  t.bias(emb + ".patch_embedding.bias", {hidden}, TensorRole::vision, TpSplit::replicated);
  t.add(emb + ".position_embedding.weight", {side * side, hidden}, TensorRole::vision,
        TpSplit::replicated);
  for (int64_t i = 0; i < layers; ++i) {
    std::string layer = prefix + ".encoder.layers." + std::to_string(i);
    vision_layer_norm(t, layer + ".layer_norm1", hidden);
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      vision_linear(t, layer + ".self_attn." + proj, hidden, hidden);
    }
    vision_layer_norm(t, layer + ".layer_norm2", hidden);
    vision_linear(t, layer + ".mlp.fc1", hidden, inter);
    vision_linear(t, layer + ".mlp.fc2", inter, hidden);
  }
  vision_layer_norm(t, prefix + ".post_layernorm", hidden);
  if (use_head) {
    // SiglipMultiheadAttentionPoolingHead: a probe token, torch.nn.MultiheadAttention (packed
    // in_proj [3h, h]), a LayerNorm and a SiglipMLP.
    std::string head = prefix + ".head";
    t.add(head + ".probe", {1, 1, hidden}, TensorRole::vision, TpSplit::replicated);
    t.add(head + ".attention.in_proj_weight", {3 * hidden, hidden}, TensorRole::vision,
          TpSplit::replicated);
    t.bias(head + ".attention.in_proj_bias", {3 * hidden}, TensorRole::vision, TpSplit::replicated);
    vision_linear(t, head + ".attention.out_proj", hidden, hidden);
    vision_layer_norm(t, head + ".layernorm", hidden);
    vision_linear(t, head + ".mlp.fc1", hidden, inter);
    vision_linear(t, head + ".mlp.fc2", inter, hidden);
  }
  return hidden;
}

}  // namespace llmem::hf
