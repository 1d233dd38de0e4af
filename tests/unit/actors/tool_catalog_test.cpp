#include "actors/tool_catalog.hpp"

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

std::vector<std::string> names_of(const tool_catalog& catalog) {
  std::vector<std::string> result;
  for (const auto& page : catalog.pages()) {
    auto parsed = boost::json::parse(page);
    for (const auto& tool : parsed.at("tools").as_array()) {
      result.emplace_back(tool.at("name").as_string());
    }
  }
  return result;
}

TEST(ToolCatalogTest, KeepsUniqueNamesAndPrefixesClashes) {
  auto catalog = tool_catalog::build({{"github", tools({"search", "list_issues"})},
                                      {"gitlab", tools({"search", "list_merge_requests"})}});
  EXPECT_EQ(names_of(catalog), (std::vector<std::string>{"github__search", "list_issues",
                                                         "gitlab__search", "list_merge_requests"}));
  const auto* route = catalog.find("gitlab__search");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->member, 1u);
  EXPECT_EQ(route->tool, "search");
  EXPECT_EQ(catalog.find("search"), nullptr);
}

TEST(ToolCatalogTest, LeavesOutMembersThatFailed) {
  auto catalog = tool_catalog::build({{"a", std::nullopt}, {"b", tools({"echo"})}});
  EXPECT_EQ(names_of(catalog), std::vector<std::string>{"echo"});
  EXPECT_EQ(catalog.find("echo")->member, 1u);
  EXPECT_EQ(tool_catalog::build({}).pages().size(), 1u);
}

TEST(ToolCatalogTest, NamesStayValidAndUnique) {
  std::string long_prefix(40, 'p');
  auto catalog = tool_catalog::build(
    {{long_prefix, tools({std::string(40, 't')})}, {long_prefix, tools({std::string(40, 't')})}});
  auto names = names_of(catalog);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(names[0], names[1]);
  for (const auto& name : names) {
    EXPECT_LE(name.size(), 64u);
  }
}

TEST(ToolCatalogTest, PrefixesComeFromConnectorNames) {
  EXPECT_EQ(connector_prefix("Beta Tools", "everything"), "Beta_Tools");
  EXPECT_EQ(connector_prefix("???", "everything"), "everything");
  EXPECT_EQ(connector_prefix(std::string(50, 'x'), "t").size(), 32u);
}

} // namespace
} // namespace sagemcp
