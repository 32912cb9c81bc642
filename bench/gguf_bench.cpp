// GGUF header parsing throughput, on headers built in memory by the test writer (the tensor data
// is declared, never read). Reports the header bytes parsed per second (bytes_per_second):
// - the 8.9 MB header of a Llama-3.1-8B Q4_K_M file (bench/llama31_gguf.h: 128,256 tokens with
//   their types, 280,147 merges, 292 tensors; the file issue 8 asks to parse at >= 1 GB/s);
// - a 150k-token vocabulary (tokens, scores, token types) with a Llama-shaped tensor list.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "../tests/formats/gguf_test_writer.h"
#include "llama31_gguf.h"
#include "llmem/formats/gguf.h"

namespace {

using llmem::GgufValueType;

llmem::test::GgufImage vocab_150k() {
  constexpr size_t k_tokens = 150000;
  std::mt19937 rng(42);
  std::vector<std::string> tokens;
  std::vector<double> scores;
  std::vector<int64_t> types;
  tokens.reserve(k_tokens);
  for (size_t i = 0; i < k_tokens; ++i) {
    std::string t(2 + rng() % 12, 'a');  // BPE pieces are mostly short
    for (auto& c : t) c = static_cast<char>('a' + rng() % 26);
    tokens.push_back(std::move(t));
    scores.push_back(-static_cast<double>(i));
    types.push_back(1);
  }
  llmem::test::GgufSpec s;
  s.metadata = {
      {"general.architecture", llmem::test::gguf_str("qwen2")},
      {"qwen2.block_count", llmem::test::gguf_u32(28)},
      {"qwen2.context_length", llmem::test::gguf_u32(32768)},
      {"qwen2.embedding_length", llmem::test::gguf_u32(3584)},
      {"qwen2.feed_forward_length", llmem::test::gguf_u32(18944)},
      {"qwen2.attention.head_count", llmem::test::gguf_u32(28)},
      {"qwen2.attention.head_count_kv", llmem::test::gguf_u32(4)},
      {"tokenizer.ggml.tokens", llmem::test::gguf_array(GgufValueType::string, tokens)},
      {"tokenizer.ggml.scores", llmem::test::gguf_array(GgufValueType::f32, scores)},
      {"tokenizer.ggml.token_type", llmem::test::gguf_array(GgufValueType::i32, types)},
  };
  for (int l = 0; l < 28; ++l) {
    for (const char* n :
         {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
      s.tensors.push_back({"blk." + std::to_string(l) + "." + n + ".weight",
                           {3584, 3584},
                           llmem::GgmlType::q4_K,
                           0,
                           3584u * 3584u / 256u * 144u});
    }
  }
  return llmem::test::write_gguf(s);
}

void BM_ParseGgufHeaderLlama31_8B_Q4_K_M(benchmark::State& state) {
  static const auto img = llmem::test::write_gguf(llmem::bench::llama31_8b_q4_k_m());
  for (auto _ : state) {
    auto f = llmem::parse_gguf(img.header.span(), img.file_size, "llama-3.1-8b-q4_k_m.gguf");
    benchmark::DoNotOptimize(f.tensors.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(img.header.bytes.size()));
  state.counters["header_bytes"] = static_cast<double>(img.header.bytes.size());
}
BENCHMARK(BM_ParseGgufHeaderLlama31_8B_Q4_K_M)->Unit(benchmark::kMillisecond);

// The same header parsed as read_gguf_file parses a mapped file: string arrays refer to the bytes
// (kept alive by a shared owner) instead of copying them.
void BM_ParseGgufHeaderLlama31_8B_Q4_K_M_InPlace(benchmark::State& state) {
  static const auto img = std::make_shared<const llmem::test::GgufImage>(
      llmem::test::write_gguf(llmem::bench::llama31_8b_q4_k_m()));
  for (auto _ : state) {
    auto f = llmem::parse_gguf(img->header.span(), img->file_size, "llama-3.1-8b-q4_k_m.gguf", img);
    benchmark::DoNotOptimize(f.tensors.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(img->header.bytes.size()));
  state.counters["header_bytes"] = static_cast<double>(img->header.bytes.size());
}
BENCHMARK(BM_ParseGgufHeaderLlama31_8B_Q4_K_M_InPlace)->Unit(benchmark::kMillisecond);

void BM_ParseGgufHeader150kVocab(benchmark::State& state) {
  static const auto img = vocab_150k();
  for (auto _ : state) {
    auto f = llmem::parse_gguf(img.header.span(), img.file_size, "bench.gguf");
    benchmark::DoNotOptimize(f.tensors.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(img.header.bytes.size()));
  state.counters["header_bytes"] = static_cast<double>(img.header.bytes.size());
}
BENCHMARK(BM_ParseGgufHeader150kVocab)->Unit(benchmark::kMillisecond);

void BM_GgufToModelDescription(benchmark::State& state) {
  static const auto img = vocab_150k();
  static const auto f = llmem::parse_gguf(img.header.span(), img.file_size, "bench.gguf");
  for (auto _ : state) {
    auto m = llmem::gguf_to_model_description(f);
    benchmark::DoNotOptimize(m.layers.data());
  }
}
BENCHMARK(BM_GgufToModelDescription)->Unit(benchmark::kMicrosecond);

}  // namespace
