#include "transport/http.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sagemcp::transport {
namespace {

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

TEST(SerializeHeadTest, WritesStatusDefaultsAndLength) {
  auto head = serialize_head(json_response(200, "{}"), 11, true, 2);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\n"
                  "Server: sagemcp\r\n"
                  "Content-Type: application/json\r\n"
                  "Cache-Control: no-store\r\n"
                  "X-Content-Type-Options: nosniff\r\n"
                  "Referrer-Policy: no-referrer\r\n"
                  "X-Frame-Options: DENY\r\n"
                  "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                  "Content-Length: 2\r\n"
                  "\r\n");
}

TEST(SerializeHeadTest, LetsAdminPagesLoadTheirOwnScriptsAndStyles) {
  http_response page;
  page.content_type = "text/html; charset=utf-8";
  auto head = serialize_head(page, 11, true, 0);
  EXPECT_NE(head.find("Content-Security-Policy: default-src 'self'; script-src 'self';"),
            std::string::npos);
  EXPECT_NE(head.find("frame-ancestors 'none'\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Frame-Options: DENY\r\n"), std::string::npos);
}

TEST(SerializeHeadTest, ALaterHeaderReplacesOneOfTheSameName) {
  auto res = json_response(200, "");
  res.headers.emplace_back("cache-control", "max-age=60");
  res.headers.emplace_back("X-Request-Id", "a");
  res.headers.emplace_back("X-Request-ID", "b");
  auto head = serialize_head(res, 11, true, 0);
  EXPECT_EQ(count(head, "ache-control:"), 1U);
  EXPECT_NE(head.find("cache-control: max-age=60\r\n"), std::string::npos);
  EXPECT_EQ(head.find("no-store"), std::string::npos);
  EXPECT_EQ(count(head, "X-Request-I"), 1U);
  EXPECT_NE(head.find("X-Request-ID: b\r\n"), std::string::npos);
}

TEST(SerializeHeadTest, KeepsFramingAndLeavesOutHeadersThatWouldBreakIt) {
  auto res = json_response(200, "{}");
  res.headers.emplace_back("Content-Length", "999");
  res.headers.emplace_back("Transfer-Encoding", "chunked");
  res.headers.emplace_back("Connection", "upgrade");
  res.headers.emplace_back("X-Split", "a\r\nSet-Cookie: stolen=1");
  res.headers.emplace_back("X-Bare", "a\nb");
  res.headers.emplace_back("Bad Name", "x");
  res.headers.emplace_back("", "x");
  res.headers.emplace_back("X-Fine", "ok");
  auto head = serialize_head(res, 11, true, 2);
  EXPECT_EQ(count(head, "Content-Length"), 1U);
  EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(head.find("Connection"), std::string::npos);
  EXPECT_EQ(head.find("stolen"), std::string::npos);
  EXPECT_EQ(head.find("X-Bare"), std::string::npos);
  EXPECT_EQ(head.find("Bad Name"), std::string::npos);
  EXPECT_NE(head.find("X-Fine: ok\r\n"), std::string::npos);
}

TEST(SerializeHeadTest, SaysWhenTheConnectionEndsOrStays) {
  auto res = json_response(200, "");
  EXPECT_NE(serialize_head(res, 11, false, 0).find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(serialize_head(res, 11, true, 0).find("Connection"), std::string::npos);
  auto kept = serialize_head(res, 10, true, 0);
  EXPECT_TRUE(kept.starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_NE(kept.find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(serialize_head(res, 10, false, 0).find("Connection"), std::string::npos);
}

TEST(SerializeHeadTest, FramesBodilessAndStreamedResponses) {
  auto none = serialize_head(empty_response(204), 11, true, 0);
  EXPECT_TRUE(none.starts_with("HTTP/1.1 204 No Content\r\n"));
  EXPECT_EQ(none.find("Content-Length"), std::string::npos);
  EXPECT_EQ(none.find("\r\nContent-Type"), std::string::npos);
  EXPECT_TRUE(bodiless_status(101));
  EXPECT_TRUE(bodiless_status(304));
  EXPECT_FALSE(bodiless_status(202));
  EXPECT_NE(serialize_head(empty_response(202), 11, true, 0).find("Content-Length: 0\r\n"),
            std::string::npos);
  auto streamed = serialize_head(json_response(200, ""), 11, true, std::nullopt);
  EXPECT_NE(streamed.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(streamed.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(streamed.ends_with("\r\n\r\n"));
}

TEST(HeaderListTest, KeepsFieldsInOrderWithLowerCaseNames) {
  http_request req;
  req.headers.add("Content-Type", "application/json");
  req.headers.add("MCP-Param-Region", "us-west1");
  req.headers.add("mcp-param-region", "EU");
  req.headers.add("X-Empty", "");
  ASSERT_EQ(req.headers.size(), 4u);
  EXPECT_EQ(req.headers[0], (header_list::value_type{"content-type", "application/json"}));
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("Content-Type"), "");
  // The first of fields of the same name, and every one of them in turn.
  EXPECT_EQ(req.header("mcp-param-region"), "us-west1");
  std::vector<std::string> regions;
  for (const auto& [name, value] : req.headers) {
    if (name == "mcp-param-region") {
      regions.emplace_back(value);
    }
  }
  EXPECT_EQ(regions, (std::vector<std::string>{"us-west1", "EU"}));
  EXPECT_TRUE(req.has_header("x-empty"));
  EXPECT_FALSE(req.has_header("x-absent"));
  // Copies and moves keep their own text.
  auto copy = req;
  req.headers.add("later", std::string(100, 'x'));
  auto moved = std::move(req);
  EXPECT_EQ(copy.header("content-type"), "application/json");
  EXPECT_EQ(copy.headers.size(), 4u);
  EXPECT_EQ(moved.header("later"), std::string(100, 'x'));
  header_list listed{{"Accept", "text/event-stream"}, {"Host", "h"}};
  EXPECT_EQ(listed[1], (header_list::value_type{"host", "h"}));
}

} // namespace
} // namespace sagemcp::transport
