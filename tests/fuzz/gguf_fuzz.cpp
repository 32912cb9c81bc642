// libFuzzer target for the GGUF reader (STYLE.md §14): parses the input as a whole file, then as
// the prefix of a file twice as long (the range-read path), and maps whatever parses to a
// ModelDescription. Only llmem::Error is swallowed: any other exception, crash or sanitizer report
// is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "llmem/common/error.h"
#include "llmem/formats/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  for (uint64_t file_size : {uint64_t{size}, uint64_t{size} * 2 + 1}) {
    try {
      llmem::GgufFile f = llmem::parse_gguf(bytes, file_size, "fuzz.gguf");
      llmem::ModelDescription m = llmem::gguf_to_model_description(f);
      (void)llmem::total_params(m);
      (void)llmem::weight_bytes(m);
    } catch (const llmem::Error&) {
    }
  }
  return 0;
}
