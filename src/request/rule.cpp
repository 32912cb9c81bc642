#include "llmem/request/rule.h"

#include "llmem/common/error.h"
#include "llmem/request/model_resolution.h"

namespace llmem::request {

std::vector<RuleResult> run_rule(const Settings& s) {
  RuleOptions o;
  o.precision = *parse_rule_precision(s.text("precision"));  // the table's check accepted it
  o.factor = *s.number("factor");
  o.lora_factor = *s.number("lora_factor");
  o.batch = *s.integer("batch");
  o.seq = *s.integer("seq");
  o.hidden = s.integer("hidden").value_or(0);
  o.layers = s.integer("layers").value_or(0);
  if (s.has("model") && s.has("params")) {
    throw InputError::field("params", s.text("params"), "a MODEL or a parameter count, not both",
                            "give a {field:model} or {field}, not both");
  }
  PreciseFigures precise;
  if (s.has("model")) {
    ModelDescription m = resolve_model(s.text("model"), {}).model;
    o.params = total_params(m);
    if (o.hidden == 0) o.hidden = m.hidden_size;
    if (o.layers == 0) o.layers = m.num_layers;
    precise = precise_figures(m, o.precision);
  }
  if (s.has("params")) o.params = parse_param_count(s.text("params"));
  return apply_rules(o, precise);
}

}  // namespace llmem::request
