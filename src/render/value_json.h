// Conversions of estimate data to nlohmann::json, shared by the JSON printers.
#pragma once

#include <nlohmann/json.hpp>

#include "llmem/core/estimate.h"

namespace llmem {

nlohmann::json to_json(const Value& v);
nlohmann::json to_json(const Fields& f);
nlohmann::json to_json(const Component& c, const std::vector<Component>& rows);
nlohmann::json to_json(const std::vector<Component>& rows);

}  // namespace llmem
