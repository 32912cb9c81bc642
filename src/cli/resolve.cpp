#include "cli/resolve.h"

#include <filesystem>

#include "llmem/catalog.h"
#include "llmem/error.h"

namespace llmem::cli {

ModelDescription resolve_model(const std::string& spec, const HfConfigOptions& options) {
  std::error_code ec;
  if (spec.empty())
    throw InputError(
        "MODEL is missing: give a path, a catalog name (see llmem models) or org/name");
  if (std::filesystem::exists(spec, ec)) return load_hf_config_file(spec, options);
  if (auto m = load_catalog_model(spec, options)) return std::move(*m);
  if (spec.find('/') != std::string::npos && spec.find("..") == std::string::npos &&
      spec.front() != '/' && spec.front() != '.') {
    throw InputError("MODEL '" + spec +
                     "' is not a file or a catalog name, and reading the Hugging Face Hub is not "
                     "available in this build");
  }
  throw InputError("MODEL '" + spec + "' is not an existing path, a catalog name (" +
                   catalog_model_names() + ") or a Hugging Face id org/name");
}

}  // namespace llmem::cli
