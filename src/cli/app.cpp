#include "cli/app.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "llmem/common/error.h"

namespace llmem::cli {

void add_output_flags(CLI::App& cmd, OutputFlags& f) {
  cmd.add_flag("--json", f.json, "print JSON (SPEC §2: integer bytes, no units)");
  cmd.add_flag("--explain", f.explain, "show each component's formula and inputs");
  cmd.add_option("--units", f.units, "GiB (binary) or GB (decimal); never mixed")
      ->type_name("GiB|GB")
      ->check(non_empty());
}

const CLI::Validator& non_empty() {
  static const CLI::Validator v(
      [](std::string& s) { return s.empty() ? std::string("must not be empty") : std::string(); },
      "", "non-empty");
  return v;
}

int64_t parse_int_option(const std::string& option, const std::string& text, int64_t min,
                         int64_t max) {
  auto fail = [&] {
    throw InputError(option + " is '" + text + "' but must be an integer in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "]");
  };
  if (text.empty() || text.size() > 20) fail();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') fail();
  if (v < min || v > max) {
    throw InputError(option + " is " + std::to_string(v) + " but must be in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

double parse_number_option(const std::string& option, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || end == text.c_str() || *end != '\0' || !std::isfinite(v)) {
    throw InputError(option + " is '" + text + "' but must be a number");
  }
  return v;  // the range is checked where the value is used, with one message
}

int run(int argc, char** argv) {
  CLI::App app{
      "llmem: how much GPU memory a language model needs to serve, fine-tune or train.\n"
      "Without arguments: the inference estimate for llama-3.1-8b, the seed's rule of thumb "
      "beside it, and the common GPUs it fits."};
  app.name("llmem");
  app.set_version_flag("--version", "llmem 0.1.0");
  app.require_subcommand(0, 1);
  int status = 0;
  OutputFlags default_out;  // for the bare run
  add_output_flags(app, default_out);
  register_infer(app, status);
  register_rule(app, status);
  register_catalogs(app, status);
  register_later_commands(app);
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      std::cerr << "llmem: error: " << e.what() << "\n"
                << "run 'llmem --help' or 'llmem COMMAND --help' for the options\n";
      return 2;
    }
    if (app.get_subcommands().empty()) return run_default(default_out);
    if (default_out.json || default_out.explain || !default_out.units.empty()) {
      throw InputError("--json, --explain and --units go after the command (llmem " +
                       app.get_subcommands().front()->get_name() + " … --json)");
    }
    return status;
  } catch (const InternalError& e) {
    std::cerr << "llmem: " << e.what() << "\n";  // the message starts with "internal: "
    return 1;
  } catch (const InputError& e) {
    // The library names the setting; the command line spells it as its flag.
    std::string flag = e.field_name();
    for (char& c : flag) c = c == '_' ? '-' : c;
    std::cerr << "llmem: error: " << (flag.empty() ? std::string(e.what()) : e.message("--" + flag))
              << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "llmem: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "llmem: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "llmem: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace llmem::cli
