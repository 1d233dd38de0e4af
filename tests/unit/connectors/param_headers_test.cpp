#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sagemcp::connectors {
namespace {

using testing::HasSubstr;

constexpr std::string_view schema
  = R"({"type":"object","properties":{)"
    R"("region":{"type":"string","x-mcp-header":"Region"},)"
    R"("priority":{"type":"integer","x-mcp-header":"Priority"},)"
    R"("dry_run":{"type":"boolean","x-mcp-header":"Dry-Run"},)"
    R"("target":{"type":"object","properties":{"zone":{"type":"string","x-mcp-header":"Zone"}}},)"
    R"("items":{"type":"array","items":{"type":"object","properties":)"
    R"({"id":{"type":"string","x-mcp-header":"Item"}}}},)"
    R"("note":{"type":"string"}}})";

const std::vector<mirrored_argument>& mirrored() {
  static const auto parsed = mirrored_arguments(schema);
  return parsed;
}

errc check(std::string_view arguments, std::string_view headers) {
  auto err = check_param_headers(mirrored(), arguments, headers);
  return err ? code_of(err) : errc{};
}

TEST(ParamHeadersTest, FindsTheMirroredArgumentsOfASchema) {
  ASSERT_EQ(mirrored().size(), 4u);
  EXPECT_EQ(mirrored()[3].header, "Zone");
  EXPECT_EQ(mirrored()[3].path, (std::vector<std::string>{"target", "zone"}));
}

TEST(ParamHeadersTest, MatchingHeadersPass) {
  EXPECT_EQ(check(R"({"region":"us-west1","note":"x"})", R"({"region":"us-west1"})"), errc{});
  EXPECT_EQ(check(R"({"region":"Hello"})", R"({"region":"=?base64?SGVsbG8=?="})"), errc{});
  EXPECT_EQ(check(R"({"region":" padded "})", R"({"region":"=?base64?IHBhZGRlZCA=?="})"), errc{});
  EXPECT_EQ(check(R"({"region":"a","priority":42,"dry_run":false})",
                  R"({"region":"a","priority":"42.0","dry-run":"false"})"),
            errc{});
  EXPECT_EQ(check(R"({"target":{"zone":"z1"}})", R"({"zone":"z1"})"), errc{});
}

TEST(ParamHeadersTest, AbsentAndNullArgumentsExpectNoHeader) {
  EXPECT_EQ(check("{}", "{}"), errc{});
  EXPECT_EQ(check(R"({"region":null})", "{}"), errc{});
  EXPECT_EQ(check("", ""), errc{});
  EXPECT_EQ(check(R"({"region":null})", R"({"region":"x"})"), errc::header_mismatch);
}

TEST(ParamHeadersTest, MissingOrDifferentHeadersAreMismatches) {
  auto missing = check_param_headers(mirrored(), R"({"region":"us-west1"})", "{}");
  EXPECT_EQ(code_of(missing), errc::header_mismatch);
  EXPECT_THAT(message_of(missing), HasSubstr("Mcp-Param-Region is missing"));
  EXPECT_EQ(check(R"({"region":"us-west1"})", R"({"region":"us-east1"})"), errc::header_mismatch);
  EXPECT_EQ(check(R"({"region":"a","priority":42})", R"({"region":"a","priority":"43"})"),
            errc::header_mismatch);
  EXPECT_EQ(check(R"({"region":"a","dry_run":true})", R"({"region":"a","dry-run":"True"})"),
            errc::header_mismatch);
  EXPECT_EQ(check(R"({"target":{"zone":"z1"}})", "{}"), errc::header_mismatch);
}

TEST(ParamHeadersTest, BadEncodingsAndRepeatsAreRejected) {
  EXPECT_EQ(check(R"({"region":"Hello"})", R"({"region":"=?base64?SGVsbG8?="})"),
            errc::header_mismatch);
  EXPECT_EQ(check(R"({"region":"Hello"})", R"({"region":"=?base64?SGVs!!!bG8=?="})"),
            errc::header_mismatch);
  EXPECT_EQ(check(R"({"region":"é"})", R"({"region":"é"})"), errc::header_mismatch);
  EXPECT_EQ(check(R"({"region":"a"})", R"({"region":["a","a"]})"), errc::header_mismatch);
}

TEST(ParamHeadersTest, OnlyStaticPropertyChainsAreMirroredAndUnknownHeadersIgnored) {
  // `items` is no `properties` chain: its annotation mirrors nothing.
  EXPECT_EQ(check(R"({"items":[{"id":"x"}]})", "{}"), errc{});
  EXPECT_EQ(check("{}", R"({"unrelated":"x"})"), errc{});
  EXPECT_TRUE(mirrored_arguments(R"({"type":"object"})").empty());
  EXPECT_TRUE(mirrored_arguments("not json").empty());
  EXPECT_EQ(check_param_headers({}, R"({"a":1})", R"({"a":"2"})"), caf::error{});
}

} // namespace
} // namespace sagemcp::connectors
