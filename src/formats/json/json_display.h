// Showing untrusted JSON values and names inside one-line messages: control characters escaped,
// long text cut, so a hostile file cannot forge extra lines or flood the terminal.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace llmem {

// 'name' in single quotes, made safe by safe_text (llmem/common/text.h), cut to 120 bytes
// with its length stated.
std::string display_name(std::string_view name);

// "a string", "an array", "an object", "a number", "a boolean", "null".
std::string json_type_name(const nlohmann::json& v);

// The value as compact JSON, cut to 40 bytes with its length stated.
std::string json_show(const nlohmann::json& v);

}  // namespace llmem
