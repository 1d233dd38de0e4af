#include "connectors/everything/everything.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;

json::value call(std::string_view tool, std::string_view args = {}) {
  const auto* spec = find_tool(everything::spec, tool);
  EXPECT_NE(spec, nullptr) << tool;
  auto result = call_tool(*spec, args);
  EXPECT_TRUE(result) << tool;
  return result ? json::parse(*result) : json::value{};
}

caf::error fail(std::string_view tool, std::string_view args = {}) {
  auto result = call_tool(*find_tool(everything::spec, tool), args);
  EXPECT_FALSE(result) << tool;
  return result ? caf::error{} : result.error();
}

std::string first_text(const json::value& result) {
  return std::string{result.at("content").at(0).at("text").as_string()};
}

TEST(EverythingTest, IsRegistered) {
  EXPECT_EQ(find_connector_type("everything"), &everything::spec);
  EXPECT_EQ(find_connector_type("nope"), nullptr);
}

TEST(EverythingTest, EveryToolHasADescriptionAndAnObjectSchema) {
  auto tools = json::parse(serialize_tools(everything::spec)).as_array();
  ASSERT_EQ(tools.size(), everything::spec.tools.size());
  for (const auto& tool : tools) {
    EXPECT_FALSE(tool.at("description").as_string().empty());
    EXPECT_EQ(tool.at("inputSchema").at("type").as_string(), "object");
    auto name = tool.at("name").as_string();
    EXPECT_LE(name.size(), 64u);
  }
}

TEST(EverythingTest, EchoesTheMessage) {
  EXPECT_EQ(first_text(call("echo", R"({"message":"hi"})")), "Echo: hi");
}

TEST(EverythingTest, EchoRejectsAMissingMessage) {
  auto err = fail("echo", "{}");
  EXPECT_EQ(code_of(err), errc::invalid_tool_arguments);
  EXPECT_NE(message_of(err).find("'message'"), std::string::npos);
  EXPECT_EQ(code_of(fail("echo", "[1]")), errc::invalid_tool_arguments);
}

TEST(EverythingTest, AddReturnsStructuredContentMatchingItsOutputSchema) {
  auto result = call("add", R"({"a":2,"b":3})");
  EXPECT_EQ(result.at("structuredContent").at("sum"), 5);
  EXPECT_EQ(call("add", R"({"a":0.5,"b":1})").at("structuredContent").at("sum"), 1.5);
  auto tools = json::parse(serialize_tools(everything::spec)).as_array();
  const auto& add = tools[1].as_object();
  ASSERT_EQ(add.at("name"), "add");
  EXPECT_EQ(add.at("outputSchema").at("required").at(0), "sum");
  EXPECT_EQ(add.at("icons").at(0).at("mimeType"), "image/svg+xml");
  EXPECT_FALSE(tools[0].as_object().contains("outputSchema"));
}

TEST(EverythingTest, AddsIntegersAndDecimals) {
  EXPECT_EQ(first_text(call("add", R"({"a":2,"b":3})")), "5");
  EXPECT_EQ(first_text(call("add", R"({"a":1.5,"b":2})")), "3.5");
  EXPECT_EQ(first_text(call("add", R"({"a":-4,"b":1e2})")), "96");
  EXPECT_EQ(first_text(call("add", R"({"a":9223372036854775807,"b":1})")), "9223372036854775808");
  EXPECT_EQ(code_of(fail("add", R"({"a":"1","b":2})")), errc::invalid_tool_arguments);
}

TEST(EverythingTest, ConformanceFixturesHaveTheExpectedContent) {
  EXPECT_EQ(first_text(call("test_simple_text")), "This is a simple text response for testing.");
  auto image = call("test_image_content").at("content").at(0);
  EXPECT_EQ(image.at("type").as_string(), "image");
  EXPECT_EQ(image.at("mimeType").as_string(), "image/png");
  auto audio = call("test_audio_content").at("content").at(0);
  EXPECT_EQ(audio.at("mimeType").as_string(), "audio/wav");
  auto embedded = call("test_embedded_resource").at("content").at(0).at("resource");
  EXPECT_EQ(embedded.at("uri").as_string(), "test://embedded-resource");
  EXPECT_EQ(embedded.at("mimeType").as_string(), "text/plain");
  auto mixed = call("test_multiple_content_types").at("content").as_array();
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[1].at("type").as_string(), "image");
  EXPECT_EQ(mixed[2].at("resource").at("uri").as_string(), "test://mixed-content-resource");
  EXPECT_EQ(code_of(fail("test_error_handling")), errc::tool_failed);
}

TEST(EverythingTest, UrlElicitationAsksToOpenAnHttpsPageWithAFreshId) {
  const auto* tool = find_tool(everything::spec, "test_url_elicitation");
  ASSERT_NE(tool, nullptr);
  round_context url_mode{R"({"elicitation":{"url":{}}})", {}, {}, true};
  auto first = call_interactive(*tool, "{}", url_mode);
  ASSERT_TRUE(first);
  ASSERT_TRUE(is_input_required(*first));
  const auto& ask = first->at("inputRequests").at("visit").at("params");
  EXPECT_EQ(ask.at("mode"), "url");
  EXPECT_TRUE(ask.at("url").as_string().starts_with("https://"));
  auto again = call_interactive(*tool, "{}", url_mode);
  ASSERT_TRUE(again);
  EXPECT_NE(ask.at("elicitationId"),
            again->at("inputRequests").at("visit").at("params").at("elicitationId"));
  round_context answered{
    R"({"elicitation":{"url":{}}})", R"({"visit":{"action":"accept"}})", {}, true};
  auto done = call_interactive(*tool, "{}", answered);
  ASSERT_TRUE(done);
  EXPECT_EQ(first_text(*done), "URL elicitation accept");
  auto plain = call_interactive(*tool, R"({"url":"http://example.com"})", url_mode);
  ASSERT_FALSE(plain);
  EXPECT_EQ(code_of(plain.error()), errc::invalid_tool_arguments);
  round_context form_only{R"({"elicitation":{}})", {}, {}, true};
  auto refused = call_interactive(*tool, "{}", form_only);
  ASSERT_FALSE(refused);
  EXPECT_EQ(code_of(refused.error()), errc::missing_client_capability);
}

} // namespace
} // namespace sagemcp::connectors
