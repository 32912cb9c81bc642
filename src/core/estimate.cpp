#include "llmem/core/estimate.h"

#include <set>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {

int32_t add_row(std::vector<Component>& rows, Component row, int32_t parent) {
  row.parent = parent;
  rows.push_back(std::move(row));
  return static_cast<int32_t>(rows.size() - 1);
}

int32_t find_row(const std::vector<Component>& rows, std::string_view name) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

int32_t row_depth(const std::vector<Component>& rows, size_t index) {
  int32_t depth = 0;
  for (int32_t p = rows[index].parent; p >= 0 && depth <= static_cast<int32_t>(rows.size());
       p = rows[static_cast<size_t>(p)].parent) {
    ++depth;
  }
  return depth;
}

uint64_t sum_top_level(const std::vector<Component>& rows) {
  uint64_t sum = 0;
  for (const auto& r : rows) {
    if (r.parent < 0) sum = checked_add(sum, r.bytes, "estimate total");
  }
  return sum;
}

void check_consistency(const std::vector<Component>& rows, uint64_t total_bytes) {
  std::set<std::string> names;
  std::vector<uint64_t> child_sums(rows.size(), 0);
  std::vector<bool> has_children(rows.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Component& r = rows[i];
    if (!names.insert(r.name).second) {
      throw InternalError("internal: component '" + r.name + "' repeats");
    }
    if (r.parent >= static_cast<int32_t>(i)) {
      throw InternalError("internal: the parent of '" + r.name + "' is not an earlier row");
    }
    if (r.parent >= 0) {
      auto p = static_cast<size_t>(r.parent);
      child_sums[p] = checked_add(child_sums[p], r.bytes, "estimate rows");
      has_children[p] = true;
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (has_children[i] && child_sums[i] != rows[i].bytes) {
      throw InternalError("internal: children of '" + rows[i].name + "' sum to " +
                          std::to_string(child_sums[i]) + ", not " +
                          std::to_string(rows[i].bytes));
    }
  }
  if (sum_top_level(rows) != total_bytes) {
    throw InternalError("internal: top-level components sum to " +
                        std::to_string(sum_top_level(rows)) + ", not the total " +
                        std::to_string(total_bytes));
  }
}

}  // namespace llmem
