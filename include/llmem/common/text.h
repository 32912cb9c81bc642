// Text from outside the program (a config's model_type, a GGUF key, --gpu, MODEL, a settings
// value, an unknown option) made safe to echo in a one-line message or note, and the small
// UTF-8, hex and case helpers the readers share.
//
//   throw InputError("MODEL " + safe_text(spec) + " is not …");   // never raw input
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmem {

// The longest value a message echoes, and the longest whole message or note a front end prints.
inline constexpr size_t k_safe_value_bytes = 200;
inline constexpr size_t k_safe_line_bytes = 8192;

// `text` as one printable line: control characters (C0, DEL, C1) and the Unicode line separators
// and bidirectional overrides escaped (\x0a, \x1b, \u{85}, \u{202e}), invalid UTF-8 replaced by
// U+FFFD, and text longer than `max_bytes` cut at a character boundary with its length stated
// ("… (10485760 bytes)"). Valid, printable text of at most `max_bytes` comes back unchanged.
std::string safe_text(std::string_view text, size_t max_bytes = k_safe_value_bytes);

// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF, as Rust's str::from_utf8 checks), or npos when `text` is valid.
size_t first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) {
  return first_invalid_utf8(text) == std::string_view::npos;
}

// "1b" and "0x1b": a byte as two lowercase hex digits, without and with the 0x prefix.
std::string hex_digits(unsigned char byte);
std::string hex_byte(unsigned char byte);

// ASCII lowercase (other bytes unchanged), and ASCII case-insensitive equality.
std::string ascii_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace llmem
