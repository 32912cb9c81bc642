// llmem's one error family. The library throws; each entry point (the CLI's main, the server's
// handler) catches once and prints "llmem: error: <what()>". Messages are one lowercase line that
// names the thing (file, key, tensor, option), the value found and what is accepted (STYLE.md
// §6-7).
#pragma once

#include <stdexcept>
#include <string>

namespace llmem {

// Base of everything llmem throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad option, setting or config value: the user can fix the input. CLI exit status 2.
class InputError : public Error {
 public:
  using Error::Error;
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
