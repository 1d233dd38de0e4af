#include "transport/jsonrpc.hpp"

#include "messages/errc.hpp"

#include <gtest/gtest.h>

namespace sagemcp::transport {
namespace {

TEST(JsonrpcTest, DecodesARequestWithRawIdAndParams) {
  auto msg = decode_message(
    R"({"jsonrpc":"2.0","id":"a1","method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}})");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->kind, jsonrpc_kind::request);
  EXPECT_EQ(msg->request.id, R"("a1")");
  EXPECT_EQ(msg->request.method, "tools/call");
  EXPECT_EQ(msg->request.name, "echo");
  EXPECT_EQ(msg->request.arguments, R"({"message":"hi"})");
}

TEST(JsonrpcTest, KeepsParamsAndArgumentsAsJsonWhateverTheirLayout) {
  struct row {
    std::string_view body;
    std::string_view params;
    std::string_view arguments;
  };
  const row rows[] = {
    // Plain members are kept as they stand, spaces included.
    {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params": {"name": "e", "arguments": {"a": [1, {"b": "}"}]}} })",
     R"({"name": "e", "arguments": {"a": [1, {"b": "}"}]}})", R"({"a": [1, {"b": "}"}]})"},
    // Members after other values, strings with brackets and commas, numbers and literals.
    {R"({"params":{"x":"{[,","n":-1.5e3,"t":true,"z":null,"arguments":{}},"id":"p","jsonrpc":"2.0","method":"m"})",
     R"({"x":"{[,","n":-1.5e3,"t":true,"z":null,"arguments":{}})", "{}"},
    // Escapes and line breaks are minified, as is any member after an escaped name.
    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\n \"arguments\": {\"s\": "
     "\"a\\u0041\"}\n}}",
     R"({"arguments":{"s":"aA"}})", R"({"s":"aA"})"},
    {R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"n\u0061me":"x","arguments":{"k":1}}})",
     R"({"name":"x","arguments":{"k":1}})", R"({"k":1})"},
    // Escaped quotes and backslashes in a value before the member are skipped over.
    {R"({"jsonrpc":"2.0","id":"q\"}\\","method":"m","params":{"arguments": {"k": "v"}}})",
     R"({"arguments": {"k": "v"}})", R"({"k": "v"})"},
    // The first of two members of the same name counts, as the parser has it.
    {R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"arguments":{"k":1},"arguments":{"k":2}}})",
     R"({"arguments":{"k":1},"arguments":{"k":2}})", R"({"k":1})"},
  };
  for (const auto& [body, params, arguments] : rows) {
    auto msg = decode_message(body);
    ASSERT_TRUE(msg) << body;
    EXPECT_EQ(msg->request.params, params) << body;
    EXPECT_EQ(msg->request.arguments, arguments) << body;
  }
}

TEST(JsonrpcTest, KeepsIdsAsTheirJson) {
  const std::pair<std::string_view, std::string_view> ids[] = {
    {R"("a1")", R"("a1")"},
    {"-5", "-5"},
    {"18446744073709551615", "18446744073709551615"},
    {"-0", "0"},
    {R"("q\"\\")", R"("q\"\\")"},
    {R"("\u0041\/")", R"("A/")"},
  };
  for (const auto& [sent, kept] : ids) {
    auto body = R"({"jsonrpc":"2.0","id":)" + std::string{sent} + R"(,"method":"ping"})";
    auto msg = decode_message(body);
    ASSERT_TRUE(msg) << body;
    EXPECT_EQ(msg->request.id, kept) << body;
  }
}

TEST(JsonrpcTest, ExtractsTheProgressToken) {
  auto msg = decode_message(
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":"t-1"}}})");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->request.progress_token, R"("t-1")");
  auto number = decode_message(
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":7}}})");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->request.progress_token, "7");
  auto none = decode_message(
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":{}}}})");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->request.progress_token.empty());
}

TEST(JsonrpcTest, DistinguishesNotificationsResponsesAndBatches) {
  auto note = decode_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(note);
  EXPECT_EQ(note->kind, jsonrpc_kind::notification);
  auto response = decode_message(R"({"jsonrpc":"2.0","id":7,"result":{}})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->kind, jsonrpc_kind::response);
  EXPECT_EQ(response->request.id, "7");
  auto batch = decode_message(
    R"([{"jsonrpc":"2.0","method":"ping","id":1},{"jsonrpc":"2.0","method":"notifications/initialized"}])");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->kind, jsonrpc_kind::batch);
  ASSERT_EQ(batch->batch.size(), 2u);
  EXPECT_EQ(batch->batch[0].request.method, "ping");
  EXPECT_EQ(batch->batch[1].kind, jsonrpc_kind::notification);
  for (auto body : {"[]", "[1]", R"([{"jsonrpc":"2.0","method":"ping","id":1},{"foo":1}])"}) {
    auto bad = decode_message(body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(code_of(bad.error()), errc::invalid_request) << body;
  }
}

TEST(JsonrpcTest, InvalidJsonIsAParseError) {
  for (auto body : {"{bad", "", "{\"jsonrpc\":\"2.0\",", "nul"}) {
    auto msg = decode_message(body);
    ASSERT_FALSE(msg) << body;
    EXPECT_EQ(code_of(msg.error()), errc::parse_error) << body;
  }
}

TEST(JsonrpcTest, ValidJsonThatIsNoMessageIsAnInvalidRequest) {
  for (auto body :
       {R"({"foo":1})", "42", R"({"jsonrpc":"1.0","method":"x","id":1})",
        R"({"jsonrpc":"2.0","method":5,"id":1})", R"({"jsonrpc":"2.0","method":"x","id":null})",
        R"({"jsonrpc":"2.0","method":"x","id":1,"params":"s"})"}) {
    auto msg = decode_message(body);
    ASSERT_FALSE(msg) << body;
    EXPECT_EQ(code_of(msg.error()), errc::invalid_request) << body;
  }
}

TEST(JsonrpcTest, EncodesResultsAndErrors) {
  EXPECT_EQ(encode_result("1", "{}"), R"({"jsonrpc":"2.0","id":1,"result":{}})");
  EXPECT_EQ(encode_error("", -32700, "Parse \"error\""),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse \"error\""}})");
  EXPECT_EQ(
    encode_error(R"("x")", -32602, "bad", R"({"uri":"u"})"),
    R"({"jsonrpc":"2.0","id":"x","error":{"code":-32602,"message":"bad","data":{"uri":"u"}}})");
}

} // namespace
} // namespace sagemcp::transport
