#include "render/json_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "llmem/common/text.h"

namespace llmem {
namespace {

void indent(std::string& out, int depth) { out.append(2 * static_cast<size_t>(depth), ' '); }

template <class T>
JsonText scalar(const T& v) {
  return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

JsonText json_object(JsonMembers members, int depth) {
  if (members.empty()) return "{}";
  std::stable_sort(members.begin(), members.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{\n";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0 && members[i].first == members[i - 1].first) continue;  // a map keeps one
    if (i > 0) out += ",\n";
    indent(out, depth + 1);
    out += json_string(members[i].first);
    out += ": ";
    out += members[i].second;
  }
  out += '\n';
  indent(out, depth);
  out += '}';
  return out;
}

JsonText json_array(const std::vector<JsonText>& items, int depth) {
  if (items.empty()) return "[]";
  std::string out = "[\n";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",\n";
    indent(out, depth + 1);
    out += items[i];
  }
  out += '\n';
  indent(out, depth);
  out += ']';
  return out;
}

JsonText json_string(std::string_view s) { return scalar(std::string(s)); }
JsonText json_integer(int64_t v) { return std::to_string(v); }
JsonText json_unsigned(uint64_t v) { return std::to_string(v); }
JsonText json_bool(bool v) { return v ? "true" : "false"; }
JsonText json_null() { return "null"; }

JsonText json_value(const Value& v) {
  return std::visit([](const auto& x) -> JsonText { return scalar(x); }, v);
}

JsonText json_strings(const std::vector<std::string>& items, int depth) {
  std::vector<JsonText> out;
  out.reserve(items.size());
  for (const auto& s : items) out.push_back(json_string(s));
  return json_array(out, depth);
}

JsonText json_fields(const Fields& f, int depth) {
  JsonMembers m;
  m.reserve(f.size());
  for (const auto& [k, v] : f) m.emplace_back(k, json_value(v));
  // Fields keep their last value for a repeated key, as the map did.
  std::reverse(m.begin(), m.end());
  return json_object(std::move(m), depth);
}

JsonText json_row(const Component& c, const std::vector<Component>& rows, int depth,
                  std::string_view name_key, const Fields& extra) {
  JsonMembers m = {{std::string(name_key), json_string(c.name)},
                   {"bytes", json_unsigned(c.bytes)},
                   {"formula", json_string(c.formula)},
                   {"inputs", json_fields(c.inputs, depth + 1)}};
  if (c.parent >= 0)
    m.emplace_back("parent", json_string(rows[static_cast<size_t>(c.parent)].name));
  if (c.bytes_low) m.emplace_back("bytes_low", json_unsigned(*c.bytes_low));
  if (c.bytes_high) m.emplace_back("bytes_high", json_unsigned(*c.bytes_high));
  if (!c.assumption.empty()) m.emplace_back("assumption", json_string(c.assumption));
  for (const auto& [k, v] : extra) m.emplace_back(k, json_value(v));
  return json_object(std::move(m), depth);
}

JsonText json_rows(const std::vector<Component>& rows, int depth) {
  std::vector<JsonText> items;
  items.reserve(rows.size());
  for (const auto& c : rows) items.push_back(json_row(c, rows, depth + 1));
  return json_array(items, depth);
}

JsonText json_notes(const std::vector<std::string>& notes, int depth) {
  std::vector<JsonText> items;
  items.reserve(notes.size());
  for (const auto& n : notes) items.push_back(json_string(safe_text(n, k_safe_line_bytes)));
  return json_array(items, depth);
}

std::string json_document(JsonText top) {
  top += '\n';
  return top;
}

}  // namespace llmem
