// Shared test helpers: exact-message exception checks (after fmt's EXPECT_THROW_MSG) and paths.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

// Asserts that `statement` throws `expected_exception` whose what() equals `expected_message`.
#define EXPECT_THROW_MSG(statement, expected_exception, expected_message)               \
  do {                                                                                \
    std::string llmem_gtest_what;                                                     \
    bool llmem_gtest_thrown = false;                                                  \
    try {                                                                             \
      statement;                                                                      \
    } catch (const expected_exception& e) {                                           \
      llmem_gtest_thrown = true;                                                      \
      llmem_gtest_what = e.what();                                                    \
    }                                                                                 \
    EXPECT_TRUE(llmem_gtest_thrown) << #statement " did not throw " #expected_exception; \
    if (llmem_gtest_thrown) EXPECT_EQ(llmem_gtest_what, expected_message);            \
  } while (false)

namespace llmem::test {

// The shared models folder; LLMEM_SHARED_DIR in the environment overrides the build's default
// (a git worktree does not sit beside /work/shared).
inline std::string shared_dir() {
  const char* env = std::getenv("LLMEM_SHARED_DIR");
  return env != nullptr && *env != '\0' ? env : LLMEM_SHARED_DIR;
}
inline std::string source_dir() { return LLMEM_SOURCE_DIR; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace llmem::test
