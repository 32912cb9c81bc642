// Settings (include/llmem/request/settings.h): one type and range check per option, the same
// message for the command line's text and for JSON values, every error naming its field.
#include "llmem/request/settings.h"

#include <gtest/gtest.h>

#include "llmem/common/error.h"
#include "test_util.h"

namespace llmem::request {
namespace {

Settings infer() { return Settings(Command::infer); }

TEST(Settings, CommandLineTextIsParsedByType) {
  Settings s = infer();
  s.set_text("context", "8192");
  s.set_text("pp_layers", "20,12");
  s.set_text("kv_dtype", "fp8");
  s.set_text("units", "GB");
  EXPECT_EQ(s.integer("context"), 8192);
  EXPECT_EQ(s.list("pp_layers"), (std::vector<int64_t>{20, 12}));
  EXPECT_EQ(s.text("kv_dtype"), "fp8");
  // Defaults come from the table.
  EXPECT_EQ(s.integer("batch"), 1);
  EXPECT_EQ(s.integer("prefill_chunk"), 8192);
  EXPECT_EQ(s.text("engine"), "generic");
  EXPECT_FALSE(s.boolean("include_mtp"));
  EXPECT_EQ(s.text("gpu"), "");
  Settings r(Command::rule);
  EXPECT_EQ(r.number("factor"), 1.2);
  EXPECT_EQ(r.text("units"), "GB");  // rule's own default
}

TEST(Settings, CommandLineMistakesNameTheField) {
  Settings s = infer();
  EXPECT_INPUT_ERROR(s.set_text("context", "lots"), "context",
                     "--context is 'lots' but must be an integer in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(s.set_text("context", "-5"), "context",
                     "--context is -5 but must be in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(s.set_text("context", "8192.0"), "context",
                     "--context is '8192.0' but must be an integer in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(s.set_text("tp", "5000"), "tp", "--tp is 5000 but must be in [1, 4096]");
  EXPECT_INPUT_ERROR(s.set_text("pp_layers", "20,x"), "pp_layers",
                     "--pp-layers is 'x' but must be an integer in [1, 4096]");
  EXPECT_INPUT_ERROR(s.set_text("units", "MB"), "units", "--units is 'MB' but must be GiB or GB");
  EXPECT_INPUT_ERROR(s.set_text("engine", "foo"), "engine",
                     "--engine is 'foo' but must be one of generic, hf, vllm, llamacpp");
  EXPECT_INPUT_ERROR(s.set_text("gpu", ""), "gpu", "--gpu must not be empty");
  EXPECT_INPUT_ERROR(s.set_text("units", ""), "units", "--units must not be empty");
  Settings r(Command::rule);
  EXPECT_INPUT_ERROR(r.set_text("factor", "1.2x"), "factor",
                     "--factor is '1.2x' but must be a number");
  EXPECT_INPUT_ERROR(r.set_text("precision", "fp12"), "precision",
                     "--precision is 'fp12' but must be one of fp32, fp16, bf16, int8, int4");
  // Untrusted text is shown safely.
  EXPECT_INPUT_ERROR(s.set_text("batch", "\x1b[2J"), "batch",
                     "--batch is '\\x1b[2J' but must be an integer in [1, 1099511627776]");
}

TEST(Settings, ErrorsCarryFieldValueAndAccepted) {
  Settings s = infer();
  try {
    s.set_text("kv_dtype", "fp7");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "kv_dtype");
    EXPECT_EQ(e.value(), "'fp7'");
    EXPECT_EQ(e.accepted(),
              "one of auto, f32, f16 (fp16), bf16, fp8 (fp8_e4m3), fp8_e5m2, int8, q8_0, q4_0, "
              "q4_1, q5_0, q5_1, iq4_nl");
    // The library spells the key; the CLI the flag.
    EXPECT_EQ(std::string(e.what()).rfind("kv_dtype is 'fp7'", 0), 0u);
    EXPECT_EQ(e.message("--kv-dtype").rfind("--kv-dtype is 'fp7'", 0), 0u);
  }
}

TEST(Settings, JsonValuesMustHaveTheOptionsType) {
  // Issue 9: "include_mtp": "true" (or 1, or null) was silently ignored and 13.5 GB vanished.
  for (const char* bad : {R"("true")", "1", "null", "[true]"}) {
    SCOPED_TRACE(bad);
    std::string json = std::string(R"({"model": "deepseek-v3", "include_mtp": )") + bad + "}";
    EXPECT_INPUT_ERROR(
        settings_from_json(Command::infer, json, "run.json"), "include_mtp",
        std::string("run.json: include_mtp is ") + bad + " but must be true or false");
  }
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"context": "8192"})", "run.json"),
                     "context",
                     "run.json: context is \"8192\" but must be an integer in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"context": 8192.0})", "run.json"),
                     "context",
                     "run.json: context is 8192.0 but must be an integer in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"tp": 0})", ""), "tp",
                     "tp is 0 but must be in [1, 4096]");
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"model": 5})", ""), "model",
                     "model is 5 but must be a non-empty string");
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"pp_layers": [20, "x"]})", ""),
                     "pp_layers",
                     "pp_layers is [20,\"x\"] but must be comma-separated integers in [1, 4096]");
  Settings ok = settings_from_json(
      Command::infer, R"({"include_mtp": true, "pp_layers": [20, 12], "batch": 4})", "");
  EXPECT_TRUE(ok.boolean("include_mtp"));
  EXPECT_EQ(ok.list("pp_layers"), (std::vector<int64_t>{20, 12}));
  EXPECT_EQ(ok.integer("batch"), 4);
  // The settings echo writes a list as the command line spells it; that reads back too.
  EXPECT_EQ(settings_from_json(Command::infer, R"({"pp_layers": "20,12"})", "").list("pp_layers"),
            (std::vector<int64_t>{20, 12}));
}

TEST(Settings, UnknownKeysAndOutputOptionsAreRefused) {
  EXPECT_INPUT_ERROR(settings_from_json(Command::infer, R"({"contxt": 5})", "run.json"), "contxt",
                     "run.json: unknown setting 'contxt'; accepted: model, engine, weights, "
                     "kv_dtype, context, batch, tp, pp, prefill_chunk, pp_layers, gpu, "
                     "include_mtp, engine_version, config");
  // --json, --check and --settings shape the printing, not the estimate.
  for (const char* key : {"json", "check", "settings", "per_gpu"}) {
    SCOPED_TRACE(key);
    EXPECT_THROW(settings_from_json(Command::infer, std::string("{\"") + key + "\": true}", ""),
                 InputError);
  }
  EXPECT_THROW_MSG(settings_from_json(Command::infer, "[1]", "run.json"), InputError,
                   "run.json: settings must be a JSON object (the \"settings\" of --json output)");
  EXPECT_THROW_MSG(settings_from_json(Command::infer, R"({"tp": 1, "tp": 2})", "run.json"),
                   FormatError, "run.json: duplicate key 'tp' (keys must be unique)");
}

TEST(Settings, TheCommandLineWinsOverAFile) {
  Settings cli = infer();
  cli.set_text("context", "100");
  Settings file = settings_from_json(Command::infer, R"({"context": 200, "batch": 3})", "");
  cli.fill_from(file);
  EXPECT_EQ(cli.integer("context"), 100);
  EXPECT_EQ(cli.integer("batch"), 3);
}

TEST(Settings, ProgramsSetTypedValues) {
  Settings s = infer();
  s.set("context", int64_t{8192});
  s.set("include_mtp", true);
  s.set("pp_layers", std::vector<int64_t>{16, 16});
  EXPECT_EQ(s.integer("context"), 8192);
  EXPECT_INPUT_ERROR(s.set("include_mtp", std::string("true")), "include_mtp",
                     "--include-mtp is \"true\" but must be true or false");
  EXPECT_INPUT_ERROR(s.set("context", 1.5), "context",
                     "--context is 1.5 but must be an integer in [1, 1099511627776]");
  EXPECT_INPUT_ERROR(s.set("nonsense", true), "nonsense",
                     "unknown setting 'nonsense'; accepted: model, engine, weights, kv_dtype, "
                     "context, batch, tp, pp, prefill_chunk, pp_layers, gpu, include_mtp, "
                     "engine_version, config");
}

}  // namespace
}  // namespace llmem::request
