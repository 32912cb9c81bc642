// The option table (include/llmem/request/options.h): well-formed rows, accepted lists taken
// from the parsers' own tables, one spelling per key.
#include "llmem/request/options.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "llmem/core/kv_cache.h"
#include "llmem/core/rules.h"
#include "llmem/core/weight_format.h"

namespace llmem::request {
namespace {

TEST(OptionTable, RowsAreWellFormed) {
  std::set<std::pair<unsigned, std::string>> seen;
  for (const auto& o : option_table()) {
    SCOPED_TRACE(std::string(o.key));
    EXPECT_NE(o.commands, 0u);
    for (unsigned c = 0; c < static_cast<unsigned>(Command::count); ++c) {
      if ((o.commands & (1u << c)) == 0) continue;
      EXPECT_TRUE(seen.insert({c, std::string(o.key)}).second) << "repeats in one command";
    }
    for (char ch : o.key) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << "snake_case";
    if (!o.flag.empty()) {
      std::string dashed = "--" + std::string(o.key);
      for (char& ch : dashed) {
        if (ch == '_') ch = '-';
      }
      EXPECT_EQ(o.flag, dashed) << "SPEC §2: settings keys are the long option names, '_' for '-'";
    } else {
      EXPECT_FALSE(o.value_name.empty()) << "a positional needs its name";
    }
    EXPECT_FALSE(o.help.empty());
    if (o.type == OptionType::integer || o.type == OptionType::list) {
      EXPECT_LE(o.min, o.max);
      EXPECT_GE(o.min, 1);
    }
    if (o.type == OptionType::choice) {
      ASSERT_NE(o.accepted, nullptr);
      EXPECT_FALSE(o.accepted().empty());
    }
    if (o.type != OptionType::boolean && !o.flag.empty()) EXPECT_FALSE(o.value_name.empty());
  }
}

TEST(OptionTable, AcceptedListsComeFromTheParsers) {
  EXPECT_EQ(find_option(Command::infer, "weights")->accepted, &accepted_weight_formats);
  EXPECT_EQ(find_option(Command::infer, "kv_dtype")->accepted, &accepted_kv_dtypes);
  EXPECT_EQ(find_option(Command::rule, "precision")->accepted, &accepted_rule_precisions);
  // Every listed KV dtype is one the parser takes.
  const OptionSpec* kv = find_option(Command::infer, "kv_dtype");
  for (std::string name : {"auto", "f32", "fp16", "bf16", "fp8", "fp8_e5m2", "q4_0"}) {
    EXPECT_TRUE(kv->accepts(name)) << name;
  }
  EXPECT_FALSE(kv->accepts("fp7"));
}

TEST(OptionTable, KeysOfACommand) {
  EXPECT_EQ(setting_keys(Command::infer),
            "model, engine, weights, kv_dtype, context, batch, tp, pp, prefill_chunk, pp_layers, "
            "gpu, include_mtp, engine_version, config");
  EXPECT_EQ(setting_keys(Command::rule),
            "model, params, precision, factor, lora_factor, batch, seq, hidden, layers");
  // Output options and --settings itself are not settings.
  EXPECT_EQ(setting_keys(Command::infer).find("json"), std::string::npos);
  EXPECT_EQ(find_option(Command::infer, "settings")->role, OptionRole::source);
  // The same key may mean different things in two commands: rule's --batch has its own range.
  EXPECT_EQ(find_option(Command::infer, "batch")->max, int64_t{1} << 40);
  EXPECT_EQ(find_option(Command::rule, "batch")->max, 1 << 20);
  EXPECT_EQ(find_option(Command::models, "context"), nullptr);
}

TEST(OptionTable, CommandLineSpelling) {
  EXPECT_EQ(cli_spelling("tp"), "--tp");
  EXPECT_EQ(cli_spelling("kv_dtype"), "--kv-dtype");
  EXPECT_EQ(cli_spelling("model"), "MODEL");
  EXPECT_EQ(cli_spelling("not_an_option"), "--not-an-option");
}

TEST(OptionTable, AcceptedText) {
  EXPECT_EQ(accepted_text(*find_option(Command::infer, "context")),
            "an integer in [1, 1099511627776]");
  EXPECT_EQ(accepted_text(*find_option(Command::infer, "units")), "GiB or GB");
  EXPECT_EQ(accepted_text(*find_option(Command::infer, "engine")),
            "one of generic, hf, vllm, llamacpp");
  EXPECT_EQ(accepted_text(*find_option(Command::infer, "include_mtp")), "true or false");
}

TEST(ForeignOptions, PointToLlmemsOwn) {
  for (const auto& f : foreign_options()) {
    SCOPED_TRACE(std::string(f.name));
    EXPECT_NE(find_option(Command::infer, f.key), nullptr);
    for (const auto& o : option_table()) {
      EXPECT_NE(o.flag, f.name) << "llmem's own name is not refused";
      EXPECT_NE(o.aliases, f.name);
    }
  }
  EXPECT_EQ(find_foreign_option("--tensor-parallel-size=4")->key, "tp");
  EXPECT_EQ(find_foreign_option("-c")->key, "context");
  EXPECT_EQ(find_foreign_option("--context"), nullptr);
  EXPECT_EQ(find_foreign_option("--max-model-len"), nullptr);  // SPEC §1: vLLM's, built later
}

}  // namespace
}  // namespace llmem::request
