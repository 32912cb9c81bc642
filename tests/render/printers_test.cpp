// The printers (include/llmem/render/render.h): one table printer and one JSON printer over
// rows, for estimates, rules, the overview and the catalogs; safe on untrusted text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmem/render/render.h"
#include "render/text_table.h"

namespace llmem {
namespace {

MemoryEstimate small_estimate(std::string mode) {
  MemoryEstimate e;
  e.mode = std::move(mode);
  e.model = {"m", "test", 10, 10, 0};
  Component w;
  w.name = "weights";
  w.bytes = 3ull << 30;
  w.formula = "f";
  int32_t p = add_row(e.components, w);
  Component a = w;
  a.name = "attention";
  a.bytes = 1ull << 30;
  add_row(e.components, a, p);
  a.name = "mlp";
  a.bytes = 2ull << 30;
  add_row(e.components, a, p);
  e.total_bytes = 3ull << 30;
  return e;
}

TEST(TextTable, WidthsCountCharactersAndTheLastColumnIsNotPadded) {
  TextTable t;
  t.margin = "  ";
  t.columns = {{"a", 6, false}, {"b", 4, true}, {"c", 5, false, "  "}};
  t.rows = {{{"–×", "1", "x"}, {"under"}}, {{"abcdefgh", "12345", ""}, {}}};
  EXPECT_EQ(print_table(t),
            "  a         b  c\n"
            "  –×        1  x\n"
            "under\n"
            "  abcdefgh 12345  \n");
  EXPECT_EQ(display_width("ranks 0–1"), 9u);
}

TEST(Printers, TheTableDoesNotBranchOnTheMode) {
  std::string inference = render_table(small_estimate("inference"), {});
  std::string training = render_table(small_estimate("training"), {});
  EXPECT_EQ(inference.rfind("Inference memory for m (test)\n", 0), 0u);
  EXPECT_EQ(training.rfind("Training memory for m (test)\n", 0), 0u);
  EXPECT_EQ(inference.substr(inference.find('\n')), training.substr(training.find('\n')));
  // Rows of any depth are indented by their depth.
  EXPECT_NE(inference.find("\n  weights                             3.00  100.0%\n"
                           "    attention                         1.00   33.3%\n"),
            std::string::npos)
      << inference;
}

TEST(Printers, UntrustedTextIsSafeInTextAndJson) {
  MemoryEstimate e = small_estimate("inference");
  e.model.name = "evil\x1b[2J";
  e.notes = {"model_type 'x\ny' \xff", std::string(20000, 'n')};
  std::string text = render_table(e, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("memory for evil\\x1b[2J (test)"), std::string::npos);
  EXPECT_NE(text.find("  - model_type 'x\\x0ay' \xef\xbf\xbd\n"), std::string::npos);
  EXPECT_NE(text.find("… (20000 bytes)"), std::string::npos);
  // Invalid UTF-8 never makes the JSON printer throw half-way.
  auto j = nlohmann::json::parse(render_json(e));
  EXPECT_EQ(j["notes"][0], "model_type 'x\\x0ay' \xef\xbf\xbd");
  EXPECT_EQ(j["components"][1]["parent"], "weights");
}

TEST(Printers, RulesKeepSpecFourShape) {
  RuleOptions o;
  o.params = 70'000'000'000;
  auto rules = apply_rules(o);
  auto j = nlohmann::json::parse(render_json(rules, Units::GB));
  EXPECT_EQ(j["mode"], "rule");
  EXPECT_EQ(j["unit"], "GB");
  const auto& inference = j["rules"][1];
  EXPECT_EQ(inference["rule"], "inference");
  EXPECT_EQ(inference["bytes"], 168'000'000'000u);
  EXPECT_TRUE(inference.contains("formula"));
  EXPECT_TRUE(inference.contains("inputs"));
  EXPECT_TRUE(inference.contains("note"));
  EXPECT_FALSE(inference.contains("name"));
  EXPECT_FALSE(inference.contains("parent"));
  EXPECT_EQ(j["rules"][2]["bytes_low"], 33'600'000'000u);
  // full_finetune's precise figure (16 bytes per parameter) needs only the count.
  EXPECT_EQ(j["rules"][4]["precise_bytes"], 1'120'000'000'000u);
}

TEST(Printers, CatalogsKeepSpecFiveShape) {
  std::vector<CatalogModel> models = {{"m", "org/m", "llama", 8, "src"}};
  auto jm = nlohmann::json::parse(render_json(models));
  EXPECT_EQ(jm, nlohmann::json::parse(
                    R"([{"name": "m", "hf_id": "org/m", "model_type": "llama", "params": 8,
                         "source": "src"}])"));
  GpuSpec g;
  g.name = "X";
  g.memory_bytes = 1ull << 30;
  auto jg = nlohmann::json::parse(render_json(std::vector<GpuSpec>{g}));
  for (const char* key : {"name", "aliases", "memory_bytes", "memory_kind", "memory_source",
                          "compute_capability", "bf16", "fp8", "interconnect", "gpus_per_node",
                          "price_per_hour", "price_source", "common"}) {
    EXPECT_TRUE(jg[0].contains(key)) << key;
  }
  EXPECT_TRUE(jg[0]["price_per_hour"].is_null());
  EXPECT_EQ(render_table(std::vector<GpuSpec>{g}, Units::GiB),
            "name                   memory  cc   bf16  fp8  link    common\n"
            "X                    1.00 GiB       yes   no   pcie    \n"
            "\nmemory: what CUDA reports (cudaMemGetInfo total), not the marketing size; "
            "sources: llmem gpus --json\n");
}

TEST(Printers, OverviewShowsTheSameInBoth) {
  Overview v;
  v.estimate = small_estimate("inference");
  RuleOptions o;
  o.params = 10;
  v.rule = apply_rules(o)[1];
  GpuSpec g;
  g.name = "G";
  g.memory_bytes = 4ull << 30;
  v.gpus.push_back({g, FitResult{"G", 1, g.memory_bytes, true, 1ll << 30}});
  std::string text = render_table(v, {});
  EXPECT_NE(text.find("Rule of thumb (seed document, labelled as such): params × 2 bytes × 1.2 = "),
            std::string::npos);
  EXPECT_NE(text.find("\n  G              4.00 GiB  fits         headroom +1.00 GiB\n"),
            std::string::npos)
      << text;
  auto j = nlohmann::json::parse(render_json(v));
  EXPECT_EQ(j["rule_of_thumb"]["bytes"], 24u);
  EXPECT_EQ(j["common_gpus"][0]["headroom_bytes"], 1ll << 30);
  EXPECT_EQ(j["common_gpus"][0]["memory_kind"], "cuda");
}

}  // namespace
}  // namespace llmem
