#include "formats/json/json_display.h"

namespace llmem {
namespace {

constexpr size_t k_max_name_bytes = 120;
constexpr size_t k_max_value_bytes = 40;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut with "...".
std::string cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

}  // namespace

std::string display_name(std::string_view name) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += k_digits[c >> 4];
      out += k_digits[c & 15];
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return "'" + cut(out, k_max_name_bytes) + "'";
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
  return cut(std::move(s), k_max_value_bytes);
}

}  // namespace llmem
