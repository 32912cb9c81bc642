// --gpu (SPEC §1): a catalog GPU by name or alias, case-insensitive, or a capacity of your own,
// each optionally ×N: "H100-80GB", "h100x4", "RTX-4090", "80GiB", "24GBx2".
// A short name matching cards of different memory ("a100": A100-80GB and A100-40GB) is an
// error listing them, unless the catalog gives it as an alias of one card ("H100" is the SXM
// 80 GB card), which then comes with a note naming the others. The catalog's names and aliases
// decide (data/gpus.json); nothing here knows a card.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/catalog_entries.h"

namespace llmem::request {

struct GpuChoice {
  GpuSpec gpu;          // the catalog card, or one made of the user's capacity (MemoryKind::user)
  int32_t count = 1;    // ×N
  std::string setting;  // as "settings" echoes it: "H100-80GBx4", "80GiBx2"
  std::vector<std::string> notes;  // "'H100' is read as H100-80GB; …"
};

// Errors are InputError::field("gpu", …), with a "did you mean" for unknown names.
GpuChoice resolve_gpu(std::string_view text);

// The largest capacity --gpu accepts (1 PiB).
inline constexpr uint64_t k_max_gpu_capacity_bytes = uint64_t{1} << 50;

}  // namespace llmem::request
