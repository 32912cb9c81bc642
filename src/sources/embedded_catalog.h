// The catalog files from data/, compiled into the binary by cmake/embed.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace llmem::detail {

struct EmbeddedFile {
  std::string_view name;  // file stem: the catalog name ("llama-3.1-8b")
  std::string_view text;
};

extern const std::string_view k_embedded_gpus;
const std::vector<EmbeddedFile>& embedded_models();

}  // namespace llmem::detail
