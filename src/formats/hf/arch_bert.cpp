// BERT (encoder-only): transformers models/bert/modeling_bert.py (BertEmbeddings,
// BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput, BertPooler; the heads
// BertForMaskedLM's cls.predictions and BertForSequenceClassification's classifier). Post-norm
// LayerNorm with bias, biased projections, GELU, learned absolute and token-type embeddings.
// Attention is bidirectional: the layer spec is an attention layer whose K/V a server would never
// cache.
#include <string>
#include <utility>

#include "formats/hf/architectures.h"
#include "formats/hf/class_defaults.h"
#include "formats/hf/decoder_params.h"
#include "formats/hf/llama_blocks.h"
#include "formats/hf/tensor_adder.h"

namespace llmem::hf {

void build_bert(const ConfigView& c, ModelDescription& m, const BuildContext&) {
  DecoderParams p;
  p.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  p.layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  p.heads = static_cast<int32_t>(c.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = p.heads;
  if (p.hidden % p.heads != 0) {
    c.fail("num_attention_heads", "is " + std::to_string(p.heads) +
                                      " but must divide hidden_size=" + std::to_string(p.hidden));
  }
  p.head_dim = static_cast<int32_t>(p.hidden / p.heads);
  p.intermediate = c.require_int("intermediate_size", 1, k_max_intermediate);
  p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = c.get_int("max_position_embeddings", 512, 1, k_max_positions);
  const int64_t type_vocab = c.get_int("type_vocab_size", 2, 0, k_max_vocab);
  const std::string head = m.architecture;
  const bool mlm = head == "BertForMaskedLM" || head == "BertForPreTraining" || head.empty();
  const bool classifier = head == "BertForSequenceClassification";
  // BertForMaskedLM ties cls.predictions.decoder to the word embeddings (tie_word_embeddings,
  // PretrainedConfig's default True); the classification head has no LM head at all.
  p.tied = mlm && c.get_bool("tie_word_embeddings", true);
  set_common(m, p);
  // BertConfig defaults: attention_probs_dropout_prob 0.1, hidden_dropout_prob 0.1.
  for (auto [key, field] :
       {std::pair<const char*, double*>{"attention_probs_dropout_prob", &m.attention_dropout},
        {"hidden_dropout_prob", &m.hidden_dropout}}) {
    const double v = c.get_double(key, 0.1);
    if (!(v >= 0.0 && v < 1.0)) c.fail(key, "must be in [0, 1)");
    *field = v;
  }

  TensorAdder t(m);
  t.add("bert.embeddings.word_embeddings.weight", {p.vocab, p.hidden}, TensorRole::embedding,
        TpSplit::vocab);
  t.add("bert.embeddings.position_embeddings.weight", {p.max_positions, p.hidden},
        TensorRole::position_embedding, TpSplit::replicated);
  if (type_vocab > 0) {
    t.add("bert.embeddings.token_type_embeddings.weight", {type_vocab, p.hidden},
          TensorRole::position_embedding, TpSplit::replicated);
  }
  t.norm("bert.embeddings.LayerNorm", p.hidden, true, -1);
  for (int32_t i = 0; i < p.layers; ++i) {
    const std::string l = "bert.encoder.layer." + std::to_string(i);
    t.linear(l + ".attention.self.query", p.hidden, p.hidden, true, TensorRole::q, TpSplit::column,
             i);
    t.linear(l + ".attention.self.key", p.hidden, p.hidden, true, TensorRole::k, TpSplit::kv_heads,
             i);
    t.linear(l + ".attention.self.value", p.hidden, p.hidden, true, TensorRole::v,
             TpSplit::kv_heads, i);
    t.linear(l + ".attention.output.dense", p.hidden, p.hidden, true, TensorRole::o, TpSplit::row,
             i);
    t.norm(l + ".attention.output.LayerNorm", p.hidden, true, i);
    t.linear(l + ".intermediate.dense", p.hidden, p.intermediate, true, TensorRole::up,
             TpSplit::column, i);
    t.linear(l + ".output.dense", p.intermediate, p.hidden, true, TensorRole::down, TpSplit::row,
             i);
    t.norm(l + ".output.LayerNorm", p.hidden, true, i);
    m.layers.push_back(attention_layer(p.heads, p.heads, p.head_dim, p.head_dim));
  }
  if (classifier) {
    const int64_t labels = c.get_int("num_labels", 2, 1, k_max_vocab);
    t.linear("bert.pooler.dense", p.hidden, p.hidden, true, TensorRole::other, TpSplit::replicated,
             -1);
    t.linear("classifier", p.hidden, labels, true, TensorRole::other, TpSplit::replicated, -1);
  } else if (mlm) {
    t.linear("cls.predictions.transform.dense", p.hidden, p.hidden, true, TensorRole::other,
             TpSplit::replicated, -1);
    t.norm("cls.predictions.transform.LayerNorm", p.hidden, true, -1);
    if (!p.tied) {
      t.add("cls.predictions.decoder.weight", {p.vocab, p.hidden}, TensorRole::lm_head,
            TpSplit::vocab);
    }
    t.bias("cls.predictions.bias", {p.vocab}, TensorRole::lm_head, TpSplit::vocab);
  } else {
    t.linear("bert.pooler.dense", p.hidden, p.hidden, true, TensorRole::other, TpSplit::replicated,
             -1);
  }
}

}  // namespace llmem::hf
