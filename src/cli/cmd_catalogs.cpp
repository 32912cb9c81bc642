// `llmem models` and `llmem gpus`: the built-in catalogs.
#include <memory>

#include "cli/app.h"
#include "cli/bind.h"
#include "llmem/core/units.h"
#include "llmem/render/render.h"
#include "llmem/request/catalogs.h"

namespace llmem::cli {

void register_catalogs(CLI::App& app, Outcome& outcome) {
  auto models = std::make_shared<Bound>(request::Command::models);
  CLI::App* m = app.add_subcommand("models", "the built-in model catalog");
  models->bind(*m);
  m->callback([models, &outcome] {
    request::Settings s = models->settings();
    auto list = request::list_models();
    outcome.out = s.boolean("json") ? render_json(list) : render_table(list);
    outcome.status = 0;
  });

  auto gpus = std::make_shared<Bound>(request::Command::gpus);
  CLI::App* g = app.add_subcommand("gpus", "the built-in GPU catalog");
  gpus->bind(*g);
  g->callback([gpus, &outcome] {
    request::Settings s = gpus->settings();
    const auto& list = request::list_gpus();
    outcome.out =
        s.boolean("json") ? render_json(list) : render_table(list, *parse_units(s.text("units")));
    outcome.status = 0;
  });
}

}  // namespace llmem::cli
