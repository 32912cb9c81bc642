// Commands of SPEC §1 that later issues build (train, plan, serve): registered so that --help
// lists them and running one says plainly that this build does not have it yet.
#include "cli/app.h"
#include "llmem/common/error.h"

namespace llmem::cli {

void register_later_commands(CLI::App& app) {
  struct Later {
    const char* name;
    const char* what;
  };
  for (const Later& l :
       {Later{"train", "memory to train or fine-tune a model (not in this build yet)"},
        Later{"plan", "which setups fit (not in this build yet)"},
        Later{"serve", "local web page and JSON API (not in this build yet)"}}) {
    CLI::App* cmd = app.add_subcommand(l.name, l.what);
    cmd->allow_extras();
    std::string name = l.name;
    cmd->callback([name] {
      throw InputError("'llmem " + name +
                       "' is not available in this build yet; available: infer, rule, models, "
                       "gpus (see llmem --help)");
    });
  }
}

}  // namespace llmem::cli
