// One check per option type (llmem/request/settings.h): the command line's text and JSON's
// typed values meet the same rules and the same messages.
#include "llmem/request/settings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "formats/json/json_text.h"
#include "llmem/common/error.h"
#include "llmem/common/text.h"

namespace llmem::request {
namespace {

[[noreturn]] void fail(const OptionSpec& o, const std::string& shown, const std::string& why) {
  throw InputError::field(std::string(o.key), shown, accepted_text(o), "{field} " + why);
}

[[noreturn]] void fail_type(const OptionSpec& o, const std::string& shown) {
  fail(o, shown, "is " + shown + " but must be " + accepted_text(o));
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.
std::string quoted(std::string_view text) {
  std::string s(1, '\'');
  s += safe_text(text);
  s += '\'';
  return s;
}

std::string range_text(const OptionSpec& o) {
  std::string s(1, '[');
  s += std::to_string(o.min);
  s += ", ";
  s += std::to_string(o.max);
  s += ']';
  return s;
}

int64_t in_range(const OptionSpec& o, int64_t v) {
  if (v < o.min || v > o.max) {
    fail(o, std::to_string(v), "is " + std::to_string(v) + " but must be in " + range_text(o));
  }
  return v;
}

// A decimal integer as typed: an optional '-' and digits, nothing else.
std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t v = 0;
  if (text.empty() || text.size() > 20) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

int64_t integer_from_text(const OptionSpec& o, std::string_view text) {
  auto v = parse_integer(text);
  if (!v) {
    fail(o, quoted(text), "is " + quoted(text) + " but must be an integer in " + range_text(o));
  }
  return in_range(o, *v);
}

std::vector<int64_t> list_from_text(const OptionSpec& o, std::string_view text) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view part =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    out.push_back(integer_from_text(o, part));
    if (comma == std::string_view::npos) break;
    if (out.size() >= static_cast<size_t>(o.max)) {
      fail(o, quoted(text), "has more than " + std::to_string(o.max) + " entries");
    }
    start = comma + 1;
  }
  return out;
}

std::string choice_from_text(const OptionSpec& o, std::string_view text, const std::string& shown) {
  if (text.empty()) fail(o, shown, "must not be empty");
  if (o.accepts != nullptr && !o.accepts(text)) fail_type(o, shown);
  return std::string(text);
}

SettingValue parse_text(const OptionSpec& o, std::string_view text) {
  switch (o.type) {
    case OptionType::integer:
      return integer_from_text(o, text);
    case OptionType::list:
      return list_from_text(o, text);
    case OptionType::number: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(v)) {
        fail_type(o, quoted(text));
      }
      return v;
    }
    case OptionType::boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      fail_type(o, quoted(text));
    case OptionType::text:
      if (text.empty()) fail(o, "''", "must not be empty");
      return std::string(text);
    case OptionType::choice:
      break;
  }
  return choice_from_text(o, text, quoted(text));
}

// A typed value against its row: the type must match (an integral 8192.0 is not an integer,
// as on the command line), then the same range and accepted-value checks as typed text.
SettingValue check_typed(const OptionSpec& o, SettingValue v) {
  std::string shown = show_value(v);
  switch (o.type) {
    case OptionType::integer:
      if (auto* i = std::get_if<int64_t>(&v)) return in_range(o, *i);
      fail_type(o, shown);
    case OptionType::number:
      if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
      if (auto* d = std::get_if<double>(&v); d != nullptr && std::isfinite(*d)) return *d;
      fail_type(o, shown);
    case OptionType::boolean:
      if (std::holds_alternative<bool>(v)) return v;
      fail_type(o, shown);
    case OptionType::list:
      if (auto* s = std::get_if<std::string>(&v)) return list_from_text(o, *s);
      if (auto* l = std::get_if<std::vector<int64_t>>(&v)) {
        if (l->empty() || l->size() > static_cast<size_t>(o.max)) fail_type(o, shown);
        for (int64_t x : *l) in_range(o, x);
        return v;
      }
      fail_type(o, shown);
    case OptionType::text:
      if (auto* s = std::get_if<std::string>(&v)) {
        if (s->empty()) fail(o, shown, "must not be empty");
        return v;
      }
      fail_type(o, shown);
    case OptionType::choice:
      break;
  }
  if (auto* s = std::get_if<std::string>(&v)) return choice_from_text(o, *s, shown);
  fail_type(o, shown);
}

std::string number_text(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 8192.0 stays a float
  return s;
}

}  // namespace

std::string show_value(const SettingValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return number_text(*d);
  if (auto* s = std::get_if<std::string>(&v)) return "\"" + safe_text(*s) + "\"";
  std::string out = "[";
  for (int64_t x : std::get<std::vector<int64_t>>(v)) {
    out += (out.size() > 1 ? ", " : "") + std::to_string(x);
  }
  return out + "]";
}

const OptionSpec& Settings::row(std::string_view key) const {
  const OptionSpec* o = find_option(command_, key);
  if (o == nullptr) {
    throw InputError::field(
        std::string(key), safe_text(key), setting_keys(command_),
        "unknown setting '" + safe_text(key) + "'; accepted: " + setting_keys(command_));
  }
  return *o;
}

void Settings::set_text(std::string_view key, std::string_view text) {
  const OptionSpec& o = row(key);
  SettingValue v = parse_text(o, text);
  for (auto& [k, old] : values_) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  values_.emplace_back(std::string(key), std::move(v));
}

void Settings::set(std::string_view key, SettingValue value) {
  const OptionSpec& o = row(key);
  SettingValue v = check_typed(o, std::move(value));
  for (auto& [k, old] : values_) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  values_.emplace_back(std::string(key), std::move(v));
}

const SettingValue* Settings::find(std::string_view key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<SettingValue> Settings::given_or_default(std::string_view key) const {
  if (const SettingValue* v = find(key)) return *v;
  const OptionSpec& o = row(key);
  if (o.default_value.empty()) return std::nullopt;
  return parse_text(o, o.default_value);
}

std::optional<int64_t> Settings::integer(std::string_view key) const {
  auto v = given_or_default(key);
  if (!v) return std::nullopt;
  return std::get<int64_t>(*v);
}

std::optional<double> Settings::number(std::string_view key) const {
  auto v = given_or_default(key);
  if (!v) return std::nullopt;
  return std::get<double>(*v);
}

bool Settings::boolean(std::string_view key) const {
  auto v = given_or_default(key);
  return v && std::get<bool>(*v);
}

std::string Settings::text(std::string_view key) const {
  auto v = given_or_default(key);
  return v ? std::get<std::string>(*v) : std::string();
}

std::vector<int64_t> Settings::list(std::string_view key) const {
  auto v = given_or_default(key);
  return v ? std::get<std::vector<int64_t>>(*v) : std::vector<int64_t>();
}

void Settings::fill_from(const Settings& lower) {
  for (const auto& [k, v] : lower.values_) {
    if (!has(k)) values_.emplace_back(k, v);
  }
}

Settings settings_from_json(Command command, std::string_view json, std::string_view source) {
  std::string prefix = source.empty() ? "" : std::string(source) + ": ";
  nlohmann::json j = parse_json_strict(json, source.empty() ? "settings" : source);
  if (!j.is_object()) {
    throw InputError(prefix + "settings must be a JSON object (the \"settings\" of --json output)");
  }
  Settings s(command);
  for (const auto& [key, value] : j.items()) {
    const OptionSpec* o = find_option(command, key);
    if (o == nullptr || o->role != OptionRole::setting) {
      throw InputError::field(
          key, safe_text(key), setting_keys(command),
          prefix + "unknown setting '" + safe_text(key) + "'; accepted: " + setting_keys(command));
    }
    try {
      if (value.is_string()) {
        s.set(key, value.get<std::string>());
      } else if (value.is_boolean()) {
        s.set(key, value.get<bool>());
      } else if (value.is_number_integer() && !value.is_number_unsigned()) {
        s.set(key, value.get<int64_t>());
      } else if (value.is_number_unsigned()) {
        auto u = value.get<uint64_t>();
        if (u <= static_cast<uint64_t>(INT64_MAX)) {
          s.set(key, static_cast<int64_t>(u));
        } else {
          s.set(key, static_cast<double>(u));
        }
      } else if (value.is_number_float()) {
        s.set(key, value.get<double>());
      } else if (value.is_array() && o->type == OptionType::list &&
                 std::all_of(value.begin(), value.end(),
                             [](const nlohmann::json& x) { return x.is_number_integer(); })) {
        std::vector<int64_t> list;
        for (const auto& x : value) {
          list.push_back(x.is_number_unsigned() && x.get<uint64_t>() > INT64_MAX
                             ? INT64_MAX
                             : x.get<int64_t>());
        }
        s.set(key, std::move(list));
      } else {
        std::string shown =
            safe_text(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 40);
        throw InputError::field(key, shown, accepted_text(*o),
                                "{field} is " + shown + " but must be " + accepted_text(*o));
      }
    } catch (const InputError& e) {
      // Spelled as the file spells it, with the file named.
      throw InputError::field(e.field_name(), e.value(), e.accepted(), prefix + e.message(key));
    }
  }
  return s;
}

}  // namespace llmem::request
