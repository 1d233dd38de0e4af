#include "transport/mcp/protocol.hpp"

#include <gtest/gtest.h>

namespace sagemcp::transport::mcp {
namespace {

TEST(ProtocolTest, NegotiatesTheClientsVersionWhenSupported) {
  for (auto version : legacy_versions) {
    EXPECT_EQ(negotiate_version(version), version);
  }
}

TEST(ProtocolTest, AnswersUnknownVersionsWithTheNewest) {
  EXPECT_EQ(negotiate_version("1999-01-01"), "2025-11-25");
  EXPECT_EQ(negotiate_version("2099-01-01"), "2025-11-25");
  EXPECT_EQ(negotiate_version(""), "2025-11-25");
}

TEST(ProtocolTest, ChecksProtocolVersionHeaders) {
  EXPECT_TRUE(is_supported_version("2025-06-18"));
  EXPECT_FALSE(is_supported_version("garbage"));
  EXPECT_FALSE(is_supported_version("2026-07-28"));
}

TEST(ProtocolTest, AcceptNeedsJsonAndEventStream) {
  EXPECT_TRUE(accepts_json_and_sse("application/json, text/event-stream"));
  EXPECT_TRUE(accepts_json_and_sse("text/event-stream;q=0.9,application/json"));
  EXPECT_FALSE(accepts_json_and_sse("*/*"));
  EXPECT_FALSE(accepts_json_and_sse("application/json"));
  EXPECT_FALSE(accepts_json_and_sse("text/event-stream"));
  EXPECT_FALSE(accepts_json_and_sse(""));
}

TEST(ProtocolTest, ContentTypeMustBeJson) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type(""));
}

TEST(ProtocolTest, SessionIdsAreVisibleAscii) {
  EXPECT_TRUE(is_valid_session_id("abc-DEF_123"));
  EXPECT_FALSE(is_valid_session_id(""));
  EXPECT_FALSE(is_valid_session_id("has space"));
  EXPECT_FALSE(is_valid_session_id(std::string(129, 'a')));
}

TEST(ProtocolTest, OriginsMustBeLoopbackSameHostOrListed) {
  EXPECT_TRUE(is_allowed_origin("", "evil.example.com", ""));
  EXPECT_TRUE(is_allowed_origin("http://localhost:3000", "127.0.0.1:8000", ""));
  EXPECT_TRUE(is_allowed_origin("https://gw.example.com", "gw.example.com", ""));
  EXPECT_FALSE(is_allowed_origin("http://evil.example.com", "127.0.0.1:8000", ""));
  EXPECT_TRUE(is_allowed_origin("https://app.example.com", "x", "https://app.example.com"));
  EXPECT_FALSE(is_allowed_origin("https://evil.example.com", "x", "https://app.example.com"));
  EXPECT_FALSE(is_allowed_origin("not a url", "x", ""));
}

TEST(ProtocolTest, LoopbackServersAnswerOnlyLoopbackHosts) {
  EXPECT_TRUE(is_allowed_host("localhost:8000", "", true));
  EXPECT_TRUE(is_allowed_host("127.0.0.1", "", true));
  EXPECT_TRUE(is_allowed_host("[::1]:8000", "", true));
  EXPECT_FALSE(is_allowed_host("evil.example.com", "", true));
  EXPECT_FALSE(is_allowed_host("", "", true));
  EXPECT_TRUE(is_allowed_host("gw.example.com", "", false));
}

TEST(ProtocolTest, AllowedHostsListIsExact) {
  EXPECT_TRUE(is_allowed_host("GW.example.com:443", "gw.example.com, other", false));
  EXPECT_FALSE(is_allowed_host("evil.example.com", "gw.example.com", false));
  EXPECT_TRUE(is_allowed_host("anything", "*", true));
}

TEST(ProtocolTest, CorsNeedsAListedOrigin) {
  EXPECT_FALSE(is_cors_origin("https://ui.example.com", ""));
  EXPECT_FALSE(is_cors_origin("", "*"));
  EXPECT_TRUE(is_cors_origin("https://ui.example.com", "https://ui.example.com"));
  EXPECT_TRUE(
    is_cors_origin("https://b.example.com", "https://a.example.com, https://b.example.com"));
  EXPECT_FALSE(is_cors_origin("https://evil.example.com", "https://ui.example.com"));
  EXPECT_TRUE(is_cors_origin("https://any.example.com", "*"));
}

TEST(ProtocolTest, RecognizesLoopbackListenAddresses) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("10.0.0.1"));
}

} // namespace
} // namespace sagemcp::transport::mcp
