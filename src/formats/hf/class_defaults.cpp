#include "formats/hf/class_defaults.h"

#include <string>

#include "formats/hf/decoder_params.h"

namespace llmem::hf {

int64_t int_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                             int64_t class_default, int64_t min, int64_t max,
                             std::string_view config_class) {
  if (auto v = c.opt_int(key, min, max)) return *v;
  m.notes.push_back(c.where(key) + " is absent; transformers' " + std::string(config_class) +
                    " default " + std::to_string(class_default) + " is used");
  return class_default;
}

bool bool_or_class_default(const ConfigView& c, ModelDescription& m, std::string_view key,
                           bool class_default, std::string_view config_class) {
  if (c.has(key)) return c.get_bool(key, class_default);
  m.notes.push_back(c.where(key) + " is absent; transformers' " + std::string(config_class) +
                    " default " + (class_default ? "true" : "false") + " is used");
  return class_default;
}

MoeCounts read_moe_counts(const ConfigView& c, std::string_view experts_key,
                          std::string_view per_token_key) {
  MoeCounts n;
  n.experts = static_cast<int32_t>(c.require_int(experts_key, 1, k_max_experts));
  auto k = c.opt_int(per_token_key, 1, k_max_experts);
  if (!k) {
    c.fail(per_token_key, "is missing (an integer in [1, " + std::string(experts_key) + "=" +
                              std::to_string(n.experts) + "] is required)");
  }
  if (*k > n.experts) {
    c.fail(per_token_key, "is " + std::to_string(*k) + " but must be in [1, " +
                              std::string(experts_key) + "=" + std::to_string(n.experts) + "]");
  }
  n.per_token = static_cast<int32_t>(*k);
  return n;
}

}  // namespace llmem::hf
