// `llmem rule [MODEL]`: the seed document's rules of thumb, exactly, labelled as such.
#include <iostream>

#include "cli/app.h"
#include "cli/infer_request.h"
#include "cli/resolve.h"
#include "llmem/common/error.h"
#include "llmem/core/rules.h"
#include "llmem/render/render.h"

namespace llmem::cli {
namespace {

struct RuleArgs {
  std::string model, params, precision, factor, lora_factor, batch, seq, hidden, layers;
  OutputFlags out;
};

}  // namespace

void register_rule(CLI::App& app, int& status) {
  auto a = std::make_shared<RuleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rule", "the seed document's rules of thumb, exactly, with llmem's precise figure beside");
  cmd->add_option("MODEL", a->model, "a model (catalog name, path or org/name); or use --params");
  cmd->add_option("--params", a->params, "parameter count: 70B, 7.6B, 350M or an integer")
      ->check(non_empty())
      ->type_name("N");
  cmd->add_option("--precision", a->precision, "fp32, fp16 (default), bf16, int8 or int4")
      ->check(non_empty())
      ->type_name("P");
  cmd->add_option("--factor", a->factor, "inference redundancy factor (default 1.2; seed 1.2-1.5)")
      ->check(non_empty())
      ->type_name("F");
  cmd->add_option("--lora-factor", a->lora_factor, "LoRA factor (default 1.2; seed 1.2-1.5)")
      ->check(non_empty())
      ->type_name("F");
  cmd->add_option("--batch", a->batch, "batch for the activation rule (default 1)")
      ->check(non_empty())
      ->type_name("N");
  cmd->add_option("--seq", a->seq, "sequence length for the activation rule (default 2048)")
      ->check(non_empty())
      ->type_name("N");
  cmd->add_option("--hidden", a->hidden, "hidden size for the activation rule (default: MODEL's)")
      ->check(non_empty())
      ->type_name("N");
  cmd->add_option("--layers", a->layers, "layers for the activation rule (default: MODEL's)")
      ->check(non_empty())
      ->type_name("N");
  add_output_flags(*cmd, a->out);
  cmd->callback([a, &status] {
    RuleOptions o;
    if (!a->precision.empty()) {
      auto p = parse_rule_precision(a->precision);
      if (!p) {
        throw InputError("--precision is '" + a->precision +
                         "' but must be one of fp32, fp16, bf16, int8, int4");
      }
      o.precision = *p;
    }
    if (!a->factor.empty()) o.factor = parse_number_option("--factor", a->factor);
    if (!a->lora_factor.empty()) {
      o.lora_factor = parse_number_option("--lora-factor", a->lora_factor);
    }
    if (!a->batch.empty()) o.batch = parse_int_option("--batch", a->batch, 1, 1 << 20);
    if (!a->seq.empty()) o.seq = parse_int_option("--seq", a->seq, 1, int64_t{1} << 30);
    if (!a->hidden.empty()) o.hidden = parse_int_option("--hidden", a->hidden, 1, 1 << 20);
    if (!a->layers.empty()) o.layers = parse_int_option("--layers", a->layers, 1, 4096);
    if (!a->model.empty() && !a->params.empty()) {
      throw InputError("give a MODEL or --params, not both");
    }
    PreciseFigures precise;
    if (!a->model.empty()) {
      ModelDescription m = resolve_model(a->model, {});
      o.params = total_params(m);
      if (o.hidden == 0) o.hidden = m.hidden_size;
      if (o.layers == 0) o.layers = m.num_layers;
      precise = precise_figures(m, o.precision);
    }
    if (!a->params.empty()) {
      o.params = parse_param_count(a->params);
    }
    auto rules = apply_rules(o, precise);
    Units units = parse_units(a->out.units, Units::GB);
    std::cout << (a->out.json ? render_rules_json(rules, units)
                              : render_rules_table(rules, {units, a->out.explain}));
    status = 0;
  });
}

}  // namespace llmem::cli
