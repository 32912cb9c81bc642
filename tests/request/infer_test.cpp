// `infer` through the request layer (include/llmem/request/infer.h): every validation error
// carries its field, the value and what is accepted (issue 8), and the settings echo names the
// model so that it resolves again (issue 9: a path stays a path).
#include "llmem/request/infer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "llmem/common/error.h"
#include "llmem/request/model_resolution.h"
#include "test_util.h"

namespace llmem::request {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

struct Bad {
  std::vector<std::pair<std::string, std::string>> settings;  // key, command-line text
  std::string field;
  std::string message;  // as the CLI spells it
};

Settings from(const std::vector<std::pair<std::string, std::string>>& kv) {
  Settings s(Command::infer);
  for (const auto& [k, v] : kv) {
    if (k == "include_mtp" || k == "check") {
      s.set(k, true);
    } else {
      s.set_text(k, v);
    }
  }
  return s;
}

TEST(InferRequest, EveryValidationErrorCarriesItsField) {
  const Bad cases[] = {
      {{{"model", "llama-3.1-8b"}, {"context", "0"}},
       "context",
       "--context is 0 but must be in [1, 1099511627776]"},
      {{{"model", "llama-3.1-8b"}, {"batch", "x"}},
       "batch",
       "--batch is 'x' but must be an integer in [1, 1099511627776]"},
      {{{"model", "llama-3.1-8b"}, {"prefill_chunk", "0"}},
       "prefill_chunk",
       "--prefill-chunk is 0 but must be in [1, 1099511627776]"},
      {{{"model", "llama-3.1-8b"}, {"tp", "0"}}, "tp", "--tp is 0 but must be in [1, 4096]"},
      {{{"model", "llama-3.1-8b"}, {"pp", "4097"}}, "pp", "--pp is 4097 but must be in [1, 4096]"},
      {{{"model", "llama-3.1-8b"}, {"pp_layers", "16,0"}},
       "pp_layers",
       "--pp-layers is 0 but must be in [1, 4096]"},
      {{{"model", "llama-3.1-8b"}, {"kv_dtype", "fp7"}},
       "kv_dtype",
       "--kv-dtype is 'fp7' but must be one of auto, f32, f16 (fp16), bf16, fp8 (fp8_e4m3), "
       "fp8_e5m2, int8, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl"},
      {{{"model", "llama-3.1-8b"}, {"engine", "vllm"}},
       "engine",
       "--engine vllm is not available yet in this build; accepted: generic"},
      {{{"model", "llama-3.1-8b"}, {"gpu", "H100x4"}, {"tp", "2"}},
       "gpu",
       "--gpu H100x4 names 4 GPUs but --tp 2 × --pp 1 uses 2"},
      {{{"model", "llama-3.1-8b"}, {"check", ""}},
       "check",
       "--check needs --gpu NAME[xN] to check against"},
      {{{"model", "llama-3.1-8b"}, {"tp", "64"}, {"pp", "128"}, {"per_gpu", "all"}},
       "per_gpu",
       "--per-gpu all lists every rank, at most 4096; --tp 64 × --pp 128 uses 8192"},
      {{{"model", "llama-3.1-8b"}, {"config", "/nonexistent.json"}},
       "config",
       "--config /nonexistent.json: no such file"},
      {{}, "model", "MODEL is missing: give a path, a catalog name (see llmem models) or org/name"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      run_infer(from(c.settings));
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field_name(), c.field);
      EXPECT_FALSE(e.accepted().empty());
      if (c.field != "model") EXPECT_FALSE(e.value().empty());
      EXPECT_EQ(e.message_with(test::cli_spelling), c.message);
      // The library's own text spells the settings key, never a flag.
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
    }
  }
}

TEST(InferRequest, WeightsAndModelGetADidYouMean) {
  Settings s = from({{"model", "llama-3.1-8b"}, {"weights", "awq"}});
  try {
    run_infer(s);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "weights");
    std::string m = e.message("--weights");
    EXPECT_EQ(m.rfind("--weights is 'awq' but must be one of fp32, ", 0), 0u);
    EXPECT_TRUE(ends_with(m, "mxfp4_moe; did you mean awq-<2|3|4|8>bit[-gN]?")) << m;
  }
  try {
    run_infer(from({{"model", "qwen2.5-32b"}}));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "model");
    std::string m = e.message("MODEL");
    EXPECT_TRUE(ends_with(m, "org/name; did you mean qwen2.5-32b-instruct or qwen2.5-14b?")) << m;
  }
}

// Until every core validation names its field (the lead's part of issue 8), the core's own
// checks are tested here as soon as they do.
TEST(InferRequest, CoreValidationErrorsCarryTheirField) {
  try {
    run_infer(from({{"model", "llama-3.1-8b"}, {"tp", "3"}}));
    FAIL();
  } catch (const InputError& e) {
    if (e.field_name().empty()) GTEST_SKIP() << "the core does not name its fields yet";
    EXPECT_EQ(e.field_name(), "tp");
    EXPECT_EQ(e.value(), "3");
    EXPECT_EQ(e.accepted(), "1, 2, 4, 8, 16, 32");
    EXPECT_EQ(e.message("--tp"),
              "--tp 3 does not divide num_attention_heads=32 (accepted: 1, 2, 4, 8, 16, 32)");
  }
}

TEST(InferRequest, TpFromTheGpuCountIsNamedInTheError) {
  EXPECT_INPUT_ERROR(run_infer(from({{"model", "llama-3.1-8b"}, {"gpu", "h100-80gbx3"}})), "gpu",
                     "--gpu h100-80gbx3 means tensor parallel over 3 GPUs, but --tp 3 does not "
                     "divide num_attention_heads=32 (accepted: 1, 2, 4, 8, 16, 32)");
}

TEST(InferRequest, SettingsEchoNamesThePathAsGiven) {
  // Issue 9: settings.model was the folder name ("in" for in/cfg.json).
  fs::path dir = fs::temp_directory_path() / ("llmem_req_" + std::to_string(::getpid())) / "in";
  fs::create_directories(dir);
  fs::copy_file(test::shared_dir() + "/models/llama-3.1-8b.json", dir / "cfg.json",
                fs::copy_options::overwrite_existing);
  std::string path = (dir / "cfg.json").string();
  MemoryEstimate e = run_infer(from({{"model", path}}));
  ASSERT_EQ(e.settings.front().first, "model");
  EXPECT_EQ(std::get<std::string>(e.settings.front().second), path);
  // A catalog name is echoed as the catalog spells it.
  MemoryEstimate c = run_infer(from({{"model", "LLAMA-3.1-8B"}}));
  EXPECT_EQ(std::get<std::string>(c.settings.front().second), "llama-3.1-8b");
}

TEST(InferRequest, SettingsEchoIsInTableOrderWithDefaults) {
  MemoryEstimate e = run_infer(from({{"model", "llama-3.1-8b"}, {"gpu", "H100x2"}}));
  std::string keys;
  for (const auto& [k, v] : e.settings) keys += (keys.empty() ? "" : ",") + k;
  EXPECT_EQ(keys, "model,engine,weights,kv_dtype,context,batch,tp,pp,prefill_chunk,gpu");
  EXPECT_EQ(std::get<std::string>(e.settings.back().second), "H100-80GBx2");
  ASSERT_TRUE(e.fits.has_value());
  EXPECT_EQ(e.fits->count, 2);
}

TEST(InferRequest, PerGpuAllListsEveryRank) {
  Settings s = from({{"model", "llama-3.1-8b"}, {"tp", "2"}, {"pp", "2"}, {"per_gpu", "all"}});
  MemoryEstimate e = run_infer(s);
  ASSERT_EQ(e.per_gpu.size(), 4u);
  for (int32_t r = 0; r < 4; ++r) {
    EXPECT_EQ(e.per_gpu[static_cast<size_t>(r)].rank, r);
    EXPECT_EQ(e.per_gpu[static_cast<size_t>(r)].last_rank, r);
    EXPECT_EQ(e.per_gpu[static_cast<size_t>(r)].count, 1);
    EXPECT_EQ(e.per_gpu[static_cast<size_t>(r)].stage, r / 2);
  }
  EXPECT_EQ(run_infer(from({{"model", "llama-3.1-8b"}, {"tp", "2"}, {"pp", "2"}})).per_gpu.size(),
            2u);
}

TEST(ModelResolution, FormsAndMessages) {
  EXPECT_EQ(resolve_model("Llama-3.1-8B", {}).setting, "llama-3.1-8b");
  EXPECT_INPUT_ERROR(resolve_model("llama-3.1-8b", {}, "/dev/null"), "config",
                     "--config /dev/null: is a device; give a regular file");
  fs::path dir = fs::temp_directory_path() / ("llmem_req_dir_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_INPUT_ERROR(resolve_model("llama-3.1-8b", {}, dir.string()), "config",
                     "--config " + dir.string() + ": is a directory; give a config.json file");
}

}  // namespace
}  // namespace llmem::request
