// Settings: the typed values of one command's options, each checked once against its row of
// the option table (llmem/request/options.h) — its type and its range or accepted values —
// with one message per kind of mistake, whichever front end gave the value:
//   "{field} is 'lots' but must be an integer in [1, 1099511627776]"   (typed on the command line)
//   "{field} is \"true\" but must be true or false"                     (a string in JSON)
// Errors are InputError::field(key, value, accepted, text); each front end spells {field}.
//
//   llmem::request::Settings s(llmem::request::Command::infer);
//   s.set_text("context", "8192");               // the CLI: text as typed
//   s.set("include_mtp", true);                  // a program: typed values
//   auto t = settings_from_json(Command::infer, R"({"model": "llama-3.1-8b"})", "body");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "llmem/request/options.h"

namespace llmem::request {

// A checked value: integer and list options hold int64_t / a vector, number double, boolean
// bool, text and choice std::string.
using SettingValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;

class Settings {
 public:
  explicit Settings(Command command) : command_(command) {}
  Command command() const { return command_; }

  // A value as typed on the command line, parsed by its row's type and checked.
  void set_text(std::string_view key, std::string_view text);
  // A typed value (a program; a JSON body after conversion): its type must be the row's
  // (an integer option takes an int64_t, a list a vector or its "a,b" text).
  void set(std::string_view key, SettingValue value);

  const SettingValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // The value when given, else the row's default, else nullopt (empty for text).
  std::optional<int64_t> integer(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;
  bool boolean(std::string_view key) const;  // false when neither given nor defaulted
  std::string text(std::string_view key) const;
  std::vector<int64_t> list(std::string_view key) const;

  // Copies every value `lower` holds that this does not (the command line wins over a file).
  void fill_from(const Settings& lower);

  const std::vector<std::pair<std::string, SettingValue>>& values() const { return values_; }

 private:
  const OptionSpec& row(std::string_view key) const;
  std::optional<SettingValue> given_or_default(std::string_view key) const;

  Command command_;
  std::vector<std::pair<std::string, SettingValue>> values_;  // in the order given
};

// A JSON object of settings for `command` (a --settings file, a server body): every key must
// be a setting of the command (else an error naming the accepted keys) and every value of its
// row's JSON type. `source` prefixes messages ("run.json: "); "" for none.
Settings settings_from_json(Command command, std::string_view json, std::string_view source);

// "8192", "'lots'", "\"true\"", "[20, 20]": a value as messages show it.
std::string show_value(const SettingValue& v);

}  // namespace llmem::request
