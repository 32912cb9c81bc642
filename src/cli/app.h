// The llmem command line (SPEC §1). run() owns the one catch site: llmem::Error and bad options
// exit 2 with "llmem: error: …", a failed --check exits 3, anything unexpected exits 1.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace llmem::cli {

int run(int argc, char** argv);

// Output options every estimating command shares.
struct OutputFlags {
  bool json = false;
  bool explain = false;
  std::string units;  // "" = the command's default
};
void add_output_flags(CLI::App& cmd, OutputFlags& f);

// Rejects an empty option value ("--gpu ''"), which would otherwise read as "not given".
const CLI::Validator& non_empty();

// Parses an integer option, naming it in the error: "--context is 'abc' but must be an integer
// in [1, 1099511627776]".
int64_t parse_int_option(const std::string& option, const std::string& text, int64_t min,
                         int64_t max);
double parse_number_option(const std::string& option, const std::string& text);

// Subcommands; each registers itself and returns the exit status through `status`.
void register_infer(CLI::App& app, int& status);
void register_rule(CLI::App& app, int& status);
void register_catalogs(CLI::App& app, int& status);
void register_later_commands(CLI::App& app);
int run_default(const OutputFlags& out);

}  // namespace llmem::cli
