// Checkpoint summaries and reconcile(): a small Llama-shaped config.json against checkpoints the
// test writes, each disagreeing in one way (a missing LM head, a vision tower, quantised layers,
// fp32 storage …). Expected bytes are what the test itself wrote into the files.
#include "llmem/formats/checkpoint.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "formats/model_test_util.h"
#include "formats/safetensors_writer.h"
#include "llmem/formats/hf_config.h"
#include "test_util.h"

namespace llmem {
namespace {

using test::wt;
using test::WTensor;

// hidden 64, 2 layers, 4 heads of 16, 2 KV heads, intermediate 128, vocabulary 100.
std::string small_config(bool tied = false, const std::string& dtype = "bfloat16") {
  return R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 256,
    "tie_word_embeddings": )" +
         std::string(tied ? "true" : "false") + R"(, "torch_dtype": ")" + dtype + "\"}";
}

ModelDescription small_model(bool tied = false) {
  return load_hf_config(small_config(tied), {.source = "config.json"});
}

// The tensors a transformers LlamaForCausalLM of that config saves, written out by hand.
std::vector<WTensor> llama_tensors(const std::string& dtype = "BF16", bool lm_head = true) {
  std::vector<WTensor> t = {wt("model.embed_tokens.weight", dtype, {100, 64})};
  for (int i = 0; i < 2; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    t.push_back(wt(p + "input_layernorm.weight", dtype, {64}));
    t.push_back(wt(p + "self_attn.q_proj.weight", dtype, {64, 64}));
    t.push_back(wt(p + "self_attn.k_proj.weight", dtype, {32, 64}));
    t.push_back(wt(p + "self_attn.v_proj.weight", dtype, {32, 64}));
    t.push_back(wt(p + "self_attn.o_proj.weight", dtype, {64, 64}));
    t.push_back(wt(p + "post_attention_layernorm.weight", dtype, {64}));
    t.push_back(wt(p + "mlp.gate_proj.weight", dtype, {128, 64}));
    t.push_back(wt(p + "mlp.up_proj.weight", dtype, {128, 64}));
    t.push_back(wt(p + "mlp.down_proj.weight", dtype, {64, 128}));
  }
  t.push_back(wt("model.norm.weight", dtype, {64}));
  if (lm_head) t.push_back(wt("lm_head.weight", dtype, {100, 64}));
  return t;
}

// 2 × (100×64) + 2 × (64+4096+2048+2048+4096+64+3×8192) + 64 = 86,848 parameters; at 2 bytes:
constexpr uint64_t k_bf16_bytes = 173'696;

SafetensorsHeader header_of(const std::vector<WTensor>& t) {
  auto bytes = test::file_bytes(test::header_for(t), test::data_bytes(t));
  return parse_safetensors_header(bytes, bytes.size(), "model.safetensors");
}

Checkpoint checkpoint_of(const std::vector<WTensor>& t) {
  return make_checkpoint({{"model.safetensors", header_of(t)}});
}

void replace(std::vector<WTensor>& t, const std::string& name, std::vector<WTensor> with) {
  auto it = std::find_if(t.begin(), t.end(), [&](const auto& w) { return w.name == name; });
  ASSERT_NE(it, t.end()) << name;
  it = t.erase(it);
  t.insert(it, with.begin(), with.end());
}

Tensor tensor(const ModelDescription& m, const std::string& name) {
  return test::instance_of(m, name);
}

bool has_note(const ModelDescription& m, const std::string& note) {
  return std::find(m.notes.begin(), m.notes.end(), note) != m.notes.end();
}

TEST(Checkpoint, SummarisesBytesPerDtype) {
  auto t = llama_tensors();
  t.push_back(wt("extra.f32", "F32", {10}));
  auto c = checkpoint_of(t);
  EXPECT_EQ(c.total_bytes, k_bf16_bytes + 40);
  EXPECT_EQ(c.bytes_per_dtype.at(DType::bf16), k_bf16_bytes);
  EXPECT_EQ(c.bytes_per_dtype.at(DType::f32), 40u);
  EXPECT_EQ(c.tensors.size(), 22u);
  EXPECT_EQ(c.files, (std::vector<std::string>{"model.safetensors"}));
}

TEST(Checkpoint, MatchingCheckpointAgreesWithTheConfig) {
  auto m = small_model();
  uint64_t params = total_params(m);
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);
  reconcile(m, checkpoint_of(llama_tensors()));
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);
  EXPECT_EQ(total_params(m), params);
  EXPECT_EQ(m.weights_format, "bf16");
  EXPECT_EQ(m.notes.back(),
            "weights from the checkpoint headers: 173696 bytes (config.json alone gives 173696)");
}

TEST(Checkpoint, MissingLmHeadIsReportedAndKept) {
  auto m = small_model();
  reconcile(m, checkpoint_of(llama_tensors("BF16", false)));
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);  // the LM head is still allocated
  EXPECT_TRUE(has_note(m,
                       "lm_head.weight is not in the checkpoint although tie_word_embeddings is "
                       "false: transformers would initialise it randomly; its config-derived "
                       "12800 bytes are kept"));
}

TEST(Checkpoint, UnexpectedVisionTowerIsAdded) {
  auto m = small_model();
  auto t = llama_tensors();
  t.push_back(wt("vision_tower.blocks.0.attn.qkv.weight", "BF16", {192, 64}));
  t.push_back(wt("vision_tower.blocks.0.norm1.weight", "F32", {64}));
  t.push_back(wt("multi_modal_projector.linear_1.weight", "BF16", {64, 64}));
  reconcile(m, checkpoint_of(t));
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes + 24576 + 256 + 8192);
  EXPECT_EQ(tensor(m, "vision_tower.blocks.0.attn.qkv.weight").role, TensorRole::vision);
  EXPECT_EQ(tensor(m, "multi_modal_projector.linear_1.weight").role, TensorRole::projector);
  EXPECT_TRUE(has_note(m,
                       "the checkpoint has 2 vision tensors config.json does not describe (a "
                       "vision tower config.json's model lacks), first "
                       "'vision_tower.blocks.0.attn.qkv.weight': 24832 bytes added"));
  EXPECT_TRUE(has_note(m,
                       "the checkpoint has 1 projector tensors config.json does not describe, "
                       "first 'multi_modal_projector.linear_1.weight': 8192 bytes added"));
  EXPECT_TRUE(has_note(m, "checkpoint bytes per dtype: f32 256, bf16 206464"));
}

TEST(Checkpoint, GptqLayerCountsItsPackedPartsAndKeepsItsParameters) {
  auto m = small_model();
  uint64_t params = total_params(m);
  auto t = llama_tensors();
  // AutoGPTQ 4-bit, group 128: qweight [in/8, out] i32, qzeros [groups, out/8] i32,
  // scales [groups, out] f16, g_idx [in] i32 for down_proj (in 128, out 64).
  replace(t, "model.layers.0.mlp.down_proj.weight",
          {wt("model.layers.0.mlp.down_proj.g_idx", "I32", {128}),
           wt("model.layers.0.mlp.down_proj.qweight", "I32", {16, 64}),
           wt("model.layers.0.mlp.down_proj.qzeros", "I32", {1, 8}),
           wt("model.layers.0.mlp.down_proj.scales", "F16", {1, 64})});
  reconcile(m, checkpoint_of(t));
  const Tensor down = tensor(m, "model.layers.0.mlp.down_proj.weight");
  EXPECT_EQ(down.bytes, 512u + 4096 + 32 + 128);
  EXPECT_EQ(down.dtype, DType::i32);
  EXPECT_EQ(down.storage, TensorStorage::quantised);  // parts: g_idx+qweight+qzeros+scales
  EXPECT_EQ(total_params(m), params);
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes - 16384 + 4768);
  EXPECT_TRUE(has_note(m,
                       "1 weights are stored quantised (parts: g_idx, qweight, qzeros, scales): "
                       "4768 bytes with their scales and zeros, counted from the checkpoint"));
}

TEST(Checkpoint, Fp8WeightWithScaleInverse) {
  auto m = small_model();
  auto t = llama_tensors();
  // DeepSeek-V3's layout: weight in F8_E4M3 plus weight_scale_inv, one f32 per 128×128 block.
  replace(t, "model.layers.1.self_attn.q_proj.weight",
          {wt("model.layers.1.self_attn.q_proj.weight", "F8_E4M3", {64, 64}),
           wt("model.layers.1.self_attn.q_proj.weight_scale_inv", "F32", {1, 1})});
  reconcile(m, checkpoint_of(t));
  const Tensor q = tensor(m, "model.layers.1.self_attn.q_proj.weight");
  EXPECT_EQ(q.bytes, 4096u + 4);
  EXPECT_EQ(q.dtype, DType::f8_e4m3);
  EXPECT_EQ(q.storage, TensorStorage::quantised);  // parts: weight+weight_scale_inv
  EXPECT_EQ(q.shape, (std::vector<int64_t>{64, 64}));
}

TEST(Checkpoint, BitsandbytesNf4Weight) {
  auto m = small_model();
  auto t = llama_tensors();
  // bitsandbytes 4-bit: the packed weight as U8 [elements/2, 1] plus its quant state.
  std::string w = "model.layers.0.mlp.up_proj.weight";
  replace(
      t, w,
      {wt(w, "U8", {4096, 1}), wt(w + ".absmax", "F32", {128}), wt(w + ".quant_map", "F32", {16}),
       wt(w + ".quant_state.bitsandbytes__nf4", "U8", {120})});
  reconcile(m, checkpoint_of(t));
  const Tensor up = tensor(m, w);
  EXPECT_EQ(up.bytes, 4096u + 512 + 64 + 120);
  // parts: weight+weight.absmax+weight.quant_map+weight.quant_state
  EXPECT_EQ(up.storage, TensorStorage::quantised);
  EXPECT_EQ(up.shape, (std::vector<int64_t>{128, 64}));
}

TEST(Checkpoint, Fp32CheckpointUnderABf16Config) {
  auto m = small_model();
  reconcile(m, checkpoint_of(llama_tensors("F32")));
  EXPECT_EQ(weight_bytes(m), 2 * k_bf16_bytes);
  EXPECT_EQ(m.weights_format, "f32");
  EXPECT_TRUE(has_note(m,
                       "the checkpoint stores mostly f32 although config.json torch_dtype is bf16: "
                       "the stored bytes are used"));
}

TEST(Checkpoint, StoredLmHeadUnderATiedConfig) {
  auto m = small_model(true);
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes - 12800);
  reconcile(m, checkpoint_of(llama_tensors()));
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);
  EXPECT_EQ(tensor(m, "lm_head.weight").role, TensorRole::lm_head);
  EXPECT_TRUE(has_note(m,
                       "the checkpoint has 1 lm_head tensors config.json does not describe (an LM "
                       "head although tie_word_embeddings is true), first 'lm_head.weight': 12800 "
                       "bytes added"));
}

TEST(Checkpoint, ReshapedTensorIsReported) {
  auto m = small_model();
  auto t = llama_tensors();
  replace(t, "model.embed_tokens.weight", {wt("model.embed_tokens.weight", "BF16", {128, 64})});
  reconcile(m, checkpoint_of(t));
  EXPECT_EQ(tensor(m, "model.embed_tokens.weight").bytes, 16384u);
  EXPECT_EQ(tensor(m, "model.embed_tokens.weight").shape, (std::vector<int64_t>{100, 64}));
  EXPECT_TRUE(has_note(m,
                       "1 stored tensors have another element count than config.json implies "
                       "(first: 'model.embed_tokens.weight'); the stored bytes are used and the "
                       "parameter count stays config.json's"));
}

TEST(Checkpoint, ForeignNamingLeavesTheConfigAlone) {
  auto m = small_model();
  reconcile(m, checkpoint_of({wt("tok_embeddings.weight", "BF16", {100, 64}),
                              wt("layers.0.attention.wq.weight", "BF16", {64, 64})}));
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);
  EXPECT_EQ(m.notes.back(),
            "checkpoint tensor names do not follow config.json's model (0 of 21 described "
            "tensors found, e.g. 'model.embed_tokens.weight'): weights stay as config.json "
            "describes them; the checkpoint holds 20992 bytes");
}

TEST(Checkpoint, Gpt2NamesWithoutTheTransformerPrefixStillMatch) {
  ModelDescription m;
  m.tensors.push_back({.name = "transformer.wte.weight", .shape = {10, 4}, .bytes = 80});
  m.tensors.push_back(
      {.name = "transformer.h.0.attn.c_attn.weight", .shape = {4, 12}, .bytes = 96});
  reconcile(m, checkpoint_of({wt("wte.weight", "F32", {10, 4}),
                              wt("h.0.attn.c_attn.weight", "F32", {4, 12})}));
  EXPECT_EQ(weight_bytes(m), 160u + 192);
  EXPECT_EQ(m.tensors.size(), 2u);
}

// --- Shards and the index ------------------------------------------------------------------

struct TwoShards {
  std::vector<WTensor> a = {wt("x", "BF16", {4}), wt("y", "F32", {2})};
  std::vector<WTensor> b = {wt("z", "U8", {3})};
};

SafetensorsIndex index_of(const std::string& text) {
  return parse_safetensors_index(text, "model.safetensors.index.json");
}

TEST(CheckpointShards, CombinesShardsWithTheirIndex) {
  TwoShards s;
  auto idx = index_of(R"({"metadata": {"total_size": 19},
    "weight_map": {"x": "a.safetensors", "y": "a.safetensors", "z": "b.safetensors"}})");
  auto c =
      make_checkpoint({{"a.safetensors", header_of(s.a)}, {"b.safetensors", header_of(s.b)}}, &idx);
  EXPECT_EQ(c.total_bytes, 19u);
  EXPECT_EQ(c.index_total_size, 19u);
  EXPECT_TRUE(c.notes.empty());
  EXPECT_EQ(c.tensors[2].file, "b.safetensors");
}

TEST(CheckpointShards, DisagreementsWithTheIndex) {
  TwoShards s;
  std::vector<CheckpointShard> shards = {{"a.safetensors", header_of(s.a)},
                                         {"b.safetensors", header_of(s.b)}};
  auto wrong_total = index_of(R"({"metadata": {"total_size": 20},
    "weight_map": {"x": "a.safetensors", "y": "a.safetensors"}})");
  auto c = make_checkpoint(shards, &wrong_total);
  EXPECT_EQ(c.notes, (std::vector<std::string>{
                         "model.safetensors.index.json: 1 tensors in the shards are not in "
                         "weight_map (first: 'z'); they are counted, as loading the shards reads "
                         "them",
                         "model.safetensors.index.json: metadata.total_size is 20 bytes but the "
                         "shards' headers hold 19 bytes of tensors; the headers are used"}));
  auto misplaced = index_of(R"({"weight_map": {"x": "b.safetensors"}})");
  EXPECT_THROW_MSG(make_checkpoint(shards, &misplaced), FormatError,
                   "model.safetensors.index.json: weight_map puts tensor 'x' in b.safetensors, "
                   "but that shard's header has no such tensor");
  auto unknown = index_of(R"({"weight_map": {"x": "a.safetensors", "q": "c.safetensors"}})");
  EXPECT_THROW_MSG(make_checkpoint(shards, &unknown), FormatError,
                   "model.safetensors.index.json: shard 'c.safetensors' is listed in weight_map "
                   "but was not read");
  EXPECT_THROW_MSG(
      make_checkpoint({{"a.safetensors", header_of(s.a)}, {"c.safetensors", header_of(s.a)}}),
      FormatError,
      "c.safetensors: tensor 'x' is also in a.safetensors; a tensor must be stored once");
}

TEST(CheckpointShards, WeightsOnlyDescription) {
  auto m = describe_checkpoint(checkpoint_of(llama_tensors()), "tiny", "tiny.safetensors");
  EXPECT_EQ(weight_bytes(m), k_bf16_bytes);
  EXPECT_EQ(m.vocab_size, 100);
  EXPECT_EQ(m.hidden_size, 64);
  EXPECT_EQ(m.num_layers, 0);
  EXPECT_EQ(tensor(m, "model.layers.1.mlp.up_proj.weight").role, TensorRole::up);
  EXPECT_EQ(tensor(m, "model.layers.1.mlp.up_proj.weight").layer, 1);
  EXPECT_EQ(tensor(m, "model.layers.0.self_attn.k_proj.weight").role, TensorRole::k);
  EXPECT_EQ(tensor(m, "model.norm.weight").role, TensorRole::norm);
  EXPECT_EQ(tensor(m, "lm_head.weight").role, TensorRole::lm_head);
  EXPECT_EQ(tensor(m, "model.embed_tokens.weight").role, TensorRole::embedding);
}

}  // namespace
}  // namespace llmem
