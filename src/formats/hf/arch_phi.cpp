// Phi decoders.
// - phi (Phi-1/1.5/2, transformers modeling_phi.py): model.embed_tokens; per layer
//   input_layernorm (LayerNorm, weight + bias), self_attn.{q,k,v}_proj and self_attn.dense (all
//   with bias), optional self_attn.q_layernorm/k_layernorm (qk_layernorm, LayerNorm over
//   hidden/heads), mlp.fc1/fc2 (with bias; attention and MLP run in parallel on one norm);
//   model.final_layernorm (LayerNorm) and lm_head with a bias. Partial rotary changes no shape.
// - phi3 (Phi-3, Phi-4, modeling_phi3.py): Llama layout with fused self_attn.qkv_proj
//   [(heads + 2 kv_heads) * head_dim, hidden] and mlp.gate_up_proj [2 * inter, hidden], no
//   biases. Phi3Attention passes config.sliding_window to every layer's attention, so a set
//   sliding_window (Phi-3-mini: 2047) windows every layer.
#include <string>
#include <vector>

#include "common/checked.h"
#include "formats/hf/architectures.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/layer_windows.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

void build_phi(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  bool qk_layernorm = c.get_bool("qk_layernorm", false);
  int64_t q_out = static_cast<int64_t>(checked_mul(
      static_cast<uint64_t>(p.heads), static_cast<uint64_t>(p.head_dim), "q_proj size"));
  int64_t kv_out = static_cast<int64_t>(checked_mul(
      static_cast<uint64_t>(p.kv_heads), static_cast<uint64_t>(p.head_dim), "k_proj size"));

  TensorAdder t(m);
  t.add("model.embed_tokens.weight", {p.vocab, p.hidden}, TensorRole::embedding, TpSplit::vocab);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = "model.layers." + std::to_string(i);
    t.norm(prefix + ".input_layernorm", p.hidden, true, i);
    std::string attn = prefix + ".self_attn";
    t.linear(attn + ".q_proj", p.hidden, q_out, true, TensorRole::q, TpSplit::column, i);
    t.linear(attn + ".k_proj", p.hidden, kv_out, true, TensorRole::k, TpSplit::kv_heads, i);
    t.linear(attn + ".v_proj", p.hidden, kv_out, true, TensorRole::v, TpSplit::kv_heads, i);
    t.linear(attn + ".dense", q_out, p.hidden, true, TensorRole::o, TpSplit::row, i);
    if (qk_layernorm) {
      // PhiAttention sizes these LayerNorms hidden_size // num_attention_heads.
      t.norm(attn + ".q_layernorm", p.hidden / p.heads, true, i);
      t.norm(attn + ".k_layernorm", p.hidden / p.heads, true, i);
    }
    t.linear(prefix + ".mlp.fc1", p.hidden, p.intermediate, true, TensorRole::up, TpSplit::column,
             i);
    t.linear(prefix + ".mlp.fc2", p.intermediate, p.hidden, true, TensorRole::down, TpSplit::row,
             i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim));
  }
  t.norm("model.final_layernorm", p.hidden, true, -1);
  // PhiForCausalLM: lm_head = nn.Linear(hidden, vocab, bias=True). Tying shares the weight only;
  // the bias is always stored.
  if (!p.tied) {
    t.add("lm_head.weight", {p.vocab, p.hidden}, TensorRole::lm_head, TpSplit::vocab);
  }
  t.bias("lm_head.bias", {p.vocab}, TensorRole::lm_head, TpSplit::vocab);
}

void build_phi3(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p = read_decoder_params(c, false);
  set_common(m, p);
  std::vector<int64_t> windows = read_layer_windows(c, p.layers);
  uint64_t heads_total = checked_add(static_cast<uint64_t>(p.heads),
                                     checked_mul(2, static_cast<uint64_t>(p.kv_heads)));
  int64_t qkv_out = static_cast<int64_t>(
      checked_mul(heads_total, static_cast<uint64_t>(p.head_dim), "qkv_proj size"));
  int64_t q_out = static_cast<int64_t>(p.heads) * p.head_dim;

  TensorAdder t(m);
  add_llama_embeddings(t, p);
  for (int32_t i = 0; i < p.layers; ++i) {
    std::string prefix = "model.layers." + std::to_string(i);
    t.norm(prefix + ".input_layernorm", p.hidden, false, i);
    t.linear(prefix + ".self_attn.qkv_proj", p.hidden, qkv_out, false, TensorRole::qkv,
             TpSplit::column, i);
    t.linear(prefix + ".self_attn.o_proj", q_out, p.hidden, false, TensorRole::o, TpSplit::row, i);
    t.norm(prefix + ".post_attention_layernorm", p.hidden, false, i);
    t.linear(prefix + ".mlp.gate_up_proj", p.hidden, 2 * p.intermediate, false, TensorRole::gate_up,
             TpSplit::column, i);
    t.linear(prefix + ".mlp.down_proj", p.intermediate, p.hidden, false, TensorRole::down,
             TpSplit::row, i);
    m.layers.push_back(attention_layer(p.heads, p.kv_heads, p.head_dim, p.head_dim,
                                       windows[static_cast<size_t>(i)]));
  }
  t.norm("model.norm", p.hidden, false, -1);
}

}  // namespace llmem::hf
