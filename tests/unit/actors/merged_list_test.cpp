#include "actors/merged_list.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sagemcp {
namespace {

std::string tools(std::initializer_list<std::string_view> names) {
  std::string out = "[";
  for (auto name : names) {
    out += out.size() > 1 ? "," : "";
    out += R"({"name":")" + std::string{name}
           + R"(","description":"d","inputSchema":{"type":"object"}})";
  }
  return out + "]";
}

std::string items(std::string_view key, std::initializer_list<std::string_view> keys) {
  std::string out = "[";
  for (auto k : keys) {
    out += out.size() > 1 ? "," : "";
    out += R"({")" + std::string{key} + R"(":")" + std::string{k} + R"(","title":"t"})";
  }
  return out + "]";
}

std::vector<std::string> keys_of(const merged_list& list, list_kind kind = list_kind::tools) {
  std::string_view key = kind == list_kind::resources            ? "uri"
                         : kind == list_kind::resource_templates ? "uriTemplate"
                                                                 : "name";
  std::vector<std::string> result;
  for (const auto& page : list.pages()) {
    auto parsed = boost::json::parse(page);
    for (const auto& item : parsed.at(items_member(kind)).as_array()) {
      result.emplace_back(item.at(key).as_string());
    }
  }
  return result;
}

merged_list tools_of(const std::vector<list_member>& members) {
  return merged_list::build(list_kind::tools, members);
}

TEST(MergedListTest, KeepsUniqueNamesAndPrefixesClashes) {
  auto catalog = tools_of({{"github", tools({"search", "list_issues"})},
                           {"gitlab", tools({"search", "list_merge_requests"})}});
  EXPECT_EQ(keys_of(catalog), (std::vector<std::string>{"github__search", "list_issues",
                                                        "gitlab__search", "list_merge_requests"}));
  const auto* route = catalog.find("gitlab__search");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->member, 1u);
  EXPECT_EQ(route->key, "search");
  EXPECT_EQ(catalog.find("search"), nullptr);
}

TEST(MergedListTest, LeavesOutMembersThatFailedAndItemsWithoutKeys) {
  auto catalog = tools_of({{"a", std::nullopt},
                           {"b", tools({"echo"})},
                           {"c", std::string{"not json"}},
                           {"d", std::string{R"([{"description":"no name"},7])"}}});
  EXPECT_EQ(keys_of(catalog), std::vector<std::string>{"echo"});
  EXPECT_EQ(catalog.find("echo")->member, 1u);
  EXPECT_EQ(tools_of({}).pages().size(), 1u);
  EXPECT_EQ(tools_of({}).pages().front(), R"({"tools":[]})");
}

TEST(MergedListTest, ToolNamesStayValidAndUnique) {
  std::string long_prefix(40, 'p');
  auto catalog = tools_of(
    {{long_prefix, tools({std::string(40, 't')})}, {long_prefix, tools({std::string(40, 't')})}});
  auto names = keys_of(catalog);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(names[0], names[1]);
  for (const auto& name : names) {
    EXPECT_LE(name.size(), 64u);
  }
}

TEST(MergedListTest, PromptNamesArePrefixedOnClashButKeepTheirCharacters) {
  auto prompts = merged_list::build(list_kind::prompts,
                                    {{"A", items("name", {"code review", "summary"})},
                                     {"B", items("name", {"code review"})}});
  EXPECT_EQ(keys_of(prompts, list_kind::prompts),
            (std::vector<std::string>{"A__code review", "summary", "B__code review"}));
  EXPECT_EQ(prompts.find("B__code review")->member, 1u);
  EXPECT_EQ(prompts.find("B__code review")->key, "code review");
}

TEST(MergedListTest, AUriBelongsToTheFirstMemberListingIt) {
  auto resources = merged_list::build(list_kind::resources,
                                      {{"A", items("uri", {"test://a", "test://shared"})},
                                       {"B", items("uri", {"test://shared"})}});
  EXPECT_EQ(keys_of(resources, list_kind::resources),
            (std::vector<std::string>{"test://a", "test://shared"}));
  EXPECT_EQ(resources.find("test://shared")->member, 0u);
  EXPECT_EQ(resources.find("test://shared")->key, "test://shared");
  auto templates = merged_list::build(
    list_kind::resource_templates, {{"A", std::nullopt}, {"B", items("uriTemplate", {"t://{x}"})}});
  EXPECT_EQ(templates.find("t://{x}")->member, 1u);
}

TEST(MergedListTest, LongListsArePaged) {
  std::string many = "[";
  for (int i = 0; i < 250; ++i) {
    many += (i > 0 ? "," : "") + std::string{R"({"uri":"u://)"} + std::to_string(i) + R"("})";
  }
  many += "]";
  auto list = merged_list::build(list_kind::resources, {{"A", many}});
  ASSERT_EQ(list.pages().size(), 3u);
  EXPECT_EQ(keys_of(list, list_kind::resources).size(), 250u);
  EXPECT_NE(list.pages()[0].find("nextCursor"), std::string::npos);
  EXPECT_EQ(list.pages()[2].find("nextCursor"), std::string::npos);
}

TEST(MergedListTest, MethodsAndMembersOfEachList) {
  for (auto kind : list_kinds) {
    EXPECT_EQ(list_of_method(list_method(kind)), kind);
  }
  EXPECT_EQ(items_member(list_kind::resource_templates), "resourceTemplates");
  EXPECT_EQ(list_of_method("resources/read"), std::nullopt);
}

TEST(MergedListTest, PrefixesComeFromConnectorNames) {
  EXPECT_EQ(connector_prefix("Beta Tools", "everything"), "Beta_Tools");
  EXPECT_EQ(connector_prefix("???", "everything"), "everything");
  EXPECT_EQ(connector_prefix(std::string(50, 'x'), "t").size(), 32u);
}

} // namespace
} // namespace sagemcp
