#include "connectors/sse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sagemcp::connectors {
namespace {

using namespace std::string_literals;

sse_event ev(std::string type, std::string data, std::string id = {}, bool has_id = false) {
  return sse_event{std::move(type), std::move(data), std::move(id), has_id};
}

std::vector<sse_event> parse_all(std::string_view text) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed(text, out));
  return out;
}

void expect_events(const std::vector<sse_event>& got, const std::vector<sse_event>& want,
                   const std::string& where = {}) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << where << " event " << i;
    EXPECT_EQ(got[i].data, want[i].data) << where << " event " << i;
    EXPECT_EQ(got[i].id, want[i].id) << where << " event " << i;
    EXPECT_EQ(got[i].has_id, want[i].has_id) << where << " event " << i;
  }
}

// A stream with a byte order mark, comments, every kind of line end, multi-line data, ids (an
// empty one and one holding NUL), retry, a field without a colon, an unknown field and an
// unterminated last event.
const std::string sample = "\xEF\xBB\xBF"
                           "event: add\r\n"
                           ": hello\r\n"
                           "data: one\r\n"
                           "data:two\r\n"
                           "id: 7\r\n"
                           "\r\n"
                           "data: x\n"
                           "\n"
                           ": c\r"
                           "retry: 1500\r"
                           "data\r"
                           "\r"
                           "id\n"
                           "event: e\n"
                           "data:  spaced\n"
                           "\n"
                           "id: a\0b\n"
                           "data: z\r\n"
                           "\r\n"
                           "trailing: ignored\n"
                           "data: never"s;

const std::vector<sse_event> sample_events = {
  ev("add", "one\ntwo", "7", true), ev("message", "x", "7"), ev("message", "", "7"),
  ev("e", " spaced", "", true),     ev("message", "z", ""),
};

TEST(SseParserTest, ReadsAWholeStream) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed(sample, out));
  expect_events(out, sample_events);
  EXPECT_EQ(parser.last_id(), "");
  ASSERT_TRUE(parser.retry().has_value());
  EXPECT_EQ(*parser.retry(), 1500u);
}

TEST(SseParserTest, GivesTheSameEventsHoweverTheStreamIsSplit) {
  for (size_t cut = 0; cut <= sample.size(); ++cut) {
    sse_parser parser;
    std::vector<sse_event> out;
    EXPECT_TRUE(parser.feed(std::string_view{sample}.substr(0, cut), out));
    EXPECT_TRUE(parser.feed(std::string_view{sample}.substr(cut), out));
    expect_events(out, sample_events, "cut at " + std::to_string(cut));
  }
  for (size_t first = 0; first <= sample.size(); ++first) {
    for (size_t second = first; second <= sample.size(); ++second) {
      sse_parser parser;
      std::vector<sse_event> out;
      std::string_view text{sample};
      parser.feed(text.substr(0, first), out);
      parser.feed(text.substr(first, second - first), out);
      parser.feed(text.substr(second), out);
      expect_events(out, sample_events,
                    "cuts at " + std::to_string(first) + " and " + std::to_string(second));
      if (::testing::Test::HasFailure()) {
        return;
      }
    }
  }
  sse_parser parser;
  std::vector<sse_event> out;
  for (char c : sample) {
    EXPECT_TRUE(parser.feed(std::string_view{&c, 1}, out));
  }
  expect_events(out, sample_events, "byte by byte");
}

TEST(SseParserTest, AcceptsEveryLineEnd) {
  for (const char* end : {"\r\n", "\n", "\r"}) {
    std::string text;
    for (const char* line : {"event: a", "data: 1", "data: 2", "", "data: 3", ""}) {
      text += line;
      text += end;
    }
    expect_events(parse_all(text), {ev("a", "1\n2"), ev("message", "3")},
                  "line end " + std::to_string(std::string_view{end}.size()));
  }
  // Mixed line ends in one stream.
  expect_events(parse_all("data: 1\rdata: 2\ndata: 3\r\n\r\n"), {ev("message", "1\n2\n3")});
}

TEST(SseParserTest, TreatsACarriageReturnAndALineFeedInTwoPiecesAsOneLineEnd) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed("data: a\r", out));
  EXPECT_TRUE(parser.feed("\ndata: b\r", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(parser.feed("\n\r", out));
  expect_events(out, {ev("message", "a\nb")});
  // A line end that is only a CR, followed by a piece starting with a new line.
  EXPECT_TRUE(parser.feed("data: c\r", out));
  EXPECT_TRUE(parser.feed("\r", out));
  expect_events(out, {ev("message", "a\nb"), ev("message", "c")});
}

TEST(SseParserTest, StripsOneByteOrderMarkOnlyAtTheStart) {
  expect_events(parse_all("\xEF\xBB\xBF"
                          "data: x\n\n"),
                {ev("message", "x")});
  // A second mark makes the field name unknown.
  expect_events(parse_all("\xEF\xBB\xBF\xEF\xBB\xBF"
                          "data: x\n\n"),
                {});
  // A mark later in the stream is data.
  expect_events(parse_all("data: x\n\n\xEF\xBB\xBF"
                          "data: y\n\n"),
                {ev("message", "x")});
  // Bytes that only begin like a mark are kept.
  expect_events(parse_all("\xEF"
                          "data: x\n\n"),
                {});
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed("\xEF", out));
  EXPECT_TRUE(parser.feed("\xBB", out));
  EXPECT_TRUE(parser.feed("\xBF"
                          "data: split mark\n\n",
                          out));
  expect_events(out, {ev("message", "split mark")});
}

TEST(SseParserTest, SkipsCommentsAndUnknownFields) {
  expect_events(parse_all(": keep-alive\n:\nfoo: bar\ndata: x\n: between\ndata: y\n\n"),
                {ev("message", "x\ny")});
  expect_events(parse_all(": only comments\n\n: more\n\n"), {});
}

TEST(SseParserTest, RemovesOnlyOneSpaceAfterTheColon) {
  expect_events(parse_all("data:no space\n\ndata: one\n\ndata:   three\n\ndata\n\ndata:\n\n"),
                {ev("message", "no space"), ev("message", "one"), ev("message", "  three"),
                 ev("message", ""), ev("message", "")});
  expect_events(parse_all("event:  padded\ndata: x\n\n"), {ev(" padded", "x")});
}

TEST(SseParserTest, KeepsTheLastIdAcrossEvents) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed("id: 1\ndata: a\n\ndata: b\n\n", out));
  expect_events(out, {ev("message", "a", "1", true), ev("message", "b", "1")});
  EXPECT_EQ(parser.last_id(), "1");
  out.clear();
  // An id holding NUL is ignored entirely.
  EXPECT_TRUE(parser.feed("id: 2\0x\ndata: c\n\n"s, out));
  expect_events(out, {ev("message", "c", "1")});
  EXPECT_EQ(parser.last_id(), "1");
  out.clear();
  // An empty id resets the last id.
  EXPECT_TRUE(parser.feed("id:\ndata: d\n\ndata: e\n\n", out));
  expect_events(out, {ev("message", "d", "", true), ev("message", "e", "")});
  EXPECT_EQ(parser.last_id(), "");
}

TEST(SseParserTest, DoesNotDispatchAnEventWithoutData) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed("event: ping\nid: 5\n\n", out));
  EXPECT_TRUE(out.empty());
  // The id still counts, but the type does not carry over.
  EXPECT_EQ(parser.last_id(), "5");
  EXPECT_TRUE(parser.feed("data: y\n\n", out));
  expect_events(out, {ev("message", "y", "5", false)});
}

TEST(SseParserTest, DoesNotDispatchAnUnterminatedEvent) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_TRUE(parser.feed("data: a\n", out));
  EXPECT_TRUE(parser.feed("data: b", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(parser.feed("\n", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(parser.feed("\n", out));
  expect_events(out, {ev("message", "a\nb")});
}

TEST(SseParserTest, TakesOnlyNumericRetries) {
  sse_parser parser;
  std::vector<sse_event> out;
  EXPECT_FALSE(parser.retry().has_value());
  EXPECT_TRUE(parser.feed("retry: 12a\nretry:\nretry: -5\nretry: 1.5\n", out));
  EXPECT_FALSE(parser.retry().has_value());
  EXPECT_TRUE(parser.feed("retry: 3000\n", out));
  ASSERT_TRUE(parser.retry().has_value());
  EXPECT_EQ(*parser.retry(), 3000u);
  EXPECT_TRUE(parser.feed("retry: x\nretry: 99999999999999999999999\n", out));
  EXPECT_EQ(*parser.retry(), 3000u);
  EXPECT_TRUE(out.empty());
}

TEST(SseParserTest, RefusesEventsBeyondTheLimitForGood) {
  sse_parser exact{8};
  std::vector<sse_event> out;
  EXPECT_TRUE(exact.feed("data: 12345678\n\ndata: 1234\ndata: 567\n\n", out));
  expect_events(out, {ev("message", "12345678"), ev("message", "1234\n567")});

  sse_parser lines{8};
  EXPECT_FALSE(lines.feed("data: 1234\ndata: 5678\n", out));
  EXPECT_FALSE(lines.feed("\n", out));
  EXPECT_FALSE(lines.feed("data: x\n\n", out));
  EXPECT_EQ(out.size(), 2u);

  sse_parser one_line{8};
  EXPECT_TRUE(one_line.feed("data: 12345678", out));
  EXPECT_FALSE(one_line.feed("9\n", out));

  // A line that never ends may not grow without bound either.
  sse_parser endless{8};
  EXPECT_TRUE(endless.feed("data: 1234", out));
  EXPECT_FALSE(endless.feed(std::string(64, 'x'), out));
  EXPECT_FALSE(endless.feed("\n\n", out));
  EXPECT_EQ(out.size(), 2u);
}

} // namespace
} // namespace sagemcp::connectors
