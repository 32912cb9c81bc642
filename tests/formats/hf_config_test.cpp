// config.json → ModelDescription: parameter counts against independent published figures, and
// the messages for bad input. Each golden value names its source beside it.
#include "llmem/formats/hf_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/model_test_util.h"
#include "llmem/common/error.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/sources/files.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription load_shared(const std::string& file) {
  return load_hf_config_file(test::shared_dir() + "/models/" + file);
}

TEST(HfConfig, Llama31_8bMatchesCheckpointBytes) {
  // A Llama-3.1-8B-shaped bf16 checkpoint is 16,060,522,496 bytes (issue 3; the
  // model.safetensors.index.json total_size of meta-llama/Llama-3.1-8B).
  auto m = load_shared("llama-3.1-8b.json");
  EXPECT_EQ(weight_bytes(m), 16'060'522'496u);
  EXPECT_EQ(total_params(m) * 2, 16'060'522'496u);
  EXPECT_EQ(m.layers.size(), 32u);
  EXPECT_EQ(m.layers[0].num_kv_heads, 8);
}

TEST(HfConfig, InfinityAndDuplicateKeysAreHandledOnPurpose) {
  std::string text = R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
    "limit": [0.0, Infinity], "other": -Infinity, "n": NaN, "s": "Infinity inside a string",
    "vocab_size": 200, "torch_dtype": "bfloat16"})";
  auto m = load_hf_config(text, {.source = "config.json"});
  EXPECT_EQ(m.vocab_size, 200);  // last value wins, as Python's json.loads
  ASSERT_FALSE(m.notes.empty());
  EXPECT_EQ(m.notes[0],
            "config.json: duplicate key 'vocab_size'; the last value is used, as Python's json "
            "module does");
}

}  // namespace
}  // namespace llmem

namespace llmem {
namespace {

TEST(HfConfig, SwitchedOffWindowIsFullAttention) {
  // Qwen2.5-7B-Instruct's config has sliding_window 131072 with use_sliding_window false:
  // transformers' Qwen2Config then sets no window on any layer.
  auto m = load_shared("qwen2.5-7b-instruct.json");
  for (const auto& l : m.layers) EXPECT_EQ(l.window_tokens, 0);
  // Switched on with max_window_layers 2: layers from index 2 slide.
  std::string text = R"({"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 4,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
    "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2})";
  auto q = load_hf_config(text, {});
  EXPECT_EQ(q.layers[1].window_tokens, 0);
  EXPECT_EQ(q.layers[2].window_tokens, 32);
}

TEST(HfConfig, UnknownModelTypeIsRefusedListingWhatIsSupported) {
  try {
    load_hf_config(R"({"model_type": "rwkv", "hidden_size": 8})", {});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("config.json: model_type is \"rwkv\", which llmem has no builder for, so "
                         "its tensors cannot be derived from config.json; supported model types: "
                         "llama, mistral, ministral,",
                         0),
              0u)
        << what;
    EXPECT_NE(what.find("A model folder or Hub id (config.json with its safetensors) lets llmem "
                        "read the stored tensors instead, and the architecture setting treats the "
                        "config as one of the supported types"),
              std::string::npos)
        << what;
  }
}

// A Llama-shaped decoder's keys under model_types no builder knows: flat, nested in a wrapper's
// text_config, and with no top-level model_type beside a vision tower. None is estimated from
// config.json alone (issue 10: never another architecture behind exit 0) unless the
// architecture setting names a supported type, and then a note says so.
nlohmann::json decoder_keys() {
  return {{"hidden_size", 64},        {"num_hidden_layers", 2},   {"num_attention_heads", 4},
          {"num_key_value_heads", 2}, {"intermediate_size", 128}, {"vocab_size", 1000},
          {"torch_dtype", "bfloat16"}};
}

TEST(HfConfig, UnknownTypesFlatOrNestedAreNeverGuessed) {
  nlohmann::json flat = decoder_keys();
  flat["model_type"] = "mytype";
  nlohmann::json nested_known = {{"model_type", "mywrapper"},
                                 {"text_config", decoder_keys()},
                                 {"vision_config", {{"hidden_size", 32}}}};
  nested_known["text_config"]["model_type"] = "llama";
  nlohmann::json nested_unknown = nested_known;
  nested_unknown["text_config"]["model_type"] = "mytext";
  nlohmann::json no_top = nested_known;
  no_top.erase("model_type");
  nlohmann::json text_alias = decoder_keys();
  text_alias["model_type"] = "mytype_text";
  for (const auto& j : {flat, nested_known, nested_unknown, no_top, text_alias}) {
    SCOPED_TRACE(j.dump());
    EXPECT_THROW(load_hf_config(j.dump(), {}), InputError);
  }
  // The nested message says the text part is supported but the rest is not described.
  try {
    load_hf_config(nested_known.dump(), {});
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("(its text_config is \"llama\", a supported type, but "
                                         "the parts beside it are not described)"),
              std::string::npos)
        << e.what();
  }
  // A lone text_config of a known type, with nothing beside it, is the model (a note says so).
  nlohmann::json lone = {{"text_config", decoder_keys()}};
  lone["text_config"]["model_type"] = "llama";
  auto m = load_hf_config(lone.dump(), {});
  EXPECT_EQ(m.layers.size(), 2u);
  EXPECT_NE(m.notes.front().find("has no top-level model_type"), std::string::npos);
}

TEST(HfConfig, ArchitectureSettingReadsTheConfigAsTheNamedType) {
  nlohmann::json flat = decoder_keys();
  flat["model_type"] = "mytype";
  auto m = load_hf_config(flat.dump(), {.architecture = "llama"});
  nlohmann::json as_llama = decoder_keys();
  as_llama["model_type"] = "llama";
  EXPECT_EQ(weight_bytes(m), weight_bytes(load_hf_config(as_llama.dump(), {})));
  EXPECT_EQ(m.layers.size(), 2u);
  bool said = false;
  for (const auto& n : m.notes) {
    said = said || n.find(
                       "estimated as model_type 'llama', as the architecture setting asks "
                       "(config.json's model_type is 'mytype')") != std::string::npos;
  }
  EXPECT_TRUE(said);
  // A wrapper read as a text type: its text_config, with a note that the tower is not counted.
  nlohmann::json wrapper = {{"model_type", "mywrapper"},
                            {"text_config", decoder_keys()},
                            {"vision_config", {{"hidden_size", 32}}}};
  auto w = load_hf_config(wrapper.dump(), {.architecture = "qwen2"});
  EXPECT_EQ(w.layers.size(), 2u);
  said = false;
  for (const auto& n : w.notes) {
    said = said || n.find(
                       "read from its text_config alone: the vision or audio parts beside it "
                       "are not counted") != std::string::npos;
  }
  EXPECT_TRUE(said);
  try {
    load_hf_config(flat.dump(), {.architecture = "nosuch"});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "architecture");
    EXPECT_EQ(e.message("--architecture")
                  .rfind("--architecture is \"nosuch\" but must be one of: llama, mistral, ", 0),
              0u)
        << e.what();
  }
}

// Keys that change which tensors a model has are never ignored silently.
TEST(HfConfig, UnreadShapeKeysAreNoted) {
  nlohmann::json j = decoder_keys();
  j["model_type"] = "llama";
  j["num_local_experts"] = 8;
  j["num_nextn_predict_layers"] = 1;
  j["vision_config"] = {{"hidden_size", 32}};
  j["num_experts"] = 0;  // zero: nothing implied
  auto m = load_hf_config(j.dump(), {});
  bool said = false;
  for (const auto& n : m.notes) {
    said = said || n == "config.json: num_local_experts = 8, num_nextn_predict_layers = 1, "
                        "vision_config are not read by the llama builder: experts, towers or "
                        "MTP layers such keys describe are not counted from config.json (a model "
                        "folder or Hub id reads the stored tensors)";
  }
  EXPECT_TRUE(said) << (m.notes.empty() ? "" : m.notes.back());
}

// The stored tensors of a type with no builder: weights exactly as stored, the KV cache from
// the projection shapes when every layer is plain attention, else a refusal saying why.
Checkpoint stored(const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors) {
  Checkpoint c;
  for (const auto& [name, shape] : tensors) {
    CheckpointTensor t;
    t.name = name;
    t.shape = shape;
    t.dtype = DType::bf16;
    uint64_t n = 1;
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    t.bytes = 2 * n;
    c.total_bytes += t.bytes;
    c.bytes_per_dtype[DType::bf16] += t.bytes;
    c.tensors.push_back(t);
  }
  return c;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> plain_layers(int layers) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> t = {
      {"model.embed_tokens.weight", {1000, 64}}, {"model.norm.weight", {64}}};
  for (int i = 0; i < layers; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    t.push_back({p + "self_attn.q_proj.weight", {64, 64}});
    t.push_back({p + "self_attn.k_proj.weight", {32, 64}});
    t.push_back({p + "self_attn.v_proj.weight", {32, 64}});
    t.push_back({p + "self_attn.o_proj.weight", {64, 64}});
    t.push_back({p + "mlp.w_in.weight", {128, 64}});
    t.push_back({p + "mlp.w_out.weight", {64, 128}});
  }
  return t;
}

TEST(HfConfig, UnknownTypeWithStoredTensorsTakesThemAsTheWeights) {
  nlohmann::json j = decoder_keys();
  j["model_type"] = "mytype";
  Checkpoint c = stored(plain_layers(2));
  auto m = load_hf_model(j.dump(), c, {});
  EXPECT_EQ(weight_bytes(m), c.total_bytes);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[1].num_kv_heads, 2);  // k_proj rows 32 / head_dim 16
  EXPECT_EQ(m.layers[1].head_dim_k, 16);
  bool said = false;
  for (const auto& n : m.notes) {
    said = said || n.find("read from the stored q/k/v/o") != std::string::npos;
  }
  EXPECT_TRUE(said);
  // A window key: the layers are not all plain attention, so no KV layout is guessed.
  j["sliding_window"] = 512;
  try {
    load_hf_model(j.dump(), c, {});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("but not its KV cache: config.json has sliding_window"),
              std::string::npos)
        << e.what();
  }
  // A layer without plain q/k/v/o projections: refused too.
  j.erase("sliding_window");
  auto t = plain_layers(2);
  std::erase_if(t,
                [](const auto& p) { return p.first == "model.layers.1.self_attn.v_proj.weight"; });
  EXPECT_THROW(load_hf_model(j.dump(), stored(t), {}), InputError);
  // A wrapper with a known text type: the KV layout is the text builder's; weights stored.
  nlohmann::json w = {{"model_type", "mywrapper"},
                      {"text_config", decoder_keys()},
                      {"vision_config", {{"hidden_size", 32}}}};
  w["text_config"]["model_type"] = "llama";
  auto tw = plain_layers(2);
  tw.push_back({"model.visual.blocks.0.attn.qkv.weight", {96, 32}});
  Checkpoint cw = stored(tw);
  auto mw = load_hf_model(w.dump(), cw, {});
  EXPECT_EQ(weight_bytes(mw), cw.total_bytes);
  EXPECT_EQ(mw.layers.size(), 2u);
  const Tensor* tower = test::find_tensor(mw, "model.visual.blocks.0.attn.qkv.weight");
  ASSERT_NE(tower, nullptr);
  EXPECT_EQ(tower->group, WeightGroup::vision_encoder);
  EXPECT_EQ(tower->layer, -1);
}

}  // namespace
}  // namespace llmem
