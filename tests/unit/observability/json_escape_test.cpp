#include "observability/json_escape.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>

namespace sagemcp::observability {
namespace {

std::string escaped(std::string_view text) {
  std::string out = "x";
  append_json_escaped(out, text);
  return out.substr(1);
}

TEST(JsonEscapeTest, CopiesPlainTextAndEscapesWhatJsonRequires) {
  EXPECT_EQ(escaped(""), "");
  EXPECT_EQ(escaped("plain text, ünïcode"), "plain text, ünïcode");
  EXPECT_EQ(escaped(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
  EXPECT_EQ(escaped("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(escaped(std::string_view{"\x01\x1f\0z", 4}), R"(\u0001\u001f\u0000z)");
  EXPECT_EQ(escaped("\"\""), R"(\"\")");
}

TEST(JsonEscapeTest, ProducesAStringJsonReadsBack) {
  std::string text;
  for (int c = 0; c < 128; ++c) {
    text += static_cast<char>(c);
  }
  auto value = boost::json::parse("\"" + escaped(text) + "\"");
  EXPECT_EQ(value.as_string(), text);
}

} // namespace
} // namespace sagemcp::observability
