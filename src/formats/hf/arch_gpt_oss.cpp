// gpt-oss (model_type gpt_oss), after transformers models/gpt_oss/modeling_gpt_oss.py and
// configuration_gpt_oss.py (docs/architectures.md).
// Per layer model.layers.N: input_layernorm; self_attn.{q,k,v,o}_proj with biases
// (attention_bias, default true) and self_attn.sinks [num_attention_heads];
// post_attention_layernorm; mlp.router.{weight [E, hidden], bias [E]};
// mlp.experts.{gate_up_proj [E, hidden, 2 * intermediate], gate_up_proj_bias [E, 2 * inter],
// down_proj [E, intermediate, hidden], down_proj_bias [E, hidden]} (fused, all experts in one
// tensor). Then model.norm, model.embed_tokens and lm_head.
// Attention alternates sliding (window sliding_window, 128) and full layers per layer_types;
// without layer_types GptOssConfig makes even layers sliding.
#include <string>

#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/dims.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

void build_gpt_oss(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  if (!m.torch_dtype_given) {
    // hf_config.cpp assumed float32; gpt-oss's non-expert weights are stored in bfloat16.
    std::erase_if(m.notes, [](const std::string& n) {
      return n.rfind("config.json has no torch_dtype", 0) == 0;
    });
    m.torch_dtype = DType::bf16;
    m.notes.push_back(
        "config.json has no torch_dtype: gpt-oss checkpoints store the attention, "
        "router, embedding and head weights in bfloat16, so bfloat16 is assumed");
  }
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  int64_t experts = c.require_int("num_local_experts", 1, k_max_experts);
  int64_t top_k = c.require_int_any({"num_experts_per_tok", "experts_per_token"}, 1, experts);
  c.has("experts_per_token");  // the other spelling, when both are written
  bool attention_bias = c.get_bool("attention_bias", true);
  m.num_experts = static_cast<int32_t>(experts);
  m.experts_per_token = static_cast<int32_t>(top_k);

  std::vector<int64_t> windows;
  if (c.has("layer_types")) {
    windows = read_layer_windows(c, p.layers);
  } else {
    int64_t window = c.get_int("sliding_window", 128, 1, k_max_positions);
    for (int64_t i = 0; i < p.layers; ++i) windows.push_back(i % 2 == 0 ? window : 0);
  }

  const int64_t h = p.hidden;
  const int64_t inter = p.intermediate;
  const int64_t inter2 = dim_mul(2, inter, "gate_up_proj size");
  const auto e = static_cast<int32_t>(experts);
  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = "model.layers." + std::to_string(i);
    t.norm(prefix + ".input_layernorm", h, false, i);
    add_llama_attention(t, prefix + ".self_attn", h, p.heads, p.kv_heads, p.head_dim,
                        attention_bias, attention_bias, i);
    t.add(prefix + ".self_attn.sinks", {p.heads}, TensorRole::attn_other, TpSplit::column, i);
    t.norm(prefix + ".post_attention_layernorm", h, false, i);
    t.linear(prefix + ".mlp.router", h, experts, true, TensorRole::router, TpSplit::replicated, i);
    const std::string x = prefix + ".mlp.experts";
    const Place fused = fused_experts(i, e);
    t.add(x + ".gate_up_proj", {experts, h, inter2}, TensorRole::gate_up, TpSplit::column, fused);
    t.bias(x + ".gate_up_proj_bias", {experts, inter2}, TensorRole::gate_up, TpSplit::column,
           fused);
    t.add(x + ".down_proj", {experts, inter, h}, TensorRole::down, TpSplit::row, fused);
    t.bias(x + ".down_proj_bias", {experts, h}, TensorRole::down, TpSplit::replicated, fused);
    LayerSpec s = attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                  windows[static_cast<size_t>(i)]);
    s.moe = true;
    m.layers.push_back(s);
  }
  t.norm("model.norm", h, false, -1);
}

}  // namespace llmem::hf
