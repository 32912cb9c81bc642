// The option table: every option of every command, once. Each row gives the settings key, the
// command-line spelling, the type, the range or the accepted values (from the parser's own
// table), the default and the help. The table drives the CLI's registration (src/cli walks it),
// the type and range checks of every value (llmem/request/settings.h), --settings files, the
// "settings" object of the JSON output, and the server's JSON body.
//
// Adding a numeric option to `infer`: one row here, and the line that uses the value
// (src/request/infer_options.cpp). Nothing else.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace llmem::request {

enum class Command : uint8_t { infer, rule, overview, models, gpus, count };
std::string_view to_string(Command c);  // "infer", "rule", "" (bare llmem), "models", "gpus"
constexpr uint32_t bit(Command c) { return 1u << static_cast<unsigned>(c); }

enum class OptionType : uint8_t {
  integer,  // a whole number in [min, max]
  number,   // a finite decimal number
  boolean,  // a flag on the command line; true or false in JSON
  text,     // a non-empty string, checked where it is used (a path, a model, a GPU)
  choice,   // one of accepted()
  list,     // comma-separated integers in [min, max] ("20,20"); a JSON array or that string
};
std::string_view to_string(OptionType t);

enum class OptionRole : uint8_t {
  setting,  // shapes the result: echoed in "settings", read from --settings and JSON bodies
  source,   // where settings come from (--settings FILE): command line only
  output,   // how the result is printed (--json, --units, --per-gpu, --check): not a setting
};

struct OptionSpec {
  std::string_view key = {};      // settings key, snake_case ("prefill_chunk")
  std::string_view flag = {};     // command-line spelling ("--prefill-chunk"); "" for a positional
  std::string_view aliases = {};  // more spellings, comma-separated ("--kv-cache-dtype")
  OptionType type = OptionType::text;
  std::string_view value_name = {};     // "N", "FORMAT"; a positional's name ("MODEL")
  std::string_view help = {};           // one line, without the accepted values and the default
  std::string_view default_value = {};  // the default as the command line spells it; "" = none
  std::string_view default_help = {};   // the default in words ("the compute dtype")
  int64_t min = 0;                      // integer, list: accepted range
  int64_t max = 0;
  std::string (*accepted)() = nullptr;          // choice: the accepted values, listed
  bool (*accepts)(std::string_view) = nullptr;  // choice: the parser; nullptr = checked later
  uint32_t commands = 0;                        // bit(Command::infer) | …
  OptionRole role = OptionRole::setting;
  bool suggest = false;  // an unknown value gets "did you mean" from the accepted values
};

// Every row, in the order --help, the settings echo and the docs list them.
std::span<const OptionSpec> option_table();

// The row for `key` in `command`; nullptr when the command has no such option.
const OptionSpec* find_option(Command command, std::string_view key);

// The settings keys a JSON body or a --settings file may give for `command`, comma-separated.
std::string setting_keys(Command command);

// How the command line spells a settings key: the flag ("--tp"), or a positional's name
// ("MODEL"); a key no row has becomes "--" + key with '_' as '-'.
std::string cli_spelling(std::string_view key);

// "[1, 1099511627776]", "one of generic, hf, vllm, llamacpp", "true or false": what a row accepts.
std::string accepted_text(const OptionSpec& o);

// Option names of other tools that llmem refuses with a pointer to its own option
// (`--tensor-parallel-size` is vLLM's; llmem's is `--tp`).
struct ForeignOption {
  std::string_view name;  // "--tensor-parallel-size", "-tp", "-c"
  std::string_view tool;  // "vLLM", "llama.cpp"
  std::string_view key;   // the llmem setting that does it ("tp")
  std::string_view hint;  // how llmem's differs, or ""
};
std::span<const ForeignOption> foreign_options();
// The foreign option `arg` is ("--dtype", "--dtype=half", "-c"), or nullptr.
const ForeignOption* find_foreign_option(std::string_view arg);

// The ranks `--per-gpu all` lists at most (issue 9: above it the output would not scale).
inline constexpr int64_t k_max_listed_ranks = 4096;

}  // namespace llmem::request
