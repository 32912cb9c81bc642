#include "formats/hf/decoder_params.h"

#include "llmem/common/error.h"

namespace llmem::hf {

DecoderParams read_decoder_params(const ConfigView& c, bool tie_default) {
  DecoderParams p;
  p.hidden = c.require_int("hidden_size", 1, k_max_hidden);
  p.layers = c.require_int("num_hidden_layers", 1, k_max_layers);
  p.heads = static_cast<int32_t>(c.require_int("num_attention_heads", 1, k_max_heads));
  p.kv_heads = static_cast<int32_t>(c.get_int("num_key_value_heads", p.heads, 1, p.heads));
  check_gqa(c, p.heads, p.kv_heads);
  if (auto hd = c.opt_int("head_dim", 1, k_max_hidden)) {
    p.head_dim = static_cast<int32_t>(*hd);
  } else {
    if (p.hidden % p.heads != 0) {
      c.fail("num_attention_heads", "is " + std::to_string(p.heads) +
                                        " but must divide hidden_size=" + std::to_string(p.hidden) +
                                        " when head_dim is not given");
    }
    p.head_dim = static_cast<int32_t>(p.hidden / p.heads);
  }
  p.intermediate = c.require_int("intermediate_size", 1, k_max_intermediate);
  p.vocab = c.require_int("vocab_size", 1, k_max_vocab);
  p.max_positions = c.get_int("max_position_embeddings", 0, 0, k_max_positions);
  p.tied = c.get_bool("tie_word_embeddings", tie_default);
  return p;
}

void check_gqa(const ConfigView& c, int64_t heads, int64_t kv_heads, std::string_view heads_key,
               std::string_view kv_key) {
  if (kv_heads < 1 || kv_heads > heads || heads % kv_heads != 0) {
    c.fail(kv_key, "is " + std::to_string(kv_heads) + " but must divide " + std::string(heads_key) +
                       "=" + std::to_string(heads));
  }
}

void set_common(ModelDescription& m, const DecoderParams& p) {
  m.hidden_size = p.hidden;
  m.num_layers = p.layers;
  m.num_attention_heads = p.heads;
  m.num_kv_heads = p.kv_heads;
  m.head_dim = p.head_dim;
  m.intermediate_size = p.intermediate;
  m.vocab_size = p.vocab;
  m.max_position_embeddings = p.max_positions;
  m.tied_embeddings = p.tied;
}

}  // namespace llmem::hf
