// safe_text and the shared UTF-8, hex and case helpers (include/llmem/common/text.h).
#include "llmem/common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace llmem {
namespace {

TEST(SafeText, PrintableTextIsUnchanged) {
  EXPECT_EQ(safe_text("llama-3.1-8b"), "llama-3.1-8b");
  EXPECT_EQ(safe_text("Qwen2.5 — 千问"), "Qwen2.5 — 千问");
  EXPECT_EQ(safe_text(""), "");
  EXPECT_EQ(safe_text("C:\\models\\x"), "C:\\models\\x");
}

TEST(SafeText, ControlCharactersAreEscaped) {
  // An ANSI colour escape, a forged second line and a NUL byte.
  EXPECT_EQ(safe_text("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(safe_text("a\nllmem: error: forged\r\t"), "a\\x0allmem: error: forged\\x0d\\x09");
  EXPECT_EQ(safe_text(std::string("key\0cut", 7)), "key\\x00cut");
  EXPECT_EQ(safe_text("\x7f"), "\\x7f");
  // C1 controls (U+0085 NEL, U+009B CSI), line separators and bidirectional overrides.
  EXPECT_EQ(safe_text("\xc2\x85\xc2\x9b"), "\\u{85}\\u{9b}");
  EXPECT_EQ(safe_text("\xe2\x80\xa8|\xe2\x80\xae|\xe2\x81\xa6"), "\\u{2028}|\\u{202e}|\\u{2066}");
}

TEST(SafeText, InvalidUtf8IsReplaced) {
  EXPECT_EQ(safe_text("a\xff"
                      "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(safe_text("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  EXPECT_EQ(safe_text("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(safe_text("\xe4\xb8"), "\xef\xbf\xbd\xef\xbf\xbd");                  // truncated
}

TEST(SafeText, LongTextIsCutWithItsLength) {
  std::string big(10 * 1024 * 1024, 'a');
  std::string shown = safe_text(big);
  EXPECT_EQ(shown, std::string(200, 'a') + "… (10485760 bytes)");
  EXPECT_EQ(safe_text("abcdef", 3), "abc… (6 bytes)");
  // Never inside a character: "千" is 3 bytes, so 4 bytes of "千千" keep one.
  EXPECT_EQ(safe_text("千千", 4), "千… (6 bytes)");
  // An escape counts with its printed length.
  EXPECT_EQ(safe_text("ab\n", 4), "ab… (3 bytes)");
  EXPECT_EQ(safe_text("abc", 3), "abc");
}

TEST(Utf8, FirstInvalidByte) {
  EXPECT_EQ(first_invalid_utf8("plain"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("ok \xf0\x9f\x98\x80"), std::string_view::npos);  // U+1F600
  EXPECT_EQ(first_invalid_utf8("ab\x80"), 2u);
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_TRUE(is_valid_utf8("é"));
  EXPECT_FALSE(is_valid_utf8("\xe9"));
}

TEST(Hex, Bytes) {
  EXPECT_EQ(hex_digits(0x1b), "1b");
  EXPECT_EQ(hex_byte(0xff), "0xff");
  EXPECT_EQ(hex_byte(0x00), "0x00");
}

TEST(Case, LowerAndEquals) {
  EXPECT_EQ(ascii_lower("H100-80GB"), "h100-80gb");
  EXPECT_EQ(ascii_lower("Ä"), "Ä");  // ASCII only
  EXPECT_TRUE(iequals("RTX-4090", "rtx-4090"));
  EXPECT_FALSE(iequals("RTX-4090", "rtx-409"));
}

}  // namespace
}  // namespace llmem
