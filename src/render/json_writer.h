// The one JSON printer: documents written straight into text, never held as a DOM. Scalars are
// serialised by nlohmann-json (the same escapes and number forms as before); objects and arrays
// are laid out here, two-space indent, object keys sorted as nlohmann's std::map sorts them,
// so the output is what nlohmann's dump(2) printed. Unwinding a half-written document frees
// strings only: nothing allocates in a destructor, so out of memory reaches the one catch site
// (a DOM's destructor allocates, and a throw there terminates).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmem/core/estimate.h"

namespace llmem {

// A JSON value already written for its depth (the nesting level its first line starts at).
using JsonText = std::string;

// Members in any order; keys are sorted as std::map<std::string> orders them.
using JsonMembers = std::vector<std::pair<std::string, JsonText>>;

JsonText json_object(JsonMembers members, int depth);
JsonText json_array(const std::vector<JsonText>& items, int depth);

JsonText json_string(std::string_view s);  // escaped; invalid UTF-8 replaced by U+FFFD
JsonText json_integer(int64_t v);
JsonText json_unsigned(uint64_t v);
JsonText json_bool(bool v);
JsonText json_null();
JsonText json_value(const Value& v);
JsonText json_strings(const std::vector<std::string>& items, int depth);

// Typed fields as an object ({"tp": 2, "kv_dtype": "bf16"}).
JsonText json_fields(const Fields& f, int depth);

// One row: {name_key: name, "bytes", "parent"?, "formula", "inputs", "bytes_low"?,
// "bytes_high"?, "assumption"?} plus `extra` fields ("precise_bytes", "note" for a rule).
JsonText json_row(const Component& c, const std::vector<Component>& rows, int depth,
                  std::string_view name_key = "name", const Fields& extra = {});
JsonText json_rows(const std::vector<Component>& rows, int depth);

// Notes made safe (safe_text) as an array of strings.
JsonText json_notes(const std::vector<std::string>& notes, int depth);

// The document as printed: a final newline.
std::string json_document(JsonText top);

}  // namespace llmem
