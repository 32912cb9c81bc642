// `llmem models` and `llmem gpus` (SPEC §5): the built-in catalogs, for every front end.
#pragma once

#include <vector>

#include "llmem/core/catalog_entries.h"

namespace llmem::request {

std::vector<CatalogModel> list_models();
const std::vector<GpuSpec>& list_gpus();

}  // namespace llmem::request
