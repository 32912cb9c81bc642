// The llmem command line (SPEC §1): binds argv to the option table (llmem/request/options.h),
// runs the request, prints. run() is the one catch site: bad input exits 2 with
// "llmem: error: …" (the library's field spelled as the flag: "tp" → "--tp"), a failed --check
// exits 3, anything unexpected (out of memory included) exits 1. Output is written only once
// the whole result exists, so a failure never leaves half a JSON document.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace llmem::cli {

int run(int argc, char** argv);

// What a command prints and its exit status, set by its callback.
struct Outcome {
  std::string out;
  int status = 0;
};

// Subcommands; each registers itself and reports through `outcome`.
void register_infer(CLI::App& app, Outcome& outcome);
void register_rule(CLI::App& app, Outcome& outcome);
void register_catalogs(CLI::App& app, Outcome& outcome);
void register_later_commands(CLI::App& app);

}  // namespace llmem::cli
