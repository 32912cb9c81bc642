// Issue 9 item 4: the `settings` of every JSON output, fed back, gives the same total_bytes —
// for every catalog model at several option sets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmem/common/error.h"
#include "llmem/render/render.h"
#include "llmem/request/catalogs.h"
#include "llmem/request/infer.h"

namespace llmem::request {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

TEST(SettingsRoundTrip, EveryCatalogModelAtSeveralOptionSets) {
  const Args sets[] = {
      {},
      {{"context", "8192"}, {"batch", "4"}, {"kv_dtype", "fp8"}},
      {{"tp", "2"}, {"prefill_chunk", "2048"}},
      {{"weights", "int4"}, {"gpu", "H100-80GB"}},
      {{"gpu", "A100-80GBx2"}},
      {{"pp", "2"}, {"context", "100000"}},
      {{"include_mtp", ""}, {"engine_version", "0.19"}, {"gpu", "80GiB"}},
  };
  int compared = 0;
  for (const auto& m : list_models()) {
    for (const auto& args : sets) {
      Settings s(Command::infer);
      s.set("model", m.name);
      for (const auto& [k, v] : args) {
        if (k == "include_mtp") {
          s.set(k, true);
        } else {
          s.set_text(k, v);
        }
      }
      MemoryEstimate first;
      try {
        first = run_infer(s);
      } catch (const InputError&) {
        continue;  // e.g. tp 2 does not divide this model's heads: nothing to round-trip
      }
      SCOPED_TRACE(m.name + " " + nlohmann::json(args).dump());
      auto j = nlohmann::json::parse(render_json(first));
      Settings again = settings_from_json(Command::infer, j["settings"].dump(), "settings");
      MemoryEstimate second = run_infer(again);
      EXPECT_EQ(second.total_bytes, first.total_bytes);
      EXPECT_EQ(nlohmann::json::parse(render_json(second))["settings"], j["settings"]);
      ++compared;
    }
  }
  EXPECT_GE(compared, 38 * 5);
}

}  // namespace
}  // namespace llmem::request
