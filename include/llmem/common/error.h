// llmem's one error family. The library throws; each entry point (the CLI's main, the server's
// handler) catches once and prints "llmem: error: <message>". Messages are one lowercase line that
// names the thing (file, key, tensor, option), the value found and what is accepted (STYLE.md
// §6-7).
//
// An error about one setting carries it as data — the field (the settings key, "tp"), the value
// and what is accepted — and a message whose "{field}" placeholder each front end fills with its
// own spelling of the field: the CLI prints "--tp", the server "tp". No library message spells a
// command-line flag, and no front end parses a message.
//
//   throw InputError::field("tp", "3", "1, 2, 4, 8",
//                           "{field} 3 does not divide num_attention_heads=32 (accepted: 1, 2, 4,
//                           8)");
//   catch (const InputError& e) { print(e.message("--" + dashed(e.field_name()))); }
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace llmem {

// Base of everything llmem throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad option, setting or config value: the user can fix the input. CLI exit status 2.
class InputError : public Error {
 public:
  // A message about no particular setting (a config.json key, a file): printed as it is.
  explicit InputError(const std::string& message) : Error(message), text_(message) {}

  // A message about the setting `field`; `text` spells the field as "{field}".
  static InputError field(std::string field, std::string value, std::string accepted,
                          const std::string& text) {
    return InputError(std::move(field), std::move(value), std::move(accepted), text);
  }

  // The settings key this error is about ("tp", "kv_dtype"); empty when it is about none.
  const std::string& field_name() const { return field_; }
  // The value found, as given (text), and what is accepted, as a phrase or a list.
  const std::string& value() const { return value_; }
  const std::string& accepted() const { return accepted_; }

  // The message with the field spelled `spelling` ("--tp" on the command line, "tp" in JSON);
  // another setting the text names as "{field:KEY}" is spelled KEY.
  std::string message(std::string_view spelling) const {
    return fill(text_, [&](std::string_view key) {
      return key.empty() ? std::string(spelling) : std::string(key);
    });
  }

  // The message with every field spelled by `spell(key)`: "{field}" is this error's field and
  // "{field:KEY}" another setting the text names ("{field} h100x3 means tensor parallel over 3
  // GPUs, but {field:tp} 3 does not divide …").
  template <class Spell>
  std::string message_with(const Spell& spell) const {
    return fill(text_, [&](std::string_view key) {
      return std::string(spell(key.empty() ? std::string_view(field_) : key));
    });
  }

  // The text with "{field}" and "{field:KEY}" left in, for an error that wraps this one.
  const std::string& text() const { return text_; }

 private:
  InputError(std::string field, std::string value, std::string accepted, const std::string& text)
      : Error(fill(text,
                   [&](std::string_view key) { return std::string(key.empty() ? field : key); })),
        field_(std::move(field)),
        value_(std::move(value)),
        accepted_(std::move(accepted)),
        text_(text) {}

  // Replaces "{field}" by spell("") and "{field:KEY}" by spell(KEY).
  template <class Spell>
  static std::string fill(const std::string& text, const Spell& spell) {
    std::string out;
    out.reserve(text.size() + 16);
    constexpr std::string_view k_open = "{field";
    size_t at = 0;
    while (true) {
      size_t hit = text.find(k_open, at);
      size_t end = hit == std::string::npos ? hit : text.find('}', hit);
      bool plain = end == hit + k_open.size();
      bool named = end != std::string::npos && text[hit + k_open.size()] == ':';
      if (hit == std::string::npos || end == std::string::npos || (!plain && !named)) {
        out.append(text, at, hit == std::string::npos ? std::string::npos : hit + 1 - at);
        if (hit == std::string::npos) break;
        at = hit + 1;
        continue;
      }
      out.append(text, at, hit - at);
      std::string_view key =
          plain ? std::string_view() : std::string_view(text).substr(hit + 7, end - hit - 7);
      out.append(spell(key));
      at = end + 1;
    }
    return out;
  }

  std::string field_;
  std::string value_;
  std::string accepted_;
  std::string text_;  // the message with "{field}" where the field's name goes
};

// A malformed or inconsistent file (config.json, safetensors, GGUF). CLI exit status 2.
class FormatError : public Error {
 public:
  using Error::Error;
};

// A broken invariant inside llmem (an estimate whose rows do not add up). CLI exit status 1.
class InternalError : public Error {
 public:
  using Error::Error;
};

// A result that cannot be represented (an overflow of 64-bit byte counts). CLI exit status 2,
// since it always stems from input values too large to be real.
class RangeError : public Error {
 public:
  using Error::Error;
};

}  // namespace llmem
