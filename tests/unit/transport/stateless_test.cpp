#include "transport/mcp/stateless.hpp"

#include "messages/errc.hpp"
#include "transport/jsonrpc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sagemcp::transport::mcp {
namespace {

using testing::HasSubstr;

constexpr std::string_view meta
  = R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

http_request post(std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  http_request req;
  req.method = "POST";
  for (const auto& [name, value] : headers) {
    req.headers.add(name, value);
  }
  req.body = std::move(body);
  return req;
}

jsonrpc_message decode(std::string_view body) {
  auto msg = decode_message(body);
  EXPECT_TRUE(msg);
  return msg ? std::move(*msg) : jsonrpc_message{};
}

std::string call_body(std::string_view extra_meta = {}) {
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo",)";
  body += "\"arguments\":{},";
  if (extra_meta.empty()) {
    body += meta;
  } else {
    body += extra_meta;
  }
  body += "}}";
  return body;
}

std::vector<std::pair<std::string, std::string>> mirrored(std::string_view name = "echo") {
  return {{"mcp-protocol-version", "2026-07-28"},
          {"mcp-method", "tools/call"},
          {"mcp-name", std::string{name}}};
}

errc code_for(const http_request& http) {
  auto msg = decode(http.body);
  auto result = read_envelope(http, msg.request);
  return result ? errc{} : code_of(result.error());
}

TEST(EraTest, TheEnvelopeClaimMakesARequestStateless) {
  auto http = post({}, call_body());
  EXPECT_TRUE(is_stateless_request(http, decode(http.body)));
}

TEST(EraTest, AStatelessVersionHeaderMakesARequestStateless) {
  auto body = std::string{R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}})"};
  auto http = post({{"mcp-protocol-version", " 2026-07-28 "}}, body);
  EXPECT_TRUE(is_stateless_request(http, decode(body)));
}

TEST(EraTest, InitializeBatchesResponsesAndPlainRequestsAreLegacy) {
  auto initialize = std::string{
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})"};
  EXPECT_FALSE(is_stateless_request(post({}, initialize), decode(initialize)));
  auto plain = std::string{R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"};
  EXPECT_FALSE(
    is_stateless_request(post({{"mcp-protocol-version", "2025-11-25"}}, plain), decode(plain)));
  auto batch = std::string{R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"};
  EXPECT_FALSE(
    is_stateless_request(post({{"mcp-protocol-version", "2026-07-28"}}, batch), decode(batch)));
  auto response = std::string{R"({"jsonrpc":"2.0","id":"srv-1","result":{}})"};
  EXPECT_FALSE(is_stateless_request(post({{"mcp-protocol-version", "2026-07-28"}}, response),
                                    decode(response)));
}

TEST(EraTest, TheClaimMustSitInMetaNotInArguments) {
  auto body = std::string{
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"io.modelcontextprotocol/protocolVersion":"x"}}})"};
  EXPECT_FALSE(is_stateless_request(post({}, body), decode(body)));
}

TEST(EnvelopeTest, AcceptsMatchingHeaders) {
  auto http = post(mirrored(), call_body());
  auto msg = decode(http.body);
  auto result = read_envelope(http, msg.request);
  ASSERT_TRUE(result) << message_of(result.error());
  EXPECT_EQ(result->protocol_version, "2026-07-28");
  EXPECT_EQ(result->client_capabilities, "{}");
  EXPECT_TRUE(result->log_level.empty());
}

TEST(EnvelopeTest, MissingMetaFieldsAreInvalidParams) {
  EXPECT_EQ(code_for(post(mirrored(), call_body(R"("_meta":{})"))), errc::invalid_envelope);
  EXPECT_EQ(
    code_for(post(mirrored(), call_body(R"("_meta":{"io.modelcontextprotocol/protocolVersion":)"
                                        R"("2026-07-28"})"))),
    errc::invalid_envelope);
  EXPECT_EQ(info(errc::invalid_envelope).jsonrpc_code, -32602);
  EXPECT_EQ(info(errc::invalid_envelope).http_status, 400u);
}

TEST(EnvelopeTest, HeadersMustMirrorTheBody) {
  auto missing_name = mirrored();
  missing_name.pop_back();
  EXPECT_EQ(code_for(post(missing_name, call_body())), errc::header_mismatch);
  EXPECT_EQ(code_for(post(mirrored("add"), call_body())), errc::header_mismatch);
  auto wrong_method = mirrored();
  wrong_method[1].second = "tools/list";
  EXPECT_EQ(code_for(post(wrong_method, call_body())), errc::header_mismatch);
  auto wrong_version = mirrored();
  wrong_version[0].second = "2025-11-25";
  EXPECT_EQ(code_for(post(wrong_version, call_body())), errc::header_mismatch);
  EXPECT_EQ(info(errc::header_mismatch).jsonrpc_code, -32020);
}

TEST(EnvelopeTest, HeaderValuesMayBePaddedOrBase64Encoded) {
  EXPECT_EQ(code_for(post(mirrored("  echo "), call_body())), errc{});
  // "echo" in the Base64 sentinel.
  EXPECT_EQ(code_for(post(mirrored("=?base64?ZWNobw==?="), call_body())), errc{});
  EXPECT_EQ(code_for(post(mirrored("=?base64?ZWNob3g=?="), call_body())), errc::header_mismatch);
}

TEST(EnvelopeTest, CollectsTheParamHeadersOfToolCalls) {
  auto headers = mirrored();
  headers.emplace_back("mcp-param-region", "us-west1");
  headers.emplace_back("mcp-param-tag", "a");
  headers.emplace_back("mcp-param-tag", "b");
  headers.emplace_back("x-other", "ignored");
  auto http = post(headers, call_body());
  auto msg = decode(http.body);
  auto envelope = read_envelope(http, msg.request);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->param_headers, R"({"region":"us-west1","tag":["a","b"]})");
  auto plain = post(mirrored(), call_body());
  auto none = read_envelope(plain, decode(plain.body).request);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->param_headers, "{}");
}

TEST(EnvelopeTest, UnsupportedVersionsNameTheSupportedOnes) {
  auto headers = mirrored();
  headers[0].second = "1999-01-01";
  auto http = post(headers, call_body(R"("_meta":{"io.modelcontextprotocol/protocolVersion":)"
                                      R"("1999-01-01","io.modelcontextprotocol/)"
                                      R"(clientCapabilities":{}})"));
  auto msg = decode(http.body);
  auto result = read_envelope(http, msg.request);
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), errc::version_not_supported);
  EXPECT_EQ(data_of(result.error()), R"({"supported":["2026-07-28"],"requested":"1999-01-01"})");
  EXPECT_EQ(info(errc::version_not_supported).jsonrpc_code, -32022);
}

TEST(EnvelopeTest, ReadsLogLevelAndMultiRoundFields) {
  auto body = std::string{
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","inputResponses":{"a":{}},"requestState":"s",)"
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}},"io.modelcontextprotocol/logLevel":"debug"}}})"};
  auto http = post(mirrored(), body);
  auto msg = decode(body);
  auto result = read_envelope(http, msg.request);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->log_level, "debug");
  EXPECT_EQ(result->input_responses, R"({"a":{}})");
  EXPECT_EQ(result->request_state, "s");
  EXPECT_EQ(result->client_capabilities, R"({"sampling":{}})");
}

TEST(EnvelopeTest, RejectsABadLogLevelOrState) {
  EXPECT_EQ(code_for(post(mirrored(), call_body(R"("_meta":{"io.modelcontextprotocol/)"
                                                R"(protocolVersion":"2026-07-28","io.)"
                                                R"(modelcontextprotocol/clientCapabilities":{},)"
                                                R"("io.modelcontextprotocol/logLevel":"loud"})"))),
            errc::invalid_params);
  auto body
    = std::
        string{R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","requestState":7,)"}
      + std::string{meta} + "}}";
  EXPECT_EQ(code_for(post(mirrored(), body)), errc::invalid_params);
}

TEST(EnvelopeTest, RemovedMethodsAreNotServed) {
  EXPECT_TRUE(is_stateless_method("server/discover"));
  EXPECT_TRUE(is_stateless_method("tools/call"));
  for (const auto* removed : {"initialize", "ping", "logging/setLevel", "resources/subscribe",
                              "resources/unsubscribe", "unknown/method"}) {
    EXPECT_FALSE(is_stateless_method(removed)) << removed;
  }
}

TEST(RequestStateTest, RoundTripsWithinItsBindingAndLifetime) {
  std::array<uint8_t, 32> key{};
  key.fill(7);
  auto token = seal_state(key, "t\nc\nk\ntools/call\nx", R"({"round":2})", 1000);
  EXPECT_THAT(token, HasSubstr(R"({"round":2})"));
  auto opened = open_state(key, "t\nc\nk\ntools/call\nx", token, 999);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, R"({"round":2})");
}

TEST(RequestStateTest, RejectsTamperingReuseElsewhereAndExpiry) {
  std::array<uint8_t, 32> key{};
  key.fill(7);
  auto token = seal_state(key, "binding", "state", 1000);
  EXPECT_FALSE(open_state(key, "binding", token + "-TAMPERED", 0));
  EXPECT_FALSE(open_state(key, "other binding", token, 0));
  EXPECT_FALSE(open_state(key, "binding", token, 1001));
  auto other_key = key;
  other_key[0] = 8;
  EXPECT_FALSE(open_state(other_key, "binding", token, 0));
  EXPECT_FALSE(open_state(key, "binding", "state", 0));
  EXPECT_FALSE(open_state(key, "binding", "", 0));
  auto stretched = token;
  stretched.replace(3, 4, "9999");
  EXPECT_FALSE(open_state(key, "binding", stretched, 0));
}

} // namespace
} // namespace sagemcp::transport::mcp
