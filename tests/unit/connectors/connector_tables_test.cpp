// Table-driven tests of every native connector: for each tool, fixtures in
// tests/fakes/fixtures/<type>.json give arguments, the requests the fake upstream must see
// (method, path, query, headers, body), the answers it gives, and the tool result expected.
// Fixture answers may say `{base}` for the fake's URL (next-page links).
// Every tool must have a fixture; every tool is also run against 401, 404, 429, 500 and a
// timeout.

#include "connectors/http_tool.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "tests/fakes/fake_upstream.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;
using fakes::canned_response;
using fakes::fake_upstream;
using fakes::recorded_request;

// What a tool call ended with: the result's text (parsed when it is JSON) or the error message.
struct outcome {
  bool is_error = false;
  json::value value;
  std::string message;
};

outcome run_tool(http_client& client, const connector_spec& spec, const tool_spec& tool,
                 const json::object& arguments, call_context context) {
  auto args = checked_arguments(tool, json::serialize(arguments));
  if (!args) {
    return {true, {}, message_of(args.error())};
  }
  auto done = std::make_shared<std::promise<caf::expected<std::string>>>();
  auto future = done->get_future();
  execute(client, *spec.api, *tool.http, std::move(*args), std::move(context),
          [done](caf::expected<std::string> result) {
            done->set_value(std::move(result));
          });
  if (future.wait_for(std::chrono::seconds{20}) != std::future_status::ready) {
    return {true, {}, "no answer within 20 s"};
  }
  auto result = future.get();
  if (!result) {
    return {true, {}, message_of(result.error())};
  }
  auto parsed = json::parse(*result);
  std::string text{parsed.at("content").at(0).at("text").as_string()};
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  return {false, ec ? json::value(text) : std::move(value), text};
}

json::object load_fixtures(std::string_view type) {
  auto path = std::filesystem::path{SAGEMCP_FIXTURES} / (std::string{type} + ".json");
  std::ifstream in{path};
  if (!in) {
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

// Replaces `{base}` (the fake's URL, which fixtures cannot know) in a fixture's text.
std::string with_base(std::string text, const std::string& base) {
  for (auto at = text.find("{base}"); at != std::string::npos; at = text.find("{base}", at)) {
    text.replace(at, 6, base);
    at += base.size();
  }
  return text;
}

canned_response canned(const json::object& response, const std::string& base) {
  canned_response out;
  if (const auto* status = response.if_contains("status")) {
    out.status = static_cast<unsigned>(status->to_number<int64_t>());
  }
  bool typed = false;
  if (const auto* headers = response.if_contains("headers")) {
    for (const auto& [name, value] : headers->as_object()) {
      typed = typed || name == "content-type";
      out.headers.emplace_back(name, with_base(std::string{value.as_string()}, base));
    }
  }
  if (const auto* text = response.if_contains("text")) {
    out.body = with_base(std::string{text->as_string()}, base);
    if (!typed) {
      out.headers.emplace_back("content-type", "text/plain");
    }
  } else if (const auto* body = response.if_contains("body")) {
    out.body = with_base(json::serialize(*body), base);
    if (!typed) {
      out.headers.emplace_back("content-type", "application/json; charset=utf-8");
    }
  }
  return out;
}

// Checks a recorded request against its expectation; returns what differs.
std::string mismatch(const recorded_request& got, const json::object& want,
                     const json::object& every) {
  std::ostringstream out;
  auto method = want.contains("method") ? std::string{want.at("method").as_string()} : "GET";
  if (got.method != method) {
    out << "method " << got.method << " != " << method << "; ";
  }
  if (got.path != want.at("path").as_string()) {
    out << "path " << got.path << " != " << want.at("path").as_string() << "; ";
  }
  json::object query;
  for (const auto& [name, value] : got.query) {
    query[name] = value;
  }
  json::object expected_query;
  if (const auto* q = want.if_contains("query")) {
    expected_query = q->as_object();
  }
  if (query != expected_query || got.query.size() != expected_query.size()) {
    out << "query " << json::serialize(query) << " != " << json::serialize(expected_query) << "; ";
  }
  auto check_headers = [&](const json::object& headers) {
    for (const auto& [name, value] : headers) {
      if (got.header(name) != value.as_string()) {
        out << "header " << name << " '" << got.header(name) << "' != '" << value.as_string()
            << "'; ";
      }
    }
  };
  check_headers(every);
  if (const auto* headers = want.if_contains("headers")) {
    check_headers(headers->as_object());
  }
  if (const auto* body = want.if_contains("body")) {
    boost::system::error_code ec;
    auto parsed = json::parse(got.body, ec);
    if (ec || parsed != *body) {
      out << "body " << got.body << " != " << json::serialize(*body) << "; ";
    }
    if (got.header("content-type") != "application/json") {
      out << "content-type '" << got.header("content-type") << "'; ";
    }
  } else if (const auto* raw = want.if_contains("raw_body")) {
    if (got.body != raw->as_string()) {
      out << "body " << got.body << " != " << raw->as_string() << "; ";
    }
  } else if (!got.body.empty()) {
    out << "unexpected body " << got.body << "; ";
  }
  return out.str();
}

class ConnectorTableTest : public ::testing::TestWithParam<const connector_spec*> {
protected:
  static http_client& client() {
    static http_client shared{[] {
      http_client_options options;
      options.allow_private = true;
      options.read_timeout = std::chrono::milliseconds{5000};
      return options;
    }()};
    return shared;
  }

  call_context context(const fake_upstream& fake, const json::object& fixtures) const {
    call_context ctx;
    ctx.base_url = fake.url();
    json::object config;
    if (const auto* given = fixtures.if_contains("config")) {
      config = given->as_object();
    }
    auto credentials = configured_credentials(*GetParam()->api, config);
    if (credentials) {
      ctx.credentials = std::move(*credentials);
    }
    ctx.max_retries = 1;
    ctx.backoff = std::chrono::milliseconds{1};
    return ctx;
  }
};

TEST_P(ConnectorTableTest, EveryToolMapsToItsRequestsAndResult) {
  const auto& spec = *GetParam();
  auto fixtures = load_fixtures(spec.type);
  ASSERT_TRUE(fixtures.contains("cases")) << "no fixtures for " << spec.type;
  json::object every;
  if (const auto* auth = fixtures.if_contains("expect_headers")) {
    every = auth->as_object();
  }
  std::set<std::string> covered;
  fake_upstream fake;
  for (const auto& entry : fixtures.at("cases").as_array()) {
    const auto& c = entry.as_object();
    std::string name{c.at("tool").as_string()};
    SCOPED_TRACE(name + (c.contains("case") ? " / " + std::string{c.at("case").as_string()} : ""));
    const auto* tool = find_tool(spec, name);
    ASSERT_NE(tool, nullptr) << "unknown tool " << name;
    covered.insert(name);
    const auto& exchanges = c.at("exchanges").as_array();
    std::mutex mtx;
    size_t next = 0;
    fake.clear();
    fake.set_handler([&](const recorded_request&) {
      std::lock_guard guard{mtx};
      if (next >= exchanges.size()) {
        return canned_response{599, {}, "unexpected request"};
      }
      return canned(exchanges.at(next++).at("response").as_object(), fake.url());
    });
    json::object args;
    if (const auto* given = c.if_contains("arguments")) {
      args = given->as_object();
    }
    auto result = run_tool(client(), spec, *tool, args, context(fake, fixtures));
    auto seen = fake.requests();
    ASSERT_EQ(seen.size(), exchanges.size()) << (result.is_error ? result.message : "");
    for (size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(mismatch(seen[i], exchanges.at(i).at("request").as_object(), every), "")
        << "request " << i;
    }
    if (const auto* error = c.if_contains("error")) {
      EXPECT_TRUE(result.is_error) << json::serialize(result.value);
      EXPECT_NE(result.message.find(error->as_string()), std::string::npos) << result.message;
    } else {
      ASSERT_FALSE(result.is_error) << result.message;
      EXPECT_EQ(result.value, c.at("result")) << "got      " << json::serialize(result.value)
                                              << "\nexpected " << json::serialize(c.at("result"));
    }
  }
  for (const auto& tool : spec.tools) {
    EXPECT_TRUE(covered.contains(std::string{tool.name})) << "no fixture for " << tool.name;
  }
}

// The arguments of a tool's first fixture.
json::object first_arguments(const json::object& fixtures, std::string_view tool) {
  for (const auto& entry : fixtures.at("cases").as_array()) {
    const auto& c = entry.as_object();
    if (c.at("tool").as_string() == tool && !c.contains("error")) {
      const auto* args = c.if_contains("arguments");
      return args != nullptr ? args->as_object() : json::object{};
    }
  }
  return {};
}

TEST_P(ConnectorTableTest, EveryToolReportsUpstreamFailuresAsToolErrors) {
  const auto& spec = *GetParam();
  auto fixtures = load_fixtures(spec.type);
  ASSERT_TRUE(fixtures.contains("cases"));
  struct failure_case {
    unsigned status;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string expect;
  };
  const std::vector<failure_case> failures = {
    {401, {}, R"({"message":"Bad credentials"})", "401"},
    {404, {}, R"({"message":"Not Found"})", "404"},
    {429, {{"retry-after", "120"}}, R"({"message":"slow down"})", "try again in 120 seconds"},
    {500, {}, "upstream exploded", "500"},
  };
  fake_upstream fake;
  for (const auto& tool : spec.tools) {
    auto args = first_arguments(fixtures, tool.name);
    for (const auto& f : failures) {
      SCOPED_TRACE(std::string{tool.name} + " / " + std::to_string(f.status));
      fake.clear();
      fake.set_handler([&](const recorded_request&) {
        return canned_response{f.status, f.headers, f.body};
      });
      auto result = run_tool(client(), spec, tool, args, context(fake, fixtures));
      ASSERT_TRUE(result.is_error);
      EXPECT_NE(result.message.find(f.expect), std::string::npos) << result.message;
      EXPECT_NE(result.message.find(spec.api->service), std::string::npos) << result.message;
      auto requests = fake.requests();
      ASSERT_FALSE(requests.empty());
      // Server errors are retried once for idempotent methods only; nothing else is.
      bool idempotent = requests.front().method != "POST" && requests.front().method != "PATCH";
      size_t expected = f.status == 500 && idempotent ? 2 : 1;
      EXPECT_EQ(requests.size(), expected);
    }
  }
}

TEST_P(ConnectorTableTest, EveryToolReportsATimeout) {
  const auto& spec = *GetParam();
  auto fixtures = load_fixtures(spec.type);
  ASSERT_TRUE(fixtures.contains("cases"));
  http_client_options options;
  options.allow_private = true;
  options.read_timeout = std::chrono::milliseconds{150};
  http_client impatient{options};
  fake_upstream fake{[](const recorded_request&) {
    return canned_response{200, {}, "{}", std::chrono::milliseconds{600}};
  }};
  for (const auto& tool : spec.tools) {
    SCOPED_TRACE(std::string{tool.name});
    auto ctx = context(fake, fixtures);
    ctx.max_retries = 0;
    auto result = run_tool(impatient, spec, tool, first_arguments(fixtures, tool.name), ctx);
    ASSERT_TRUE(result.is_error);
    EXPECT_NE(result.message.find("did not answer in time"), std::string::npos) << result.message;
  }
}

std::vector<const connector_spec*> native_connectors() {
  std::vector<const connector_spec*> out;
  for (const auto* spec : connector_types()) {
    if (spec->api != nullptr) {
      out.push_back(spec);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Native, ConnectorTableTest, ::testing::ValuesIn(native_connectors()),
                         [](const auto& param) {
                           return std::string{param.param->type};
                         });

// The shape every native tool must have: named after its connector, described, with an object
// schema that requires every path placeholder and a `limit` on list tools.
TEST(NativeToolsTest, EveryToolIsDeclaredCompletely) {
  const std::regex placeholder{R"(\{\+?([A-Za-z0-9_]+)\})"};
  size_t total = 0;
  for (const auto* spec : native_connectors()) {
    EXPECT_FALSE(spec->api->service.empty());
    EXPECT_TRUE(spec->api->base_url.starts_with("https://")) << spec->type;
    for (const auto& tool : spec->tools) {
      ++total;
      std::string where = std::string{spec->type} + "/" + std::string{tool.name};
      ASSERT_NE(tool.http, nullptr) << where;
      EXPECT_TRUE(tool.name.starts_with(std::string{spec->type} + "_")) << where;
      EXPECT_LE(tool.name.size(), 64u) << where;
      EXPECT_FALSE(tool.title.empty()) << where;
      EXPECT_GE(tool.description.size(), 20u) << where;
      auto schema = json::parse(tool.input_schema).as_object();
      std::set<std::string> required;
      if (const auto* r = schema.if_contains("required")) {
        for (const auto& name : r->as_array()) {
          required.insert(std::string{name.as_string()});
        }
      }
      const auto& properties = schema.at("properties").as_object();
      for (const auto& name : required) {
        EXPECT_TRUE(properties.contains(name)) << where << ": requires unknown " << name;
      }
      std::vector<std::string_view> paths{tool.http->path};
      for (const auto& step : tool.http->also) {
        paths.push_back(step.path);
      }
      for (auto path : paths) {
        std::string text{path};
        for (std::sregex_iterator i{text.begin(), text.end(), placeholder}, end; i != end; ++i) {
          EXPECT_TRUE(required.contains((*i)[1].str()))
            << where << ": path placeholder " << (*i)[1].str() << " is not required";
        }
      }
      if (tool.http->pages.style != paging::none) {
        EXPECT_TRUE(properties.contains("limit")) << where << ": a list tool takes limit";
      }
      for (const auto& [name, property] : properties) {
        EXPECT_TRUE(property.as_object().contains("type") || property.as_object().contains("anyOf"))
          << where << ": " << name << " has no type";
      }
      ASSERT_FALSE(tool.annotations.empty()) << where;
      auto annotations = json::parse(tool.annotations).as_object();
      bool reads = tool.http->method == http_method::get;
      EXPECT_EQ(annotations.at("readOnlyHint").as_bool(), reads) << where;
    }
  }
  EXPECT_GT(total, 0u);
}

} // namespace
} // namespace sagemcp::connectors
