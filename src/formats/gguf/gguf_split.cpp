// Merging the shards of a split GGUF (llama.cpp's gguf-split: every shard carries split.no,
// split.count, and the first also split.tensors.count; file names "<prefix>-%05d-of-%05d.gguf").
#include <algorithm>
#include <unordered_set>

#include "common/checked.h"
#include "formats/gguf/gguf_keys.h"
#include "formats/gguf/gguf_meta.h"
#include "llmem/formats/gguf.h"

namespace llmem {

namespace keys = gguf::keys;

GgufFile merge_gguf_splits(std::vector<GgufFile> shards) {
  if (shards.empty()) throw InputError("no GGUF shards given to merge");
  constexpr int64_t k_max_splits = 99999;  // the %05d of the shard names
  const auto n = static_cast<int64_t>(shards.size());
  std::vector<int64_t> numbers;
  for (const auto& s : shards) {
    gguf::MetaView meta(s);
    int64_t count = meta.get_int(keys::k_split_count, 1, k_max_splits);
    if (count != n) {
      meta.fail(std::string(keys::k_split_count) + " is " + std::to_string(count) + " but " +
                std::to_string(n) + " shards were given");
    }
    numbers.push_back(meta.get_int(keys::k_split_no, 0, count - 1));
  }
  std::vector<size_t> order(shards.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return numbers[a] < numbers[b]; });
  for (size_t i = 0; i < order.size(); ++i) {
    if (numbers[order[i]] != static_cast<int64_t>(i)) {
      const GgufFile& s = shards[order[i]];
      throw FormatError(s.source + ": " + std::string(keys::k_split_no) + " " +
                        std::to_string(numbers[order[i]]) +
                        " appears twice or out of sequence; "
                        "expected each of 0.." +
                        std::to_string(n - 1) + " once");
    }
  }

  GgufFile merged = std::move(shards[order[0]]);
  for (auto& t : merged.tensors) t.split = 0;
  std::unordered_set<std::string> names;
  for (const auto& t : merged.tensors) names.insert(t.name);
  for (size_t i = 1; i < order.size(); ++i) {
    GgufFile& s = shards[order[i]];
    merged.file_size = checked_add(merged.file_size, s.file_size, "total size of the shards");
    for (auto& t : s.tensors) {
      if (!names.insert(t.name).second) {
        throw FormatError(s.source + ": tensor '" + t.name + "' also appears in an earlier shard");
      }
      t.split = static_cast<uint32_t>(i);
      merged.tensors.push_back(std::move(t));
    }
  }
  gguf::MetaView first(merged);
  if (auto total = first.find_int(keys::k_split_tensors_count, 0, INT64_MAX)) {
    if (static_cast<uint64_t>(*total) != merged.tensors.size()) {
      first.fail(std::string(keys::k_split_tensors_count) + " is " + std::to_string(*total) +
                 " but the shards hold " + std::to_string(merged.tensors.size()) + " tensors");
    }
  }
  return merged;
}

}  // namespace llmem
