#include "connectors/http_tool.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "tests/fakes/fake_upstream.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;
using fakes::canned_response;
using fakes::fake_upstream;
using fakes::recorded_request;

constexpr std::string_view error_paths[] = {"message"};
constexpr http_api api{.service = "Example",
                       .base_url = "https://api.example.com/v2/",
                       .base_url_suffix = "/v2",
                       .error_paths = error_paths};

json::object args_of(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(HttpToolTest, FindsTheNextLink) {
  EXPECT_EQ(
    next_link(R"(<https://api.x/r?page=2>; rel="next", <https://api.x/r?page=9>; rel="last")"),
    "https://api.x/r?page=2");
  EXPECT_EQ(
    next_link(R"(<https://api.x/r?page=1>; rel="prev", <https://api.x/r?page=3>; rel="next")"),
    "https://api.x/r?page=3");
  EXPECT_EQ(next_link(R"(<https://api.x/r?page=3>; rel="next last")"), "https://api.x/r?page=3");
  EXPECT_EQ(next_link(R"(<https://api.x/r?page=1>; rel="first")"), "");
  EXPECT_EQ(next_link(""), "");
}

TEST(HttpToolTest, KeepsOnlyTheNamedFields) {
  auto value = json::parse(R"({"a":1,"b":{"c":2,"d":3},"l":[{"n":"x","o":1},{"n":"y"}],"z":null})");
  EXPECT_EQ(project(value, "a, b.c, l[].n, z, missing"),
            json::parse(R"({"a":1,"b":{"c":2},"l":[{"n":"x"},{"n":"y"}],"z":null})"));
  EXPECT_EQ(project(json::parse(R"([{"a":1,"b":2}])"), "b"), json::parse(R"([{"b":2}])"));
  EXPECT_EQ(project(value, ""), value);
  EXPECT_EQ(*at_path(json::parse(R"({"@odata.nextLink":"u"})"), "@odata.nextLink"), "u");
  EXPECT_EQ(*at_path(json::parse(R"({"a":{"b":"c"}})"), "a.b"), "c");
  EXPECT_EQ(at_path(json::parse(R"({"a":1})"), "a.b"), nullptr);
}

TEST(HttpToolTest, ReadsRetryAfter) {
  EXPECT_EQ(retry_after("120"), std::chrono::milliseconds{120000});
  EXPECT_EQ(retry_after(" 0"), std::chrono::milliseconds{0});
  EXPECT_EQ(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::chrono::milliseconds{0});
  EXPECT_EQ(retry_after("soon"), std::nullopt);
  EXPECT_EQ(retry_after(""), std::nullopt);
}

constexpr arg_binding renames[] = {{"query", arg_in::query, "q"},
                                   {"head", arg_in::body, "head.ref"}};

TEST(HttpToolTest, BuildsRequestsFromArguments) {
  http_tool get{.path = "/repos/{owner}/{+path}/items", .args = renames, .query = "x=1"};
  auto call = build_call(
    get,
    args_of(
      R"({"owner":"a b/c","path":"/dir/file name.md","query":"is:open","tags":["x","y"],"n":5,"f":false,"skip":null})"));
  ASSERT_TRUE(call) << message_of(call.error());
  EXPECT_EQ(call->path, "/repos/a%20b%2Fc/dir/file%20name.md/items");
  EXPECT_EQ(
    url_of("https://h/v2", *call),
    "https://h/v2/repos/a%20b%2Fc/dir/file%20name.md/items?x=1&q=is%3Aopen&tags=x%2Cy&n=5&f=false");
  EXPECT_TRUE(call->body.is_null());

  http_tool post{.method = http_method::post, .path = "/p/{id}", .args = renames};
  auto created = build_call(post, args_of(R"({"id":7,"title":"T","head":"main","labels":["a"]})"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->path, "/p/7");
  EXPECT_EQ(created->body, json::parse(R"({"title":"T","head":{"ref":"main"},"labels":["a"]})"));

  for (auto sneaky : {R"({"owner":"..","path":"x"})", R"({"owner":"a","path":"x/../../admin"})",
                      R"({"owner":"a","path":"./x"})"}) {
    auto refused = build_call(get, args_of(sneaky));
    ASSERT_FALSE(refused) << sneaky;
    EXPECT_NE(message_of(refused.error()).find("'.' or '..'"), std::string::npos);
  }
  EXPECT_TRUE(build_call(get, args_of(R"({"owner":"a.b","path":"x/.github/y..z"})")));

  auto missing = build_call(post, args_of(R"({"title":"T"})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(message_of(missing.error()), "Invalid arguments: 'id' is required");
}

TEST(HttpToolTest, ResolvesBaseUrlsAndCredentials) {
  EXPECT_EQ(*base_url_of(api, {}), "https://api.example.com/v2");
  EXPECT_EQ(*base_url_of(api, args_of(R"({"base_url":"https://git.corp.example/"})")),
            "https://git.corp.example/v2");
  EXPECT_EQ(*base_url_of(api, args_of(R"({"base_url":"https://git.corp.example/v2"})")),
            "https://git.corp.example/v2");
  for (auto bad : {R"({"base_url":"ftp://x"})", R"({"base_url":"https://u:p@x"})",
                   R"({"base_url":"https://x/?a=1"})", R"({"base_url":"nope"})"}) {
    EXPECT_FALSE(base_url_of(api, args_of(bad))) << bad;
  }
  EXPECT_FALSE(configured_credentials(api, {}));
  auto bearer = configured_credentials(api, args_of(R"({"token":"t1"})"));
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->headers.at(0).value, "Bearer t1");
  http_api header_api{.service = "H",
                      .base_url = "https://h",
                      .token_style = auth_style::header,
                      .token_header = "PRIVATE-TOKEN"};
  auto header = configured_credentials(header_api, args_of(R"({"token":"t2"})"));
  EXPECT_EQ(header->headers.at(0).name, "PRIVATE-TOKEN");
  http_api basic_api{.service = "B",
                     .base_url = "https://b",
                     .token_field = "api_key",
                     .token_style = auth_style::basic,
                     .user_field = "user"};
  auto basic = configured_credentials(basic_api, args_of(R"({"api_key":"k","user":"u"})"));
  EXPECT_EQ(basic->headers.at(0).value, basic_credentials("u", "k"));
}

TEST(HttpToolTest, ReadsTheCredentialMode) {
  http_api oauth_api{.service = "O", .base_url = "https://o", .oauth_provider = "github"};
  for (auto tenant : {"{}", R"({"credential_mode":null})", R"({"credential_mode":""})",
                      R"({"credential_mode":"tenant","token":"t"})"}) {
    EXPECT_EQ(*credential_mode_of(oauth_api, args_of(tenant)), credential_mode::tenant) << tenant;
  }
  EXPECT_EQ(*credential_mode_of(oauth_api, args_of(R"({"credential_mode":"user","token":""})")),
            credential_mode::user);
  auto unknown = credential_mode_of(oauth_api, args_of(R"({"credential_mode":"User"})"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(message_of(unknown.error()),
            R"(configuration 'credential_mode' must be "tenant" or "user")");
  EXPECT_FALSE(credential_mode_of(oauth_api, args_of(R"({"credential_mode":1})")));
  auto shared = credential_mode_of(oauth_api, args_of(R"({"credential_mode":"user","token":"t"})"));
  ASSERT_FALSE(shared);
  EXPECT_NE(message_of(shared.error()).find("'token'"), std::string::npos);
  // Without an OAuth provider there is no per-user connection to use.
  auto without = credential_mode_of(api, args_of(R"({"credential_mode":"user"})"));
  ASSERT_FALSE(without);
  EXPECT_EQ(code_of(without.error()), errc::invalid_argument);
}

TEST(HttpToolTest, DescribesFailuresSoAModelCanAct) {
  upstream_reply reply;
  reply.status = 404;
  reply.body = json::parse(R"({"message":"Not Found"})");
  EXPECT_EQ(
    describe_status(api, reply, "the token", 1),
    "Example found nothing there (404 Not Found: Not Found). Check the names and ids in the "
    "arguments; without access, a private resource also looks missing.");
  reply.status = 403;
  reply.headers = {{"x-ratelimit-remaining", "0"}};
  EXPECT_NE(describe_status(api, reply, "the token", 1).find("rate limiting"), std::string::npos);
  reply.headers.clear();
  EXPECT_NE(describe_status(api, reply, "the token", 1).find("the token lacks the permission"),
            std::string::npos);
  reply.status = 502;
  reply.body = nullptr;
  reply.text = "<html>Bad gateway</html>";
  EXPECT_EQ(describe_status(api, reply, "", 3),
            "Example failed to answer (502 Bad Gateway) after 3 attempts; try again later.");
  fetch_error refused{fetch_failure::refused_address, "10.0.0.1 is private"};
  EXPECT_NE(describe_failure(api, refused, 1).find("SAGEMCP_ALLOW_PRIVATE_UPSTREAMS"),
            std::string::npos);
}

class HttpExecuteTest : public ::testing::Test {
protected:
  static http_client& client() {
    static http_client shared{[] {
      http_client_options options;
      options.allow_private = true;
      return options;
    }()};
    return shared;
  }

  // Runs a tool and returns the result's text or the error message (prefixed "error: ").
  std::string run(const http_tool& tool, std::string_view args, call_context ctx = {}) {
    ctx.base_url = fake.url();
    ctx.backoff = std::chrono::milliseconds{1};
    auto done = std::make_shared<std::promise<caf::expected<std::string>>>();
    auto future = done->get_future();
    execute(client(), api, tool, args_of(args), std::move(ctx),
            [done](caf::expected<std::string> r) {
              done->set_value(std::move(r));
            });
    EXPECT_EQ(future.wait_for(std::chrono::seconds{10}), std::future_status::ready);
    auto result = future.get();
    if (!result) {
      return "error: " + message_of(result.error());
    }
    return std::string{json::parse(*result).at("content").at(0).at("text").as_string()};
  }

  void answer(std::vector<canned_response> responses) {
    auto queue = std::make_shared<std::vector<canned_response>>(std::move(responses));
    auto next = std::make_shared<std::atomic<size_t>>(0);
    fake.set_handler([queue, next](const recorded_request&) {
      auto i = next->fetch_add(1);
      return i < queue->size() ? (*queue)[i] : canned_response{599, {}, "unexpected"};
    });
  }

  fake_upstream fake;
};

canned_response json_reply(unsigned status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("content-type", "application/json");
  return canned_response{status, std::move(headers), std::move(body)};
}

TEST_F(HttpExecuteTest, RetriesIdempotentCallsOnly) {
  http_tool get{.path = "/x"};
  answer({json_reply(503, "{}"), json_reply(200, R"({"a":1})")});
  EXPECT_EQ(run(get, "{}"), R"({"a":1})");
  EXPECT_EQ(fake.requests().size(), 2u);

  fake.clear();
  http_tool post{.method = http_method::post, .path = "/x"};
  answer({json_reply(503, R"({"message":"busy"})"), json_reply(200, "{}")});
  EXPECT_EQ(run(post, "{}"),
            "error: Example failed to answer (503 Service Unavailable: busy); try again later.");
  EXPECT_EQ(fake.requests().size(), 1u);

  // A 429 was not acted on: any method may be sent again once the wait is over.
  fake.clear();
  answer({json_reply(429, "{}", {{"retry-after", "0"}}), json_reply(201, R"({"id":5})")});
  EXPECT_EQ(run(post, "{}"), R"({"id":5})");
  EXPECT_EQ(fake.requests().size(), 2u);

  // A wait longer than allowed is reported instead of waited for.
  fake.clear();
  answer({json_reply(429, "{}", {{"retry-after", "3600"}})});
  EXPECT_EQ(run(get, "{}"),
            "error: Example is rate limiting these requests (429 Too Many Requests); try again in "
            "3600 seconds.");
  EXPECT_EQ(fake.requests().size(), 1u);
}

TEST_F(HttpExecuteTest, FollowsEachPagingStyle) {
  http_tool numbered{.path = "/n", .pages = {paging::page_number}};
  answer({json_reply(200, "[1,2]", {{"x-next-page", "2"}}),
          json_reply(200, "[3]", {{"x-next-page", ""}})});
  EXPECT_EQ(json::parse(run(numbered, R"({"limit":2})")),
            json::parse(R"({"items":[1,2],"count":2,"has_more":true})"));
  // Without x-next-page, a short page is the last.
  fake.clear();
  http_tool small_pages{.path = "/n",
                        .pages = {paging::page_number, "", "", "page", "per_page", 2}};
  answer({json_reply(200, "[1,2]"), json_reply(200, "[3]")});
  EXPECT_EQ(json::parse(run(small_pages, R"({"limit":5})")),
            json::parse(R"({"items":[1,2,3],"count":3,"has_more":false})"));
  auto seen = fake.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].query,
            (std::vector<std::pair<std::string, std::string>>{{"per_page", "2"}, {"page", "2"}}));

  fake.clear();
  http_tool next_url{.path = "/u",
                     .pages = {paging::next_url, "values", "next", "page", "pagelen"}};
  answer({json_reply(200, R"({"values":[1],"next":")" + fake.url() + R"(/u?page=2"})"),
          json_reply(200, R"({"values":[2]})")});
  EXPECT_EQ(json::parse(run(next_url, "{}")),
            json::parse(R"({"items":[1,2],"count":2,"has_more":false})"));
  EXPECT_EQ(fake.requests().at(1).query.at(0).second, "2");

  // A next page on another host is never fetched (it would carry the credential there).
  fake.clear();
  answer({json_reply(200, R"({"values":[1],"next":"https://elsewhere.example/u?page=2"})")});
  EXPECT_EQ(json::parse(run(next_url, "{}")),
            json::parse(R"({"items":[1],"count":1,"has_more":true})"));
  EXPECT_EQ(fake.requests().size(), 1u);

  fake.clear();
  http_tool cursor{.path = "/c",
                   .pages = {paging::cursor, "members", "meta.next", "cursor", "limit"}};
  answer({json_reply(200, R"({"members":["a"],"meta":{"next":"abc"}})"),
          json_reply(200, R"({"members":["b"],"meta":{"next":""}})")});
  EXPECT_EQ(json::parse(run(cursor, "{}")),
            json::parse(R"({"items":["a","b"],"count":2,"has_more":false})"));
  EXPECT_EQ(fake.requests().at(1).query,
            (std::vector<std::pair<std::string, std::string>>{{"limit", "30"}, {"cursor", "abc"}}));

  // Link headers, capped at max_pages.
  fake.clear();
  http_tool linked{.path = "/l", .pages = {paging::link_header}};
  fake.set_handler([url = fake.url()](const recorded_request&) {
    return json_reply(200, "[1]", {{"link", "<" + url + "/l?page=9>; rel=\"next\""}});
  });
  call_context ctx;
  ctx.max_pages = 3;
  EXPECT_EQ(json::parse(run(linked, R"({"limit":100})", ctx)),
            json::parse(R"({"items":[1,1,1],"count":3,"has_more":true})"));
  EXPECT_EQ(fake.requests().size(), 3u);
}

// A hook that expects an object, as hooks written against an API's documentation do.
caf::expected<json::value> expects_object(const json::object&,
                                          std::span<const upstream_reply> replies) {
  return json::value(replies.front().body.as_object().at("name"));
}

TEST_F(HttpExecuteTest, AnswersOfAnUnexpectedFormFailTheCallOnly) {
  http_tool shaped{.path = "/odd", .shape = expects_object};
  answer({json_reply(200, "[1,2]"), json_reply(200, R"({"name":"ok"})")});
  EXPECT_EQ(run(shaped, "{}"),
            "error: Example answered in a form this tool does not understand; try again later.");
  // The client's thread lives on and serves the next call.
  EXPECT_EQ(run(shaped, "{}"), "ok");
}

TEST_F(HttpExecuteTest, KeepsResultsWithinTheirSize) {
  http_tool list{.path = "/big", .pages = {paging::link_header}};
  std::string items = "[";
  for (int i = 0; i < 100; ++i) {
    items += (i == 0 ? "" : ",") + std::string{R"({"name":")"} + std::string(200, 'x') + "\"}";
  }
  items += "]";
  answer({json_reply(200, items)});
  call_context ctx;
  ctx.max_result_bytes = 4096;
  auto text = run(list, R"({"limit":100})", ctx);
  ASSERT_LE(text.size(), 4096u);
  auto parsed = json::parse(text).as_object();
  EXPECT_EQ(parsed.at("has_more"), true);
  EXPECT_LT(parsed.at("count").to_number<int64_t>(), 100);
  EXPECT_NE(std::string{parsed.at("note").as_string()}.find("fit in the result"),
            std::string::npos);

  http_tool empty{.method = http_method::del, .path = "/gone", .done_text = "Deleted."};
  answer({canned_response{204, {}, ""}});
  EXPECT_EQ(json::parse(run(empty, "{}")), json::parse(R"({"ok":true,"message":"Deleted."})"));
}

} // namespace
} // namespace sagemcp::connectors
