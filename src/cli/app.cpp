#include "cli/app.h"

#include <cstdio>
#include <new>
#include <string_view>

#include "cli/bind.h"
#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "llmem/core/units.h"
#include "llmem/render/render.h"
#include "llmem/request/options.h"
#include "llmem/request/overview.h"

namespace llmem::cli {
namespace {

// Out of memory must end in one message, not an abort. Unwinding allocates too (the JSON
// printer's nlohmann::json destructor flattens arrays onto a vector, and a throw from a
// destructor terminates), so a reserve is kept and freed at the first failed allocation, which
// then throws bad_alloc to the one catch site with room left to unwind and print.
char* g_reserve = nullptr;
constexpr size_t k_reserve_bytes = size_t{8} << 20;

void release_reserve_and_throw() {
  delete[] g_reserve;
  g_reserve = nullptr;
  std::set_new_handler(nullptr);
  throw std::bad_alloc();
}

// The one spelling of a settings key on the command line: "tp" → "--tp", "model" → "MODEL".
std::string spell(std::string_view key) { return request::cli_spelling(key); }

// An error's message as the command line spells it, made safe to print.
std::string message_of(const Error& e) {
  if (const auto* input = dynamic_cast<const InputError*>(&e);
      input && !input->field_name().empty()) {
    return safe_text(input->message_with(spell), k_safe_line_bytes);
  }
  return safe_text(e.what(), k_safe_line_bytes);
}

// Other tools' option names (--tensor-parallel-size, -c, --dtype …): exit 2 naming llmem's.
void refuse_foreign_options(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const request::ForeignOption* f = request::find_foreign_option(arg);
    if (f == nullptr) continue;
    std::string name = safe_text(arg.substr(0, arg.find('=')));
    std::string hint = f->hint.empty() ? "" : " (" + std::string(f->hint) + ")";
    const request::OptionSpec* o = request::find_option(request::Command::infer, f->key);
    std::string value =
        o != nullptr && !o->value_name.empty() ? " " + std::string(o->value_name) : "";
    throw InputError::field(std::string(f->key), name, spell(f->key),
                            name + " is an option of " + std::string(f->tool) +
                                ", not llmem; llmem's is {field}" + value + hint);
  }
}

std::string write_all(const std::string& out) {
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    return "cannot write the output";
  }
  return "";
}

int run_parsed(CLI::App& app, int argc, char** argv, Bound& overview, Outcome& outcome) {
  refuse_foreign_options(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr,
                 "llmem: error: %s\nrun 'llmem --help' or 'llmem COMMAND --help' for the options\n",
                 safe_text(e.what(), k_safe_line_bytes).c_str());
    return 2;
  }
  if (app.get_subcommands().empty()) {
    request::Settings s = overview.settings();
    Overview v = request::run_overview();
    RenderOptions o{*parse_units(s.text("units")), s.boolean("explain")};
    outcome.out = s.boolean("json") ? render_json(v) : render_table(v, o);
    outcome.status = 0;
  } else if (overview.any_given()) {
    throw InputError("--json, --explain and --units go after the command (llmem " +
                     app.get_subcommands().front()->get_name() + " … --json)");
  }
  return -1;  // the outcome decides
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "llmem: how much GPU memory a language model needs to serve, fine-tune or train.\n"
      "Without arguments: the inference estimate for llama-3.1-8b, the seed's rule of thumb "
      "beside it, and the common GPUs it fits."};
  app.name("llmem");
  app.set_version_flag("--version", "llmem 0.1.0");
  app.require_subcommand(0, 1);
  Outcome outcome;
  Bound overview(request::Command::overview);
  overview.bind(app);
  register_infer(app, outcome);
  register_rule(app, outcome);
  register_catalogs(app, outcome);
  register_later_commands(app);
  std::string failure;
  int status = 1;
  g_reserve = new (std::nothrow) char[k_reserve_bytes];
  if (g_reserve != nullptr) std::set_new_handler(release_reserve_and_throw);
  try {
    int early = run_parsed(app, argc, argv, overview, outcome);
    if (early >= 0) return early;
    std::string written = write_all(outcome.out);
    if (written.empty()) return outcome.status;
    failure = "llmem: error: " + written;
  } catch (const InternalError& e) {
    failure = "llmem: " + message_of(e);  // the message starts with "internal: "
  } catch (const Error& e) {
    failure = "llmem: error: " + message_of(e);
    status = 2;
  } catch (const std::bad_alloc&) {
    failure = "llmem: error: out of memory";
  } catch (const std::exception& e) {
    failure = "llmem: internal error: " + safe_text(e.what(), k_safe_line_bytes);
  }
  std::fprintf(stderr, "%s\n", failure.c_str());
  return status;
}

}  // namespace llmem::cli
