// Parsing config-style JSON as Python's json module does, on purpose:
// 1. The non-JSON tokens Infinity, -Infinity and NaN (real configs carry them: Nemotron-H's
//    time_step_limit) are accepted outside strings and become the strings "Infinity",
//    "-Infinity" and "NaN"; ConfigView's number getters turn them back into doubles.
// 2. A duplicate key keeps its last value, as json.loads does (transformers reads configs so),
//    and a note names it; nlohmann-json would merge silently.
// Nesting deeper than 64 levels and inputs over the caller's size cap are rejected.
// Formats that forbid both (the safetensors header, its index file) use parse_json_strict:
// standard JSON only, and a duplicate key is an error (the safetensors README: "Duplicate keys
// are disallowed").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace llmem {

// Parses `text`; `source` names the input in errors ("config.json: malformed JSON at byte 17: …").
// Duplicate keys are reported in `notes` when it is not null.
nlohmann::json parse_json_lenient(std::string_view text, std::string_view source,
                                  std::vector<std::string>* notes = nullptr);

// Standard JSON only (no Infinity/NaN tokens); a duplicate key throws FormatError
// "<source>: duplicate key 'PATH' (keys must be unique)".
nlohmann::json parse_json_strict(std::string_view text, std::string_view source);

}  // namespace llmem
