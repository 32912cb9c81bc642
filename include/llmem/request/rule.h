// `rule` as a library call: the seed's rules of thumb for a MODEL or a parameter count, with
// llmem's precise figure beside each where a model is known (SPEC §4).
#pragma once

#include <vector>

#include "llmem/core/rules.h"
#include "llmem/request/settings.h"

namespace llmem::request {

// Errors are InputError::field (params, precision, factor, …).
std::vector<RuleResult> run_rule(const Settings& s);

}  // namespace llmem::request
