// Issue 8: the same settings object gives the same total_bytes through the command line's
// options, a --settings file, and the library call a server makes (settings_from_json +
// run_infer).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "llmem/request/infer.h"
#include "llmem/request/options.h"
#include "test_util.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;

// The command line that says what `settings` says, spelled by the option table.
std::string command_line(const nlohmann::json& settings) {
  std::string args = "infer";
  for (const auto& [key, value] : settings.items()) {
    const request::OptionSpec* o = request::find_option(request::Command::infer, key);
    if (o == nullptr) ADD_FAILURE() << key;
    if (o->flag.empty()) {
      args += " " + value.get<std::string>();
    } else if (o->type == request::OptionType::boolean) {
      if (value.get<bool>()) args += " " + std::string(o->flag);
    } else {
      args += " " + std::string(o->flag) + " " +
              (value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return args;
}

TEST(SettingsPaths, CliFileAndLibraryAgree) {
  const char* objects[] = {
      R"({"model": "llama-3.1-8b"})",
      R"({"model": "llama-3.1-70b", "context": 32768, "batch": 8, "kv_dtype": "fp8", "tp": 4})",
      R"({"model": "deepseek-v3", "include_mtp": true, "tp": 8, "pp": 2, "gpu": "H100-80GBx16"})",
      R"({"model": "qwen3-30b-a3b", "weights": "int4", "prefill_chunk": 2048, "pp": 2,
          "pp_layers": "30,18"})",
      R"({"model": "gemma-2-9b", "context": 100000, "engine_version": "0.19", "gpu": "24GB"})",
  };
  fs::path file = fs::temp_directory_path() / ("llmem_paths_" + std::to_string(::getpid()));
  for (const char* text : objects) {
    SCOPED_TRACE(text);
    auto settings = nlohmann::json::parse(text);
    uint64_t library =
        request::run_infer(request::settings_from_json(request::Command::infer, text, "settings"))
            .total_bytes;
    std::ofstream(file) << text;
    test::CliRun from_file = test::run_llmem("infer --settings " + file.string() + " --json");
    ASSERT_EQ(from_file.status, 0) << from_file.err;
    test::CliRun from_flags = test::run_llmem(command_line(settings) + " --json");
    ASSERT_EQ(from_flags.status, 0) << command_line(settings) << "\n" << from_flags.err;
    EXPECT_EQ(nlohmann::json::parse(from_file.out)["total_bytes"].get<uint64_t>(), library);
    EXPECT_EQ(nlohmann::json::parse(from_flags.out)["total_bytes"].get<uint64_t>(), library);
  }
}

}  // namespace
}  // namespace llmem
