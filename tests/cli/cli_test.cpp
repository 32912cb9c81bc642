// End-to-end: the llmem binary's exit codes, stdout and the exact stderr a user reads for bad
// input (STYLE.md §13d). Each bad config is written by the test into a temporary folder.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "test_util.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

CliRun run(const std::string& args) { return test::run_llmem(args); }

// A folder holding config.json with `text`; returns the folder path.
std::string config_folder(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("llmem_cli_cfg_" + std::to_string(::getpid())) / name;
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << text;
  return dir.string();
}

const char* k_small = R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
  "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
  "vocab_size": 1000, "torch_dtype": "bfloat16", "max_position_embeddings": 2048)";

std::string small_config(const std::string& extra) { return std::string(k_small) + extra + "}"; }

TEST(Cli, DefaultRunShowsEstimateRuleAndGpus) {
  CliRun r = run("");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Inference memory for llama-3.1-8b"), std::string::npos);
  EXPECT_NE(r.out.find("TOTAL"), std::string::npos);
  EXPECT_NE(r.out.find("Rule of thumb (seed document, labelled as such)"), std::string::npos);
  EXPECT_NE(r.out.find("H100-80GB"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(Cli, JsonComponentsSumToTotalAndSettingsReproduceIt) {
  CliRun r = run("infer llama-3.1-8b --json --context 8192 --batch 2 --tp 2 --kv-dtype fp8");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  uint64_t sum = 0;
  for (const auto& c : j["components"]) {
    if (!c.contains("parent")) sum += c["bytes"].get<uint64_t>();
  }
  EXPECT_EQ(sum, j["total_bytes"].get<uint64_t>());
  EXPECT_EQ(j["settings"]["kv_dtype"], "fp8_e4m3");
  // Both TP ranks hold the same bytes: one per_gpu group of 2 (issue 9: one entry per rank kind).
  ASSERT_EQ(j["per_gpu"].size(), 1u);
  EXPECT_EQ(j["per_gpu"][0]["count"], 2);
  EXPECT_EQ(j["per_gpu"][0]["ranks"], nlohmann::json::array({0, 1}));
  fs::path settings = fs::temp_directory_path() / "llmem_cli_settings.json";
  std::ofstream(settings) << j["settings"].dump();
  CliRun again = run("infer --settings " + settings.string() + " --json");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["total_bytes"], j["total_bytes"]);
}

TEST(Cli, SettingsReproduceMtpAndStoredQuantisedFormats) {
  for (const char* args : {"infer deepseek-v3 --include-mtp --json", "infer gpt-oss-20b --json",
                           "infer gemma-2-9b --json --engine-version 0.19"}) {
    SCOPED_TRACE(args);
    CliRun first = run(args);
    ASSERT_EQ(first.status, 0) << first.err;
    auto j = nlohmann::json::parse(first.out);
    fs::path settings = fs::temp_directory_path() / "llmem_cli_settings_rt.json";
    std::ofstream(settings) << j["settings"].dump();
    CliRun again = run("infer --settings " + settings.string() + " --json");
    ASSERT_EQ(again.status, 0) << again.err;
    auto k = nlohmann::json::parse(again.out);
    EXPECT_EQ(k["total_bytes"], j["total_bytes"]);
    EXPECT_EQ(k["model"]["active_params"], j["model"]["active_params"]);
  }
}

TEST(Cli, OutputOptionsBeforeACommandAreRejected) {
  CliRun r = run("--json infer llama-3.1-8b");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "llmem: error: --json, --explain and --units go after the command (llmem "
            "infer … --json)\n");
}

TEST(Cli, CheckExitsThreeWhenItDoesNotFit) {
  EXPECT_EQ(run("infer llama-3.1-70b --gpu T4 --check").status, 3);
  EXPECT_EQ(run("infer llama-3.2-1b-instruct --gpu T4 --check").status, 0);
}

TEST(Cli, EveryCommandHasHelp) {
  for (const char* cmd :
       {"--help", "infer --help", "rule --help", "models --help", "gpus --help"}) {
    CliRun r = run(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(Cli, CatalogsPrintJson) {
  auto models = nlohmann::json::parse(run("models --json").out);
  EXPECT_GE(models.size(), 38u);
  auto gpus = nlohmann::json::parse(run("gpus --json").out);
  EXPECT_GE(gpus.size(), 10u);
  for (const auto& g : gpus) EXPECT_FALSE(g["memory_source"].get<std::string>().empty());
}

struct BadInput {
  const char* name;
  std::string args;
  std::string message;  // stderr, exactly
};

TEST(Cli, BadInputExitsTwoWithTheMessage) {
  std::string missing = config_folder("missing", R"({"model_type": "llama", "hidden_size": 64,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 1000})");
  std::string zero_heads =
      config_folder("zero_heads", small_config(R"(, "num_attention_heads": 0)"));
  std::string heads_div = config_folder("heads_div", R"({"model_type": "llama", "hidden_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 5, "intermediate_size": 128, "vocab_size": 100})");
  std::string malformed = config_folder("malformed", R"({"model_type": "llama", "hidden_size": )");
  std::string too_large =
      config_folder("too_large", small_config(R"(, "hidden_size": 99999999999999999999)"));
  std::string huge_layers =
      config_folder("huge_layers", small_config(R"(, "num_hidden_layers": 100000)"));
  std::string unknown =
      config_folder("unknown", R"({"model_type": "transformer-xl", "d_model": 8})");
  std::string bad_dtype = config_folder("bad_dtype", small_config(R"(, "torch_dtype": "float12")"));
  fs::path empty = fs::temp_directory_path() / "llmem_cli_empty_folder";
  fs::create_directories(empty);

  const BadInput cases[] = {
      {"missing key", "infer " + missing,
       missing +
           "/config.json: num_hidden_layers is missing (an integer in [1, 4096] is required)"},
      {"zero heads", "infer " + zero_heads,
       zero_heads + "/config.json: num_attention_heads is 0 but must be in [1, 65536]"},
      {"heads not dividing hidden", "infer " + heads_div,
       heads_div + "/config.json: num_attention_heads is 5 but must divide hidden_size=64 when "
                   "head_dim is not given"},
      {"malformed JSON", "infer " + malformed,
       malformed + "/config.json: malformed JSON at byte 40: parse error at line 1, column 40: "
                   "syntax error while parsing value - unexpected end of input; expected '[', "
                   "'{', or a literal"},
      {"number too large", "infer " + too_large,
       too_large + "/config.json: hidden_size is 1e+20 but must be in [1, 1048576]"},
      {"layers too many", "infer " + huge_layers,
       huge_layers + "/config.json: num_hidden_layers is 100000 but must be in [1, 4096]"},
      {"unknown model_type", "infer " + unknown, ""},
      {"unknown torch_dtype", "infer " + bad_dtype,
       bad_dtype + "/config.json: torch_dtype is \"float12\" but must be one of float32, "
                   "float16, bfloat16"},
      {"folder without config.json", "infer " + empty.string(),
       empty.string() +
           ": folder has no config.json, .safetensors or .gguf files; a model folder needs "
           "config.json with *.safetensors or model.safetensors.index.json"},
      {"negative context", "infer llama-3.1-8b --context -5",
       "--context is -5 but must be in [1, 1099511627776]"},
      {"text context", "infer llama-3.1-8b --context lots",
       "--context is 'lots' but must be an integer in [1, 1099511627776]"},
      {"unknown kv dtype", "infer llama-3.1-8b --kv-dtype fp7",
       "--kv-dtype is 'fp7' but must be one of auto, f32, f16 (fp16), bf16, fp8 (fp8_e4m3), "
       "fp8_e5m2, int8, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl"},
      {"tp not dividing heads", "infer llama-3.1-8b --tp 3",
       "--tp 3 does not divide num_attention_heads=32 (accepted: 1, 2, 4, 8, 16, 32)"},
      {"gpu count mismatch", "infer llama-3.1-8b --gpu H100-80GBx4 --tp 2",
       "--gpu H100-80GBx4 names 4 GPUs but --tp 2 × --pp 1 uses 2"},
      {"units", "infer llama-3.1-8b --units MB", "--units is 'MB' but must be GiB or GB"},
      {"rule precision", "rule --params 7B --precision fp12",
       "--precision is 'fp12' but must be one of fp32, fp16, bf16, int8, int4"},
      {"unknown option", "infer llama-3.1-8b --contxt 5", ""},
      {"empty gpu", "infer llama-3.1-8b --gpu ''", ""},
      {"gpu count sets tp", "infer llama-3.1-8b --gpu h100-80gbx3",
       "--gpu h100-80gbx3 means tensor parallel over 3 GPUs, but --tp 3 does not divide "
       "num_attention_heads=32 (accepted: 1, 2, 4, 8, 16, 32)"},
      {"tp against kv heads", "infer qwen2.5-7b-instruct --tp 7",
       "--tp 7 does not suit the model's key/value heads (accepted: 1, 2, 4, 28)"},
      {"config without safetensors", "infer llama-3.1-8b --config /nonexistent.json",
       "--config /nonexistent.json: no such file"},
      {"not yet", "train llama-3.1-8b",
       "'llmem train' is not available in this build yet; available: infer, rule, models, gpus "
       "(see llmem --help)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    CliRun r = run(c.args);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_EQ(r.out, "");
    if (!c.message.empty()) {
      EXPECT_EQ(r.err, "llmem: error: " + c.message + "\n");
    } else {
      EXPECT_EQ(r.err.rfind("llmem: error: ", 0), 0u) << r.err;
    }
  }
}

TEST(Cli, DefaultRunTakesOutputOptionsAndNeverMixesUnits) {
  CliRun gb = run("--units GB");
  EXPECT_EQ(gb.status, 0) << gb.err;
  EXPECT_EQ(gb.out.find("GiB"), std::string::npos);
  CliRun gib = run("");
  EXPECT_EQ(gib.out.find(" GB"), std::string::npos);
  auto j = nlohmann::json::parse(run("--json").out);
  EXPECT_EQ(j["model"]["name"], "llama-3.1-8b");
}

TEST(Cli, ContextBeyondTheModelIsNoted) {
  CliRun r = run("infer gemma-2-9b --context 100000");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(
      r.out.find("a context of 100000 tokens is beyond the model's max_position_embeddings = 8192"),
      std::string::npos);
}

TEST(Cli, IncludeMtpSaysWhenThereIsNone) {
  CliRun r = run("infer llama-3.1-8b --include-mtp");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("include_mtp has no effect"), std::string::npos);
  CliRun d = run("infer deepseek-v3 --include-mtp --json");
  EXPECT_EQ(d.out.find("--include-mtp has no effect"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(d.out)["settings"]["include_mtp"], true);
}

TEST(Cli, LoneSafetensorsGivesWeightsOnlyOrTakesConfig) {
  // A one-tensor file written here: 8-byte header length, JSON header, 32 data bytes.
  std::string header =
      R"({"model.embed_tokens.weight":{"dtype":"BF16","shape":[4,4],"data_offsets":[0,32]}})";
  std::string bytes(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  bytes += header + std::string(32, '\0');
  fs::path file = fs::temp_directory_path() / "llmem_cli_lone.safetensors";
  std::ofstream(file, std::ios::binary) << bytes;
  CliRun alone = run("infer " + file.string());
  EXPECT_EQ(alone.status, 0) << alone.err;
  EXPECT_NE(alone.out.find("weights only"), std::string::npos);
  EXPECT_EQ(alone.out.find("kv_cache"), std::string::npos);
  std::string dir = config_folder("lone_config", small_config(""));
  CliRun with = run("infer " + file.string() + " --config " + dir + "/config.json");
  EXPECT_EQ(with.status, 0) << with.err;
  EXPECT_NE(with.out.find("kv_cache"), std::string::npos);
}

TEST(Cli, UnknownModelTypeIsRefusedNotGuessed) {
  // A config with the standard decoder keys but a model_type llmem has no builder for is never
  // estimated as a Llama-shaped decoder (issue 10): exit 2, naming the type and what would work.
  std::string dir = config_folder(
      "unknown_type",
      std::string(k_small).replace(std::string(k_small).find("llama"), 5, "mytype") + "}");
  CliRun r = run("infer " + dir);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.err.find("model_type is \"mytype\", which llmem has no builder for"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("supported model types: llama,"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("A model folder or Hub id"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace llmem
