// Local MODEL paths: model folders (config.json + single or sharded safetensors), weights-only
// files, GGUF detection and the messages for paths that are not models. Folders are built by
// the test under the temp folder; large checkpoints are sparse files.
#include <gtest/gtest.h>

#include <algorithm>

#include "formats/safetensors_writer.h"
#include "llmem/common/error.h"
#include "llmem/sources/model_source.h"
#include "test_util.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;
using test::wt;
using test::WTensor;

const std::string k_tiny_config = R"({"model_type": "llama", "hidden_size": 8,
  "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "vocab_size": 10,
  "tie_word_embeddings": true, "torch_dtype": "bfloat16"})";

// The tensors of k_tiny_config's model: 10×8 + 8 + 3×64 ... written out by hand.
std::vector<WTensor> tiny_tensors() {
  return {wt("model.embed_tokens.weight", "BF16", {10, 8}),
          wt("model.layers.0.input_layernorm.weight", "BF16", {8}),
          wt("model.layers.0.self_attn.q_proj.weight", "BF16", {8, 8}),
          wt("model.layers.0.self_attn.k_proj.weight", "BF16", {8, 8}),
          wt("model.layers.0.self_attn.v_proj.weight", "BF16", {8, 8}),
          wt("model.layers.0.self_attn.o_proj.weight", "BF16", {8, 8}),
          wt("model.layers.0.post_attention_layernorm.weight", "BF16", {8}),
          wt("model.layers.0.mlp.gate_proj.weight", "BF16", {16, 8}),
          wt("model.layers.0.mlp.up_proj.weight", "BF16", {16, 8}),
          wt("model.layers.0.mlp.down_proj.weight", "BF16", {8, 16}),
          wt("model.norm.weight", "BF16", {8})};
}

void write_model(const fs::path& p, const std::vector<WTensor>& t) {
  test::write_sparse(p, test::header_for(t, {{"format", "pt"}}), test::data_bytes(t));
}

bool has_note(const ModelDescription& m, const std::string& note) {
  return std::find(m.notes.begin(), m.notes.end(), note) != m.notes.end();
}

bool any_note_mentions(const ModelDescription& m, const std::string& part) {
  return std::any_of(m.notes.begin(), m.notes.end(),
                     [&](const auto& n) { return n.find(part) != std::string::npos; });
}

// Llama-3.1-8B's stored tensors, shapes as its checkpoint declares them (hidden 4096, 32 layers,
// 8 KV heads of 128, intermediate 14336, vocabulary 128256, untied LM head, all BF16).
std::vector<std::vector<WTensor>> llama31_8b_shards() {
  std::vector<std::vector<WTensor>> shards(4);
  shards[0].push_back(wt("model.embed_tokens.weight", "BF16", {128256, 4096}));
  for (int i = 0; i < 32; ++i) {
    auto& s = shards[i < 9 ? 0 : i < 20 ? 1 : i < 31 ? 2 : 3];
    std::string p = "model.layers." + std::to_string(i) + ".";
    s.push_back(wt(p + "input_layernorm.weight", "BF16", {4096}));
    s.push_back(wt(p + "mlp.down_proj.weight", "BF16", {4096, 14336}));
    s.push_back(wt(p + "mlp.gate_proj.weight", "BF16", {14336, 4096}));
    s.push_back(wt(p + "mlp.up_proj.weight", "BF16", {14336, 4096}));
    s.push_back(wt(p + "post_attention_layernorm.weight", "BF16", {4096}));
    s.push_back(wt(p + "self_attn.k_proj.weight", "BF16", {1024, 4096}));
    s.push_back(wt(p + "self_attn.o_proj.weight", "BF16", {4096, 4096}));
    s.push_back(wt(p + "self_attn.q_proj.weight", "BF16", {4096, 4096}));
    s.push_back(wt(p + "self_attn.v_proj.weight", "BF16", {1024, 4096}));
  }
  shards[3].push_back(wt("model.norm.weight", "BF16", {4096}));
  shards[3].push_back(wt("lm_head.weight", "BF16", {128256, 4096}));
  return shards;
}

TEST(ModelFolder, Llama31_8bShardedCheckpointFromSparseFiles) {
  auto dir = test::temp_folder("llama31_8b");
  fs::copy_file(test::shared_dir() + "/models/llama-3.1-8b.json", dir / "config.json");
  nlohmann::json weight_map = nlohmann::json::object();
  auto shards = llama31_8b_shards();
  for (size_t i = 0; i < shards.size(); ++i) {
    std::string file = "model-0000" + std::to_string(i + 1) + "-of-00004.safetensors";
    write_model(dir / file, shards[i]);
    for (const auto& t : shards[i]) weight_map[t.name] = file;
  }
  // metadata.total_size of meta-llama/Llama-3.1-8B's model.safetensors.index.json (issue 3).
  constexpr uint64_t k_total_size = 16'060'522'496;
  test::write_text(
      dir / "model.safetensors.index.json",
      nlohmann::json{{"metadata", {{"total_size", k_total_size}}}, {"weight_map", weight_map}}
          .dump());
  auto m = load_model_path(dir.string());
  EXPECT_EQ(weight_bytes(m), k_total_size);
  EXPECT_FALSE(any_note_mentions(m, "total_size"));  // the headers add up to the real index
  EXPECT_EQ(m.source, dir.string());
  EXPECT_EQ(m.name, dir.filename().string());
  EXPECT_EQ(m.notes.back(),
            "used config.json + 4 safetensors shards via model.safetensors.index.json (headers "
            "only)");
  EXPECT_EQ(m.layers.size(), 32u);
  fs::remove_all(dir);
}

TEST(ModelFolder, SingleFileFolderAndItsPaths) {
  auto dir = test::temp_folder("single");
  test::write_text(dir / "config.json", k_tiny_config);
  write_model(dir / "model.safetensors", tiny_tensors());
  write_model(dir / "consolidated.safetensors", {wt("tok_embeddings.weight", "BF16", {10, 8})});
  auto m = load_model_path(dir.string());
  // 10×8 + 2×8 + 4×64 + 3×128 + 8 = 744 parameters, tied head, 2 bytes each.
  EXPECT_EQ(weight_bytes(m), 1488u);
  EXPECT_EQ(m.notes.back(), "used config.json + model.safetensors (header only)");

  auto weights_only = load_model_path((dir / "model.safetensors").string());
  EXPECT_EQ(weight_bytes(weights_only), 1488u);
  EXPECT_TRUE(weights_only.layers.empty());
  EXPECT_EQ(weights_only.name, "model");
  EXPECT_EQ(weights_only.notes.back(), "used model.safetensors (header only)");

  auto with_config = load_model_path((dir / "model.safetensors").string(),
                                     {.config_path = (dir / "config.json").string()});
  EXPECT_EQ(with_config.layers.size(), 1u);
  EXPECT_EQ(with_config.notes.back(),
            "used " + (dir / "config.json").string() + " + model.safetensors (header only)");

  auto config_only = load_model_path((dir / "config.json").string());
  EXPECT_EQ(config_only.notes.back(), "used config.json only: weights are counted from the config");
  fs::remove_all(dir);
}

TEST(ModelFolder, ShardedFolderReadsEveryShardHeader) {
  auto dir = test::temp_folder("sharded");
  test::write_text(dir / "config.json", k_tiny_config);
  auto t = tiny_tensors();
  std::vector<WTensor> a(t.begin(), t.begin() + 5), b(t.begin() + 5, t.end());
  write_model(dir / "model-00001-of-00002.safetensors", a);
  write_model(dir / "model-00002-of-00002.safetensors", b);
  nlohmann::json map = nlohmann::json::object();
  for (const auto& x : a) map[x.name] = "model-00001-of-00002.safetensors";
  for (const auto& x : b) map[x.name] = "model-00002-of-00002.safetensors";
  test::write_text(
      dir / "model.safetensors.index.json",
      nlohmann::json{{"metadata", {{"total_size", 1488}}}, {"weight_map", map}}.dump());
  auto m = load_model_path(dir.string());
  EXPECT_EQ(weight_bytes(m), 1488u);
  EXPECT_EQ(m.notes.back(),
            "used config.json + 2 safetensors shards via model.safetensors.index.json (headers "
            "only)");
  // The index file itself names the same model.
  auto via_index = load_model_path((dir / "model.safetensors.index.json").string());
  EXPECT_EQ(weight_bytes(via_index), 1488u);

  // A shard the index lists but the folder lacks.
  fs::remove(dir / "model-00002-of-00002.safetensors");
  EXPECT_THROW_MSG(load_model_path(dir.string()), InputError,
                   (dir / "model-00002-of-00002.safetensors").string() + ": shard listed in " +
                       (dir / "model.safetensors.index.json").string() + " is missing");
  // A shard whose header is broken is named with its path.
  test::write_text(dir / "model-00002-of-00002.safetensors",
                   std::string("\x02\0\0\0\0\0\0\0[]", 10));
  EXPECT_THROW_MSG(load_model_path(dir.string()), FormatError,
                   (dir / "model-00002-of-00002.safetensors").string() +
                       ": header must begin with '{' (0x7b), found 0x5b");
  fs::remove_all(dir);
}

TEST(ModelFolder, PathsThatAreNotModels) {
  auto dir = test::temp_folder("not_models");
  EXPECT_THROW_MSG(load_model_path(dir.string()), InputError,
                   dir.string() +
                       ": folder has no config.json, .safetensors or .gguf files; a "
                       "model folder needs config.json with *.safetensors or "
                       "model.safetensors.index.json");
  write_model(dir / "model.safetensors", tiny_tensors());
  EXPECT_THROW_MSG(load_model_path(dir.string()), InputError,
                   dir.string() +
                       ": folder has no config.json; a model folder needs config.json "
                       "beside its .safetensors files (or pass --config FILE)");
  test::write_text(dir / "config.json", k_tiny_config);
  write_model(dir / "other.safetensors", tiny_tensors());
  fs::remove(dir / "model.safetensors");
  write_model(dir / "third.safetensors", tiny_tensors());
  EXPECT_THROW_MSG(load_model_path(dir.string()), InputError,
                   dir.string() +
                       ": 2 .safetensors files (other.safetensors, third.safetensors) "
                       "but no model.safetensors.index.json or model.safetensors to say "
                       "which form the model");
  EXPECT_THROW_MSG(load_model_path((dir / "nothing-here").string()), InputError,
                   (dir / "nothing-here").string() + ": no such file or folder");
  test::write_text(dir / "weights.bin", "x");
  EXPECT_THROW_MSG(load_model_path((dir / "weights.bin").string()), InputError,
                   (dir / "weights.bin").string() +
                       ": not a model file; expected config.json, a .safetensors or .gguf file, "
                       "or a model folder");
  EXPECT_TRUE(is_model_path(dir.string()));
  EXPECT_FALSE(is_model_path((dir / "nothing-here").string()));
  fs::remove_all(dir);
}

TEST(ModelFolder, GgufFilesAreReadByTheGgufReader) {
  auto dir = test::temp_folder("gguf");
  // A small valid GGUF model written by the GGUF tests' writer (committed fuzz seed).
  fs::copy_file(test::source_dir() + "/tests/fuzz/corpus/gguf/align64_split.gguf",
                dir / "tiny-Q8_0.gguf");
  auto m = load_model_path(dir.string());
  EXPECT_TRUE(has_note(m, "used tiny-Q8_0.gguf (GGUF header only)"));
  EXPECT_EQ(m.name, "tiny-Q8_0");
  // Two models in one folder: say which, do not guess.
  fs::copy_file(dir / "tiny-Q8_0.gguf", dir / "other.gguf");
  EXPECT_THROW_MSG(load_model_path(dir.string()), InputError,
                   dir.string() +
                       ": folder holds 2 GGUF models (other.gguf, tiny-Q8_0.gguf); name the "
                       ".gguf file to use");
  // A file that is not GGUF at all fails in the reader with its message.
  test::write_text(dir / "bad.gguf", "GGUF");
  EXPECT_THROW(load_model_path((dir / "bad.gguf").string()), FormatError);
  // With config.json beside a single GGUF and no safetensors, the GGUF is used and says so.
  fs::remove(dir / "other.gguf");
  fs::remove(dir / "bad.gguf");
  test::write_text(dir / "config.json", k_tiny_config);
  auto g = load_model_path(dir.string());
  EXPECT_TRUE(has_note(g,
                       "the folder's config.json is not used: the GGUF file holds the "
                       "architecture and the stored bytes"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace llmem
