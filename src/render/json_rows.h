// The one JSON printer's parts: values, fields and rows, shared by every result's document.
// Strings pass through safe_text where they are notes; dump() replaces invalid UTF-8.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/estimate.h"

namespace llmem {

nlohmann::json to_json(const Value& v);
nlohmann::json to_json(const Fields& f);

// One row: {name_key: name, "bytes", "parent"?, "formula", "inputs", "bytes_low"?,
// "bytes_high"?, "assumption"?} plus `extra` fields ("precise_bytes", "note" for a rule).
nlohmann::json row_json(const Component& c, const std::vector<Component>& rows,
                        std::string_view name_key = "name", const Fields& extra = {});
nlohmann::json rows_json(const std::vector<Component>& rows);

nlohmann::json notes_json(const std::vector<std::string>& notes);

// The document as printed: two-space indent, a final newline, invalid UTF-8 replaced.
std::string dump(const nlohmann::json& j);

}  // namespace llmem
