// "Did you mean": the accepted values closest to an unknown one, for catalog names, weight
// formats and GPUs (issue 9 item 7).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmem::request {

// Up to `max` values of `accepted` close to `given` (case-insensitive): those that start with
// it, then those within an edit distance of a quarter of its length (at least 1), nearest
// first.
std::vector<std::string> closest(std::string_view given, const std::vector<std::string>& accepted,
                                 size_t max = 3);

// "; did you mean qwen2.5-32b-instruct?" (or "A or B"), or "" when nothing is close.
std::string did_you_mean(std::string_view given, const std::vector<std::string>& accepted);

// "a, b, c" split into its entries (a list from accepted_*()).
std::vector<std::string> split_list(std::string_view list);

}  // namespace llmem::request
