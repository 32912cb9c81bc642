#include "llmem/core/estimate.h"

#include <map>
#include <set>

#include "common/checked.h"
#include "llmem/common/error.h"

namespace llmem {

uint64_t sum_top_level(const std::vector<Component>& rows) {
  uint64_t sum = 0;
  for (const auto& r : rows) {
    if (r.parent.empty()) sum = checked_add(sum, r.bytes, "estimate total");
  }
  return sum;
}

void check_consistency(const std::vector<Component>& rows, uint64_t total_bytes) {
  std::set<std::string> names;
  std::map<std::string, uint64_t> child_sums;
  std::map<std::string, uint64_t> bytes;
  for (const auto& r : rows) {
    if (!names.insert(r.name).second)
      throw InternalError("internal: component '" + r.name + "' repeats");
    bytes[r.name] = r.bytes;
    if (!r.parent.empty()) child_sums[r.parent] = checked_add(child_sums[r.parent], r.bytes);
  }
  for (const auto& [parent, sum] : child_sums) {
    auto it = bytes.find(parent);
    if (it == bytes.end())
      throw InternalError("internal: parent '" + parent + "' is not a component");
    if (it->second != sum) {
      throw InternalError("internal: children of '" + parent + "' sum to " + std::to_string(sum) +
                          ", not " + std::to_string(it->second));
    }
  }
  if (sum_top_level(rows) != total_bytes) {
    throw InternalError("internal: top-level components sum to " +
                        std::to_string(sum_top_level(rows)) + ", not the total " +
                        std::to_string(total_bytes));
  }
}

}  // namespace llmem
