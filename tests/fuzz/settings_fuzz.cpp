// libFuzzer target for the settings reader (issue 9): settings_from_json on the input text,
// then every value read back as its option's type. Only llmem::Error is swallowed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llmem/common/error.h"
#include "llmem/request/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using llmem::request::Command;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Command c : {Command::infer, Command::rule}) {
    try {
      llmem::request::Settings s = llmem::request::settings_from_json(c, text, "settings.json");
      for (const auto& [key, value] : s.values()) {
        (void)llmem::request::show_value(value);
        (void)s.find(key);
      }
    } catch (const llmem::Error&) {
    }
  }
  return 0;
}
