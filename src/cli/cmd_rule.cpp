// `llmem rule [MODEL]`: the seed document's rules of thumb, exactly, labelled as such.
#include <memory>

#include "cli/app.h"
#include "cli/bind.h"
#include "llmem/core/units.h"
#include "llmem/render/render.h"
#include "llmem/request/rule.h"

namespace llmem::cli {

void register_rule(CLI::App& app, Outcome& outcome) {
  auto bound = std::make_shared<Bound>(request::Command::rule);
  CLI::App* cmd = app.add_subcommand(
      "rule", "the seed document's rules of thumb, exactly, with llmem's precise figure beside");
  bound->bind(*cmd);
  cmd->callback([bound, &outcome] {
    request::Settings s = bound->settings();
    auto rules = request::run_rule(s);
    Units units = *parse_units(s.text("units"));
    outcome.out = s.boolean("json") ? render_json(rules, units)
                                    : render_table(rules, {units, s.boolean("explain")});
    outcome.status = 0;
  });
}

}  // namespace llmem::cli
