#include "request/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace llmem::request {

std::string why_not_regular_file(std::string_view path, std::string_view what) {
  struct stat st {};
  if (::stat(std::string(path).c_str(), &st) != 0) {  // follows symlinks
    return errno == ENOENT || errno == ENOTDIR ? "no such file" : std::strerror(errno);
  }
  mode_t mode = st.st_mode;
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "is a directory; give " + std::string(what);
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe); give a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device; give a regular file";
  if (S_ISSOCK(mode)) return "is a socket; give a regular file";
  return "is not a regular file";
}

}  // namespace llmem::request
