// `llmem models` and `llmem gpus`: the built-in catalogs.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/infer_request.h"
#include "llmem/render/render.h"
#include "llmem/sources/catalog.h"

namespace llmem::cli {

void register_catalogs(CLI::App& app, int& status) {
  auto models_json = std::make_shared<bool>(false);
  CLI::App* models = app.add_subcommand("models", "the built-in model catalog");
  models->add_flag("--json", *models_json, "print JSON");
  models->callback([models_json, &status] {
    auto list = model_catalog();
    if (*models_json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& m : list) {
        j.push_back({{"name", m.name},
                     {"hf_id", m.hf_id},
                     {"model_type", m.model_type},
                     {"params", m.params},
                     {"source", m.source}});
      }
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{:<38} {:<16} {:>18}  {}\n", "name", "model_type", "params",
                               "hf_id");
      for (const auto& m : list) {
        std::cout << fmt::format("{:<38} {:<16} {:>18}  {}\n", m.name, m.model_type, m.params,
                                 m.hf_id);
      }
    }
    status = 0;
  });

  struct GpuArgs {
    bool json = false;
    std::string units;
  };
  auto g = std::make_shared<GpuArgs>();
  CLI::App* gpus = app.add_subcommand("gpus", "the built-in GPU catalog");
  gpus->add_flag("--json", g->json, "print JSON");
  gpus->add_option("--units", g->units, "GiB (default) or GB");
  gpus->callback([g, &status] {
    Units units = parse_units(g->units, Units::GiB);
    if (g->json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& x : gpu_catalog()) {
        nlohmann::json e = {{"name", x.name},
                            {"aliases", x.aliases},
                            {"memory_bytes", x.memory_bytes},
                            {"memory_source", x.memory_source},
                            {"compute_capability", x.compute_capability},
                            {"bf16", x.bf16},
                            {"fp8", x.fp8},
                            {"interconnect", x.interconnect},
                            {"gpus_per_node", x.gpus_per_node},
                            {"common", x.common}};
        e["price_per_hour"] = x.price_per_hour ? nlohmann::json(*x.price_per_hour) : nullptr;
        e["price_source"] = x.price_source;
        j.push_back(std::move(e));
      }
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{:<16} {:>12}  {:<4} {:<5} {:<4} {:<7} {}\n", "name", "memory",
                               "cc", "bf16", "fp8", "link", "common");
      for (const auto& x : gpu_catalog()) {
        std::cout << fmt::format("{:<16} {:>12}  {:<4} {:<5} {:<4} {:<7} {}\n", x.name,
                                 format_bytes(x.memory_bytes, units), x.compute_capability,
                                 x.bf16 ? "yes" : "no", x.fp8 ? "yes" : "no", x.interconnect,
                                 x.common ? "yes" : "");
      }
      std::cout << "\nmemory: what CUDA reports (cudaMemGetInfo total), not the marketing size; "
                   "sources: llmem gpus --json\n";
    }
    status = 0;
  });
}

}  // namespace llmem::cli
