// A GGUF header shaped like Llama-3.1-8B-Instruct at Q4_K_M, as llama-quantize writes it, for the
// header-speed figures (bench/gguf_bench.cpp parses it in memory; bench/make_llama31_gguf.cpp
// writes it to a sparse file for whole-process runs of `llmem infer FILE.gguf`).
//
// What is real and where it comes from:
// - Metadata keys, types and values: the llama.cpp load log of bartowski's
//   Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf in mozilla-ai/llamafile issue #516 and in
//   utilityai/llama-cpp-rs pull request #400 (33 key-value pairs: general.*, llama.*,
//   tokenizer.ggml.* with 128,256 tokens, 128,256 token types and 280,147 merges,
//   quantize.imatrix.*).
// - Tensors: llama.cpp's names for 32 Llama layers (src/llama-arch.cpp LLM_ARCH_LLAMA), shapes from
//   the Llama-3.1-8B config.json (hidden 4096, intermediate 14336, 32 heads, 8 KV heads of 128,
//   vocabulary 128,256; rope_freqs holds head_dim / 2 = 64 floats). Types: llama.cpp's Q4_K_M
//   rules (src/llama-quant.cpp llama_tensor_get_type_impl, as src/core/gguf_file_type.cpp follows
//   them): q4_K by default; attn_v and ffn_down q6_K on the layers use_more_bits(i, 32) picks
//   (0-3, 6, 9, …, 27, 28-31: 16 of 32); output q6_K; norms and rope_freqs f32. That gives the
//   log's counts (f32 66, q4_K 193, q6_K 33); the file comes to 4,921,820,736 bytes. The order
//   is like convert_hf_to_gguf.py's (rope_freqs first, then the tensors sorted by Hugging Face
//   name); it does not change the parse.
//
// What is synthetic, and why: the token, merge and chat-template texts (the real ones are Meta's
// tokenizer, not ours to copy). Tokens use GPT-2's byte-to-unicode alphabet (Ġ for a space, two
// UTF-8 bytes) with lengths chosen so that the whole header comes to about 8.9 MB, the size issue 8
// gives for the real file's header; the parser's cost depends on the number of strings and their
// bytes, not on which letters they hold. Special tokens 128000-128255 are named as in Llama 3.1's
// tokenizer_config.json and typed 3 (control, gguf-py TokenType.CONTROL); the others are typed 1
// (normal).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../tests/formats/gguf_test_writer.h"
#include "llmem/formats/gguf.h"

namespace llmem::bench {

inline constexpr int k_llama31_layers = 32;
inline constexpr int k_llama31_tokens = 128256;
inline constexpr int k_llama31_merges = 280147;

namespace detail {

// GPT-2's byte-to-unicode table (openai/gpt-2 encoder.py bytes_to_unicode): printable Latin-1
// bytes stand for themselves, the other 68 bytes for U+0100 onwards. Returned as UTF-8.
inline std::vector<std::string> byte_alphabet() {
  auto utf8 = [](uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
  };
  std::vector<std::string> out(256);
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
    out[b] = utf8(printable ? b : next++);
  }
  return out;
}

inline std::string special_token(int id) {
  switch (id) {
    case 128000:
      return "<|begin_of_text|>";
    case 128001:
      return "<|end_of_text|>";
    case 128004:
      return "<|finetune_right_pad_id|>";
    case 128006:
      return "<|start_header_id|>";
    case 128007:
      return "<|end_header_id|>";
    case 128008:
      return "<|eom_id|>";
    case 128009:
      return "<|eot_id|>";
    case 128010:
      return "<|python_tag|>";
    default: {
      // reserved_special_token_0, _1 at 128002-128003, _2 at 128005, _3 … from 128011.
      int n = id < 128004 ? id - 128002 : id == 128005 ? 2 : id - 128011 + 3;
      return "<|reserved_special_token_" + std::to_string(n) + "|>";
    }
  }
}

}  // namespace detail

// The tensor list: name, ggml dims (dims[0] is the row), type. Data offsets are packed by the
// writer at alignment 32.
inline std::vector<GgufTensorInfo> llama31_8b_q4_k_m_tensors() {
  constexpr uint64_t hidden = 4096, ffn = 14336, kv = 8 * 128, vocab = k_llama31_tokens;
  auto more_bits = [](int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; };
  std::vector<GgufTensorInfo> out;
  auto add = [&](std::string name, std::vector<uint64_t> dims, GgmlType type) {
    GgufTensorInfo t;
    t.name = std::move(name);
    t.dims = std::move(dims);
    t.type = type;
    uint64_t rows = 1;
    for (size_t d = 1; d < t.dims.size(); ++d) rows *= t.dims[d];
    t.bytes = ggml_row_bytes(type, t.dims[0]) * rows;
    out.push_back(std::move(t));
  };
  add("rope_freqs.weight", {64}, GgmlType::f32);
  add("output.weight", {hidden, vocab}, GgmlType::q6_K);  // lm_head.weight sorts first
  add("token_embd.weight", {hidden, vocab}, GgmlType::q4_K);
  // Hugging Face names in order: input_layernorm, mlp.{down,gate,up}_proj,
  // post_attention_layernorm, self_attn.{k,o,q,v}_proj. Layers sort as strings (0, 1, 10, 11, …).
  std::vector<std::string> layers;
  for (int i = 0; i < k_llama31_layers; ++i) layers.push_back(std::to_string(i));
  std::sort(layers.begin(), layers.end());
  for (const auto& l : layers) {
    int i = std::stoi(l);
    GgmlType more = more_bits(i, k_llama31_layers) ? GgmlType::q6_K : GgmlType::q4_K;
    std::string b = "blk." + l + ".";
    add(b + "attn_norm.weight", {hidden}, GgmlType::f32);
    add(b + "ffn_down.weight", {ffn, hidden}, more);
    add(b + "ffn_gate.weight", {hidden, ffn}, GgmlType::q4_K);
    add(b + "ffn_up.weight", {hidden, ffn}, GgmlType::q4_K);
    add(b + "ffn_norm.weight", {hidden}, GgmlType::f32);
    add(b + "attn_k.weight", {hidden, kv}, GgmlType::q4_K);
    add(b + "attn_output.weight", {hidden, hidden}, GgmlType::q4_K);
    add(b + "attn_q.weight", {hidden, hidden}, GgmlType::q4_K);
    add(b + "attn_v.weight", {hidden, kv}, more);
  }
  add("output_norm.weight", {hidden}, GgmlType::f32);
  return out;
}

// The whole file: 33 metadata pairs, 292 tensor infos.
inline test::GgufSpec llama31_8b_q4_k_m() {
  using V = GgufValueType;
  using test::gguf_array;
  using test::gguf_i;
  using test::gguf_str;
  using test::gguf_u32;
  std::mt19937 rng(31);
  const auto alphabet = detail::byte_alphabet();
  const std::string space = alphabet[' '];
  auto letter = [&] {
    // Mostly lowercase ASCII, as in English-heavy BPE vocabularies; now and then any byte.
    auto r = rng() % 100;
    if (r < 82) return std::string(1, static_cast<char>('a' + rng() % 26));
    return alphabet[rng() % 256];
  };

  std::vector<std::string> tokens = alphabet;  // ids 0-255: one byte each
  std::vector<std::string> merges;
  std::vector<int64_t> types(k_llama31_tokens, 1);
  tokens.reserve(k_llama31_tokens);
  merges.reserve(k_llama31_merges);
  // Merged tokens: 2 to 15 letters, half of them starting with a space.
  while (tokens.size() < 128000) {
    size_t letters = 2 + rng() % 8 + rng() % 7;
    std::string left = (rng() % 2 == 0) ? space : letter();
    std::string right;
    size_t split = 1 + rng() % (letters - 1);
    for (size_t k = 1; k < letters; ++k) (k < split ? left : right) += letter();
    if (right.empty()) right = letter();
    tokens.push_back(left + right);
    merges.push_back(left + " " + right);
  }
  for (int id = 128000; id < k_llama31_tokens; ++id) {
    tokens.push_back(detail::special_token(id));
    types[static_cast<size_t>(id)] = 3;
  }
  // The rest of the merges: other splits of the longer tokens (a tiktoken vocabulary converted to
  // BPE lists every split whose halves are tokens, so long tokens appear many times).
  while (merges.size() < static_cast<size_t>(k_llama31_merges)) {
    const std::string& t = tokens[256 + rng() % (128000 - 256)];
    std::string doubled = t + t.substr(t.size() / 2);
    size_t split = 1 + rng() % (doubled.size() - 1);
    merges.push_back(doubled.substr(0, split) + " " + doubled.substr(split));
  }

  std::string chat_template = "{{- bos_token }}\n";
  while (chat_template.size() < 4000) {
    chat_template +=
        "{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + "
        "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}\n";
  }

  test::GgufSpec s;
  s.metadata = {
      {"general.architecture", gguf_str("llama")},
      {"general.type", gguf_str("model")},
      {"general.name", gguf_str("Meta Llama 3.1 8B Instruct")},
      {"general.finetune", gguf_str("Instruct")},
      {"general.basename", gguf_str("Meta-Llama-3.1")},
      {"general.size_label", gguf_str("8B")},
      {"general.license", gguf_str("llama3.1")},
      {"general.tags",
       gguf_array(V::string, std::vector<std::string>{"facebook", "meta", "pytorch", "llama",
                                                      "llama-3", "text-generation"})},
      {"general.languages",
       gguf_array(V::string,
                  std::vector<std::string>{"en", "de", "fr", "it", "pt", "hi", "es", "th"})},
      {"llama.block_count", gguf_u32(k_llama31_layers)},
      {"llama.context_length", gguf_u32(131072)},
      {"llama.embedding_length", gguf_u32(4096)},
      {"llama.feed_forward_length", gguf_u32(14336)},
      {"llama.attention.head_count", gguf_u32(32)},
      {"llama.attention.head_count_kv", gguf_u32(8)},
      {"llama.rope.freq_base", test::gguf_f(V::f32, 500000.0)},
      {"llama.attention.layer_norm_rms_epsilon", test::gguf_f(V::f32, static_cast<float>(1e-5))},
      {"general.file_type", gguf_u32(15)},  // LLAMA_FTYPE_MOSTLY_Q4_K_M
      {"llama.vocab_size", gguf_u32(k_llama31_tokens)},
      {"llama.rope.dimension_count", gguf_u32(128)},
      {"tokenizer.ggml.model", gguf_str("gpt2")},
      {"tokenizer.ggml.pre", gguf_str("llama-bpe")},
      {"tokenizer.ggml.tokens", gguf_array(V::string, std::move(tokens))},
      {"tokenizer.ggml.token_type", gguf_array(V::i32, std::move(types))},
      {"tokenizer.ggml.merges", gguf_array(V::string, std::move(merges))},
      {"tokenizer.ggml.bos_token_id", gguf_u32(128000)},
      {"tokenizer.ggml.eos_token_id", gguf_u32(128009)},
      {"tokenizer.chat_template", gguf_str(chat_template)},
      {"general.quantization_version", gguf_u32(2)},
      // The log shows this path's first 37 characters only; the rest is ours.
      {"quantize.imatrix.file", gguf_str("/models_out/Meta-Llama-3.1-8B-Instruct-GGUF/"
                                         "Meta-Llama-3.1-8B-Instruct.imatrix")},
      {"quantize.imatrix.dataset", gguf_str("/training_dir/calibration_datav3.txt")},
      {"quantize.imatrix.entries_count", gguf_i(V::i32, 224)},
      {"quantize.imatrix.chunks_count", gguf_i(V::i32, 125)},
  };
  s.tensors = llama31_8b_q4_k_m_tensors();
  return s;
}

}  // namespace llmem::bench
