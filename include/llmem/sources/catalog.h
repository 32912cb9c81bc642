// The built-in catalogs (SPEC §5): GPUs with the memory CUDA reports, and models with their
// config.json and sources. Both are compiled into the binary from data/, so llmem works offline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/catalog_entries.h"
#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem {

const std::vector<GpuSpec>& gpu_catalog();

// Case-insensitive lookup by name or alias; nullptr when absent. (`--gpu` takes more forms:
// llmem/request/gpu_request.h.)
const GpuSpec* find_gpu(std::string_view name);

// Every catalog model, with its parameter count (builds each description once).
std::vector<CatalogModel> model_catalog();

// The description of a catalog model (case-insensitive name); nullopt when absent.
std::optional<ModelDescription> load_catalog_model(std::string_view name,
                                                   HfConfigOptions options = {});

// Catalog names, comma-separated, for messages.
std::string catalog_model_names();

// Every catalog model's name, in catalog order.
std::vector<std::string> catalog_model_list();

}  // namespace llmem
