#include "connectors/json_schema.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;

std::optional<std::string> check(std::string_view instance, std::string_view schema) {
  return validate(json::parse(instance), json::parse(schema));
}

constexpr std::string_view issue_schema = R"({
  "type": "object",
  "properties": {
    "title": {"type": "string", "minLength": 1, "maxLength": 10},
    "labels": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"},
               "maxItems": 3, "uniqueItems": true},
    "state": {"type": "string", "enum": ["open", "closed"]},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "options": {"type": "object", "properties": {"draft": {"type": "boolean"}},
                "additionalProperties": false},
    "milestone": {"type": ["integer", "null"]},
    "ref": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
  },
  "required": ["title"],
  "additionalProperties": false
})";

TEST(JsonSchemaTest, AcceptsConformingArguments) {
  EXPECT_EQ(check(R"({"title":"Bug","labels":["a","b"],"state":"open","per_page":100,
                      "options":{"draft":true},"milestone":null,"ref":"main"})",
                  issue_schema),
            std::nullopt);
  EXPECT_EQ(check(R"({"title":"x","per_page":5.0,"ref":3})", issue_schema), std::nullopt);
  EXPECT_EQ(check("{}", R"({"type":"object"})"), std::nullopt);
  EXPECT_EQ(check(R"({"a":1})", "true"), std::nullopt);
}

TEST(JsonSchemaTest, NamesTheOffendingFieldWithoutItsValue) {
  struct row {
    std::string_view instance;
    std::string_view message;
  };
  const row rows[] = {
    {R"({})", "'title' is required"},
    {R"({"title":42})", "'title' must be a string"},
    {R"({"title":""})", "'title' needs at least 1 characters"},
    {R"({"title":"ééééééééééé"})", "'title' takes at most 10 characters"},
    {R"({"title":"t","labels":["ok","Bad-Secret"]})",
     "'labels[1]' must match the pattern ^[a-z]+$"},
    {R"({"title":"t","labels":["a","a"]})", "'labels' must not repeat items"},
    {R"({"title":"t","labels":["a","b","c","d"]})", "'labels' takes at most 3 items"},
    {R"({"title":"t","state":"merged-secret"})", R"('state' must be one of "open", "closed")"},
    {R"({"title":"t","per_page":0})", "'per_page' must be at least 1"},
    {R"({"title":"t","per_page":1.5})", "'per_page' must be an integer"},
    {R"({"title":"t","options":{"draft":1}})", "'options.draft' must be a boolean"},
    {R"({"title":"t","options":{"secret_flag":true}})",
     "'options.secret_flag' is not a known field"},
    {R"({"title":"t","unknown":1})", "'unknown' is not a known argument"},
    {R"({"title":"t","milestone":"v1"})", "'milestone' must be an integer or null"},
    {R"({"title":"t","ref":true})", "'ref' matches none of the allowed forms"},
  };
  for (const auto& [instance, message] : rows) {
    auto problem = check(instance, issue_schema);
    ASSERT_TRUE(problem) << instance;
    EXPECT_EQ(*problem, message) << instance;
    EXPECT_EQ(problem->find("Secret"), std::string::npos);
    EXPECT_EQ(problem->find("secret-"), std::string::npos);
  }
}

TEST(JsonSchemaTest, FindsProblemsInSchemas) {
  EXPECT_TRUE(check_schema(json::parse(issue_schema)).empty());
  auto problems = check_schema(json::parse(
    R"({"type":"obj","properties":{"a":{"type":"string","minLength":"1"}},"required":["b"],
        "anyOf":[],"pattern":"("})"));
  EXPECT_EQ(problems.size(), 5u);
  // `required` in a subschema may name its parent's properties.
  EXPECT_TRUE(
    check_schema(json::parse(
                   R"({"type":"object","properties":{"a":{},"b":{}},"anyOf":[{"required":["a"]},
                    {"required":["b"]}]})"))
      .empty());
}

// Every registered tool, of every connector type, is well-formed.
TEST(JsonSchemaTest, EveryRegisteredToolIsWellFormed) {
  const std::regex name_shape{"^[A-Za-z0-9_.-]{1,64}$"};
  size_t tools = 0;
  std::set<std::string> types;
  for (const auto* spec : connector_types()) {
    EXPECT_TRUE(types.insert(std::string{spec->type}).second) << spec->type;
    EXPECT_FALSE(spec->display_name.empty()) << spec->type;
    EXPECT_FALSE(spec->description.empty()) << spec->type;
    std::set<std::string> names;
    for (const auto& tool : spec->tools) {
      ++tools;
      std::string where = std::string{spec->type} + "/" + std::string{tool.name};
      EXPECT_TRUE(names.insert(std::string{tool.name}).second) << "duplicate " << where;
      EXPECT_TRUE(std::regex_match(std::string{tool.name}, name_shape)) << where;
      EXPECT_FALSE(tool.description.empty()) << where;
      json::value schema;
      ASSERT_NO_THROW(schema = json::parse(tool.input_schema)) << where;
      ASSERT_TRUE(schema.is_object()) << where;
      const auto* type = schema.as_object().if_contains("type");
      EXPECT_TRUE(type != nullptr && *type == "object") << where << ": not an object schema";
      for (const auto& problem : check_schema(schema)) {
        ADD_FAILURE() << where << ": " << problem;
      }
      if (!tool.output_schema.empty()) {
        EXPECT_TRUE(check_schema(json::parse(tool.output_schema)).empty()) << where;
      }
      int kinds = (tool.handler ? 1 : 0) + (tool.script ? 1 : 0) + (tool.interactive ? 1 : 0)
                  + (tool.http ? 1 : 0);
      EXPECT_EQ(kinds, 1) << where << ": a tool runs one way";
    }
  }
  EXPECT_GT(tools, 0u);
}

TEST(JsonSchemaTest, ToolCallsAreCheckedBeforeTheToolRuns) {
  const auto* everything = find_connector_type("everything");
  ASSERT_NE(everything, nullptr);
  const auto* echo = find_tool(*everything, "echo");
  ASSERT_NE(echo, nullptr);
  auto missing = call_tool(*echo, "{}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(message_of(missing.error()), "Invalid arguments: 'message' is required");
  auto extra = call_tool(*echo, R"({"message":"hi","mode":"x"})");
  ASSERT_FALSE(extra);
  EXPECT_EQ(message_of(extra.error()), "Invalid arguments: 'mode' is not a known argument");
  EXPECT_TRUE(call_tool(*echo, R"({"message":"hi"})"));
}

} // namespace
} // namespace sagemcp::connectors
