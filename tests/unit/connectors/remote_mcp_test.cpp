#include "connectors/remote_mcp.hpp"

#include "messages/errc.hpp"
#include "tests/fakes/fake_upstream.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;
using fakes::canned_response;
using fakes::fake_upstream;
using fakes::recorded_request;
using namespace std::chrono_literals;

json::object object_of(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(RemoteConfigTest, ReadsAValidConfiguration) {
  auto config = remote_config_of(object_of(
    R"({"url":"https://mcp.example.com/mcp","transport":"sse","oauth_provider":"github",
        "credential_mode":"user"})"));
  ASSERT_TRUE(config) << to_string(config.error());
  EXPECT_EQ(config->url, "https://mcp.example.com/mcp");
  EXPECT_EQ(config->transport, remote_transport::sse);
  EXPECT_EQ(config->oauth_provider, "github");
  EXPECT_TRUE(config->per_user);
  auto plain = remote_config_of(object_of(R"({"url":"http://10.0.0.1:8080/mcp"})"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->transport, remote_transport::automatic);
  EXPECT_TRUE(plain->oauth_provider.empty());
  EXPECT_FALSE(plain->per_user);
}

TEST(RemoteConfigTest, RefusesBadConfigurations) {
  for (const char* text : {
         R"({})",
         R"({"url":""})",
         R"({"url":42})",
         R"({"url":"mcp.example.com/mcp"})",
         R"({"url":"ftp://example.com/mcp"})",
         R"({"url":"https://user:pw@example.com/mcp"})",
         R"({"url":"https://example.com/mcp#frag"})",
         R"({"url":"https://example.com/mcp","transport":"websocket"})",
         R"({"url":"https://example.com/mcp","oauth_provider":"myspace"})",
         R"({"url":"https://example.com/mcp","oauth_provider":"jira"})",
         R"({"url":"https://example.com/mcp","credential_mode":"user"})",
         R"({"url":"https://example.com/mcp","credential_mode":"everyone"})",
       }) {
    auto config = remote_config_of(object_of(text));
    EXPECT_FALSE(config) << text;
    if (!config) {
      EXPECT_EQ(code_of(config.error()), errc::invalid_argument) << text;
    }
  }
}

TEST(RemoteConfigTest, ReadsHeadersAndRefusesWhatTheTransportSets) {
  auto headers = remote_headers_of(object_of(R"({"X-Api-Key":"k","Authorization":"Bearer t"})"));
  ASSERT_TRUE(headers);
  ASSERT_EQ(headers->size(), 2u);
  for (const char* text : {
         R"({"Host":"evil"})",
         R"({"mcp-session-id":"x"})",
         R"({"MCP-Protocol-Version":"x"})",
         R"({"Content-Length":"1"})",
         R"({"Transfer-Encoding":"chunked"})",
         R"({"Proxy-Authorization":"x"})",
         R"({"Bad Name":"x"})",
         R"({"":"x"})",
         R"({"X-Ok":"line\r\nInjected: 1"})",
         R"({"X-Ok":1})",
       }) {
    EXPECT_FALSE(remote_headers_of(object_of(text))) << text;
  }
  EXPECT_TRUE(is_remote_setting("url"));
  EXPECT_TRUE(is_remote_setting("oauth_provider"));
  EXPECT_FALSE(is_remote_setting("token"));
}

// Collects what a link reports.
struct recorder {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> messages;
  std::vector<std::string> notes;
  std::string closed;

  remote_events events() {
    remote_events out;
    out.on_message = [this](std::string message) {
      std::lock_guard guard{mtx};
      messages.push_back(std::move(message));
      cv.notify_all();
    };
    out.on_note = [this](std::string line) {
      std::lock_guard guard{mtx};
      notes.push_back(std::move(line));
      cv.notify_all();
    };
    out.on_closed = [this](std::string why) {
      std::lock_guard guard{mtx};
      closed = std::move(why);
      cv.notify_all();
    };
    return out;
  }

  // Waits for `n` messages; returns them all.
  std::vector<json::object> wait_messages(size_t n) {
    std::unique_lock lock{mtx};
    EXPECT_TRUE(cv.wait_for(lock, 10s,
                            [&] {
                              return messages.size() >= n;
                            }))
      << "got " << messages.size() << " of " << n << " messages";
    std::vector<json::object> out;
    for (const auto& m : messages) {
      out.push_back(json::parse(m).as_object());
    }
    return out;
  }

  std::string wait_closed() {
    std::unique_lock lock{mtx};
    EXPECT_TRUE(cv.wait_for(lock, 10s, [&] {
      return !closed.empty();
    }));
    return closed;
  }
};

http_client_options loopback() {
  http_client_options options;
  options.allow_private = true;
  return options;
}

// A link to `url` with a recorder of its events.
struct open_link {
  explicit open_link(const std::string& url,
                     remote_transport transport = remote_transport::automatic,
                     std::vector<http_header> headers = {}) {
    remote_settings settings;
    settings.url = url;
    settings.transport = transport;
    settings.headers = std::move(headers);
    link = remote_link::open(client, settings, seen.events());
  }

  http_client client{loopback()};
  recorder seen;
  std::shared_ptr<remote_link> link;
};

std::string request_body(int id, std::string_view method) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + std::string{method}
         + R"(","params":{}})";
}

std::string initialize_body() {
  return R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}})";
}

canned_response json_answer(std::string body,
                            std::vector<std::pair<std::string, std::string>> extra = {}) {
  extra.emplace_back("content-type", "application/json");
  return canned_response{200, std::move(extra), std::move(body)};
}

canned_response sse_answer(std::string body) {
  return canned_response{200, {{"content-type", "text/event-stream"}}, std::move(body)};
}

const std::string init_result
  = R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"}}})";

TEST(RemoteLinkTest, CarriesTheSessionVersionAndHeadersAndReadsJsonAndEventStreams) {
  fake_upstream fake{[](const recorded_request& req) -> canned_response {
    if (req.method == "GET") {
      return canned_response{405, {}, ""};
    }
    if (req.body.find("\"initialize\"") != std::string::npos) {
      return json_answer(init_result, {{"mcp-session-id", "s-1"}});
    }
    if (req.body.find("notifications/initialized") != std::string::npos) {
      return canned_response{202, {}, ""};
    }
    return sse_answer(
      "id: e1\ndata:\n\n"
      "event: message\nid: e2\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
      "\"params\":{\"progressToken\":2,\"progress\":1}}\n\n"
      "id: e3\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[]}}\n\n");
  }};
  open_link under{fake.url() + "/mcp", remote_transport::automatic,
                  std::vector<http_header>{{"X-Api-Key", "k"}}};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(initialize_body());
  auto first = seen.wait_messages(1);
  EXPECT_EQ(first[0].at("result").at("protocolVersion").as_string(), "2025-06-18");
  EXPECT_EQ(link->transport(), remote_transport::streamable_http);
  link->send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  link->set_header("Authorization", "Bearer t2");
  link->send(request_body(2, "tools/call"));
  auto all = seen.wait_messages(3);
  EXPECT_EQ(all[1].at("method").as_string(), "notifications/progress");
  EXPECT_EQ(all[2].at("id").as_int64(), 2);
  auto requests = fake.requests();
  ASSERT_GE(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("mcp-session-id"), "");
  EXPECT_EQ(requests[0].header("x-api-key"), "k");
  EXPECT_NE(requests[0].header("accept").find("text/event-stream"), std::string::npos);
  const auto& call = *std::find_if(requests.begin(), requests.end(), [](const auto& r) {
    return r.body.find("tools/call") != std::string::npos;
  });
  EXPECT_EQ(call.header("mcp-session-id"), "s-1");
  EXPECT_EQ(call.header("mcp-protocol-version"), "2025-06-18");
  EXPECT_EQ(call.header("authorization"), "Bearer t2");
  link->close();
}

TEST(RemoteLinkTest, TurnsHttpErrorsIntoErrorResponsesOfTheRequest) {
  fake_upstream fake{[](const recorded_request& req) -> canned_response {
    if (req.body.find("\"a\"") != std::string::npos) {
      return canned_response{
        403,
        {{"content-type", "application/json"}},
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Forbidden here"}})"};
    }
    return canned_response{502, {{"content-type", "text/html"}}, "<html>bad gateway</html>"};
  }};
  open_link under{fake.url() + "/mcp", remote_transport::streamable_http};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(request_body(7, "a"));
  auto first = seen.wait_messages(1);
  EXPECT_EQ(first[0].at("id").as_int64(), 7);
  EXPECT_EQ(first[0].at("error").at("code").as_int64(), -32001);
  EXPECT_EQ(first[0].at("error").at("message").as_string(), "Forbidden here");
  link->send(request_body(8, "b"));
  auto both = seen.wait_messages(2);
  EXPECT_EQ(both[1].at("id").as_int64(), 8);
  EXPECT_EQ(both[1].at("error").at("code").as_int64(), -32603);
  EXPECT_NE(std::string{both[1].at("error").at("message").as_string()}.find("HTTP 502"),
            std::string::npos);
  link->close();
}

TEST(RemoteLinkTest, AnswersARequestWhoseAnswerIsTooLarge) {
  std::string big(4096, 'x');
  fake_upstream fake{[&big](const recorded_request& req) -> canned_response {
    if (req.body.find("\"a\"") != std::string::npos) {
      return json_answer(R"({"jsonrpc":"2.0","id":1,"result":{"text":")" + big + "\"}}");
    }
    return sse_answer("id: e1\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"text\":\"" + big
                      + "\"}}\n\n");
  }};
  http_client client{loopback()};
  recorder seen;
  remote_settings settings;
  settings.url = fake.url() + "/mcp";
  settings.transport = remote_transport::streamable_http;
  settings.max_message_bytes = 1024;
  auto link = remote_link::open(client, settings, seen.events());
  link->send(request_body(1, "a"));
  link->send(request_body(2, "b"));
  auto got = seen.wait_messages(2);
  for (const auto& message : got) {
    ASSERT_TRUE(message.contains("error")) << json::serialize(message);
    EXPECT_NE(std::string{message.at("error").at("message").as_string()}.find("too large"),
              std::string::npos);
  }
  link->close();
}

TEST(RemoteLinkTest, AnswersARequestWhoseServerCannotBeReached) {
  open_link under{"http://127.0.0.1:1/mcp"};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(request_body(3, "initialize"));
  auto got = seen.wait_messages(1);
  EXPECT_EQ(got[0].at("id").as_int64(), 3);
  EXPECT_NE(std::string{got[0].at("error").at("message").as_string()}.find("could not be reached"),
            std::string::npos);
}

TEST(RemoteLinkTest, ClosesWhenTheServerForgotTheSession) {
  for (auto refusal :
       {canned_response{404, {}, ""},
        canned_response{400,
                        {{"content-type", "application/json"}},
                        R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: )"
                        R"(No valid session ID provided"},"id":null})"}}) {
    fake_upstream fake{[&refusal](const recorded_request& req) -> canned_response {
      if (req.body.find("\"initialize\"") != std::string::npos) {
        return json_answer(init_result, {{"mcp-session-id", "s-9"}});
      }
      return refusal;
    }};
    open_link under{fake.url() + "/mcp"};
    auto& seen = under.seen;
    auto& link = under.link;
    link->send(initialize_body());
    seen.wait_messages(1);
    link->send(request_body(2, "tools/list"));
    EXPECT_NE(seen.wait_closed().find("ended its session"), std::string::npos);
  }
}

TEST(RemoteLinkTest, ResumesABrokenAnswerStreamWithTheLastEventId) {
  fake_upstream fake{[](const recorded_request& req) -> canned_response {
    if (req.method == "GET" && req.header("last-event-id") == "e7") {
      return sse_answer(
        "id: e8\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"ok\":true}}\n\n");
    }
    if (req.method == "GET") {
      return canned_response{405, {}, ""};
    }
    // The answer stream ends after an event id, before the response.
    return sse_answer("id: e7\nretry: 10\ndata:\n\n");
  }};
  open_link under{fake.url() + "/mcp", remote_transport::streamable_http};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(request_body(5, "tools/call"));
  auto got = seen.wait_messages(1);
  EXPECT_EQ(got[0].at("id").as_int64(), 5);
  EXPECT_TRUE(got[0].at("result").at("ok").as_bool());
  link->close();
}

TEST(RemoteLinkTest, FallsBackToHttpAndSseAndPostsToTheEndpoint) {
  fake_upstream fake{[](const recorded_request& req) -> canned_response {
    if (req.method == "POST" && req.path == "/sse") {
      return canned_response{405, {}, ""};
    }
    if (req.method == "GET" && req.path == "/sse") {
      canned_response stream{200, {{"content-type", "text/event-stream"}}, ""};
      stream.chunks = {{0ms, "event: endpoint\ndata: /messages?sessionId=abc\n\n"},
                       {300ms, "event: message\ndata: " + init_result + "\n\n"}};
      stream.hold_open = true;
      return stream;
    }
    return canned_response{202, {}, "Accepted"};
  }};
  open_link under{fake.url() + "/sse"};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(initialize_body());
  auto got = seen.wait_messages(1);
  EXPECT_EQ(got[0].at("id").as_int64(), 1);
  EXPECT_EQ(link->transport(), remote_transport::sse);
  auto requests = fake.requests();
  auto posted = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
    return r.method == "POST" && r.path == "/messages";
  });
  ASSERT_NE(posted, requests.end());
  EXPECT_NE(posted->body.find("initialize"), std::string::npos);
  link->close();
}

TEST(RemoteLinkTest, RefusesAnEndpointOfAnotherOrigin) {
  fake_upstream fake{[](const recorded_request&) {
    canned_response stream{200, {{"content-type", "text/event-stream"}}, ""};
    stream.chunks = {{0ms, "event: endpoint\ndata: http://attacker.example/messages\n\n"}};
    stream.hold_open = true;
    return stream;
  }};
  open_link under{fake.url() + "/sse", remote_transport::sse};
  auto& seen = under.seen;
  auto& link = under.link;
  link->send(initialize_body());
  EXPECT_NE(seen.wait_closed().find("another origin"), std::string::npos);
}

} // namespace
} // namespace sagemcp::connectors
