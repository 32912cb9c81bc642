// Repo id parsing. The rules are huggingface_hub's validate_repo_id
// (src/huggingface_hub/utils/_validators.py, huggingface/huggingface_hub): 1 to 96 characters of
// [A-Za-z0-9-_.] per part, not starting or ending with '-' or '.', no "--" or "..", no ".git"
// suffix. llmem requires the namespace (org/name), as SPEC.md §1 writes the id.
#include <string>
#include <string_view>

#include "llmem/common/error.h"
#include "llmem/sources/hub.h"

namespace llmem {
namespace {

constexpr size_t k_max_part_chars = 96;       // huggingface_hub REPO_ID_REGEX {1,96}
constexpr size_t k_max_revision_chars = 256;  // generous: git refs are rarely longer

bool is_part_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool is_revision_char(char c) { return is_part_char(c) || c == '/' || c == '+'; }

void check_part(std::string_view text, std::string_view what, std::string_view part) {
  bool ok = !part.empty() && part.size() <= k_max_part_chars;
  for (char c : part) ok = ok && is_part_char(c);
  ok = ok && part.front() != '-' && part.front() != '.' && part.back() != '-' && part.back() != '.';
  ok = ok && part.find("--") == std::string_view::npos && part.find("..") == std::string_view::npos;
  if (!ok) {
    throw InputError("hugging face repo id \"" + std::string(text) + "\": " + std::string(what) +
                     " \"" + std::string(part) +
                     "\" must be 1 to 96 characters of A-Z a-z 0-9 - _ . that do not start or "
                     "end with - or . and contain no -- or ..");
  }
}

}  // namespace

std::string HubId::display() const {
  return "hf:" + repo() + (revision == "main" ? "" : "@" + revision);
}

HubId parse_hub_id(std::string_view text) {
  const std::string quoted = "hugging face repo id \"" + std::string(text) + "\"";
  if (text.empty()) throw InputError("hugging face repo id is empty; expected org/name[@revision]");
  std::string_view repo = text;
  std::string_view revision = "main";
  if (auto at = text.find('@'); at != std::string_view::npos) {
    repo = text.substr(0, at);
    revision = text.substr(at + 1);
    if (revision.empty()) throw InputError(quoted + ": the revision after @ is empty");
  }
  auto slash = repo.find('/');
  if (slash == std::string_view::npos || repo.find('/', slash + 1) != std::string_view::npos) {
    throw InputError(quoted + " must be org/name[@revision], with exactly one /");
  }
  HubId id;
  id.org = std::string(repo.substr(0, slash));
  id.name = std::string(repo.substr(slash + 1));
  check_part(text, "org", id.org);
  check_part(text, "name", id.name);
  if (id.name.size() >= 4 && id.name.ends_with(".git")) {
    throw InputError(quoted + ": name \"" + id.name + "\" must not end with .git");
  }
  bool ok = revision.size() <= k_max_revision_chars && revision.front() != '/' &&
            revision.back() != '/' && revision.find("..") == std::string_view::npos &&
            revision.find("//") == std::string_view::npos;
  for (char c : revision) ok = ok && is_revision_char(c);
  if (!ok) {
    throw InputError(quoted + ": revision \"" + std::string(revision) +
                     "\" must be up to 256 characters of A-Z a-z 0-9 - _ . + / (a branch, tag or "
                     "commit), without .. or a leading, trailing or double /");
  }
  id.revision = std::string(revision);
  return id;
}

}  // namespace llmem
