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

// The escape of each character on its own.
std::string one_by_one(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += escaped(std::string_view{&c, 1});
  }
  return out;
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

TEST(JsonEscapeTest, FindsEverySpecialCharacterAtEveryOffset) {
  // Long runs are scanned several bytes at a time: each special character, and each byte that
  // only resembles one (0x7f, 0xa2, 0xdc, UTF-8), at every offset of a run longer than a word.
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\0', '\x7f', '\xa2', '\xdc', ' '}) {
    for (size_t at = 0; at < 24; ++at) {
      std::string text(24, 'a');
      text[at] = special;
      EXPECT_EQ(escaped(text), one_by_one(text)) << "at " << at;
    }
  }
}

} // namespace
} // namespace sagemcp::observability
