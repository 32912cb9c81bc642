// Binding argv to the option table: every row of a command becomes a CLI11 option (or flag, or
// positional) holding the text as typed; settings() then checks each given value once, through
// the request layer.
#pragma once

#include <CLI/CLI.hpp>
#include <deque>
#include <string>

#include "llmem/request/settings.h"

namespace llmem::cli {

class Bound {
 public:
  explicit Bound(request::Command command) : command_(command) {}

  // Registers every option of the command on `cmd`.
  void bind(CLI::App& cmd);

  // The given values, checked.
  request::Settings settings() const;

  // True when any of the given keys was on the command line.
  bool any_given() const;

 private:
  struct Option {
    const request::OptionSpec* spec = nullptr;
    std::string text;
    bool flag = false;
    CLI::Option* cli = nullptr;
  };
  request::Command command_;
  std::deque<Option> options_;  // stable addresses for CLI11's bindings
};

}  // namespace llmem::cli
