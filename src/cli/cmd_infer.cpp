// `llmem infer MODEL`: memory to serve a model.
#include <memory>

#include "cli/app.h"
#include "cli/bind.h"
#include "llmem/common/error.h"
#include "llmem/core/units.h"
#include "llmem/render/render.h"
#include "llmem/request/infer.h"
#include "llmem/request/settings_file.h"

namespace llmem::cli {

void register_infer(CLI::App& app, Outcome& outcome) {
  auto bound = std::make_shared<Bound>(request::Command::infer);
  CLI::App* cmd = app.add_subcommand("infer", "memory to serve a model");
  bound->bind(*cmd);
  cmd->callback([bound, &outcome] {
    request::Settings s = bound->settings();
    if (s.has("settings")) {
      s.fill_from(request::read_settings_file(request::Command::infer, s.text("settings")));
    }
    MemoryEstimate e = request::run_infer(s);
    RenderOptions o{*parse_units(s.text("units")), s.boolean("explain")};
    outcome.out = s.boolean("json") ? render_json(e) : render_table(e, o);
    outcome.status = s.boolean("check") && e.fits && !e.fits->ok ? 3 : 0;
  });
}

}  // namespace llmem::cli
