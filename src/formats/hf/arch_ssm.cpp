// STUB: replaced by the real builders (see architectures.h).
#include "formats/hf/architectures.h"
#include "llmem/error.h"

namespace llmem::hf {

void build_mamba(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  throw InputError(c.source() + ": model_type '" + m.model_type + "' is not built yet");
}

void build_mamba2(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  throw InputError(c.source() + ": model_type '" + m.model_type + "' is not built yet");
}

void build_nemotron_h(const ConfigView& c, ModelDescription& m, const HfConfigOptions&) {
  throw InputError(c.source() + ": model_type '" + m.model_type + "' is not built yet");
}

}  // namespace llmem::hf
