#include "messages/mirrored_header.hpp"

#include "messages/errc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sagemcp {
namespace {

using testing::HasSubstr;

TEST(MirroredHeaderTest, DecodesTheBase64Sentinel) {
  EXPECT_EQ(decode_header_value("=?base64?w6lsw6lwaGFudA==?="), "\xc3\xa9l\xc3\xa9phant");
  EXPECT_EQ(decode_header_value("=?base64?SGVsbG8=?="), "Hello");
  EXPECT_EQ(decode_header_value("=?base64?"
                                "?="),
            "");
}

TEST(MirroredHeaderTest, RejectsBadPaddingAndCharacters) {
  EXPECT_FALSE(decode_header_value("=?base64?abc?="));
  EXPECT_FALSE(decode_header_value("=?base64?SGVsbG8?="));
  EXPECT_FALSE(decode_header_value("=?base64?SGVs!!!bG8=?="));
  EXPECT_FALSE(decode_header_value("=?base64?SGV$bG8=?="));
}

TEST(MirroredHeaderTest, TakesValuesWithoutTheWholeSentinelLiterally) {
  EXPECT_EQ(decode_header_value("  us-west1\t"), "us-west1");
  EXPECT_EQ(decode_header_value("SGVsbG8="), "SGVsbG8=");
  EXPECT_EQ(decode_header_value("=?base64?SGVsbG8="), "=?base64?SGVsbG8=");
  EXPECT_EQ(decode_header_value("SGVsbG8=?="), "SGVsbG8=?=");
}

TEST(MirroredHeaderTest, MismatchesAreHeaderMismatchErrors) {
  auto missing = header_mismatch("Mcp-Name", "", "echo");
  EXPECT_EQ(code_of(missing), errc::header_mismatch);
  EXPECT_THAT(message_of(missing), HasSubstr("Mcp-Name is missing"));
  EXPECT_EQ(data_of(missing), R"({"mismatch":{"header":"Mcp-Name","body":"echo"}})");
  auto wrong = header_mismatch("Mcp-Name", "add", "echo");
  EXPECT_THAT(message_of(wrong), HasSubstr("does not match"));
  EXPECT_THAT(data_of(wrong), HasSubstr(R"("value":"add")"));
}

} // namespace
} // namespace sagemcp
