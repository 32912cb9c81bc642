#include "llmem/core/catalog_entries.h"

#include <array>

namespace llmem {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(MemoryKind::count)> k_names = {
    "cuda", "nvidia-smi", "nominal", "user"};

}  // namespace

std::string_view to_string(MemoryKind k) { return k_names.at(static_cast<size_t>(k)); }

std::optional<MemoryKind> parse_memory_kind(std::string_view name) {
  for (size_t i = 0; i < k_names.size(); ++i) {
    if (k_names[i] == name) return static_cast<MemoryKind>(i);
  }
  return std::nullopt;
}

}  // namespace llmem
