// Llama 4: "llama4_text" (Llama4ForCausalLM: model.*, lm_head) and "llama4"
// (Llama4ForConditionalGeneration: text_config under language_model.*, a vision_config under
// vision_model.*, multi_modal_projector.linear_1). transformers modeling_llama4.py:
// - per layer: input_layernorm, self_attn.{q,k,v,o}_proj (bias = attention_bias),
//   post_attention_layernorm, then feed_forward:
//   * MoE layers (moe_layers, else every interleave_moe_layer_step-th layer starting at
//     step - 1): feed_forward.router [E, hidden], fused feed_forward.experts.gate_up_proj
//     [E, hidden, 2 * intermediate_size] and experts.down_proj [E, intermediate_size, hidden]
//     (nn.Parameter, no ".weight"), feed_forward.shared_expert.{gate,up,down}_proj;
//   * dense layers: feed_forward.{gate,up,down}_proj at intermediate_size_mlp.
// - qk norm (use_qk_norm) is a weightless L2 norm: no tensors.
// - attention: no_rope_layers[i] == 1 marks a RoPE layer, which attends within chunks of
//   attention_chunk_size tokens; 0 marks a global NoPE layer (default: every 4th layer,
//   no_rope_layer_interval). layer_types, when given, says "chunked_attention"/"full_attention".
#include <string>
#include <vector>

#include "formats/hf/architectures.h"
#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {
namespace {

std::vector<bool> moe_layer_mask(const ConfigView& t, int64_t layers) {
  std::vector<bool> moe(static_cast<size_t>(layers), false);
  if (t.has("moe_layers")) {
    for (int64_t i : t.get_int_list("moe_layers", 0, layers - 1))
      moe[static_cast<size_t>(i)] = true;
    return moe;
  }
  int64_t step = t.get_int("interleave_moe_layer_step", 1, 1, k_max_layers);
  for (int64_t i = step - 1; i < layers; i += step) moe[static_cast<size_t>(i)] = true;
  return moe;
}

// Chunk size per layer: attention_chunk_size (Llama4TextConfig default 8192; null switches
// chunking off) on the chunked (RoPE) layers, 0 on the global ones.
std::vector<int64_t> chunk_per_layer(const ConfigView& t, ModelDescription& m, int64_t layers) {
  int64_t chunk = 0;
  const auto& j = t.json();
  bool explicit_null = j.contains("attention_chunk_size") && j["attention_chunk_size"].is_null();
  if (!explicit_null) {
    chunk = int_or_class_default(t, m, "attention_chunk_size", 8192, 1, k_max_positions,
                                 "Llama4TextConfig");
  }
  std::vector<bool> chunked(static_cast<size_t>(layers), false);
  std::vector<std::string> types = t.get_string_list("layer_types");
  if (!types.empty()) {
    if (static_cast<int64_t>(types.size()) != layers) {
      t.fail("layer_types", "has " + std::to_string(types.size()) +
                                " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "chunked_attention") {
        chunked[i] = true;
      } else if (types[i] != "full_attention") {
        t.fail("layer_types", "[" + std::to_string(i) + "] is \"" + types[i] +
                                  "\" but must be \"full_attention\" or \"chunked_attention\"");
      }
    }
  } else {
    std::vector<int64_t> rope = t.get_int_list("no_rope_layers", 0, 1);
    if (!rope.empty()) {
      if (static_cast<int64_t>(rope.size()) < layers) {
        t.fail("no_rope_layers", "has " + std::to_string(rope.size()) +
                                     " entries but num_hidden_layers is " + std::to_string(layers));
      }
      for (int64_t i = 0; i < layers; ++i) chunked[static_cast<size_t>(i)] = rope[i] == 1;
    } else {
      int64_t interval = t.get_int("no_rope_layer_interval", 4, 1, k_max_layers);
      for (int64_t i = 0; i < layers; ++i)
        chunked[static_cast<size_t>(i)] = (i + 1) % interval != 0;
    }
  }
  std::vector<int64_t> out(static_cast<size_t>(layers), 0);
  for (int64_t i = 0; i < layers; ++i) {
    if (chunked[static_cast<size_t>(i)]) out[static_cast<size_t>(i)] = chunk;
  }
  return out;
}

void add_llama4_text(const ConfigView& t, ModelDescription& m, TensorAdder& add,
                     const std::string& model_prefix, const std::string& lm_head_name) {
  DecoderParams p = read_decoder_params(t, false);
  set_common(m, p);
  MoeCounts n = read_moe_counts(t, "num_local_experts");
  m.num_experts = n.experts;
  m.experts_per_token = n.per_token;
  m.num_shared_experts = 1;
  int64_t inter_mlp = int_or_class_default(t, m, "intermediate_size_mlp", 16384, 1,
                                           k_max_intermediate, "Llama4TextConfig");
  bool bias = t.get_bool("attention_bias", false);
  std::vector<bool> moe = moe_layer_mask(t, p.layers);
  std::vector<int64_t> chunks = chunk_per_layer(t, m, p.layers);

  add.add(model_prefix + ".embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding,
          TpSplit::vocab);
  if (!p.tied) add.add(lm_head_name, {p.vocab, p.hidden}, TensorRole::lm_head, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = model_prefix + ".layers." + std::to_string(i);
    add.norm(prefix + ".input_layernorm", p.hidden, false, i);
    add_llama_attention(add, prefix + ".self_attn", p.hidden, p.heads, p.kv_heads, p.head_dim, bias,
                        bias, i);
    add.norm(prefix + ".post_attention_layernorm", p.hidden, false, i);
    std::string ff = prefix + ".feed_forward";
    bool is_moe = moe[static_cast<size_t>(i)];
    if (is_moe) {
      add.linear(ff + ".router", p.hidden, n.experts, false, TensorRole::router,
                 TpSplit::replicated, shared_expert(i));
      const Place fused = fused_experts(i, n.experts);
      add.add(ff + ".experts.gate_up_proj", {n.experts, p.hidden, 2 * p.intermediate},
              TensorRole::gate_up, TpSplit::column, fused);
      add.add(ff + ".experts.down_proj", {n.experts, p.intermediate, p.hidden}, TensorRole::down,
              TpSplit::row, fused);
      add_gated_mlp(add, ff + ".shared_expert", p.hidden, p.intermediate, false, shared_expert(i));
    } else {
      add_gated_mlp(add, ff, p.hidden, inter_mlp, false, i);
    }
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim);
    s.chunk_tokens = chunks[static_cast<size_t>(i)];
    s.moe = is_moe;
    m.layers.push_back(s);
  }
  add.norm(model_prefix + ".norm", p.hidden, false, -1);
}

void vision_linear(TensorAdder& t, const std::string& name, int64_t in, int64_t out, bool bias) {
  t.linear(name, in, out, bias, TensorRole::vision, TpSplit::replicated);
}

void vision_layer_norm(TensorAdder& t, const std::string& prefix, int64_t dim) {
  t.add(prefix + ".weight", {dim}, TensorRole::vision, TpSplit::replicated);
  t.bias(prefix + ".bias", {dim}, TensorRole::vision, TpSplit::replicated);
}

// Llama4VisionModel under vision_model.*: an unfold patch embedding (linear without bias), class
// and positional embeddings, pre/post LayerNorms, num_hidden_layers encoder layers (q/k/v/o and
// fc1/fc2 with bias, two LayerNorms), and the pixel-shuffle adapter vision_adapter.mlp.{fc1,fc2}
// (no bias). Returns vision_output_dim, the projector's input width.
int64_t add_llama4_vision(const ConfigView& v, ModelDescription& m, TensorAdder& t) {
  constexpr std::string_view cls = "Llama4VisionConfig";
  int64_t hidden = int_or_class_default(v, m, "hidden_size", 768, 1, k_max_hidden, cls);
  int64_t layers = int_or_class_default(v, m, "num_hidden_layers", 34, 0, k_max_layers, cls);
  int64_t inter = int_or_class_default(v, m, "intermediate_size", 5632, 1, k_max_intermediate, cls);
  int64_t channels = int_or_class_default(v, m, "num_channels", 3, 1, 64, cls);
  int64_t image = int_or_class_default(v, m, "image_size", 448, 1, 1 << 16, cls);
  int64_t patch = int_or_class_default(v, m, "patch_size", 14, 1, 1 << 16, cls);
  int64_t out_dim = int_or_class_default(v, m, "vision_output_dim", 7680, 1, k_max_hidden, cls);
  int64_t proj_in = int_or_class_default(v, m, "projector_input_dim", 4096, 1, k_max_hidden, cls);
  int64_t proj_out = int_or_class_default(v, m, "projector_output_dim", 4096, 1, k_max_hidden, cls);
  if (image % patch != 0) {
    v.fail("patch_size",
           "is " + std::to_string(patch) + " but must divide image_size=" + std::to_string(image));
  }
  int64_t side = image / patch;
  std::string p = "vision_model";
  vision_linear(t, p + ".patch_embedding.linear", channels * patch * patch, hidden, false);
  t.add(p + ".class_embedding", {hidden}, TensorRole::vision, TpSplit::replicated);
  t.add(p + ".positional_embedding_vlm", {side * side + 1, hidden}, TensorRole::vision,
        TpSplit::replicated);
  vision_layer_norm(t, p + ".layernorm_pre", hidden);
  vision_layer_norm(t, p + ".layernorm_post", hidden);
  for (int64_t i = 0; i < layers; ++i) {
    std::string layer = p + ".model.layers." + std::to_string(i);
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
      vision_linear(t, layer + ".self_attn." + proj, hidden, hidden, true);
    }
    vision_linear(t, layer + ".mlp.fc1", hidden, inter, true);
    vision_linear(t, layer + ".mlp.fc2", inter, hidden, true);
    vision_layer_norm(t, layer + ".input_layernorm", hidden);
    vision_layer_norm(t, layer + ".post_attention_layernorm", hidden);
  }
  // Llama4VisionMLP2: fc1 (intermediate_size -> projector_input_dim) and fc2
  // (projector_output_dim -> projector_output_dim), both without bias.
  vision_linear(t, p + ".vision_adapter.mlp.fc1", inter, proj_in, false);
  vision_linear(t, p + ".vision_adapter.mlp.fc2", proj_out, proj_out, false);
  return out_dim;
}

}  // namespace

void build_llama4(const ConfigView& c, ModelDescription& m, const BuildContext& ctx) {
  TensorAdder t(m);
  if (ctx.type == "llama4_text") {
    add_llama4_text(c, m, t, "model", "lm_head.weight");
    return;
  }
  ConfigView text = c.sub("text_config");
  add_llama4_text(text, m, t, "language_model.model", "language_model.lm_head.weight");
  if (!c.has("vision_config")) {
    m.notes.push_back(c.where("vision_config") +
                      " is absent: the vision tower and projector are not counted (a trimmed "
                      "config; the published totals include them)");
    return;
  }
  ConfigView vision = c.sub("vision_config");
  int64_t vision_out = add_llama4_vision(vision, m, t);
  // Llama4MultiModalProjector: linear_1 (vision_output_dim -> text hidden), no bias.
  t.linear("multi_modal_projector.linear_1", vision_out, m.hidden_size, false,
           TensorRole::projector, TpSplit::replicated);
}

}  // namespace llmem::hf
