// The `settings` object of the JSON output (SPEC §2), driven by the option table: every
// setting of the command, in table order, as the result used it.
#include <string>

#include "llmem/request/infer.h"

namespace llmem::request {
namespace {

Value to_value(const SettingValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  std::string joined;  // a list as the command line spells it ("20,20")
  for (int64_t x : std::get<std::vector<int64_t>>(v)) {
    if (!joined.empty()) joined += ',';
    joined += std::to_string(x);
  }
  return joined;
}

const Value* find(const Fields& f, std::string_view key) {
  for (const auto& [k, v] : f) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace

Fields echo_settings(const Settings& s, const Fields& resolved) {
  Fields out;
  for (const OptionSpec& o : option_table()) {
    if (o.role != OptionRole::setting || (o.commands & bit(s.command())) == 0) continue;
    std::string key(o.key);
    if (const Value* v = find(resolved, key)) {
      out.emplace_back(key, *v);
    } else if (const SettingValue* given = s.find(key)) {
      out.emplace_back(key, to_value(*given));
    } else if (!o.default_value.empty()) {
      Settings defaults(s.command());
      defaults.set_text(key, o.default_value);
      out.emplace_back(key, to_value(*defaults.find(key)));
    }
  }
  for (const auto& [k, v] : resolved) {  // anything the core adds that the table lacks
    if (find(out, k) == nullptr) out.emplace_back(k, v);
  }
  return out;
}

}  // namespace llmem::request
