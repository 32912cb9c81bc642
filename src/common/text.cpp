#include "llmem/common/text.h"

#include <cstdint>

namespace llmem {
namespace {

constexpr char k_hex[] = "0123456789abcdef";
constexpr std::string_view k_replacement = "\xef\xbf\xbd";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at `i`, or 0 when it is not one.
size_t sequence_length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // no overlong forms
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    auto b = static_cast<unsigned char>(s[i + k]);
    unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
    if (b < min || b > max) return 0;
  }
  return len;
}

uint32_t code_point(std::string_view s, size_t i, size_t len) {
  auto c = static_cast<unsigned char>(s[i]);
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
  return cp;
}

// Characters that would move the cursor, end the line or reorder what the terminal shows.
bool must_escape(uint32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_escape(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += "\\x" + hex_digits(static_cast<unsigned char>(cp));
    return;
  }
  out += "\\u{";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    unsigned digit = (cp >> shift) & 15u;
    if (digit != 0 || started || shift == 0) {
      out += k_hex[digit];
      started = true;
    }
  }
  out += '}';
}

}  // namespace

std::string safe_text(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  size_t i = 0;
  while (i < text.size()) {
    size_t before = out.size();
    size_t len = sequence_length(text, i);
    if (len == 0) {
      out += k_replacement;
      len = 1;
    } else {
      uint32_t cp = code_point(text, i, len);
      if (must_escape(cp)) {
        append_escape(out, cp);
      } else {
        out.append(text, i, len);
      }
    }
    if (out.size() > max_bytes) {
      out.resize(before);  // the last character does not fit: cut before it
      out += "… (" + std::to_string(text.size()) + " bytes)";
      return out;
    }
    i += len;
  }
  return out;
}

size_t first_invalid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t len = sequence_length(text, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string hex_digits(unsigned char byte) {
  return std::string{k_hex[byte >> 4], k_hex[byte & 15]};
}

std::string hex_byte(unsigned char byte) { return "0x" + hex_digits(byte); }

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace llmem
