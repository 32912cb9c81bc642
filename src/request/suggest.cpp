#include "request/suggest.h"

#include <algorithm>

#include "llmem/common/text.h"

namespace llmem::request {
namespace {

// Levenshtein distance, stopping early once it exceeds `limit`.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> closest(std::string_view given, const std::vector<std::string>& accepted,
                                 size_t max) {
  std::string key = ascii_lower(given);
  if (key.size() < 2 || key.size() > 200) return {};
  size_t limit = std::max<size_t>(1, key.size() / 4);
  struct Match {
    size_t rank;  // 0: starts with the value; else 1 + the edit distance
    size_t order;
    std::string name;
  };
  std::vector<Match> matches;
  for (size_t i = 0; i < accepted.size(); ++i) {
    std::string candidate = ascii_lower(accepted[i]);
    if (candidate == key) continue;
    if (candidate.rfind(key, 0) == 0) {
      matches.push_back({0, i, accepted[i]});
    } else if (size_t d = edit_distance(key, candidate, limit); d <= limit) {
      matches.push_back({1 + d, i, accepted[i]});
    }
  }
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.order < b.order;
  });
  std::vector<std::string> out;
  for (const auto& m : matches) {
    if (out.size() == max) break;
    if (std::find(out.begin(), out.end(), m.name) == out.end()) out.push_back(m.name);
  }
  return out;
}

std::string did_you_mean(std::string_view given, const std::vector<std::string>& accepted) {
  auto near = closest(given, accepted);
  if (near.empty()) return "";
  std::string s = "; did you mean ";
  for (size_t i = 0; i < near.size(); ++i) {
    if (i > 0) s += i + 1 == near.size() ? " or " : ", ";
    s += near[i];
  }
  return s + "?";
}

std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(", ", start);
    std::string_view part =
        list.substr(start, comma == std::string_view::npos ? comma : comma - start);
    // "int8 (w8a8)": the entry and its alias
    size_t paren = part.find(" (");
    if (paren != std::string_view::npos && part.back() == ')') {
      out.emplace_back(part.substr(0, paren));
      out.emplace_back(part.substr(paren + 2, part.size() - paren - 3));
    } else {
      out.emplace_back(part);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 2;
  }
  return out;
}

}  // namespace llmem::request
