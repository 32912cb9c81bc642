#include "llmem/request/settings_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "request/input_file.h"

namespace llmem::request {
namespace {

[[noreturn]] void fail(std::string_view path, const std::string& why) {
  std::string shown = safe_text(path);
  throw InputError::field("settings", shown, "a regular file of at most 1048576 bytes, or -",
                          "{field} " + shown + ": " + why);
}

// Reads at most max_bytes + 1 bytes, so a larger input is known without reading it all.
std::string read_capped(int fd, std::string_view path, size_t max_bytes, bool is_stdin) {
  std::string text;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) {
      fail(path, std::string(is_stdin ? "standard input holds" : "grew to") + " more than " +
                     std::to_string(max_bytes) + " bytes; settings are at most " +
                     std::to_string(max_bytes) + " bytes");
    }
  }
  return text;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_settings_text(std::string_view path, size_t max_bytes) {
  if (path == "-") return read_capped(STDIN_FILENO, path, max_bytes, true);
  std::string p(path);
  // A FIFO, a device or a directory is refused before it is opened (a FIFO would block).
  std::string why = why_not_regular_file(path, "a JSON file (the \"settings\" of --json output)");
  if (why == "is a FIFO (named pipe); give a regular file") why += ", or - for standard input";
  if (!why.empty()) fail(path, why);
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) fail(path, std::strerror(errno));
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    fail(path, "is " + std::to_string(st.st_size) + " bytes; settings are at most " +
                   std::to_string(max_bytes) + " bytes");
  }
  // O_NONBLOCK: a file swapped for a FIFO after the stat cannot make open() wait; fstat on the
  // open descriptor then sees what was opened.
  Fd f{::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) fail(path, std::string("cannot be opened: ") + std::strerror(errno));
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) fail(path, "is not a regular file");
  return read_capped(f.fd, path, max_bytes, false);
}

Settings read_settings_file(Command command, std::string_view path) {
  std::string text = read_settings_text(path);
  return settings_from_json(command, text, path == "-" ? "standard input" : safe_text(path));
}

}  // namespace llmem::request
