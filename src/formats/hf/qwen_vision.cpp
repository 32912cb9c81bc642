#include "formats/hf/qwen_vision.h"

#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"

namespace llmem::hf {
namespace {

constexpr std::string_view k_class = "Qwen3_5VisionConfig";

void add_merger(TensorAdder& t, const std::string& p, int64_t norm_dim, int64_t merged,
                int64_t out) {
  const Place at = projector();
  t.add(p + ".norm.weight", {norm_dim}, TensorRole::projector, TpSplit::replicated, at);
  t.bias(p + ".norm.bias", {norm_dim}, TensorRole::projector, TpSplit::replicated, at);
  t.linear(p + ".linear_fc1", merged, merged, true, TensorRole::projector, TpSplit::replicated, at);
  t.linear(p + ".linear_fc2", merged, out, true, TensorRole::projector, TpSplit::replicated, at);
}

}  // namespace

void add_qwen3_vision(const ConfigView& v, TensorAdder& t, const std::string& prefix) {
  ModelDescription& m = t.model();
  const int64_t depth = int_or_class_default(v, m, "depth", 27, 0, k_max_layers, k_class);
  const int64_t h = int_or_class_default(v, m, "hidden_size", 1152, 1, k_max_hidden, k_class);
  const int64_t inter =
      int_or_class_default(v, m, "intermediate_size", 4304, 1, k_max_intermediate, k_class);
  const int64_t in_ch = int_or_class_default(v, m, "in_channels", 3, 1, 64, k_class);
  const int64_t patch = int_or_class_default(v, m, "patch_size", 16, 1, 1 << 16, k_class);
  const int64_t temporal =
      int_or_class_default(v, m, "temporal_patch_size", 2, 1, 1 << 16, k_class);
  const int64_t merge = int_or_class_default(v, m, "spatial_merge_size", 2, 1, 64, k_class);
  const int64_t out = int_or_class_default(v, m, "out_hidden_size", 3584, 1, k_max_hidden, k_class);
  const int64_t positions =
      int_or_class_default(v, m, "num_position_embeddings", 2304, 1, k_max_positions, k_class);
  v.has("num_heads");  // heads change no shape
  const Place vt = vision_tower();
  t.add(prefix + ".patch_embed.proj.weight", {h, in_ch, temporal, patch, patch}, TensorRole::vision,
        TpSplit::replicated, vt);
  t.bias(prefix + ".patch_embed.proj.bias", {h}, TensorRole::vision, TpSplit::replicated, vt);
  t.add(prefix + ".pos_embed.weight", {positions, h}, TensorRole::vision, TpSplit::replicated, vt);
  auto ln = [&](const std::string& name) {
    t.add(name + ".weight", {h}, TensorRole::vision, TpSplit::replicated, vt);
    t.bias(name + ".bias", {h}, TensorRole::vision, TpSplit::replicated, vt);
  };
  for (int64_t i = 0; i < depth; ++i) {
    const std::string b = prefix + ".blocks." + std::to_string(i);
    ln(b + ".norm1");
    ln(b + ".norm2");
    t.linear(b + ".attn.qkv", h, dim_mul(3, h, "qkv size"), true, TensorRole::vision,
             TpSplit::replicated, vt);
    t.linear(b + ".attn.proj", h, h, true, TensorRole::vision, TpSplit::replicated, vt);
    t.linear(b + ".mlp.linear_fc1", h, inter, true, TensorRole::vision, TpSplit::replicated, vt);
    t.linear(b + ".mlp.linear_fc2", inter, h, true, TensorRole::vision, TpSplit::replicated, vt);
  }
  const int64_t merged = dim_mul(h, dim_mul(merge, merge, "merge"), "merger size");
  add_merger(t, prefix + ".merger", h, merged, out);
  const auto deepstack = v.get_int_list("deepstack_visual_indexes", 0, k_max_layers);
  for (size_t k = 0; k < deepstack.size(); ++k) {
    add_merger(t, prefix + ".deepstack_merger_list." + std::to_string(k), merged, merged, out);
  }
}

}  // namespace llmem::hf
