#include "actors/connector.hpp"
#include "actors/server_pool.hpp"
#include "actors/session.hpp"
#include "actors/tenant.hpp"
#include "connectors/everything/everything.hpp"
#include "observability/metrics.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/fake_persistence.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>

#include <memory>
#include <vector>

namespace sagemcp {
namespace {

using test::acme_snapshot;
using test::fake_persistence;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

mcp_request request(std::string method, std::string id = "1") {
  mcp_request result;
  result.method = std::move(method);
  result.id = std::move(id);
  return result;
}

mcp_request call_request(std::string name, std::string arguments) {
  auto result = request("tools/call");
  result.name = std::move(name);
  result.arguments = std::move(arguments);
  return result;
}

class ConnectorTest : public test::actor_fixture {
protected:
  connector_actor spawn_everything() {
    connector_row row;
    row.id = "c1";
    row.connector_type = "everything";
    return spawn(connector, row, std::string{}, &connectors::everything::spec, nullptr);
  }
};

TEST_F(ConnectorTest, ListsTheSpecsTools) {
  auto tools = ask<std::string>(spawn_everything(), atom::list_v, std::string{});
  ASSERT_TRUE(tools);
  EXPECT_THAT(*tools, Not(HasSubstr("nextCursor")));
  auto bad = ask<std::string>(spawn_everything(), atom::list_v, std::string{"p9"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(code_of(bad.error()), errc::invalid_params);
  EXPECT_THAT(*tools, HasSubstr(R"("name":"echo")"));
  EXPECT_THAT(*tools, HasSubstr(R"("name":"test_error_handling")"));
}

tool_call make_call(std::string name, std::string arguments = {}) {
  tool_call call;
  call.call_id = 1;
  call.name = std::move(name);
  call.arguments = std::move(arguments);
  return call;
}

TEST_F(ConnectorTest, InvokesATool) {
  auto result = ask<std::string>(spawn_everything(), atom::invoke_v,
                                 make_call("echo", R"({"message":"hi"})"));
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, R"({"content":[{"type":"text","text":"Echo: hi"}]})");
}

TEST_F(ConnectorTest, UnknownToolIsAnError) {
  auto result = ask<std::string>(spawn_everything(), atom::invoke_v, make_call("nope"));
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), errc::unknown_tool);
}

class TenantTest : public test::actor_fixture {
protected:
  tenant_actor spawn_tenant(std::string slug) {
    auto db = spawn(fake_persistence, acme_snapshot());
    return spawn(tenant, std::move(slug), db);
  }
};

TEST_F(TenantTest, AnswersRequestsThatArriveBeforeTheSnapshot) {
  auto db = spawn(fake_persistence, acme_snapshot());
  auto handle = spawn(tenant, std::string{"acme"}, db);
  // Nothing ran yet: the load is still in flight when this request arrives.
  auto row = ask<connector_row>(handle, atom::open_v, std::string{"c1"});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->name, "Test");
}

TEST_F(TenantTest, RejectsDisabledAndUnknownConnectors) {
  auto handle = spawn_tenant("acme");
  auto disabled = ask<connector_row>(handle, atom::open_v, std::string{"c2"});
  ASSERT_FALSE(disabled);
  EXPECT_EQ(code_of(disabled.error()), errc::connector_disabled);
  auto unknown = ask<connector_row>(handle, atom::open_v, std::string{"zz"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(code_of(unknown.error()), errc::connector_not_found);
}

TEST_F(TenantTest, UnknownTenantFailsAndTheActorQuits) {
  auto handle = spawn_tenant("ghost");
  auto row = ask<connector_row>(handle, atom::open_v, std::string{"c1"});
  ASSERT_FALSE(row);
  EXPECT_EQ(code_of(row.error()), errc::tenant_not_found);
  run();
  EXPECT_TRUE(handle->getf(caf::abstract_actor::is_terminated_flag));
}

class SessionTest : public test::actor_fixture {
protected:
  session_actor spawn_session(caf::timespan ttl = std::chrono::minutes{30},
                              std::string client_capabilities = {},
                              std::string server_capabilities = "{}",
                              size_t max_bytes = size_t{4} << 20) {
    connector_row row;
    row.id = "c1";
    row.connector_type = "everything";
    auto instance = spawn(connector, row, std::string{}, &connectors::everything::spec, nullptr);
    session_request origin;
    origin.session_id = "s1";
    origin.protocol_version = "2025-11-25";
    origin.connector_id = "c1";
    origin.client_capabilities = std::move(client_capabilities);
    return spawn(session, origin, std::vector<session_member>{{{}, instance, "c1"}},
                 session_options{ttl, size_t{1} << 20, max_bytes}, server_pool_actor{},
                 std::move(server_capabilities));
  }

  // A number in a session's status.
  uint64_t status_number(const session_actor& handle, std::string_view key) {
    auto status = ask<std::string>(handle, atom::status_v);
    return status ? boost::json::parse(*status).as_object().at(key).to_number<uint64_t>() : 0;
  }
};

TEST_F(SessionTest, AnswersPing) {
  auto reply = ask<mcp_reply>(spawn_session(), atom::handle_v, request("ping"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->result, "{}");
}

TEST_F(SessionTest, ListsTools) {
  auto reply = ask<mcp_reply>(spawn_session(), atom::handle_v, request("tools/list"));
  ASSERT_TRUE(reply);
  EXPECT_THAT(reply->result, HasSubstr(R"({"tools":[)"));
}

TEST_F(SessionTest, ToolFailuresBecomeIsErrorResults) {
  auto reply = ask<mcp_reply>(spawn_session(), atom::handle_v,
                              call_request("echo", R"({"message":42})"));
  ASSERT_TRUE(reply);
  EXPECT_THAT(reply->result, HasSubstr(R"("isError":true)"));
  EXPECT_THAT(reply->result, HasSubstr("message"));
}

TEST_F(SessionTest, UnknownToolsAndMethodsAreProtocolErrors) {
  auto handle = spawn_session();
  auto tool = ask<mcp_reply>(handle, atom::handle_v, call_request("nope", ""));
  ASSERT_FALSE(tool);
  EXPECT_EQ(code_of(tool.error()), errc::unknown_tool);
  auto method = ask<mcp_reply>(handle, atom::handle_v, request("foo/bar"));
  ASSERT_FALSE(method);
  EXPECT_EQ(code_of(method.error()), errc::method_not_found);
  auto unnamed = ask<mcp_reply>(handle, atom::handle_v, call_request("", ""));
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(code_of(unnamed.error()), errc::invalid_params);
}

TEST_F(SessionTest, DelegatesResourcesAndPromptsToTheConnector) {
  auto handle = spawn_session();
  auto read = request("resources/read");
  read.params = R"({"uri":"test://static-text"})";
  auto reply = ask<mcp_reply>(handle, atom::handle_v, read);
  ASSERT_TRUE(reply);
  EXPECT_THAT(reply->result, HasSubstr("static text resource"));
  read.params = R"({"uri":"test://missing"})";
  auto missing = ask<mcp_reply>(handle, atom::handle_v, read);
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::resource_not_found);
  auto prompts = ask<mcp_reply>(handle, atom::handle_v, request("prompts/list"));
  ASSERT_TRUE(prompts);
  EXPECT_THAT(prompts->result, HasSubstr("test_simple_prompt"));
}

TEST_F(SessionTest, SetsTheLogLevel) {
  auto handle = spawn_session();
  auto req = request("logging/setLevel");
  req.params = R"({"level":"debug"})";
  auto ok = ask<mcp_reply>(handle, atom::handle_v, req);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result, "{}");
  req.params = R"({"level":"verbose"})";
  auto bad = ask<mcp_reply>(handle, atom::handle_v, req);
  ASSERT_FALSE(bad);
  EXPECT_EQ(code_of(bad.error()), errc::invalid_params);
  auto status = ask<std::string>(handle, atom::status_v);
  ASSERT_TRUE(status);
  EXPECT_THAT(*status, HasSubstr(R"("log_level":"debug")"));
}

TEST_F(SessionTest, TracksSubscriptions) {
  auto handle = spawn_session();
  auto req = request("resources/subscribe");
  req.params = R"({"uri":"test://watched-resource"})";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, req));
  auto status = ask<std::string>(handle, atom::status_v);
  EXPECT_THAT(*status, HasSubstr(R"("subscriptions":1)"));
  req.method = "resources/unsubscribe";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, req));
  status = ask<std::string>(handle, atom::status_v);
  EXPECT_THAT(*status, HasSubstr(R"("subscriptions":0)"));
  req.params = "{}";
  auto bad = ask<mcp_reply>(handle, atom::handle_v, req);
  ASSERT_FALSE(bad);
  EXPECT_EQ(code_of(bad.error()), errc::invalid_params);
}

TEST_F(SessionTest, ByteBudgetRefusesGrowthUntilStateIsReleased) {
  constexpr size_t budget = 16 << 10;
  auto handle = spawn_session(std::chrono::minutes{30}, {}, "{}", budget);
  EXPECT_EQ(status_number(handle, "held_bytes"), 0u);
  auto req = request("resources/subscribe");
  size_t admitted = 0;
  caf::expected<mcp_reply> outcome{mcp_reply{}};
  while (outcome && admitted < 1000) {
    req.params = R"({"uri":"test://r/)" + std::to_string(admitted) + std::string(200, 'x') + "\"}";
    outcome = ask<mcp_reply>(handle, atom::handle_v, req);
    admitted += outcome ? 1 : 0;
  }
  ASSERT_FALSE(outcome);
  EXPECT_EQ(code_of(outcome.error()), errc::session_budget_exceeded);
  EXPECT_THAT(message_of(outcome.error()), HasSubstr("resource subscription"));
  EXPECT_GT(admitted, 30u);
  EXPECT_LE(status_number(handle, "held_bytes"), budget);
  // A full session refuses a tool call too, and tells why.
  auto refused = ask<mcp_reply>(handle, atom::handle_v, call_request("echo", R"({"message":"a"})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(code_of(refused.error()), errc::session_budget_exceeded);
  // Subscribing to a URI already held costs nothing more.
  req.params = R"({"uri":"test://r/0)" + std::string(200, 'x') + "\"}";
  EXPECT_TRUE(ask<mcp_reply>(handle, atom::handle_v, req));
  // Unsubscribing releases every byte; calls run again and release theirs when they end.
  req.method = "resources/unsubscribe";
  for (size_t i = 0; i < admitted; ++i) {
    req.params = R"({"uri":"test://r/)" + std::to_string(i) + std::string(200, 'x') + "\"}";
    ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, req));
  }
  EXPECT_EQ(status_number(handle, "held_bytes"), 0u);
  EXPECT_TRUE(ask<mcp_reply>(handle, atom::handle_v, call_request("echo", R"({"message":"a"})")));
  EXPECT_EQ(status_number(handle, "held_bytes"), 0u);
  EXPECT_EQ(status_number(handle, "max_bytes"), budget);
}

// Records what a session sends to a connection: messages, events as `<id> <message>`, and the end
// of the connection as "close" (after which the connection is gone).
request_stream_actor::behavior_type recorder(request_stream_actor::pointer self,
                                             std::shared_ptr<std::vector<std::string>> seen) {
  return {
    [seen](atom::push, const std::string& message) {
      seen->push_back(message);
    },
    [seen](atom::push, const std::string& event_id, const std::string& message) {
      seen->push_back(event_id + " " + message);
    },
    [self, seen](atom::close) {
      seen->push_back("close");
      self->quit();
    },
    [](atom::tick) {
      // nop
    },
  };
}

// Stands in for the transport's request stream: records what the session pushes, then the
// final result.
request_stream_actor::behavior_type collector(request_stream_actor::pointer self,
                                              session_actor target, mcp_request req,
                                              std::shared_ptr<std::vector<std::string>> seen) {
  self->request(target, caf::infinite, atom::handle_v, std::move(req))
    .then(
      [seen](mcp_reply& reply) {
        seen->push_back("result:" + reply.result);
      },
      [seen](caf::error& err) {
        seen->push_back("error:" + message_of(err));
      });
  return recorder(self, std::move(seen));
}

TEST_F(SessionTest, StreamsNotificationsOfARunningCallBeforeItsResult) {
  auto handle = spawn_session();
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = call_request("test_tool_with_progress", "{}");
  req.progress_token = R"("p1")";
  spawn(collector, handle, req, seen);
  run();
  advance_time(std::chrono::milliseconds{200});
  ASSERT_EQ(seen->size(), 4u);
  EXPECT_THAT((*seen)[0], HasSubstr(R"("progress":0)"));
  EXPECT_THAT((*seen)[0], HasSubstr(R"("progressToken":"p1")"));
  EXPECT_THAT((*seen)[2], HasSubstr(R"("progress":100)"));
  EXPECT_THAT((*seen)[3], HasSubstr("result:"));
}

TEST_F(SessionTest, DropsProgressWithoutATokenAndLogsBelowTheLevel) {
  auto handle = spawn_session();
  auto level = request("logging/setLevel");
  level.params = R"({"level":"error"})";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, level));
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(collector, handle, call_request("test_tool_with_logging", "{}"), seen);
  spawn(collector, handle, call_request("test_tool_with_progress", "{}"), seen);
  run();
  advance_time(std::chrono::milliseconds{200});
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_THAT((*seen)[0], HasSubstr("result:"));
  EXPECT_THAT((*seen)[1], HasSubstr("result:"));
}

TEST_F(SessionTest, CancellationStopsTheCallAndSuppressesItsResult) {
  auto handle = spawn_session();
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = call_request("test_tool_with_progress", "{}");
  req.id = R"("call-7")";
  req.progress_token = "1";
  spawn(collector, handle, req, seen);
  run();
  advance_time(std::chrono::milliseconds{10});
  ASSERT_EQ(seen->size(), 1u);
  auto cancel = request("notifications/cancelled", "");
  cancel.params = R"({"requestId":"call-7","reason":"user pressed stop"})";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, cancel));
  advance_time(std::chrono::milliseconds{200});
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ((*seen)[1], "error:Request cancelled");
  // Cancelling an unknown or finished request is ignored.
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, cancel));
  EXPECT_EQ(seen->size(), 2u);
}

TEST_F(SessionTest, AStatelessCallEndsWhenItsClientClosesTheStream) {
  auto handle = spawn_session();
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = call_request("long_running_operation", R"({"duration":5,"steps":5})");
  req.stateless = true;
  req.progress_token = "1";
  auto stream = spawn(collector, handle, req, seen);
  run();
  advance_time(std::chrono::milliseconds{1100});
  ASSERT_EQ(seen->size(), 1u);
  caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
  run();
  EXPECT_THAT(*ask<std::string>(handle, atom::status_v), HasSubstr(R"("calls":0)"));
  advance_time(std::chrono::seconds{10});
  EXPECT_EQ(seen->size(), 1u);
}

TEST_F(SessionTest, ASessionCallGoesOnWhenItsConnectionDrops) {
  auto handle = spawn_session();
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = call_request("long_running_operation", R"({"duration":5,"steps":5})");
  req.progress_token = "1";
  auto stream = spawn(collector, handle, req, seen);
  run();
  caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
  run();
  EXPECT_THAT(*ask<std::string>(handle, atom::status_v), HasSubstr(R"("calls":1)"));
}

TEST_F(SessionTest, RequestsToTheClientEndWithTheirCall) {
  auto handle = spawn_session(std::chrono::minutes{30}, R"({"elicitation":{}})");
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = call_request("test_elicitation", R"({"message":"ok?"})");
  req.id = "9";
  spawn(collector, handle, req, seen);
  run();
  advance_time(std::chrono::milliseconds{1});
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_THAT((*seen)[0], HasSubstr("elicitation/create"));
  auto status = ask<std::string>(handle, atom::status_v);
  EXPECT_THAT(*status, HasSubstr(R"("client_requests":1)"));
  auto cancel = request("notifications/cancelled", "");
  cancel.params = R"({"requestId":9})";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, cancel));
  status = ask<std::string>(handle, atom::status_v);
  EXPECT_THAT(*status, HasSubstr(R"("client_requests":0)"));
  EXPECT_THAT(*status, HasSubstr(R"("calls":0)"));
}

TEST_F(SessionTest, NotificationsGetAnEmptyReply) {
  auto reply = ask<mcp_reply>(spawn_session(), atom::handle_v,
                              request("notifications/initialized", ""));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->result.empty());
}

TEST_F(SessionTest, ExpiresAfterIdleTtl) {
  auto handle = spawn_session(std::chrono::seconds{10});
  run();
  advance_time(std::chrono::seconds{5});
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, request("ping")));
  // The ping at t=5s pushes the deadline to t=15s.
  advance_time(std::chrono::seconds{6});
  EXPECT_FALSE(handle->getf(caf::abstract_actor::is_terminated_flag));
  advance_time(std::chrono::seconds{5});
  EXPECT_TRUE(handle->getf(caf::abstract_actor::is_terminated_flag));
}

// A tenant-wide session over two `everything` instances and a member that cannot answer.
class TenantWideSessionTest : public test::actor_fixture {
protected:
  TenantWideSessionTest() {
    auto members = live_members();
    connector_row row;
    row.id = "c3";
    row.connector_type = "everything";
    auto gone = spawn(connector, row, std::string{}, &connectors::everything::spec, nullptr);
    caf::anon_send_exit(gone, caf::exit_reason::user_shutdown);
    run();
    members.push_back({"Gone", gone, "c3"});
    handle = spawn_over(std::move(members), session_options{});
  }

  // Two `everything` instances, prefixed A and B.
  std::vector<session_member> live_members() {
    std::vector<session_member> members;
    for (std::string id : {"c1", "c2"}) {
      connector_row row;
      row.id = id;
      row.connector_type = "everything";
      members.push_back(
        {id == "c1" ? "A" : "B",
         spawn(connector, row, std::string{}, &connectors::everything::spec, nullptr), id});
    }
    return members;
  }

  session_actor spawn_over(std::vector<session_member> members, session_options options) {
    session_request origin;
    origin.session_id = "s1";
    origin.tenant = "acme";
    origin.protocol_version = "2025-11-25";
    return spawn(session, origin, std::move(members), options, server_pool_actor{},
                 std::string{"{}"});
  }

  caf::expected<mcp_reply> call(std::string method, std::string params) {
    auto req = request(std::move(method));
    req.params = std::move(params);
    return ask<mcp_reply>(handle, atom::handle_v, req);
  }

  session_actor handle;
};

TEST_F(TenantWideSessionTest, MergesPromptsAndRoutesThemBack) {
  auto list = call("prompts/list", "");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->result, HasSubstr(R"("name":"A__test_simple_prompt")"));
  EXPECT_THAT(list->result, HasSubstr(R"("name":"B__test_simple_prompt")"));
  auto got = call("prompts/get", R"({"name":"B__test_prompt_with_arguments",)"
                                 R"("arguments":{"arg1":"x","arg2":"y"}})");
  ASSERT_TRUE(got) << to_string(got.error());
  EXPECT_THAT(got->result, HasSubstr("x"));
  auto unknown = call("prompts/get", R"({"name":"test_simple_prompt"})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(code_of(unknown.error()), errc::invalid_params);
  auto unnamed = call("prompts/get", "{}");
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(code_of(unnamed.error()), errc::invalid_params);
}

TEST_F(TenantWideSessionTest, AListLargerThanTheBudgetIsServedButNotKept) {
  auto small = spawn_over(live_members(), session_options{std::chrono::minutes{30}, 1024, 1024});
  for (int round = 0; round < 2; ++round) {
    auto list = ask<mcp_reply>(small, atom::handle_v, request("tools/list"));
    ASSERT_TRUE(list);
    EXPECT_THAT(list->result, HasSubstr(R"("name":"B__echo")"));
    auto echoed = ask<mcp_reply>(small, atom::handle_v,
                                 call_request("B__echo", R"({"message":"hi"})"));
    ASSERT_TRUE(echoed);
    EXPECT_THAT(echoed->result, HasSubstr("hi"));
  }
  EXPECT_THAT(*ask<std::string>(small, atom::status_v), HasSubstr(R"("held_bytes":0,)"));
}

TEST_F(TenantWideSessionTest, ListsEachUriOnceAndReadsItFromItsConnector) {
  auto list = call("resources/list", "");
  ASSERT_TRUE(list);
  auto first = list->result.find("test://static-text");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(list->result.find("test://static-text", first + 1), std::string::npos);
  auto templates = call("resources/templates/list", R"({"cursor":null})");
  ASSERT_TRUE(templates);
  EXPECT_THAT(templates->result, HasSubstr(R"("uriTemplate":"test://template/{id}/data")"));
  auto listed = call("resources/read", R"({"uri":"test://static-text"})");
  ASSERT_TRUE(listed);
  EXPECT_THAT(listed->result, HasSubstr("static text resource"));
  auto templated = call("resources/read", R"({"uri":"test://template/7/data"})");
  ASSERT_TRUE(templated);
  EXPECT_THAT(templated->result, HasSubstr("7"));
  auto missing = call("resources/read", R"({"uri":"test://missing"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::resource_not_found);
  EXPECT_THAT(data_of(missing.error()), HasSubstr("test://missing"));
  auto bad_cursor = call("resources/list", R"({"cursor":"p7"})");
  ASSERT_FALSE(bad_cursor);
  EXPECT_EQ(code_of(bad_cursor.error()), errc::invalid_params);
}

TEST_F(TenantWideSessionTest, CompletesArgumentsOfMergedPromptsAndTemplates) {
  auto prompt = call("completion/complete",
                     R"({"ref":{"type":"ref/prompt","name":"A__test_prompt_with_arguments"},)"
                     R"("argument":{"name":"arg1","value":""}})");
  ASSERT_TRUE(prompt) << to_string(prompt.error());
  EXPECT_THAT(prompt->result, HasSubstr(R"("completion")"));
  auto resource = call("completion/complete",
                       R"({"ref":{"type":"ref/resource","uri":"test://template/{id}/data"},)"
                       R"("argument":{"name":"id","value":""}})");
  ASSERT_TRUE(resource) << to_string(resource.error());
  for (auto params : {R"({"ref":{"type":"ref/prompt","name":"nope"},"argument":{}})",
                      R"({"ref":{"type":"ref/other"}})", R"({"ref":"x"})", R"([1])"}) {
    auto bad = call("completion/complete", params);
    ASSERT_FALSE(bad) << params;
    EXPECT_EQ(code_of(bad.error()), errc::invalid_params) << params;
  }
}

TEST_F(TenantWideSessionTest, AMemberThatCannotListIsLeftOut) {
  auto tools = call("tools/list", "");
  ASSERT_TRUE(tools);
  EXPECT_THAT(tools->result, HasSubstr(R"("name":"A__echo")"));
  EXPECT_THAT(tools->result, Not(HasSubstr("Gone__")));
  EXPECT_THAT(observability::metrics::global().serialize(),
              HasSubstr(R"(sagemcp_tenant_list_failures_total{list="tools"})"));
  auto echo = ask<mcp_reply>(handle, atom::handle_v,
                             call_request("B__echo", R"({"message":"routed"})"));
  ASSERT_TRUE(echo);
  EXPECT_THAT(echo->result, HasSubstr("Echo: routed"));
}

class ServerPoolTest : public test::actor_fixture {
protected:
  ServerPoolTest() {
    db = spawn(fake_persistence, acme_snapshot());
    pool = spawn(server_pool, db, server_pool_options{std::chrono::minutes{30}});
  }

  caf::expected<session_info> open(std::string connector_id, std::string key = "k1") {
    session_request req;
    req.session_id = "s-" + connector_id + "-" + key;
    req.tenant = "acme";
    req.connector_id = std::move(connector_id);
    req.caller.key_id = std::move(key);
    req.protocol_version = "2025-11-25";
    return ask<session_info>(pool, atom::open_v, std::move(req));
  }

  mcp_envelope envelope(std::string session_id, mcp_request req, std::string key = "k1") {
    mcp_envelope env;
    env.tenant = "acme";
    env.connector_id = "c1";
    env.session_id = std::move(session_id);
    env.caller.key_id = std::move(key);
    env.request = std::move(req);
    return env;
  }

  persistence_actor db;
  server_pool_actor pool;
};

TEST_F(ServerPoolTest, OpensRoutesAndClosesSessions) {
  auto info = open("c1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->connector_name, "Test");
  auto reply = ask<mcp_reply>(pool, atom::route_v, envelope(info->session_id, request("ping")));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->result, "{}");
  ASSERT_TRUE(ask<atom::ok>(pool, atom::close_v, envelope(info->session_id, {})));
  auto after = ask<mcp_reply>(pool, atom::route_v, envelope(info->session_id, request("ping")));
  ASSERT_FALSE(after);
  EXPECT_EQ(code_of(after.error()), errc::session_not_found);
}

TEST_F(ServerPoolTest, TenantWideSessionsServeEveryEnabledConnector) {
  auto info = open("");
  ASSERT_TRUE(info);
  EXPECT_THAT(info->capabilities, HasSubstr("tools"));
  auto env = envelope(info->session_id, request("tools/list"));
  env.connector_id.clear();
  auto list = ask<mcp_reply>(pool, atom::route_v, env);
  ASSERT_TRUE(list);
  // Only c1 is enabled, so nothing clashes and names stay as they are.
  EXPECT_THAT(list->result, HasSubstr(R"("name":"echo")"));
  env.request = call_request("echo", R"({"message":"t"})");
  auto call = ask<mcp_reply>(pool, atom::route_v, env);
  ASSERT_TRUE(call);
  EXPECT_THAT(call->result, HasSubstr("Echo: t"));
  // A change to any connector of the tenant ends tenant-wide sessions.
  ASSERT_TRUE(ask<atom::ok>(pool, atom::evict_v, std::string{"acme"}, std::string{"c2"}));
  env.request = request("ping");
  auto after = ask<mcp_reply>(pool, atom::route_v, env);
  ASSERT_FALSE(after);
  EXPECT_EQ(code_of(after.error()), errc::session_not_found);
}

TEST_F(ServerPoolTest, UnknownSessionIsNotFound) {
  auto reply = ask<mcp_reply>(pool, atom::route_v, envelope("nope", request("ping")));
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::session_not_found);
}

TEST_F(ServerPoolTest, SessionsAreBoundToTheirKey) {
  auto info = open("c1", "k1");
  ASSERT_TRUE(info);
  auto reply = ask<mcp_reply>(pool, atom::route_v,
                              envelope(info->session_id, request("ping"), "k2"));
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::session_not_found);
}

TEST_F(ServerPoolTest, DisabledConnectorCannotOpenASession) {
  auto info = open("c2");
  ASSERT_FALSE(info);
  EXPECT_EQ(code_of(info.error()), errc::connector_disabled);
}

TEST_F(ServerPoolTest, TellsWhetherAnEndpointExists) {
  auto exists = [this](std::string tenant, std::string connector) {
    auto result = ask<atom::ok>(pool, atom::get_v, atom::connector_v, std::move(tenant),
                                std::move(connector));
    return result ? errc{} : code_of(result.error());
  };
  EXPECT_EQ(exists("acme", "c1"), errc{});
  EXPECT_EQ(exists("acme", ""), errc{});
  EXPECT_EQ(exists("acme", "c2"), errc::connector_disabled);
  EXPECT_EQ(exists("acme", "nope"), errc::connector_not_found);
  EXPECT_EQ(exists("ghost", ""), errc::tenant_not_found);
}

TEST_F(ServerPoolTest, EvictionEndsTheConnectorsSessions) {
  auto info = open("c1");
  ASSERT_TRUE(info);
  ASSERT_TRUE(ask<atom::ok>(pool, atom::evict_v, std::string{"acme"}, std::string{"c1"}));
  auto reply = ask<mcp_reply>(pool, atom::route_v, envelope(info->session_id, request("ping")));
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::session_not_found);
  auto status = ask<std::string>(pool, atom::status_v);
  ASSERT_TRUE(status);
  EXPECT_THAT(*status, HasSubstr(R"("instances":0,)"));
  EXPECT_THAT(*status, HasSubstr(R"("sessions":0,)"));
  EXPECT_THAT(*status, HasSubstr(R"("tenants":0,)"));
}

TEST_F(ServerPoolTest, ExpiredSessionsLeaveTheDirectory) {
  auto info = open("c1");
  ASSERT_TRUE(info);
  advance_time(std::chrono::minutes{31});
  auto status = ask<std::string>(pool, atom::status_v);
  ASSERT_TRUE(status);
  EXPECT_THAT(*status, HasSubstr(R"("sessions":0)"));
}

} // namespace
} // namespace sagemcp

namespace sagemcp {
namespace {

class ListenTest : public SessionTest {
protected:
  mcp_request listen_request(std::string filter) {
    auto req = request("subscriptions/listen");
    req.id = R"("sub-1")";
    req.stateless = true;
    req.params = R"({"notifications":)" + filter + "}";
    return req;
  }
};

TEST_F(ListenTest, AcknowledgesThenDeliversWhatWasAskedFor) {
  auto handle = spawn_session(std::chrono::minutes{30}, {}, R"({"tools":{},"resources":{}})");
  auto seen = std::make_shared<std::vector<std::string>>();
  auto stream = spawn(collector, handle,
                      listen_request(R"({"toolsListChanged":true,"promptsListChanged":true,)"
                                     R"("resourceSubscriptions":["test://a"]})"),
                      seen);
  run();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_THAT((*seen)[0], HasSubstr("notifications/subscriptions/acknowledged"));
  // No prompts on this endpoint: that part of the filter is not acknowledged.
  EXPECT_THAT((*seen)[0],
              HasSubstr(R"("notifications":{"toolsListChanged":true,"resourceSubscriptions":)"));
  caf::anon_send(handle, atom::push_v,
                 std::string{R"({"jsonrpc":"2.0","method":"notifications/prompts/list_changed"})"});
  caf::anon_send(handle, atom::push_v,
                 std::string{R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})"});
  caf::anon_send(handle, atom::push_v,
                 std::string{R"({"jsonrpc":"2.0","method":"notifications/resources/updated",)"
                             R"("params":{"uri":"test://b"}})"});
  caf::anon_send(handle, atom::push_v,
                 std::string{R"({"jsonrpc":"2.0","method":"notifications/resources/updated",)"
                             R"("params":{"uri":"test://a"}})"});
  run();
  ASSERT_EQ(seen->size(), 3u);
  EXPECT_THAT((*seen)[1], HasSubstr("tools/list_changed"));
  EXPECT_THAT((*seen)[1], HasSubstr(R"("io.modelcontextprotocol/subscriptionId":"sub-1")"));
  EXPECT_THAT((*seen)[2], HasSubstr(R"("uri":"test://a")"));
  EXPECT_THAT(*ask<std::string>(handle, atom::status_v), HasSubstr(R"("listeners":1)"));
  // The client leaves: the subscription is forgotten.
  caf::anon_send_exit(stream, caf::exit_reason::user_shutdown);
  run();
  EXPECT_THAT(*ask<std::string>(handle, atom::status_v), HasSubstr(R"("listeners":0)"));
}

TEST_F(ListenTest, EndingTheSessionClosesItsSubscriptions) {
  auto handle = spawn_session(std::chrono::minutes{30}, {}, R"({"tools":{}})");
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(collector, handle, listen_request(R"({"toolsListChanged":true})"), seen);
  run();
  caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
  run();
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ((*seen)[1], R"(result:{"_meta":{"io.modelcontextprotocol/subscriptionId":"sub-1"}})");
}

TEST_F(ListenTest, NeedsAFilter) {
  auto handle = spawn_session();
  auto req = listen_request("{}");
  req.params = "{}";
  auto reply = ask<mcp_reply>(handle, atom::handle_v, req);
  ASSERT_FALSE(reply);
  EXPECT_EQ(code_of(reply.error()), errc::invalid_params);
}

} // namespace
} // namespace sagemcp

namespace sagemcp {
namespace {

// Stands in for a GET connection: attaches to an event stream, then records what arrives.
request_stream_actor::behavior_type attacher(request_stream_actor::pointer self,
                                             session_actor target, std::string last_event_id,
                                             std::shared_ptr<std::vector<std::string>> seen) {
  self->request(target, caf::infinite, atom::attach_v, std::move(last_event_id))
    .then([](atom::ok) {},
          [seen](caf::error& err) {
            seen->push_back("error:" + message_of(err));
          });
  return recorder(self, seen);
}

class EventStreamTest : public SessionTest {
protected:
  void SetUp() override {
    session_ = spawn_session(std::chrono::minutes{30}, {}, R"({"tools":{},"resources":{}})");
  }

  // A tools/call whose notifications form a resumable event stream.
  mcp_request progress_call(std::string steps) {
    auto req = call_request("long_running_operation", R"({"duration":0.5,"steps":)" + steps + "}");
    req.id = "7";
    req.progress_token = R"("p")";
    req.resumable = true;
    return req;
  }

  session_actor session_;
};

TEST_F(EventStreamTest, GivesEventsIdsPrimesTheStreamAndEndsItWithTheResponse) {
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(collector, session_, progress_call("2"), seen);
  run();
  advance_time(std::chrono::milliseconds{600});
  ASSERT_EQ(seen->size(), 5u);
  EXPECT_EQ((*seen)[0], "1-0 ");
  EXPECT_THAT((*seen)[1], StartsWith(R"(1-1 {"jsonrpc":"2.0","method":"notifications/progress")"));
  EXPECT_THAT((*seen)[2], StartsWith("1-2 "));
  EXPECT_THAT((*seen)[3], StartsWith(R"(1-3 {"jsonrpc":"2.0","id":7,"result":)"));
  EXPECT_EQ((*seen)[4], "close");
}

TEST_F(EventStreamTest, ResumingReplaysWhatTheClientMissedOnce) {
  auto first = std::make_shared<std::vector<std::string>>();
  auto post = spawn(collector, session_, progress_call("4"), first);
  run();
  advance_time(std::chrono::milliseconds{130});
  ASSERT_EQ(first->size(), 2u); // priming, progress 1
  // The connection drops; the call goes on.
  caf::anon_send_exit(post, caf::exit_reason::user_shutdown);
  run();
  advance_time(std::chrono::milliseconds{250});
  auto second = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{"1-1"}, second);
  run();
  ASSERT_EQ(second->size(), 2u);
  EXPECT_THAT((*second)[0], StartsWith("1-2 "));
  EXPECT_THAT((*second)[1], StartsWith("1-3 "));
  advance_time(std::chrono::milliseconds{300});
  ASSERT_EQ(second->size(), 5u);
  EXPECT_THAT((*second)[2], StartsWith("1-4 "));
  EXPECT_THAT((*second)[3], StartsWith(R"(1-5 {"jsonrpc":"2.0","id":7,"result":)"));
  EXPECT_EQ((*second)[4], "close");
  // A replay of the finished stream ends after its last event.
  auto third = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{"1-4"}, third);
  run();
  ASSERT_EQ(third->size(), 2u);
  EXPECT_THAT((*third)[0], StartsWith("1-5 "));
  EXPECT_EQ((*third)[1], "close");
}

TEST_F(EventStreamTest, AResumingConnectionReplacesTheOneTheClientLeft) {
  auto first = std::make_shared<std::vector<std::string>>();
  spawn(collector, session_, progress_call("2"), first);
  run();
  advance_time(std::chrono::milliseconds{260});
  auto second = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{"1-0"}, second);
  run();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ(first->back(), "close");
  ASSERT_EQ(second->size(), 1u);
  EXPECT_THAT((*second)[0], StartsWith("1-1 "));
}

TEST_F(EventStreamTest, RefusesIdsOfNoEvent) {
  for (const auto* id : {"x", "1-", "-1", "9-1", "0-5", "1-1-1", "18446744073709551616-0"}) {
    auto seen = std::make_shared<std::vector<std::string>>();
    spawn(attacher, session_, std::string{id}, seen);
    run();
    ASSERT_EQ(seen->size(), 1u) << id;
    EXPECT_THAT((*seen)[0], HasSubstr("names no event of this session")) << id;
  }
}

TEST_F(EventStreamTest, TheGetStreamCarriesChangesAndIsOnePerSession) {
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{}, seen);
  run();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0], "0-0 ");
  auto other = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{}, other);
  run();
  ASSERT_EQ(other->size(), 1u);
  EXPECT_THAT((*other)[0], HasSubstr("only one GET stream"));
  auto subscribe = request("resources/subscribe");
  subscribe.params = R"({"uri":"test://a"})";
  ASSERT_TRUE(ask<mcp_reply>(session_, atom::handle_v, subscribe));
  for (
    const auto* change :
    {R"({"jsonrpc":"2.0","method":"notifications/prompts/list_changed"})",
     R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})",
     R"({"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"test://b"}})",
     R"({"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"test://a"}})"}) {
    caf::anon_send(session_, atom::push_v, std::string{change});
  }
  run();
  ASSERT_EQ(seen->size(), 3u);
  EXPECT_THAT((*seen)[1], StartsWith("0-1 "));
  EXPECT_THAT((*seen)[1], HasSubstr("tools/list_changed"));
  EXPECT_THAT((*seen)[2], StartsWith("0-2 "));
  EXPECT_THAT((*seen)[2], HasSubstr("test://a"));
  // Resuming the GET stream replaces its connection and replays what followed the id.
  auto again = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{"0-1"}, again);
  run();
  EXPECT_EQ(seen->back(), "close");
  ASSERT_EQ(again->size(), 1u);
  EXPECT_THAT((*again)[0], StartsWith("0-2 "));
}

TEST_F(EventStreamTest, ForgetsStreamsAMinuteAfterTheyEnded) {
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(collector, session_, progress_call("1"), seen);
  run();
  advance_time(std::chrono::milliseconds{600});
  EXPECT_THAT(*ask<std::string>(session_, atom::status_v), HasSubstr(R"("event_streams":1)"));
  advance_time(std::chrono::seconds{61});
  auto req = progress_call("1");
  req.id = "8";
  spawn(collector, session_, req, seen);
  run();
  advance_time(std::chrono::milliseconds{600});
  auto status = *ask<std::string>(session_, atom::status_v);
  EXPECT_THAT(status, HasSubstr(R"("event_streams":1)"));
  EXPECT_THAT(status, HasSubstr(R"("buffered_events":2)"));
  // The forgotten stream cannot be resumed any more.
  auto late = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{"1-1"}, late);
  run();
  ASSERT_EQ(late->size(), 1u);
  EXPECT_THAT((*late)[0], HasSubstr("names no event of this session"));
}

TEST_F(EventStreamTest, TheEventBufferYieldsToTheRestOfTheBudget) {
  constexpr size_t budget = 4 << 10;
  auto handle = spawn_session(std::chrono::minutes{30}, {}, R"({"tools":{},"resources":{}})",
                              budget);
  auto seen = std::make_shared<std::vector<std::string>>();
  auto req = progress_call("30");
  spawn(collector, handle, req, seen);
  run();
  advance_time(std::chrono::milliseconds{600});
  ASSERT_EQ(seen->size(), 33u); // priming, 30 progress events, result, close
  EXPECT_LE(status_number(handle, "held_bytes"), budget);
  EXPECT_LT(status_number(handle, "buffered_events"), 31u);
  // Subscriptions take the room of the oldest events.
  auto sub = request("resources/subscribe");
  sub.params = R"({"uri":"test://)" + std::string(2000, 'u') + "\"}";
  ASSERT_TRUE(ask<mcp_reply>(handle, atom::handle_v, sub));
  EXPECT_LE(status_number(handle, "held_bytes"), budget);
  // A replay from the start tells the client that events were lost, and still ends the stream.
  auto late = std::make_shared<std::vector<std::string>>();
  spawn(attacher, handle, std::string{"1-0"}, late);
  run();
  ASSERT_FALSE(late->empty());
  EXPECT_EQ(late->back(), "close");
  EXPECT_LT(late->size(), 33u);
}

TEST_F(EventStreamTest, EndingTheSessionEndsItsConnections) {
  auto seen = std::make_shared<std::vector<std::string>>();
  spawn(attacher, session_, std::string{}, seen);
  run();
  caf::anon_send_exit(session_, caf::exit_reason::user_shutdown);
  run();
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ((*seen)[1], "close");
}

TEST(EventLogTest, ReadsAndWritesEventIds) {
  auto at = event_position::parse("12-345");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->stream, 12u);
  EXPECT_EQ(at->seq, 345u);
  EXPECT_EQ(at->to_string(), "12-345");
  for (const auto* bad : {"", "-", "1", "1-", "-1", "a-1", "1-b", "1-2-3", "+1-2", " 1-2",
                          "99999999999999999999-1"}) {
    EXPECT_FALSE(event_position::parse(bad)) << bad;
  }
}

TEST(EventLogTest, ReplaysOneStreamAfterAnEvent) {
  event_log log{1024};
  EXPECT_EQ(log.append(1, "a").to_string(), "1-1");
  EXPECT_EQ(log.append(2, "x").to_string(), "2-1");
  EXPECT_EQ(log.append(1, "b").to_string(), "1-2");
  EXPECT_EQ(log.append(1, "c").to_string(), "1-3");
  auto replay = log.events_after({1, 1});
  ASSERT_EQ(replay.events.size(), 2u);
  EXPECT_EQ(replay.events[0]->message, "b");
  EXPECT_EQ(replay.events[1]->message, "c");
  EXPECT_EQ(replay.lost, 0u);
  EXPECT_TRUE(log.events_after({1, 3}).events.empty());
  EXPECT_TRUE(log.events_after({3, 0}).events.empty());
  EXPECT_EQ(log.last(1).seq, 3u);
  EXPECT_EQ(log.last(5).seq, 0u);
}

TEST(EventLogTest, StaysWithinItsBytesByEvictingTheOldest) {
  event_log log{10};
  log.append(1, "aaaa");
  log.append(2, "bbbb");
  EXPECT_EQ(log.bytes(), 8u);
  log.append(1, "cccc");
  EXPECT_EQ(log.bytes(), 8u);
  EXPECT_EQ(log.size(), 2u);
  // The replay tells how many events after the id are gone.
  auto replay = log.events_after({1, 0});
  EXPECT_EQ(replay.lost, 1u);
  ASSERT_EQ(replay.events.size(), 1u);
  EXPECT_EQ(replay.events[0]->message, "cccc");
  EXPECT_EQ(log.events_after({1, 1}).lost, 0u);
  // One event larger than the bound stays alone.
  log.append(3, std::string(64, 'z'));
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log.bytes(), 64u);
}

TEST(EventLogTest, TrimsOldestFirstAndForgetsFinishedStreamsLeftEmpty) {
  event_log log{1 << 20};
  log.append(1, "aaaa");
  log.append(2, "bbbb");
  log.append(2, "cccc");
  log.finish(1, {});
  auto full = log.footprint();
  EXPECT_EQ(full, 12 + 3 * event_log::event_cost + 2 * event_log::stream_cost);
  log.trim(full);
  EXPECT_EQ(log.size(), 3u);
  log.trim(full - 1);
  EXPECT_FALSE(log.knows(1));
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log.events_after({2, 0}).lost, 0u);
  // A running stream stays known without events, and tells what it lost.
  log.trim(0);
  EXPECT_EQ(log.size(), 0u);
  EXPECT_TRUE(log.knows(2));
  EXPECT_EQ(log.events_after({2, 0}).lost, 2u);
  EXPECT_EQ(log.footprint(), event_log::stream_cost);
  log.finish(2, {});
  log.trim(0);
  EXPECT_FALSE(log.knows(2));
  EXPECT_EQ(log.footprint(), 0u);
}

TEST(EventLogTest, ForgetsFinishedStreamsAfterTheirRetention) {
  event_log log{1024, std::chrono::seconds{60}};
  event_log::clock::time_point start{};
  log.append(1, "a");
  log.append(2, "b");
  log.finish(1, start);
  log.expire(start + std::chrono::seconds{59});
  EXPECT_TRUE(log.knows(1));
  log.expire(start + std::chrono::seconds{60});
  EXPECT_FALSE(log.knows(1));
  EXPECT_TRUE(log.knows(2));
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log.bytes(), 1u);
}

} // namespace
} // namespace sagemcp

namespace sagemcp {
namespace {

using ::testing::Not;

// A pool with room for two instances over a tenant with three enabled connectors.
class BoundedPoolTest : public test::actor_fixture {
protected:
  BoundedPoolTest() {
    auto tenants = acme_snapshot();
    auto& connectors = tenants.at("acme").connectors;
    for (std::string id : {"c3", "c4"}) {
      auto row = connectors.front();
      row.id = id;
      row.name = "Test " + id;
      connectors.push_back(std::move(row));
    }
    db = spawn(fake_persistence, std::move(tenants));
    server_pool_options options;
    options.max_instances = 2;
    options.instance_ttl = std::chrono::seconds{10};
    options.sessions_per_tenant = 3;
    pool = spawn(server_pool, db, options);
  }

  caf::expected<session_info> open(std::string connector_id, std::string id) {
    session_request req;
    req.session_id = std::move(id);
    req.tenant = "acme";
    req.connector_id = std::move(connector_id);
    req.caller.key_id = "k1";
    req.protocol_version = "2025-11-25";
    return ask<session_info>(pool, atom::open_v, std::move(req));
  }

  caf::expected<mcp_reply> route(std::string connector_id, std::string session_id,
                                 mcp_request req) {
    mcp_envelope env;
    env.tenant = "acme";
    env.connector_id = std::move(connector_id);
    env.session_id = std::move(session_id);
    env.caller.key_id = "k1";
    env.request = std::move(req);
    return ask<mcp_reply>(pool, atom::route_v, std::move(env));
  }

  std::string instances() {
    auto listed = ask<std::string>(pool, atom::list_v, atom::instance_v, std::string{});
    return listed ? *listed : std::string{};
  }

  persistence_actor db;
  server_pool_actor pool;
};

TEST_F(BoundedPoolTest, EvictsTheLeastRecentlyUsedInstanceAtCapacity) {
  ASSERT_TRUE(open("c1", "s1"));
  ASSERT_TRUE(open("c3", "s3"));
  // s1 was used last, so c3's instance is the least recently used one.
  ASSERT_TRUE(route("c1", "s1", request("ping")));
  ASSERT_TRUE(open("c4", "s4"));
  auto listed = instances();
  EXPECT_THAT(listed, HasSubstr("acme/c1/tenant"));
  EXPECT_THAT(listed, HasSubstr("acme/c4/tenant"));
  EXPECT_THAT(listed, Not(HasSubstr("acme/c3/tenant")));
  // The session of the evicted instance goes on with a new one, which evicts c1's (now the
  // least recently used).
  auto echo = route("c3", "s3", call_request("echo", R"({"message":"back"})"));
  ASSERT_TRUE(echo) << to_string(echo.error());
  EXPECT_THAT(echo->result, HasSubstr("Echo: back"));
  listed = instances();
  EXPECT_THAT(listed, HasSubstr("acme/c3/tenant"));
  EXPECT_THAT(listed, Not(HasSubstr("acme/c1/tenant")));
}

TEST_F(BoundedPoolTest, EvictsIdleInstancesAfterTheirTtl) {
  ASSERT_TRUE(open("c1", "s1"));
  advance_time(std::chrono::seconds{5});
  EXPECT_THAT(instances(), HasSubstr("acme/c1/tenant"));
  advance_time(std::chrono::seconds{6});
  EXPECT_EQ(instances(), "[]");
  // The session outlives its instance and gets a new one.
  auto echo = route("c1", "s1", call_request("echo", R"({"message":"again"})"));
  ASSERT_TRUE(echo);
  EXPECT_THAT(instances(), HasSubstr("acme/c1/tenant"));
}

TEST_F(BoundedPoolTest, RestartsACrashedInstanceWithBackOff) {
  ASSERT_TRUE(open("c1", "s1"));
  auto crash = [this] {
    auto ptr = ask<caf::strong_actor_ptr>(pool, atom::open_v, atom::instance_v, std::string{"acme"},
                                          std::string{"c1"}, std::string{});
    ASSERT_TRUE(ptr);
    caf::anon_send_exit(*ptr, caf::exit_reason::kill);
    run();
  };
  crash();
  EXPECT_THAT(instances(), HasSubstr(R"("status":"restarting")"));
  advance_time(std::chrono::milliseconds{100});
  EXPECT_THAT(instances(), HasSubstr(R"("restarts":1,"status":"healthy")"));
  // A second crash in a row waits twice as long.
  crash();
  advance_time(std::chrono::milliseconds{100});
  EXPECT_THAT(instances(), HasSubstr(R"("status":"restarting")"));
  advance_time(std::chrono::milliseconds{100});
  EXPECT_THAT(instances(), HasSubstr(R"("restarts":2,"status":"healthy")"));
  auto echo = route("c1", "s1", call_request("echo", R"({"message":"alive"})"));
  ASSERT_TRUE(echo);
  EXPECT_THAT(echo->result, HasSubstr("Echo: alive"));
}

TEST_F(BoundedPoolTest, ATenantAtItsSessionCapLosesItsLeastRecentlyUsedSession) {
  ASSERT_TRUE(open("c1", "s1"));
  ASSERT_TRUE(open("c1", "s2"));
  ASSERT_TRUE(open("c1", "s3"));
  ASSERT_TRUE(route("c1", "s1", request("ping")));
  ASSERT_TRUE(open("c1", "s4"));
  auto evicted = route("c1", "s2", request("ping"));
  ASSERT_FALSE(evicted);
  EXPECT_EQ(code_of(evicted.error()), errc::session_not_found);
  for (std::string id : {"s1", "s3", "s4"}) {
    EXPECT_TRUE(route("c1", id, request("ping"))) << id;
  }
  auto sessions = ask<std::string>(pool, atom::list_v, atom::session_v, std::string{"acme"});
  ASSERT_TRUE(sessions);
  EXPECT_THAT(*sessions, Not(HasSubstr(R"("session_id":"s2")")));
  ASSERT_TRUE(ask<atom::ok>(pool, atom::close_v, atom::session_v, std::string{"s3"}));
  EXPECT_FALSE(route("c1", "s3", request("ping")));
}

TEST_F(BoundedPoolTest, APolicyChangeHidesTheToolAndTellsTheSession) {
  ASSERT_TRUE(open("c1", "s1"));
  ASSERT_TRUE(route("c1", "s1", call_request("echo", R"({"message":"before"})")));
  ASSERT_TRUE(ask<std::vector<tool_state_row>>(
    db, atom::update_v, atom::tool_v, std::string{"c1"},
    std::vector<tool_state_row>{{"c1", "echo", false, {}}}, std::vector<std::string>{}));
  ASSERT_TRUE(
    ask<atom::ok>(pool, atom::update_v, atom::tool_v, std::string{"acme"}, std::string{"c1"}));
  auto list = route("c1", "s1", request("tools/list"));
  ASSERT_TRUE(list);
  EXPECT_THAT(list->result, Not(HasSubstr(R"("name":"echo")")));
  EXPECT_THAT(list->result, HasSubstr(R"("name":"add")"));
  auto refused = route("c1", "s1", call_request("echo", R"({"message":"after"})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(code_of(refused.error()), errc::unknown_tool);
}

} // namespace
} // namespace sagemcp
