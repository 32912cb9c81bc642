#include "formats/json/json_display.h"

#include "llmem/common/text.h"

namespace llmem {
namespace {

constexpr size_t k_max_name_bytes = 120;
constexpr size_t k_max_value_bytes = 40;

}  // namespace

std::string display_name(std::string_view name) {
  return "'" + safe_text(name, k_max_name_bytes) + "'";
}

std::string json_type_name(const nlohmann::json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (v.is_number()) return "a number";
  return "null";
}

std::string json_show(const nlohmann::json& v) {
  // dump() escapes control characters; invalid UTF-8 is replaced rather than thrown on.
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return safe_text(s, k_max_value_bytes);
}

}  // namespace llmem
