// `llmem infer MODEL`: memory to serve a model.
#include <iostream>

#include "cli/app.h"
#include "cli/infer_request.h"
#include "llmem/common/error.h"
#include "llmem/render/render.h"

namespace llmem::cli {
namespace {

struct InferArgs {
  std::string model;
  InferRequestText request;
  OutputFlags out;
  bool check = false;
};

}  // namespace

void register_infer(CLI::App& app, int& status) {
  auto args = std::make_shared<InferArgs>();
  CLI::App* cmd = app.add_subcommand("infer", "memory to serve a model");
  cmd->add_option("MODEL", args->model,
                  "a config.json, model folder, .gguf or .safetensors file; a catalog name (see "
                  "'llmem models'); or a Hugging Face id org/name[@revision]");
  add_infer_options(*cmd, args->request);
  cmd->add_flag("--check", args->check, "exit 3 when the estimate does not fit the --gpu");
  add_output_flags(*cmd, args->out);
  cmd->callback([args, &status] {
    InferRequest req = build_infer_request(args->model, args->request);
    MemoryEstimate e = run_infer_request(req);
    Units units = parse_units(args->out.units, Units::GiB);
    std::cout << (args->out.json ? render_json(e) : render_table(e, {units, args->out.explain}));
    status = 0;
    if (args->check) {
      if (!e.fits) throw InputError("--check needs --gpu NAME[xN] to check against");
      if (!e.fits->ok) status = 3;
    }
  });
}

}  // namespace llmem::cli
