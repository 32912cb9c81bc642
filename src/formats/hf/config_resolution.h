// Which builder a config.json is read with: the `architecture` setting, else the top-level
// model_type, else (when there is none) a lone text sub-config of a known type. A config whose
// type has no builder is never read as another architecture: load_hf_config() refuses it, and
// load_hf_model() (formats/checkpoint) reads the stored tensors instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/hf/architectures.h"
#include "formats/hf/config_view.h"
#include "formats/json/json_display.h"
#include "llmem/formats/hf_config.h"

namespace llmem::hf {

// The language-model sub-config of a wrapper (text_config, llm_config or language_config) and its
// model_type ("" when it has none).
struct NestedText {
  std::string key;
  std::string model_type;
};
std::optional<NestedText> find_text_config(const ConfigView& c);

struct Resolution {
  const ArchEntry* entry = nullptr;  // nullptr: no builder for this config
  std::string written;               // the top-level model_type as written ("" when absent)
  std::optional<NestedText> nested;  // the text sub-config, when there is one
  std::string text_key;              // build from this sub-config instead of the top level
  std::vector<std::string> notes;    // what was decided, for the description's notes
};

// Throws InputError (field "architecture") when the setting names no supported type.
Resolution resolve_architecture(const ConfigView& c, const HfConfigOptions& o);

// The refusal for a config with no builder: the type, the supported ones, and what would work.
std::string unsupported_message(const ConfigView& c, const Resolution& r);

// Untrusted text for a message, control bytes escaped and cut short, without display_name()'s
// quotes.
inline std::string display_text(std::string_view s) {
  std::string d = display_name(s);
  return d.size() >= 2 ? d.substr(1, d.size() - 2) : d;
}

}  // namespace llmem::hf
