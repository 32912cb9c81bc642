// The built-in catalogs (SPEC §5): GPUs with the memory CUDA reports, and models with their
// config.json and sources. Both are compiled into the binary from data/, so llmem works offline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem {

struct GpuSpec {
  std::string name;                  // "H100-80GB"
  std::vector<std::string> aliases;  // other accepted spellings ("H100")
  uint64_t memory_bytes = 0;         // one GPU's memory as CUDA reports it
  std::string memory_source;         // where that figure was printed
  std::string compute_capability;    // "9.0"; "" when not CUDA
  bool bf16 = false;
  bool fp8 = false;
  std::string interconnect;  // "nvlink" | "pcie"
  int32_t gpus_per_node = 1;
  std::optional<double> price_per_hour;  // indicative USD, with source and date
  std::string price_source;
  bool common = false;  // searched by default by `plan` and the default run
};

const std::vector<GpuSpec>& gpu_catalog();

// Case-insensitive lookup by name or alias; nullptr when absent.
const GpuSpec* find_gpu(std::string_view name);

// "H100-80GB" or "H100-80GBx4". Throws InputError listing the catalog's names.
struct GpuRequest {
  const GpuSpec* gpu = nullptr;
  int32_t count = 1;
};
GpuRequest parse_gpu_request(std::string_view text);

struct CatalogModel {
  std::string name;   // catalog name ("llama-3.1-8b")
  std::string hf_id;  // "meta-llama/Llama-3.1-8B"
  std::string model_type;
  uint64_t params = 0;
  std::string source;  // where the config came from
};

// Every catalog model, with its parameter count (builds each description once).
std::vector<CatalogModel> model_catalog();

// The description of a catalog model (case-insensitive name); nullopt when absent.
std::optional<ModelDescription> load_catalog_model(std::string_view name,
                                                   HfConfigOptions options = {});

// Catalog names, comma-separated, for messages.
std::string catalog_model_names();

}  // namespace llmem
