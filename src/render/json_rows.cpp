#include "render/json_rows.h"

#include "llmem/common/text.h"

namespace llmem {

nlohmann::json to_json(const Value& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

nlohmann::json to_json(const Fields& f) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : f) j[k] = to_json(v);
  return j;
}

nlohmann::json row_json(const Component& c, const std::vector<Component>& rows,
                        std::string_view name_key, const Fields& extra) {
  nlohmann::json j = {{std::string(name_key), c.name}, {"bytes", c.bytes}};
  if (c.parent >= 0) j["parent"] = rows[static_cast<size_t>(c.parent)].name;
  j["formula"] = c.formula;
  j["inputs"] = to_json(c.inputs);
  if (c.bytes_low) j["bytes_low"] = *c.bytes_low;
  if (c.bytes_high) j["bytes_high"] = *c.bytes_high;
  if (!c.assumption.empty()) j["assumption"] = c.assumption;
  for (const auto& [k, v] : extra) j[k] = to_json(v);
  return j;
}

nlohmann::json rows_json(const std::vector<Component>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : rows) j.push_back(row_json(c, rows));
  return j;
}

nlohmann::json notes_json(const std::vector<std::string>& notes) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : notes) j.push_back(safe_text(n, k_safe_line_bytes));
  return j;
}

std::string dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace llmem
