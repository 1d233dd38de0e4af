#include "connectors/everything/everything.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;

json::value serve_ok(std::string_view method, std::string_view params = {}) {
  auto result = serve(everything::spec, method, params);
  EXPECT_TRUE(result) << method << ": " << (result ? "" : message_of(result.error()));
  return result ? json::parse(*result) : json::value{};
}

caf::error serve_error(std::string_view method, std::string_view params = {}) {
  auto result = serve(everything::spec, method, params);
  EXPECT_FALSE(result) << method << " " << params;
  return result ? caf::error{} : result.error();
}

TEST(CatalogTest, AdvertisesWhatTheSpecOffers) {
  auto caps = json::parse(capabilities(everything::spec)).as_object();
  EXPECT_TRUE(caps.contains("tools"));
  EXPECT_EQ(caps.at("resources").at("subscribe"), true);
  EXPECT_TRUE(caps.contains("prompts"));
  EXPECT_TRUE(caps.contains("completions"));
  EXPECT_TRUE(caps.contains("logging"));
}

TEST(CatalogTest, ListsResourcesTemplatesAndPrompts) {
  auto resources = serve_ok("resources/list").at("resources").as_array();
  ASSERT_EQ(resources.size(), 3u);
  EXPECT_EQ(resources[0].at("uri"), "test://static-text");
  EXPECT_EQ(resources[0].at("mimeType"), "text/plain");
  auto templates = serve_ok("resources/templates/list").at("resourceTemplates").as_array();
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0].at("uriTemplate"), "test://template/{id}/data");
  auto prompts = serve_ok("prompts/list").at("prompts").as_array();
  ASSERT_EQ(prompts.size(), 5u);
  for (const auto& p : prompts) {
    EXPECT_FALSE(p.at("description").as_string().empty());
  }
  EXPECT_EQ(prompts[1].at("arguments").at(0).at("name"), "arg1");
  EXPECT_EQ(prompts[1].at("arguments").at(0).at("required"), true);
}

TEST(CatalogTest, ReadsTextBinaryAndTemplatedResources) {
  auto text = serve_ok("resources/read", R"({"uri":"test://static-text"})").at("contents").at(0);
  EXPECT_EQ(text.at("text"), "This is the content of the static text resource.");
  auto blob = serve_ok("resources/read", R"({"uri":"test://static-binary"})").at("contents").at(0);
  EXPECT_EQ(blob.at("mimeType"), "image/png");
  EXPECT_TRUE(blob.as_object().contains("blob"));
  auto item
    = serve_ok("resources/read", R"({"uri":"test://template/123/data"})").at("contents").at(0);
  EXPECT_EQ(item.at("uri"), "test://template/123/data");
  auto body = json::parse(item.at("text").as_string());
  EXPECT_EQ(body.at("id"), "123");
}

TEST(CatalogTest, UnknownResourcesAreNotFoundWithTheUri) {
  for (auto uri : {"test://nope", "test://template//data", "test://template/1/2/data",
                   "test://template/1/datax"}) {
    auto err = serve_error("resources/read", std::string{R"({"uri":")"} + uri + "\"}");
    EXPECT_EQ(code_of(err), errc::resource_not_found) << uri;
    EXPECT_EQ(data_of(err), std::string{R"({"uri":")"} + uri + "\"}");
  }
  EXPECT_EQ(code_of(serve_error("resources/read", "{}")), errc::invalid_params);
}

TEST(CatalogTest, RendersPromptsWithArguments) {
  auto result = serve_ok(
    "prompts/get", R"({"name":"test_prompt_with_arguments","arguments":{"arg1":"a","arg2":"b"}})");
  EXPECT_EQ(result.at("messages").at(0).at("content").at("text"),
            "Prompt with arguments: arg1='a', arg2='b'");
  auto embedded = serve_ok(
    "prompts/get",
    R"({"name":"test_prompt_with_embedded_resource","arguments":{"resourceUri":"test://x"}})");
  EXPECT_EQ(embedded.at("messages").at(0).at("content").at("resource").at("uri"), "test://x");
  auto image = serve_ok("prompts/get", R"({"name":"test_prompt_with_image"})");
  EXPECT_EQ(image.at("messages").at(0).at("content").at("type"), "image");
}

TEST(CatalogTest, RejectsUnknownPromptsAndMissingArguments) {
  EXPECT_EQ(code_of(serve_error("prompts/get", R"({"name":"nope"})")), errc::invalid_params);
  auto missing = serve_error("prompts/get",
                             R"({"name":"test_prompt_with_arguments","arguments":{"arg1":"a"}})");
  EXPECT_EQ(code_of(missing), errc::invalid_params);
  EXPECT_NE(message_of(missing).find("arg2"), std::string::npos);
  EXPECT_EQ(code_of(serve_error("prompts/get", R"({"name":"test_simple_prompt","arguments":[1]})")),
            errc::invalid_params);
}

TEST(CatalogTest, CompletesPromptArguments) {
  auto result = serve_ok(
    "completion/complete",
    R"({"ref":{"type":"ref/prompt","name":"test_prompt_with_arguments"},"argument":{"name":"arg1","value":"par"}})");
  auto values = result.at("completion").at("values").as_array();
  EXPECT_EQ(values.size(), 5u);
  EXPECT_EQ(result.at("completion").at("hasMore"), false);
  EXPECT_EQ(code_of(serve_error(
              "completion/complete",
              R"({"ref":{"type":"ref/prompt","name":"nope"},"argument":{"name":"a","value":""}})")),
            errc::invalid_params);
  EXPECT_EQ(code_of(serve_error("completion/complete", R"({"ref":{"type":"ref/prompt"}})")),
            errc::invalid_params);
}

TEST(CatalogTest, PaginatesLongListsWithOpaqueCursors) {
  json::array items;
  for (int i = 0; i < 250; ++i) {
    items.emplace_back(i);
  }
  auto pages = paginate("tools", items);
  ASSERT_EQ(pages.size(), 3u);
  auto first = json::parse(pages[0]);
  EXPECT_EQ(first.at("tools").as_array().size(), page_size);
  auto cursor = first.at("nextCursor").as_string();
  auto index = page_of(cursor, pages.size());
  ASSERT_TRUE(index);
  EXPECT_EQ(*index, 1u);
  auto last = json::parse(pages[2]);
  EXPECT_EQ(last.at("tools").as_array().size(), 50u);
  EXPECT_FALSE(last.as_object().contains("nextCursor"));
  EXPECT_EQ(paginate("tools", json::array{}).size(), 1u);
}

TEST(CatalogTest, RejectsCursorsItDidNotIssue) {
  EXPECT_EQ(*page_of("", 1), 0u);
  for (auto cursor : {"p0", "p3", "x1", "p", "p1x", "p-1", "garbage"}) {
    auto index = page_of(cursor, 3);
    ASSERT_FALSE(index) << cursor;
    EXPECT_EQ(code_of(index.error()), errc::invalid_params) << cursor;
  }
  EXPECT_EQ(code_of(serve_error("prompts/list", R"({"cursor":"p5"})")), errc::invalid_params);
  EXPECT_EQ(code_of(serve_error("resources/list", R"({"cursor":7})")), errc::invalid_params);
  EXPECT_TRUE(serve(everything::spec, "resources/list", R"({"cursor":null})"));
}

TEST(CatalogTest, UnknownMethodsAndBadParams) {
  EXPECT_FALSE(is_served_method("tools/list"));
  EXPECT_TRUE(is_served_method("resources/read"));
  EXPECT_EQ(code_of(serve_error("resources/nope")), errc::method_not_found);
  EXPECT_EQ(code_of(serve_error("resources/read", "[1]")), errc::invalid_params);
}

} // namespace
} // namespace sagemcp::connectors
