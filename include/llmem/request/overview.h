// The bare `llmem` run (SPEC §7) as a library call: the default model's estimate at the
// defaults, the seed's rule of thumb for it, and how it fits every common catalog GPU.
#pragma once

#include "llmem/core/overview.h"

namespace llmem::request {

inline constexpr const char* k_default_model = "llama-3.1-8b";

Overview run_overview();

}  // namespace llmem::request
