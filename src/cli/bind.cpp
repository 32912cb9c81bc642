#include "cli/bind.h"

namespace llmem::cli {
namespace {

// "tokens per sequence, in [1, 1099511627776] (default: 4096, capped at …)".
std::string description(const request::OptionSpec& o) {
  std::string s(o.help);
  if (o.type == request::OptionType::choice && o.accepted != nullptr) {
    s += ": " + o.accepted();
  }
  if (o.type == request::OptionType::integer || o.type == request::OptionType::list) {
    s += ", in [" + std::to_string(o.min) + ", " + std::to_string(o.max) + "]";
  }
  std::string_view def = o.default_help.empty() ? o.default_value : o.default_help;
  if (!def.empty()) s += " (default: " + std::string(def) + ")";
  return s;
}

}  // namespace

void Bound::bind(CLI::App& cmd) {
  for (const auto& spec : request::option_table()) {
    if ((spec.commands & request::bit(command_)) == 0) continue;
    Option& o = options_.emplace_back();
    o.spec = &spec;
    std::string names(spec.flag.empty() ? spec.value_name : spec.flag);
    if (!spec.aliases.empty()) names += "," + std::string(spec.aliases);
    if (spec.type == request::OptionType::boolean) {
      o.cli = cmd.add_flag(names, o.flag, description(spec));
    } else {
      o.cli = cmd.add_option(names, o.text, description(spec));
      if (!spec.flag.empty()) o.cli->type_name(std::string(spec.value_name));
    }
  }
}

request::Settings Bound::settings() const {
  request::Settings s(command_);
  for (const auto& o : options_) {
    if (o.cli->count() == 0) continue;
    if (o.spec->type == request::OptionType::boolean) {
      s.set(o.spec->key, o.flag);
    } else {
      s.set_text(o.spec->key, o.text);
    }
  }
  return s;
}

bool Bound::any_given() const {
  for (const auto& o : options_) {
    if (o.cli->count() > 0) return true;
  }
  return false;
}

}  // namespace llmem::cli
