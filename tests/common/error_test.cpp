// InputError's field spellings (include/llmem/common/error.h): each front end fills "{field}"
// and "{field:KEY}" its own way; what() spells the settings keys.
#include "llmem/common/error.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace llmem {
namespace {

TEST(InputError, FieldIsSpelledByTheFrontEnd) {
  InputError e = InputError::field("tp", "3", "1, 2, 4, 8",
                                   "{field} 3 does not divide num_attention_heads=32");
  EXPECT_EQ(e.field_name(), "tp");
  EXPECT_EQ(e.value(), "3");
  EXPECT_EQ(e.accepted(), "1, 2, 4, 8");
  EXPECT_STREQ(e.what(), "tp 3 does not divide num_attention_heads=32");
  EXPECT_EQ(e.message("--tp"), "--tp 3 does not divide num_attention_heads=32");
}

TEST(InputError, OtherFieldsNamedInTheText) {
  InputError e = InputError::field("gpu", "h100x3", "",
                                   "{field} h100x3 means tensor parallel over 3 GPUs, but "
                                   "{field:tp} 3 does not divide {field:num_heads}");
  EXPECT_STREQ(e.what(),
               "gpu h100x3 means tensor parallel over 3 GPUs, but tp 3 does not divide "
               "num_heads");
  EXPECT_EQ(e.message("--gpu"),
            "--gpu h100x3 means tensor parallel over 3 GPUs, but tp 3 does not divide num_heads");
  EXPECT_EQ(e.message_with(test::cli_spelling),
            "--gpu h100x3 means tensor parallel over 3 GPUs, but --tp 3 does not divide "
            "--num-heads");
  EXPECT_EQ(e.text(),
            "{field} h100x3 means tensor parallel over 3 GPUs, but {field:tp} 3 does not divide "
            "{field:num_heads}");
}

TEST(InputError, BracesThatAreNotPlaceholdersStay) {
  InputError e = InputError::field("x", "", "", "{field} got {\"a\": 1} and {fieldx} and {field");
  EXPECT_EQ(e.message("--x"), "--x got {\"a\": 1} and {fieldx} and {field");
  InputError plain("a message about no setting {field}");
  EXPECT_EQ(plain.field_name(), "");
  EXPECT_STREQ(plain.what(), "a message about no setting {field}");
}

}  // namespace
}  // namespace llmem
