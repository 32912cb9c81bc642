// What a path names, for the messages of options that take a file (--settings, --config): a
// FIFO, a device or a directory gets its own words instead of a hang or "no such file".
#pragma once

#include <string>
#include <string_view>

namespace llmem::request {

// "" when `path` is a regular file after following symlinks; else why not ("no such file",
// "is a directory", "is a FIFO (named pipe); give a regular file, or - for standard input" …).
// `what` names what the file should be in the directory case ("a JSON file").
std::string why_not_regular_file(std::string_view path, std::string_view what);

}  // namespace llmem::request
