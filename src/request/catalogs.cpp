#include "llmem/request/catalogs.h"

#include "llmem/sources/catalog.h"

namespace llmem::request {

std::vector<CatalogModel> list_models() { return model_catalog(); }
const std::vector<GpuSpec>& list_gpus() { return gpu_catalog(); }

}  // namespace llmem::request
