// libFuzzer target for the config.json loader (STYLE.md §14): load_hf_config on the input text,
// then the counts every estimate starts from. Only llmem::Error is swallowed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llmem/common/error.h"
#include "llmem/formats/hf_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    llmem::ModelDescription m = llmem::load_hf_config(text, {.source = "config.json"});
    (void)llmem::total_params(m);
    (void)llmem::active_params(m);
    (void)llmem::non_embedding_params(m);
    (void)llmem::weight_bytes(m);
  } catch (const llmem::Error&) {
  }
  return 0;
}
