// --settings FILE: a settings object read from a regular file (after following symlinks) or,
// for "-", from standard input, under one size cap checked before reading. A directory, a FIFO,
// a device or a socket gets its own message instead of a hang or "malformed JSON".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "llmem/request/settings.h"

namespace llmem::request {

// A settings object is a few hundred bytes; 1 MiB leaves room for any future one.
inline constexpr size_t k_max_settings_bytes = size_t{1} << 20;

// The file's text. Errors are InputError::field("settings", path, …).
std::string read_settings_text(std::string_view path, size_t max_bytes = k_max_settings_bytes);

// read_settings_text, then settings_from_json with the path as the source of messages.
Settings read_settings_file(Command command, std::string_view path);

}  // namespace llmem::request
