// GGUF metadata → ModelDescription, split merging and the local-file helper. Golden values name
// their independent source beside them; files are built in memory by the test writer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "formats/gguf_test_writer.h"
#include "llmem/common/error.h"
#include "llmem/formats/gguf.h"
#include "llmem/sources/files.h"
#include "test_util.h"

namespace llmem {
namespace {

using test::gguf_str;
using test::gguf_u32;
using V = GgufValueType;

GgufTensorInfo tensor(std::string name, std::vector<uint64_t> dims, GgmlType type) {
  GgufTensorInfo t{std::move(name), std::move(dims), type, 0, 0};
  uint64_t n = 1;
  for (auto d : t.dims) n *= d;
  const auto& info = ggml_type_info(type);
  t.bytes = n / info.block_elements * info.block_bytes;
  return t;
}

GgufFile parse_spec(const test::GgufSpec& spec, std::string source = "m.gguf") {
  auto img = test::write_gguf(spec);
  return parse_gguf(img.header.span(), img.file_size, std::move(source));
}

// Llama-3.1-8B as convert_hf_to_gguf.py writes it (ggml dims: [in, out]); config values from
// meta-llama/Llama-3.1-8B config.json.
test::GgufSpec llama31_8b(GgmlType type = GgmlType::bf16) {
  test::GgufSpec s;
  s.metadata = {
      {"general.architecture", gguf_str("llama")},   {"general.name", gguf_str("Llama 3.1 8B")},
      {"llama.block_count", gguf_u32(32)},           {"llama.context_length", gguf_u32(131072)},
      {"llama.embedding_length", gguf_u32(4096)},    {"llama.feed_forward_length", gguf_u32(14336)},
      {"llama.attention.head_count", gguf_u32(32)},  {"llama.attention.head_count_kv", gguf_u32(8)},
      {"llama.rope.dimension_count", gguf_u32(128)}, {"llama.vocab_size", gguf_u32(128256)},
  };
  s.tensors.push_back(tensor("token_embd.weight", {4096, 128256}, type));
  for (int i = 0; i < 32; ++i) {
    std::string p = "blk." + std::to_string(i) + ".";
    s.tensors.push_back(tensor(p + "attn_norm.weight", {4096}, GgmlType::f32));
    s.tensors.push_back(tensor(p + "attn_q.weight", {4096, 4096}, type));
    s.tensors.push_back(tensor(p + "attn_k.weight", {4096, 1024}, type));
    s.tensors.push_back(tensor(p + "attn_v.weight", {4096, 1024}, type));
    s.tensors.push_back(tensor(p + "attn_output.weight", {4096, 4096}, type));
    s.tensors.push_back(tensor(p + "ffn_norm.weight", {4096}, GgmlType::f32));
    s.tensors.push_back(tensor(p + "ffn_gate.weight", {4096, 14336}, type));
    s.tensors.push_back(tensor(p + "ffn_up.weight", {4096, 14336}, type));
    s.tensors.push_back(tensor(p + "ffn_down.weight", {14336, 4096}, type));
  }
  s.tensors.push_back(tensor("output_norm.weight", {4096}, GgmlType::f32));
  s.tensors.push_back(tensor("output.weight", {4096, 128256}, type));
  return s;
}

TEST(GgufModel, Llama31_8bParametersMatchThePublishedCount) {
  ModelDescription m = gguf_to_model_description(parse_spec(llama31_8b()));
  // 8,030,261,248 parameters: meta-llama/Llama-3.1-8B model.safetensors.index.json total_size
  // 16,060,522,496 bytes at 2 bytes each.
  EXPECT_EQ(total_params(m), 16'060'522'496u / 2);
  EXPECT_EQ(m.name, "Llama 3.1 8B");
  EXPECT_EQ(m.model_type, "llama");
  EXPECT_EQ(m.num_layers, 32);
  EXPECT_EQ(m.vocab_size, 128256);
  EXPECT_EQ(m.max_position_embeddings, 131072);
  EXPECT_FALSE(m.tied_embeddings);
  ASSERT_EQ(m.layers.size(), 32u);
  EXPECT_EQ(m.layers[31].kind, LayerKind::attention);
  EXPECT_EQ(m.layers[31].num_heads, 32);
  EXPECT_EQ(m.layers[31].num_kv_heads, 8);
  EXPECT_EQ(m.layers[31].head_dim_k, 128);
  EXPECT_EQ(m.layers[31].window_tokens, 0);
  const Tensor& q = m.tensors[2];
  EXPECT_EQ(q.name, "blk.#.attn_q.weight");  // one record for the 32 layers
  EXPECT_EQ(q.role, TensorRole::q);
  EXPECT_EQ(q.layer, 0);
  EXPECT_EQ(q.layers, 32);
  EXPECT_EQ(m.tensors[0].role, TensorRole::embedding);
  EXPECT_EQ(m.tensors[0].shape, (std::vector<int64_t>{128256, 4096}));  // PyTorch order
  EXPECT_EQ(m.tensors[1].role, TensorRole::norm);
  EXPECT_EQ(m.tensors.back().role, TensorRole::lm_head);
}

TEST(GgufModel, QuantisedBytesAreTheStoredBytes) {
  ModelDescription m = gguf_to_model_description(parse_spec(llama31_8b(GgmlType::q4_K)));
  // One 4096-wide q4_K row is 16 blocks of 144 bytes (gguf-py GGML_QUANT_SIZES Q4_K:
  // 2 + 2 + QK_K//2 + 12 = 144); token_embd holds 128256 rows.
  EXPECT_EQ(m.tensors[0].bytes, 128256u * 16u * 144u);
  EXPECT_EQ(m.tensors[0].ggml_type, GgmlType::q4_K);
  EXPECT_EQ(m.weights_format, "gguf-q4_K");
  EXPECT_EQ(total_params(m), 16'060'522'496u / 2);  // logical shapes do not change
}

TEST(GgufModel, VocabularyFromTheTokenListAndTiedEmbeddings) {
  test::GgufSpec s = llama31_8b();
  s.metadata.erase(s.metadata.begin() + 9);  // llama.vocab_size
  s.metadata.emplace_back("tokenizer.ggml.tokens",
                          test::gguf_array(V::string, std::vector<std::string>(1000, "t")));
  s.tensors.pop_back();  // no output.weight: the LM head is the embedding
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.vocab_size, 1000);
  EXPECT_TRUE(m.tied_embeddings);
}

TEST(GgufModel, VocabularyFromTheTokenEmbeddingWhenNoKeySaysIt) {
  test::GgufSpec s = llama31_8b();
  s.metadata.erase(s.metadata.begin() + 9);  // llama.vocab_size; no tokenizer.ggml.tokens either
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.vocab_size, 128256);  // token_embd.weight's rows (Llama-3.1-8B config vocab_size)
}

test::GgufSpec small(std::string arch, uint32_t layers) {
  test::GgufSpec s;
  s.metadata = {
      {"general.architecture", gguf_str(arch)},
      {arch + ".block_count", gguf_u32(layers)},
      {arch + ".context_length", gguf_u32(8192)},
      {arch + ".embedding_length", gguf_u32(256)},
      {arch + ".feed_forward_length", gguf_u32(512)},
      {arch + ".attention.head_count", gguf_u32(8)},
      {arch + ".attention.head_count_kv", gguf_u32(4)},
      {arch + ".vocab_size", gguf_u32(1000)},
  };
  return s;
}

TEST(GgufModel, Gemma2AlternatesSlidingAndGlobalLayers) {
  // Gemma 2 (google/gemma-2-9b config: sliding_window 4096): even layers slide, odd are global
  // (transformers Gemma2: is_sliding = not bool(layer_idx % 2)).
  auto s = small("gemma2", 4);
  s.metadata.emplace_back("gemma2.attention.sliding_window", gguf_u32(4096));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.layers[0].window_tokens, 4096);
  EXPECT_EQ(m.layers[1].window_tokens, 0);
  EXPECT_EQ(m.layers[2].window_tokens, 4096);
  EXPECT_EQ(m.layers[3].window_tokens, 0);
}

TEST(GgufModel, ZeroWindowSwitchesSlidingOff) {
  auto s = small("gemma2", 2);
  s.metadata.emplace_back("gemma2.attention.sliding_window", gguf_u32(0));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.layers[0].window_tokens, 0);
}

TEST(GgufModel, Gemma3HasFiveLocalLayersPerGlobal) {
  // Gemma 3 technical report: "5 local layers for every global layer", local window 1024.
  auto s = small("gemma3", 12);
  s.metadata.emplace_back("gemma3.attention.sliding_window", gguf_u32(1024));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  int global = 0;
  for (const auto& l : m.layers) global += l.window_tokens == 0 ? 1 : 0;
  EXPECT_EQ(global, 2);
  EXPECT_EQ(m.layers[5].window_tokens, 0);
  EXPECT_EQ(m.layers[11].window_tokens, 0);
  EXPECT_EQ(m.layers[4].window_tokens, 1024);
}

TEST(GgufModel, SlidingWindowPatternArrayIsPerLayer) {
  auto s = small("gemma3", 3);
  s.metadata.emplace_back("gemma3.attention.sliding_window", gguf_u32(512));
  s.metadata.emplace_back("gemma3.attention.sliding_window_pattern",
                          test::gguf_array(V::boolean, std::vector<uint64_t>{0, 1, 1}));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.layers[0].window_tokens, 0);
  EXPECT_EQ(m.layers[1].window_tokens, 512);
}

TEST(GgufModel, PerLayerKvHeadsArray) {
  auto s = small("llama", 3);
  s.metadata[6] = {"llama.attention.head_count_kv",
                   test::gguf_array(V::i32, std::vector<int64_t>{2, 4, 8})};
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.layers[0].num_kv_heads, 2);
  EXPECT_EQ(m.layers[2].num_kv_heads, 8);
  EXPECT_EQ(m.layers[2].head_dim_k, 32);  // embedding_length / head_count = 256 / 8
}

TEST(GgufModel, DeepSeekV2LiteIsMlaWithExperts) {
  // DeepSeek-V2 paper (arXiv:2405.04434) §2.1 and deepseek-ai/DeepSeek-V2-Lite config.json:
  // kv_lora_rank 512, qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128, 64 routed
  // experts, 6 per token, 2 shared, first_k_dense_replace 1.
  test::GgufSpec s;
  s.metadata = {
      {"general.architecture", gguf_str("deepseek2")},
      {"deepseek2.block_count", gguf_u32(2)},
      {"deepseek2.context_length", gguf_u32(163840)},
      {"deepseek2.embedding_length", gguf_u32(2048)},
      {"deepseek2.feed_forward_length", gguf_u32(10944)},
      {"deepseek2.attention.head_count", gguf_u32(16)},
      {"deepseek2.attention.head_count_kv", gguf_u32(16)},
      {"deepseek2.attention.key_length", gguf_u32(192)},
      {"deepseek2.attention.value_length", gguf_u32(128)},
      {"deepseek2.attention.kv_lora_rank", gguf_u32(512)},
      {"deepseek2.rope.dimension_count", gguf_u32(64)},
      {"deepseek2.expert_count", gguf_u32(64)},
      {"deepseek2.expert_used_count", gguf_u32(6)},
      {"deepseek2.expert_shared_count", gguf_u32(2)},
      {"deepseek2.vocab_size", gguf_u32(102400)},
  };
  s.tensors.push_back(tensor("blk.0.ffn_gate.weight", {2048, 10944}, GgmlType::bf16));
  s.tensors.push_back(tensor("blk.1.ffn_gate_exps.weight", {2048, 1408, 64}, GgmlType::bf16));
  s.tensors.push_back(tensor("blk.1.ffn_down_shexp.weight", {2816, 2048}, GgmlType::bf16));
  s.tensors.push_back(tensor("blk.1.ffn_gate_inp.weight", {2048, 64}, GgmlType::f32));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[0].kind, LayerKind::mla);
  EXPECT_EQ(m.layers[0].kv_lora_rank, 512);
  EXPECT_EQ(m.layers[0].qk_rope_head_dim, 64);
  EXPECT_EQ(m.layers[0].head_dim_k, 192);  // qk_nope 128 + rope 64
  EXPECT_EQ(m.layers[0].head_dim_v, 128);
  EXPECT_FALSE(m.layers[0].moe);
  EXPECT_TRUE(m.layers[1].moe);
  EXPECT_EQ(m.num_experts, 64);
  EXPECT_EQ(m.experts_per_token, 6);
  EXPECT_EQ(m.num_shared_experts, 2);
  EXPECT_TRUE(m.tensors[1].routed);
  EXPECT_EQ(m.tensors[1].experts, 64);
  EXPECT_EQ(m.tensors[1].shape, (std::vector<int64_t>{64, 1408, 2048}));
  EXPECT_EQ(m.tensors[2].group, WeightGroup::experts);  // the shared expert
  EXPECT_FALSE(m.tensors[2].routed);
  EXPECT_EQ(m.tensors[3].role, TensorRole::router);
}

TEST(GgufModel, Mamba130mStates) {
  // state-spaces/mamba-130m config: d_model 768, expand 2 (d_inner 1536), d_state 16, d_conv 4.
  test::GgufSpec s;
  s.metadata = {
      {"general.architecture", gguf_str("mamba")}, {"mamba.block_count", gguf_u32(24)},
      {"mamba.context_length", gguf_u32(1048576)}, {"mamba.embedding_length", gguf_u32(768)},
      {"mamba.ssm.conv_kernel", gguf_u32(4)},      {"mamba.ssm.inner_size", gguf_u32(1536)},
      {"mamba.ssm.state_size", gguf_u32(16)},      {"mamba.ssm.time_step_rank", gguf_u32(48)},
      {"mamba.vocab_size", gguf_u32(50280)},
  };
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  ASSERT_EQ(m.layers.size(), 24u);
  EXPECT_EQ(m.layers[0].kind, LayerKind::mamba);
  EXPECT_EQ(m.layers[0].conv_state_elements, 3 * 1536);  // (d_conv - 1) · d_inner
  EXPECT_EQ(m.layers[0].ssm_state_elements, 16 * 1536);  // d_state · d_inner
}

TEST(GgufModel, UnknownArchitectureIsReadOnlyWithPlainAttentionInEveryBlock) {
  // No tensors: nothing shows the blocks are plain attention, so no layout is guessed (issue 10).
  try {
    gguf_to_model_description(parse_spec(small("newarch", 2)));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "m.gguf: architecture 'newarch' has no mapping in llmem; its stored tensors "
                  "give the weights but not its KV cache: block 0 has no blk.0.attn_q.weight "
                  "tensor",
                  0),
              0u)
        << e.what();
  }
  // Every block with attn_q/attn_k/attn_v/attn_output: read as a standard decoder, with a note.
  auto s = small("newarch", 2);
  for (int i = 0; i < 2; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    s.tensors.push_back(tensor(p + "attn_q.weight", {256, 256}, GgmlType::f16));
    s.tensors.push_back(tensor(p + "attn_k.weight", {256, 128}, GgmlType::f16));
    s.tensors.push_back(tensor(p + "attn_v.weight", {256, 128}, GgmlType::f16));
    s.tensors.push_back(tensor(p + "attn_output.weight", {256, 256}, GgmlType::f16));
  }
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[1].num_kv_heads, 4);
  ASSERT_FALSE(m.notes.empty());
  EXPECT_EQ(m.notes.back().substr(0, 70),
            "m.gguf: architecture 'newarch' has no dedicated mapping: the weights a");
  // A window key: refused, naming it.
  s.metadata.push_back({"newarch.attention.sliding_window", gguf_u32(4096)});
  EXPECT_THROW(gguf_to_model_description(parse_spec(s)), InputError);
}

TEST(GgufModel, MissingOrBadKeysNameTheKey) {
  auto s = small("llama", 2);
  s.metadata.erase(s.metadata.begin() + 1);
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: missing required key 'llama.block_count'");

  s = small("llama", 2);
  s.metadata.erase(s.metadata.begin());
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: missing required key 'general.architecture'");

  s = small("llama", 2);
  s.metadata[1].second = gguf_str("32");
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: key 'llama.block_count' must be an integer but is string");

  s = small("llama", 2);
  s.metadata[1].second = gguf_u32(0);
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: llama.block_count is 0 but must be in [1, 4096]");

  s = small("llama", 2);
  s.metadata[6].second = test::gguf_array(V::u32, std::vector<uint64_t>{4, 4, 4});
  EXPECT_THROW_MSG(
      gguf_to_model_description(parse_spec(s)), FormatError,
      "m.gguf: key 'llama.attention.head_count_kv' has 3 entries but block_count is 2");

  s = small("llama", 2);
  s.metadata[6].second = gguf_u32(3);
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: llama.attention.head_count=8 is not a multiple of "
                   "llama.attention.head_count_kv=3 on layer 0");

  s = small("gemma2", 2);
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: missing required key 'gemma2.attention.sliding_window'");

  s = small("llama", 2);
  s.metadata.erase(s.metadata.begin() + 7);
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: missing required key 'llama.vocab_size' (or 'tokenizer.ggml.tokens' "
                   "or a token_embd.weight tensor to count the vocabulary)");

  s = small("llama", 2);
  s.metadata.emplace_back("llama.expert_count", gguf_u32(8));
  EXPECT_THROW_MSG(gguf_to_model_description(parse_spec(s)), FormatError,
                   "m.gguf: missing required key 'llama.expert_used_count'");
}

TEST(GgufModel, OddTensorNamesStayOutsideTheLayerStack) {
  // Regression (fuzz corpus regress_tensor_name_blk_without_dot): "blk.<digits>" with no dot
  // after the number once overflowed a pointer in the name splitter.
  auto s = small("llama", 2);
  s.tensors.push_back(tensor("blk.7", {256}, GgmlType::f32));
  s.tensors.push_back(tensor("blk.x.attn_q.weight", {256}, GgmlType::f32));
  s.tensors.push_back(tensor("blk.-1.attn_q.weight", {256}, GgmlType::f32));
  s.tensors.push_back(tensor("blk.1.attn_q.weight", {256}, GgmlType::f32));
  ModelDescription m = gguf_to_model_description(parse_spec(s));
  EXPECT_EQ(m.tensors[0].layer, -1);
  EXPECT_EQ(m.tensors[1].layer, -1);
  EXPECT_EQ(m.tensors[2].layer, -1);
  EXPECT_EQ(m.tensors[3].layer, 1);
  EXPECT_EQ(m.tensors[3].role, TensorRole::q);
}

// ---- splits ----------------------------------------------------------------------------------

test::GgufSpec shard(uint32_t no, uint32_t count, std::vector<std::string> names) {
  auto s = small("llama", 1);
  s.metadata.emplace_back("split.no", test::gguf_u(V::u16, no));
  s.metadata.emplace_back("split.count", test::gguf_u(V::u16, count));
  if (no == 0) s.metadata.emplace_back("split.tensors.count", test::gguf_i(V::i32, 3));
  for (auto& n : names) s.tensors.push_back(tensor(n, {256}, GgmlType::f32));
  return s;
}

TEST(GgufSplit, MergesShardsInAnyOrder) {
  std::vector<GgufFile> files;
  files.push_back(parse_spec(shard(1, 2, {"blk.0.ffn_norm.weight"}), "m-00002-of-00002.gguf"));
  files.push_back(parse_spec(shard(0, 2, {"token_embd_norm.weight", "blk.0.attn_norm.weight"}),
                             "m-00001-of-00002.gguf"));
  GgufFile merged = merge_gguf_splits(std::move(files));
  ASSERT_EQ(merged.tensors.size(), 3u);
  EXPECT_EQ(merged.tensors[2].name, "blk.0.ffn_norm.weight");
  EXPECT_EQ(merged.tensors[2].split, 1u);
  EXPECT_EQ(merged.source, "m-00001-of-00002.gguf");
}

TEST(GgufSplit, RejectsInconsistentShards) {
  std::vector<GgufFile> files;
  files.push_back(parse_spec(shard(0, 3, {"a"}), "s1.gguf"));
  files.push_back(parse_spec(shard(1, 3, {"b"}), "s2.gguf"));
  EXPECT_THROW_MSG(merge_gguf_splits(files), FormatError,
                   "s1.gguf: split.count is 3 but 2 shards were given");

  files = {parse_spec(shard(0, 2, {"a"}), "s1.gguf"), parse_spec(shard(0, 2, {"b"}), "s2.gguf")};
  EXPECT_THROW_MSG(merge_gguf_splits(files), FormatError,
                   "s2.gguf: split.no 0 appears twice or out of sequence; expected each of 0..1 "
                   "once");

  files = {parse_spec(shard(0, 2, {"a", "b"}), "s1.gguf"),
           parse_spec(shard(1, 2, {"a"}), "s2.gguf")};
  EXPECT_THROW_MSG(merge_gguf_splits(files), FormatError,
                   "s2.gguf: tensor 'a' also appears in an earlier shard");

  files = {parse_spec(shard(0, 2, {"a"}), "s1.gguf"), parse_spec(shard(1, 2, {"b"}), "s2.gguf")};
  EXPECT_THROW_MSG(merge_gguf_splits(files), FormatError,
                   "s1.gguf: split.tensors.count is 3 but the shards hold 2 tensors");
}

// ---- local files -----------------------------------------------------------------------------

std::string write_file(const std::string& name, const test::GgufSpec& spec) {
  auto dir = std::filesystem::temp_directory_path() / "llmem_gguf_test";
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  auto img = test::write_gguf(spec);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(img.header.bytes.data(), static_cast<std::streamsize>(img.header.bytes.size()));
  }
  std::filesystem::resize_file(path, img.file_size);
  return path;
}

TEST(GgufFileHelper, ReadsAHeaderLargerThanTheFirstRead) {
  // A 3 MiB token list forces the reader past its first 1 MiB read.
  auto s = small("llama", 1);
  s.metadata.emplace_back(
      "tokenizer.ggml.tokens",
      test::gguf_array(V::string, std::vector<std::string>(100000, std::string(24, 'x'))));
  s.tensors.push_back(tensor("token_embd.weight", {256, 1000}, GgmlType::f16));
  auto path = write_file("big-header.gguf", s);
  GgufFile f = read_gguf_file(path);
  EXPECT_GT(f.header_bytes, uint64_t{3} << 20);
  EXPECT_EQ(f.find("tokenizer.ggml.tokens")->array_size(), 100000u);
  EXPECT_EQ(f.tensors[0].bytes, 256u * 1000u * 2u);
}

TEST(GgufFileHelper, LoadsAllSplitsFromTheFirst) {
  write_file("split-00002-of-00002.gguf", shard(1, 2, {"blk.0.ffn_norm.weight"}));
  auto first = write_file("split-00001-of-00002.gguf",
                          shard(0, 2, {"token_embd_norm.weight", "blk.0.attn_norm.weight"}));
  GgufFile f = read_gguf_model(first);
  EXPECT_EQ(f.tensors.size(), 3u);
  EXPECT_THROW_MSG(read_gguf_file(first + ".missing"), InputError,
                   first + ".missing: cannot read the file: No such file or directory");
}

}  // namespace
}  // namespace llmem
