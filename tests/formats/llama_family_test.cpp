// Llama-style dense decoders (Phi, Gemma and their multimodal wrappers) against independent
// figures: safetensors total_size of real checkpoints, published parameter counts (within the
// precision the publisher printed, said beside each), per-layer KV layout from transformers'
// rules, and exact bad-input messages.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/model_test_util.h"
#include "llmem/common/error.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/files.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription load_shared(const std::string& file, HfConfigOptions o = {}) {
  return load_hf_config_file(test::shared_dir() + "/models/" + file, o);
}

ModelDescription load_data(const std::string& file) {
  return load_hf_config_file(test::source_dir() + "/tests/formats/data/" + file);
}

nlohmann::json shared_json(const std::string& file) {
  return nlohmann::json::parse(test::read_file(test::shared_dir() + "/models/" + file));
}

ModelDescription load_json(const nlohmann::json& j) {
  return load_hf_config(j.dump(), {.source = "config.json"});
}

using test::find_tensor;
using test::params_with_role;

// |value - published| <= tolerance, all in parameters.
void expect_near_count(uint64_t value, double published, double tolerance) {
  EXPECT_LE(std::fabs(static_cast<double>(value) - published), tolerance)
      << value << " vs published " << published;
}

// google/gemma-3-4b-it's config.json shape as released (transformers 4.50.0.dev0): its
// text_config names only six keys and relies on Gemma3TextConfig defaults for the rest
// (8 heads, 4 KV heads, head_dim 256, vocab 262,208).
nlohmann::json gemma3_4b_config() {
  return {{"architectures", {"Gemma3ForConditionalGeneration"}},
          {"boi_token_index", 255999},
          {"eoi_token_index", 256000},
          {"eos_token_id", {1, 106}},
          {"image_token_index", 262144},
          {"initializer_range", 0.02},
          {"mm_tokens_per_image", 256},
          {"model_type", "gemma3"},
          {"text_config",
           {{"hidden_size", 2560},
            {"intermediate_size", 10240},
            {"model_type", "gemma3_text"},
            {"num_hidden_layers", 34},
            {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}},
            {"sliding_window", 1024}}},
          {"torch_dtype", "bfloat16"},
          {"transformers_version", "4.50.0.dev0"},
          {"vision_config",
           {{"hidden_size", 1152},
            {"image_size", 896},
            {"intermediate_size", 4304},
            {"model_type", "siglip_vision_model"},
            {"num_attention_heads", 16},
            {"num_hidden_layers", 27},
            {"patch_size", 14},
            {"vision_use_head", false}}}};
}

TEST(Phi, Phi3MiniShapeMatchesCheckpointBytes) {
  // 7,642,159,104 bytes: metadata.total_size of YouriLalain/3PRYMMAL-PHI3-3B-SLERP
  // model.safetensors.index.json @ cfe714af (INDEX.json), bf16, Phi-3-mini shapes.
  auto m = load_shared("prymmal-phi3-3b-slerp.json");
  EXPECT_EQ(weight_bytes(m), 7'642'159'104u);
  const Tensor* qkv = find_tensor(m, "model.layers.0.self_attn.qkv_proj.weight");
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(qkv->shape, (std::vector<int64_t>{9216, 3072}));
  EXPECT_EQ(qkv->split, TpSplit::column);
  const Tensor* gate_up = find_tensor(m, "model.layers.31.mlp.gate_up_proj.weight");
  ASSERT_NE(gate_up, nullptr);
  EXPECT_EQ(gate_up->shape, (std::vector<int64_t>{16384, 3072}));
}

TEST(Phi, Phi2MatchesCheckpointBytes) {
  // 5,559,367,680 bytes: microsoft/phi-2 model.safetensors.index.json metadata.total_size (fp16),
  // as quoted with the config in neobundy/Deep-Dive-Into-AI-With-MLX-PyTorch (see
  // tests/formats/data/phi-2.source.txt).
  auto m = load_data("phi-2.json");
  EXPECT_EQ(weight_bytes(m), 5'559'367'680u);
  EXPECT_NE(find_tensor(m, "lm_head.bias"), nullptr);
  EXPECT_NE(find_tensor(m, "model.final_layernorm.bias"), nullptr);
  EXPECT_NE(find_tensor(m, "model.layers.31.self_attn.dense.bias"), nullptr);
}

TEST(Gemma, Gemma2_9bNonEmbeddingCountIsExact) {
  // 8,324,201,984 non-embedding parameters: Gemma 2 report (arXiv:2408.00118) Table 2.
  auto m = load_shared("gemma-2-9b.json");
  EXPECT_EQ(non_embedding_params(m), 8'324'201'984u);
  // The report's embedding row, 917,962,752, uses 256,128 rows; the config has 256,000, so the
  // total is 128 rows of 3,584 below the report's 9,242,164,736.
  EXPECT_EQ(total_params(m), 9'242'164'736u - 128u * 3584u);
  EXPECT_TRUE(m.tied_embeddings);
  EXPECT_EQ(find_tensor(m, "lm_head.weight"), nullptr);
  EXPECT_NE(find_tensor(m, "model.layers.41.post_feedforward_layernorm.weight"), nullptr);
  EXPECT_EQ(m.layers[0].head_dim_k, 256);  // head_dim 256 although 3584 / 16 = 224
}

TEST(Phi, Phi3MiniAndPhi4MatchPublishedCounts) {
  // "a 3.8B parameters" (microsoft/Phi-3-mini-4k-instruct card): one decimal, tolerance 0.05B.
  auto mini = load_shared("phi-3-mini-4k-instruct.json");
  expect_near_count(total_params(mini), 3.8e9, 0.05e9);
  // "14B parameters" (microsoft/phi-4 card): our count is 14.66B, so the card truncates to
  // whole billions: 14B <= total < 15B.
  auto phi4 = load_shared("phi-4.json");
  EXPECT_GE(total_params(phi4), 14'000'000'000u);
  EXPECT_LT(total_params(phi4), 15'000'000'000u);
  const Tensor* qkv = find_tensor(phi4, "model.layers.0.self_attn.qkv_proj.weight");
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(qkv->shape, (std::vector<int64_t>{5120 + 2 * 10 * 128, 5120}));  // GQA 40/10
}

TEST(Gemma, Gemma3_1bMatchesKerasHubCount) {
  // 999,885,952: keras-team/keras-hub gemma3_presets.py "gemma3_instruct_1b" params, the same
  // 1B architecture and vocabulary (262,144) as google/gemma-3-1b-it's config.json
  // (tests/formats/data/gemma-3-1b-it.source.txt).
  auto m = load_data("gemma-3-1b-it.json");
  EXPECT_EQ(total_params(m), 999'885'952u);
  EXPECT_NE(find_tensor(m, "model.layers.0.self_attn.q_norm.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "lm_head.weight"), nullptr);  // tied by default
}

TEST(Gemma, Gemma3_4bMultimodalMatchesKerasHubCounts) {
  auto m = load_json(gemma3_4b_config());
  // 4,300,079,472: keras-hub gemma3_presets.py "medgemma_4b" params (Gemma 3 4B vision+text with
  // the 262,208-row vocabulary of this config).
  EXPECT_EQ(total_params(m), 4'300'079'472u);
  // Vision tower + projector: keras-hub "gemma3_4b" (4,299,915,632, vision+text) minus
  // "gemma3_4b_text" (3,880,099,328).
  EXPECT_EQ(params_with_role(m, TensorRole::vision) + params_with_role(m, TensorRole::projector),
            4'299'915'632u - 3'880'099'328u);
  EXPECT_EQ(m.num_attention_heads, 8);
  EXPECT_EQ(m.num_kv_heads, 4);
  EXPECT_EQ(m.vocab_size, 262208);
  EXPECT_NE(find_tensor(m, "language_model.model.layers.33.self_attn.k_norm.weight"), nullptr);
  const Tensor* proj = find_tensor(m, "multi_modal_projector.mm_input_projection_weight");
  ASSERT_NE(proj, nullptr);
  EXPECT_EQ(proj->shape, (std::vector<int64_t>{1152, 2560}));
  EXPECT_EQ(proj->role, TensorRole::projector);
  const Tensor* patch =
      find_tensor(m, "vision_tower.vision_model.embeddings.patch_embedding.weight");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(patch->split, TpSplit::replicated);
  bool noted = false;
  for (const auto& n : m.notes) {
    noted |= n ==
             "config.json: text_config.num_attention_heads is absent; transformers' "
             "Gemma3TextConfig default 8 is used";
  }
  EXPECT_TRUE(noted);
}

TEST(Gemma, Gemma2SlidesOnEvenLayers) {
  // Gemma2Attention: sliding_window when layer_idx % 2 == 0 (transformers modular_gemma2.py);
  // Gemma2Config: layer_types[i] = sliding when (i + 1) % 2 != 0.
  auto m = load_shared("gemma-2-9b.json");
  ASSERT_EQ(m.layers.size(), 42u);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    EXPECT_EQ(m.layers[i].window_tokens, i % 2 == 0 ? 4096 : 0) << "layer " << i;
  }
}

TEST(Gemma, Gemma3TextHasFiveLocalLayersPerGlobal) {
  // sliding_window_pattern 6: layer i is global when (i + 1) % 6 == 0 (Gemma3TextConfig).
  auto m = load_data("gemma-3-1b-it.json");
  ASSERT_EQ(m.layers.size(), 26u);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    bool global = i == 5 || i == 11 || i == 17 || i == 23;
    EXPECT_EQ(m.layers[i].window_tokens, global ? 0 : 512) << "layer " << i;
    EXPECT_EQ(m.layers[i].num_kv_heads, 1);
  }
  auto mm = load_json(gemma3_4b_config());
  EXPECT_EQ(mm.layers[4].window_tokens, 1024);
  EXPECT_EQ(mm.layers[5].window_tokens, 0);
  EXPECT_EQ(mm.layers[33].window_tokens, 1024);
}

TEST(Phi, Phi3MiniWindowsEveryLayer) {
  // Phi3Attention passes config.sliding_window (2047) to every layer; Phi-4's is null.
  auto mini = load_shared("phi-3-mini-4k-instruct.json");
  for (const auto& l : mini.layers) EXPECT_EQ(l.window_tokens, 2047);
  auto phi4 = load_shared("phi-4.json");
  for (const auto& l : phi4.layers) EXPECT_EQ(l.window_tokens, 0);
}

TEST(WrapperBadInput, RejectsBadWrapperAndLayerLists) {
  nlohmann::json j = shared_json("llama-4-scout-17b-16e-instruct.json");
  j.erase("text_config");
  j["hidden_size"] = 5120;
  EXPECT_THROW_MSG(load_json(j), InputError, "config.json: text_config is missing");
  j = shared_json("llama-4-scout-17b-16e-instruct.json");
  j["text_config"]["no_rope_layers"] = {1, 1, 0};
  EXPECT_THROW_MSG(load_json(j), InputError,
                   "config.json: text_config.no_rope_layers has 3 entries but num_hidden_layers "
                   "is 48");
  nlohmann::json g = gemma3_4b_config();
  g["text_config"]["layer_types"] = {"sliding_attention"};
  EXPECT_THROW_MSG(load_json(g), InputError,
                   "config.json: text_config.layer_types has 1 entries but num_hidden_layers is "
                   "34");
  nlohmann::json v = gemma3_4b_config();
  v["vision_config"]["patch_size"] = 15;
  EXPECT_THROW_MSG(load_json(v), InputError,
                   "config.json: vision_config.patch_size is 15 but must divide image_size=896");
}

// ---- table rows of the Llama family, worked by hand from a tiny config ------------------------
// h 64, 4 heads of 16, 2 K/V heads, intermediate 128, vocab 1000, 2 layers, bf16.
nlohmann::json tiny(const std::string& type) {
  return {{"model_type", type},       {"hidden_size", 64},        {"num_hidden_layers", 2},
          {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"intermediate_size", 128},
          {"vocab_size", 1000},       {"torch_dtype", "bfloat16"}};
}

std::vector<int64_t> shape(const ModelDescription& m, const std::string& name) {
  const Tensor* t = find_tensor(m, name);
  return t == nullptr ? std::vector<int64_t>{} : t->shape;
}

TEST(LlamaFamily, Olmo2NormsFollowEachBlockOverTheWholeProjection) {
  auto m = load_json(tiny("olmo2"));
  const std::string l = "model.layers.1.";
  EXPECT_EQ(find_tensor(m, l + "input_layernorm.weight"), nullptr);
  EXPECT_EQ(shape(m, l + "post_feedforward_layernorm.weight"), (std::vector<int64_t>{64}));
  EXPECT_EQ(shape(m, l + "self_attn.q_norm.weight"), (std::vector<int64_t>{64}));  // 4 × 16
  EXPECT_EQ(shape(m, l + "self_attn.k_norm.weight"), (std::vector<int64_t>{32}));  // 2 × 16
  // OLMo (v1) has parameter-free LayerNorms: no norm tensor at all.
  for (const auto& t : load_json(tiny("olmo")).tensors) EXPECT_NE(t.role, TensorRole::norm);
}

TEST(LlamaFamily, CohereRunsAttentionAndMlpInParallelAndTies) {
  auto j = tiny("cohere");
  j["use_qk_norm"] = true;
  auto m = load_json(j);
  EXPECT_EQ(find_tensor(m, "model.layers.0.post_attention_layernorm.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "model.layers.0.input_layernorm.bias"), nullptr);  // weight only
  EXPECT_EQ(shape(m, "model.layers.0.self_attn.q_norm.weight"), (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(shape(m, "model.layers.0.self_attn.k_norm.weight"), (std::vector<int64_t>{2, 16}));
  EXPECT_EQ(find_tensor(m, "lm_head.weight"), nullptr);  // CohereConfig ties by default
  // Cohere 2: three of every four layers slide (sliding_window_pattern 4).
  auto c2 = tiny("cohere2");
  c2["num_hidden_layers"] = 4;
  c2["sliding_window"] = 4096;
  auto w = load_json(c2);
  EXPECT_EQ(w.layers[0].window_tokens, 4096);
  EXPECT_EQ(w.layers[3].window_tokens, 0);
}

TEST(LlamaFamily, Starcoder2NemotronGlm4AndExaone4Layouts) {
  auto s = load_json(tiny("starcoder2"));
  EXPECT_EQ(shape(s, "model.layers.0.mlp.c_fc.bias"), (std::vector<int64_t>{128}));
  EXPECT_NE(find_tensor(s, "model.layers.0.self_attn.o_proj.bias"), nullptr);  // use_bias
  EXPECT_NE(find_tensor(s, "model.norm.bias"), nullptr);
  auto n = load_json(tiny("nemotron"));
  EXPECT_EQ(find_tensor(n, "model.layers.0.mlp.gate_proj.weight"), nullptr);
  EXPECT_EQ(shape(n, "model.layers.0.mlp.up_proj.weight"), (std::vector<int64_t>{128, 64}));
  EXPECT_NE(find_tensor(n, "model.layers.0.input_layernorm.bias"), nullptr);
  auto g = load_json(tiny("glm4"));
  EXPECT_EQ(shape(g, "model.layers.0.mlp.gate_up_proj.weight"), (std::vector<int64_t>{256, 64}));
  EXPECT_NE(find_tensor(g, "model.layers.0.post_mlp_layernorm.weight"), nullptr);
  EXPECT_NE(find_tensor(g, "model.layers.0.self_attn.q_proj.bias"), nullptr);  // default true
  EXPECT_EQ(find_tensor(g, "model.layers.0.self_attn.o_proj.bias"), nullptr);
  auto e = load_json(tiny("exaone4"));
  EXPECT_EQ(shape(e, "model.layers.0.self_attn.k_norm.weight"), (std::vector<int64_t>{16}));
  EXPECT_EQ(find_tensor(e, "model.layers.0.input_layernorm.weight"), nullptr);
  auto h = tiny("hunyuan_v1_dense");
  h["use_qk_norm"] = true;
  EXPECT_NE(find_tensor(load_json(h), "model.layers.1.self_attn.query_layernorm.weight"), nullptr);
  auto so = load_json(tiny("seed_oss"));
  EXPECT_NE(find_tensor(so, "model.layers.0.self_attn.k_proj.bias"), nullptr);
  EXPECT_EQ(find_tensor(so, "model.layers.0.self_attn.o_proj.bias"), nullptr);
  EXPECT_EQ(find_tensor(load_json(tiny("ernie4_5")), "lm_head.weight"), nullptr);  // tied
}

TEST(LlamaFamily, MimoDescribesItsMtpLayerOutsideTheStack) {
  auto j = tiny("mimo");
  j["num_nextn_predict_layers"] = 1;
  auto m = load_json(j);
  const Tensor* proj = find_tensor(m, "model.mtp_layers.0.input_proj.weight");
  ASSERT_NE(proj, nullptr);
  EXPECT_EQ(proj->shape, (std::vector<int64_t>{64, 128}));
  EXPECT_EQ(proj->group, WeightGroup::mtp);
  EXPECT_EQ(find_tensor(m, "model.mtp_layers.0.self_attn.q_proj.bias")->group, WeightGroup::mtp);
  EXPECT_EQ(m.layers.size(), 2u);
}

TEST(LlamaFamily, ContextLimitFollowsRopeScalingAsVllmDerivesIt) {
  auto j = tiny("qwen2");
  j["max_position_embeddings"] = 32768;
  j["rope_scaling"] = {
      {"type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}};
  auto m = load_json(j);
  EXPECT_EQ(m.context_limit, 131072);
  EXPECT_EQ(m.context_limit_basis,
            "context limit = 131072 (max_position_embeddings = 32768 × rope scaling yarn factor 4, "
            "as vLLM derives max_model_len)");
  j["rope_scaling"]["original_max_position_embeddings"] = 8192;  // yarn scales the original
  EXPECT_EQ(load_json(j).context_limit, 32768);
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}};  // already in the length
  EXPECT_EQ(load_json(j).context_limit, 32768);
}

}  // namespace
}  // namespace llmem
