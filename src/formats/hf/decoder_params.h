// The keys nearly every decoder config.json has (hidden_size, num_hidden_layers, heads …), read
// and validated once, with the upper bounds that reject nonsense before any arithmetic.
#pragma once

#include <cstdint>
#include <string_view>

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"

namespace llmem::hf {

// Upper bounds that reject nonsense before any arithmetic (a "number too large" is an error
// naming the key, not an overflow later). Each is far above any released model.
inline constexpr int64_t k_max_hidden = int64_t{1} << 20;
inline constexpr int64_t k_max_layers = 4096;
inline constexpr int64_t k_max_heads = int64_t{1} << 16;
inline constexpr int64_t k_max_vocab = int64_t{1} << 24;
inline constexpr int64_t k_max_intermediate = int64_t{1} << 24;
inline constexpr int64_t k_max_experts = int64_t{1} << 16;
inline constexpr int64_t k_max_positions = int64_t{1} << 40;

struct DecoderParams {
  int64_t hidden = 0;
  int64_t layers = 0;
  int32_t heads = 0;
  int32_t kv_heads = 0;
  int32_t head_dim = 0;
  int64_t intermediate = 0;
  int64_t vocab = 0;
  int64_t max_positions = 0;
  bool tied = false;
};

// Reads hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads (default:
// heads), head_dim (default hidden/heads, which must then divide exactly), intermediate_size,
// vocab_size, max_position_embeddings, tie_word_embeddings (default `tie_default`).
DecoderParams read_decoder_params(const ConfigView& c, bool tie_default = false);

// Checks kv_heads divides heads (GQA groups must be whole) and names both keys if not.
void check_gqa(const ConfigView& c, int64_t heads, int64_t kv_heads,
               std::string_view heads_key = "num_attention_heads",
               std::string_view kv_key = "num_key_value_heads");

// Copies the common fields into the description (hidden, layers, vocab, heads …).
void set_common(ModelDescription& m, const DecoderParams& p);

}  // namespace llmem::hf
