// libFuzzer target for the safetensors readers (STYLE.md §14): the header parser on the input as
// a whole file and as a slice of a longer one, the index parser on the input as text, and, when
// a header parses, the checkpoint summary and its reconciliation with a small Llama config.
// Only llmem::Error is swallowed: anything else (a crash, a sanitizer report, another exception)
// is a finding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "llmem/common/error.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/formats/hf_config.h"
#include "llmem/formats/safetensors.h"

namespace {

const llmem::ModelDescription& small_llama() {
  static const llmem::ModelDescription m = llmem::load_hf_config(
      R"({"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1,
          "num_attention_heads": 2, "intermediate_size": 16, "vocab_size": 10,
          "torch_dtype": "bfloat16"})",
      {.source = "config.json"});
  return m;
}

void use_header(const llmem::SafetensorsHeader& h) {
  auto c = llmem::make_checkpoint({{"fuzz.safetensors", h}});
  auto weights_only = llmem::describe_checkpoint(c, "fuzz", "fuzz.safetensors");
  (void)llmem::weight_bytes(weights_only);
  llmem::ModelDescription m = small_llama();
  llmem::reconcile(m, c);
  (void)llmem::weight_bytes(m);
  (void)llmem::total_params(m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    use_header(llmem::parse_safetensors_header(bytes, size, "fuzz.safetensors"));
  } catch (const llmem::Error&) {
  }
  // The same bytes as the start of a longer file (a Hub range read, a browser slice).
  uint64_t longer = size + (size > 0 ? data[size - 1] : 0) * uint64_t{977};
  try {
    uint64_t end = llmem::safetensors_header_end(bytes, longer, "fuzz.safetensors");
    if (end <= size) (void)llmem::parse_safetensors_header(bytes, longer, "fuzz.safetensors");
  } catch (const llmem::Error&) {
  }
  try {
    (void)llmem::parse_safetensors_index(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.index.json");
  } catch (const llmem::Error&) {
  }
  return 0;
}
