// Shared test helpers: exact-message exception checks (after fmt's EXPECT_THROW_MSG) and paths.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <string>
#include "llmem/common/error.h"
#include <string_view>

// Asserts that `statement` throws `expected_exception` whose what() equals `expected_message`.
#define EXPECT_THROW_MSG(statement, expected_exception, expected_message)                \
  do {                                                                                   \
    std::string llmem_gtest_what;                                                        \
    bool llmem_gtest_thrown = false;                                                     \
    try {                                                                                \
      statement;                                                                         \
    } catch (const expected_exception& e) {                                              \
      llmem_gtest_thrown = true;                                                         \
      llmem_gtest_what = e.what();                                                       \
    }                                                                                    \
    EXPECT_TRUE(llmem_gtest_thrown) << #statement " did not throw " #expected_exception; \
    if (llmem_gtest_thrown) EXPECT_EQ(llmem_gtest_what, expected_message);               \
  } while (false)

// Asserts that `statement` throws an InputError about the setting `expected_field` whose
// message, spelled as the command line spells settings ("--tp", "MODEL"), equals
// `expected_message`.
#define EXPECT_INPUT_ERROR(statement, expected_field, expected_message)        \
  do {                                                                         \
    std::string llmem_gtest_field, llmem_gtest_message;                        \
    bool llmem_gtest_thrown = false;                                           \
    try {                                                                      \
      statement;                                                               \
    } catch (const ::llmem::InputError& e) {                                   \
      llmem_gtest_thrown = true;                                               \
      llmem_gtest_field = e.field_name();                                      \
      llmem_gtest_message = e.message_with(::llmem::test::cli_spelling);       \
    }                                                                          \
    EXPECT_TRUE(llmem_gtest_thrown) << #statement " did not throw InputError"; \
    if (llmem_gtest_thrown) {                                                  \
      EXPECT_EQ(llmem_gtest_field, expected_field);                            \
      EXPECT_EQ(llmem_gtest_message, expected_message);                        \
    }                                                                          \
  } while (false)

namespace llmem::test {

// The command line's spelling of a settings key, as the CLI prints it: "model" is the MODEL
// argument, any other key "--" + key with '_' as '-'.
inline std::string cli_spelling(std::string_view key) {
  if (key == "model") return "MODEL";
  std::string s = "--" + std::string(key);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

// The shared data folder; the environment variable LLMEM_SHARED_DIR overrides the build-time path
// (a git worktree outside the main checkout has no ../shared beside it).
inline std::string shared_dir() {
  const char* env = std::getenv("LLMEM_SHARED_DIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(LLMEM_SHARED_DIR);
}
inline std::string source_dir() { return LLMEM_SOURCE_DIR; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the built llmem binary with `args` (shell words) and captures its exit status, stdout and
// stderr.
struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline CliRun run_llmem(const std::string& args, const std::string& env = "") {
  static int counter = 0;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("llmem_run_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string err_file = (dir / ("err" + std::to_string(counter++))).string();
  std::string cmd = env + " " + std::string(LLMEM_BINARY) + " " + args + " 2>" + err_file;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int rc = pclose(p);
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.err = read_file(err_file);
  return r;
}

}  // namespace llmem::test

// The name the core tests use for the same check.
#define EXPECT_FIELD_ERROR EXPECT_INPUT_ERROR
