// The records of the built-in catalogs (SPEC §5) as plain values: a kind of GPU as the fit needs
// it (its memory and what it computes in) and a catalog model's summary. The catalogs
// (llmem/sources/catalog.h, data/) fill them; `--gpu 80GiB` makes a GpuSpec of its own; the
// printers (llmem/render/render.h) print them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmem {

// Where a GPU's memory figure comes from, so the output can say what it compares against.
enum class MemoryKind : uint8_t {
  cuda,        // what CUDA reports (cudaMemGetInfo total): the catalog's default
  nvidia_smi,  // nvidia-smi's total: above what CUDA reports by the driver's reservation
  nominal,     // the marketing size (80 GB)
  user,        // a capacity the user gave (--gpu 80GiB)
  count
};
std::string_view to_string(MemoryKind k);  // "cuda", "nvidia-smi", "nominal", "user"
std::optional<MemoryKind> parse_memory_kind(std::string_view name);

struct GpuSpec {
  std::string name;                  // "H100-80GB"
  std::vector<std::string> aliases;  // other accepted spellings ("H100")
  uint64_t memory_bytes = 0;         // one GPU's memory, as `memory_kind` says
  MemoryKind memory_kind = MemoryKind::cuda;
  std::string memory_source;       // where that figure was printed
  std::string compute_capability;  // "9.0"; "" when not CUDA
  bool bf16 = true;
  bool fp8 = false;
  std::string interconnect = "pcie";  // "nvlink" | "pcie"
  int32_t gpus_per_node = 1;
  std::optional<double> price_per_hour;  // indicative USD, with source and date
  std::string price_source;
  bool common = false;  // searched by default by `plan` and the default run
};

struct CatalogModel {
  std::string name;   // catalog name ("llama-3.1-8b")
  std::string hf_id;  // "meta-llama/Llama-3.1-8B"
  std::string model_type;
  uint64_t params = 0;
  std::string source;  // where the config came from
};

}  // namespace llmem
