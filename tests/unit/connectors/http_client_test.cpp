#include "connectors/http_client.hpp"

#include "tests/fakes/fake_upstream.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

namespace sagemcp::connectors {
namespace {

using fakes::canned_response;
using fakes::fake_upstream;
using fakes::recorded_request;

fetch_result fetch(http_client& client, http_request request) {
  auto done = std::make_shared<std::promise<fetch_result>>();
  auto future = done->get_future();
  client.fetch(std::move(request), [done](fetch_result result) {
    done->set_value(std::move(result));
  });
  EXPECT_EQ(future.wait_for(std::chrono::seconds{10}), std::future_status::ready);
  return future.get();
}

http_client_options loopback() {
  http_client_options options;
  options.allow_private = true;
  return options;
}

canned_response ok(std::string body = R"({"ok":true})") {
  return canned_response{
    200, {{"content-type", "application/json"}, {"x-thing", "1"}}, std::move(body)};
}

TEST(HttpClientTest, TellsPrivateAddresses) {
  for (const char* address : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                              "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1",
                              "fd00::1", "::ffff:10.0.0.1", "224.0.0.1", "198.18.0.1", "::"}) {
    EXPECT_TRUE(is_private_address(address)) << address;
  }
  for (const char* address :
       {"140.82.112.3", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "github.com"}) {
    EXPECT_FALSE(is_private_address(address)) << address;
  }
}

TEST(HttpClientTest, MatchesNoProxyLists) {
  EXPECT_TRUE(bypasses_proxy("api.github.com", "localhost, .github.com"));
  EXPECT_TRUE(bypasses_proxy("github.com", ".github.com"));
  EXPECT_TRUE(bypasses_proxy("GitLab.example.com", "example.com:443"));
  EXPECT_TRUE(bypasses_proxy("anything", "*"));
  EXPECT_TRUE(bypasses_proxy("10.0.0.5", "10.0.0.5"));
  EXPECT_FALSE(bypasses_proxy("notgithub.com", "github.com"));
  EXPECT_FALSE(bypasses_proxy("api.github.com", ""));
}

TEST(HttpClientTest, BuildsBasicCredentials) {
  EXPECT_EQ(basic_credentials("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_credentials("", "k"), "Basic Oms=");
}

TEST(HttpClientTest, SendsTheRequestAndReadsTheAnswer) {
  fake_upstream fake{[](const recorded_request&) {
    return ok();
  }};
  http_client client{loopback()};
  http_request req{
    "POST", fake.url() + "/v1/items?a=1&b=x%20y", {{"Authorization", "Bearer t"}}, R"({"n":1})"};
  auto result = fetch(client, req);
  ASSERT_TRUE(std::holds_alternative<http_response>(result));
  const auto& res = std::get<http_response>(result);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body, R"({"ok":true})");
  EXPECT_EQ(res.header("X-Thing"), "1");
  auto seen = fake.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/v1/items");
  ASSERT_EQ(seen[0].query.size(), 2u);
  EXPECT_EQ(seen[0].query[1].second, "x y");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer t");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(fake.port()));
  EXPECT_EQ(seen[0].header("content-length"), "7");
  EXPECT_EQ(seen[0].body, R"({"n":1})");
}

TEST(HttpClientTest, ReusesKeptAliveConnections) {
  fake_upstream fake{[](const recorded_request&) {
    return ok();
  }};
  http_client client{loopback()};
  for (int i = 0; i < 3; ++i) {
    auto result = fetch(client, {"GET", fake.url() + "/x", {}, {}});
    ASSERT_TRUE(std::holds_alternative<http_response>(result));
  }
  EXPECT_EQ(fake.connections(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpClientTest, OpensANewConnectionAfterTheUpstreamClosedOne) {
  fake_upstream fake{[](const recorded_request&) {
    auto res = ok();
    res.close = true;
    return res;
  }};
  http_client client{loopback()};
  for (int i = 0; i < 2; ++i) {
    auto result = fetch(client, {"GET", fake.url() + "/x", {}, {}});
    ASSERT_TRUE(std::holds_alternative<http_response>(result));
  }
  EXPECT_EQ(fake.connections(), 2u);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClientTest, RefusesPrivateAddressesUnlessAllowed) {
  fake_upstream fake{[](const recorded_request&) {
    return ok();
  }};
  http_client client{};
  for (const auto& url :
       {fake.url() + "/x", "http://localhost:" + std::to_string(fake.port()) + "/x"}) {
    auto result = fetch(client, {"GET", url, {}, {}});
    ASSERT_TRUE(std::holds_alternative<fetch_error>(result)) << url;
    EXPECT_EQ(std::get<fetch_error>(result).kind, fetch_failure::refused_address) << url;
    EXPECT_NE(std::get<fetch_error>(result).message.find("127.0.0.1"), std::string::npos);
  }
  EXPECT_TRUE(fake.requests().empty());
}

TEST(HttpClientTest, ReportsTimeoutsRefusalsAndBadUrls) {
  fake_upstream slow{[](const recorded_request&) {
    auto res = ok();
    res.delay = std::chrono::milliseconds{800};
    return res;
  }};
  auto options = loopback();
  options.read_timeout = std::chrono::milliseconds{150};
  http_client client{options};
  auto timed_out = fetch(client, {"GET", slow.url() + "/x", {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(timed_out));
  EXPECT_EQ(std::get<fetch_error>(timed_out).kind, fetch_failure::timeout);
  EXPECT_TRUE(std::get<fetch_error>(timed_out).sent);

  uint16_t closed_port = 0;
  {
    fake_upstream gone;
    closed_port = gone.port();
  }
  auto refused = fetch(client,
                       {"GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/", {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(refused));
  EXPECT_EQ(std::get<fetch_error>(refused).kind, fetch_failure::connect);
  EXPECT_FALSE(std::get<fetch_error>(refused).sent);

  for (const char* url : {"ftp://example.com/", "not a url", "https:///nohost"}) {
    auto bad = fetch(client, {"GET", url, {}, {}});
    ASSERT_TRUE(std::holds_alternative<fetch_error>(bad)) << url;
    EXPECT_EQ(std::get<fetch_error>(bad).kind, fetch_failure::invalid_url) << url;
  }
}

TEST(HttpClientTest, LimitsTheSizeOfAnswers) {
  fake_upstream fake{[](const recorded_request&) {
    return ok(std::string(4096, 'x'));
  }};
  auto options = loopback();
  options.max_response_bytes = 1024;
  http_client client{options};
  auto result = fetch(client, {"GET", fake.url() + "/big", {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(result));
  EXPECT_EQ(std::get<fetch_error>(result).kind, fetch_failure::too_large);
}

TEST(HttpClientTest, SendsPlainHttpThroughAProxyInAbsoluteForm) {
  fake_upstream proxy{[](const recorded_request&) {
    return ok();
  }};
  auto options = loopback();
  options.http_proxy = "http://user:pw@127.0.0.1:" + std::to_string(proxy.port());
  http_client client{options};
  auto result = fetch(client, {"GET", "http://upstream.example/v1/x?q=1", {}, {}});
  ASSERT_TRUE(std::holds_alternative<http_response>(result));
  auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "http://upstream.example/v1/x?q=1");
  EXPECT_EQ(seen[0].header("host"), "upstream.example");
  EXPECT_EQ(seen[0].header("proxy-authorization"), basic_credentials("user", "pw"));

  options.no_proxy = "upstream.example";
  http_client direct{options};
  auto bypassed = fetch(direct, {"GET", "http://upstream.example/v1/x", {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(bypassed));
  EXPECT_EQ(proxy.requests().size(), 1u);
}

// Collects what a stream reports, in order, for a test thread to wait on. The events share
// its state, so they may outlive the recorder on the client's thread.
class stream_recorder {
public:
  struct record {
    std::vector<std::string> log;
    std::optional<http_response> head;
    std::vector<std::string> pieces;
    std::optional<fetch_error> error;
    int ends = 0;
  };

  stream_events events() {
    auto shared = state_;
    return stream_events{[shared](const http_response& head) {
                           shared->update([&](record& r) {
                             r.log.emplace_back("head");
                             r.head = head;
                           });
                         },
                         [shared](std::string_view data) {
                           shared->update([&](record& r) {
                             r.log.emplace_back("data");
                             r.pieces.emplace_back(data);
                           });
                         },
                         [shared](std::optional<fetch_error> error) {
                           shared->update([&](record& r) {
                             r.log.emplace_back("end");
                             r.error = std::move(error);
                             ++r.ends;
                           });
                         }};
  }

  // Waits until the stream ended; false if it did not within a generous bound.
  bool wait_end() {
    return wait([](const record& r) {
      return r.ends > 0;
    });
  }

  // Waits until at least `count` pieces of the body arrived.
  bool wait_pieces(size_t count) {
    return wait([count](const record& r) {
      return r.pieces.size() >= count;
    });
  }

  // A copy of everything reported so far.
  record snapshot() {
    std::lock_guard guard{state_->mtx};
    return state_->seen;
  }

  // The body pieces reported so far, joined.
  std::string body() {
    std::string out;
    for (const auto& piece : snapshot().pieces) {
      out += piece;
    }
    return out;
  }

private:
  struct state {
    std::mutex mtx;
    std::condition_variable changed;
    record seen;

    template <class Fn>
    void update(Fn fn) {
      std::lock_guard guard{mtx};
      fn(seen);
      changed.notify_all();
    }
  };

  template <class Condition>
  bool wait(Condition condition) {
    std::unique_lock lock{state_->mtx};
    return state_->changed.wait_for(lock, std::chrono::seconds{10}, [&] {
      return condition(state_->seen);
    });
  }

  std::shared_ptr<state> state_ = std::make_shared<state>();
};

using piece_list = std::vector<std::pair<std::chrono::milliseconds, std::string>>;

canned_response streamed(piece_list pieces,
                         canned_response::framing framing = canned_response::framing::chunked) {
  canned_response res{200, {{"content-type", "text/event-stream"}}, {}};
  res.chunks = std::move(pieces);
  res.chunk_framing = framing;
  return res;
}

// Waits for a condition the test cannot be told about, such as the fake seeing a close.
template <class Condition>
bool eventually(Condition condition) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

TEST(HttpClientStreamTest, ReportsEachPieceAsItArrives) {
  // The fake holds the second piece back until the client reported the first one, so the test
  // fails (after a wait) unless pieces are delivered as they arrive.
  auto first_seen = std::make_shared<std::promise<void>>();
  auto first_future = first_seen->get_future().share();
  std::atomic<bool> first_before_second{false};
  fake_upstream fake{[&](const recorded_request&) {
    auto res = streamed({{std::chrono::milliseconds{0}, "data: one\n\n"},
                         {std::chrono::milliseconds{0}, "data: two\n\n"},
                         {std::chrono::milliseconds{0}, "data: three\n\n"}});
    res.before_chunk = [&, first_future](size_t index) {
      if (index == 1) {
        first_before_second = first_future.wait_for(std::chrono::seconds{5})
                              == std::future_status::ready;
      }
    };
    return res;
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto events = rec.events();
  events.on_data = [inner = events.on_data, first_seen,
                    told = false](std::string_view data) mutable {
    inner(data);
    if (!told) {
      told = true;
      first_seen->set_value();
    }
  };
  auto handle = client.stream(
    {"POST", fake.url() + "/mcp?x=1", {{"Accept", "text/event-stream"}}, R"({"jsonrpc":"2.0"})"},
    std::move(events), std::chrono::milliseconds{5000});
  ASSERT_NE(handle, nullptr);
  ASSERT_TRUE(rec.wait_end());
  EXPECT_TRUE(first_before_second);
  auto got = rec.snapshot();
  EXPECT_FALSE(got.error.has_value()) << got.error->message;
  EXPECT_EQ(got.ends, 1);
  ASSERT_TRUE(got.head.has_value());
  EXPECT_EQ(got.head->status, 200u);
  EXPECT_EQ(got.head->header("Content-Type"), "text/event-stream");
  EXPECT_EQ(got.head->header("transfer-encoding"), "chunked");
  EXPECT_TRUE(got.head->body.empty());
  for (const auto& h : got.head->headers) {
    for (char c : h.name) {
      EXPECT_FALSE(c >= 'A' && c <= 'Z') << h.name;
    }
  }
  EXPECT_EQ(rec.body(), "data: one\n\ndata: two\n\ndata: three\n\n");
  EXPECT_GE(got.pieces.size(), 2u);
  ASSERT_GE(got.log.size(), 3u);
  EXPECT_EQ(got.log.front(), "head");
  EXPECT_EQ(got.log.back(), "end");
  for (size_t i = 1; i + 1 < got.log.size(); ++i) {
    EXPECT_EQ(got.log[i], "data");
  }
  // The request went out like a fetch's.
  auto seen = fake.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/mcp");
  EXPECT_EQ(seen[0].header("accept"), "text/event-stream");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(fake.port()));
  EXPECT_EQ(seen[0].header("user-agent"), "SageMCP");
  EXPECT_EQ(seen[0].body, R"({"jsonrpc":"2.0"})");
}

TEST(HttpClientStreamTest, ReadsBodiesOfKnownLengthAndBodiesEndedByClosing) {
  for (auto framing : {canned_response::framing::length, canned_response::framing::until_close,
                       canned_response::framing::chunked}) {
    fake_upstream fake{[&](const recorded_request&) {
      return streamed({{std::chrono::milliseconds{0}, "abc"},
                       {std::chrono::milliseconds{30}, std::string(40'000, 'x')},
                       {std::chrono::milliseconds{30}, "end"}},
                      framing);
    }};
    http_client client{loopback()};
    stream_recorder rec;
    auto handle = client.stream({"GET", fake.url() + "/big", {}, {}}, rec.events(),
                                std::chrono::milliseconds{5000});
    ASSERT_TRUE(rec.wait_end());
    auto got = rec.snapshot();
    auto kind = static_cast<int>(framing);
    EXPECT_FALSE(got.error.has_value()) << kind << ": " << got.error->message;
    EXPECT_EQ(rec.body(), "abc" + std::string(40'000, 'x') + "end") << kind;
    // 40 000 bytes do not fit one 16 KiB buffer.
    EXPECT_GE(got.pieces.size(), 4u) << kind;
    if (framing == canned_response::framing::length) {
      EXPECT_EQ(got.head->header("content-length"), "40006");
    }
  }
}

TEST(HttpClientStreamTest, ReadsAWholeBodyAtOnceToo) {
  fake_upstream fake{[](const recorded_request&) {
    return ok("plain answer");
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto handle = client.stream({"GET", fake.url() + "/x", {}, {}}, rec.events(),
                              std::chrono::milliseconds{0});
  ASSERT_TRUE(rec.wait_end());
  EXPECT_FALSE(rec.snapshot().error.has_value());
  EXPECT_EQ(rec.body(), "plain answer");
  EXPECT_EQ(rec.snapshot().head->header("content-length"), "12");
}

TEST(HttpClientStreamTest, ReturnsAFinishedConnectionToThePool) {
  fake_upstream fake{[](const recorded_request& req) {
    return req.path == "/events" ? streamed({{std::chrono::milliseconds{0}, "data: a\n\n"}}) : ok();
  }};
  http_client client{loopback()};
  for (int i = 0; i < 2; ++i) {
    stream_recorder rec;
    auto handle = client.stream({"GET", fake.url() + "/events", {}, {}}, rec.events(),
                                std::chrono::milliseconds{5000});
    ASSERT_TRUE(rec.wait_end());
    EXPECT_FALSE(rec.snapshot().error.has_value());
    EXPECT_EQ(client.idle_connections(), 1u);
  }
  auto result = fetch(client, {"GET", fake.url() + "/x", {}, {}});
  ASSERT_TRUE(std::holds_alternative<http_response>(result));
  EXPECT_EQ(fake.connections(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClientStreamTest, TimesOutWhenTheUpstreamFallsSilent) {
  fake_upstream fake{[](const recorded_request&) {
    return streamed(
      {{std::chrono::milliseconds{0}, "first"}, {std::chrono::milliseconds{1500}, "too late"}});
  }};
  auto options = loopback();
  options.read_timeout = std::chrono::milliseconds{50}; // does not apply to streams
  http_client client{options};
  stream_recorder rec;
  auto started = std::chrono::steady_clock::now();
  auto handle = client.stream({"GET", fake.url() + "/slow", {}, {}}, rec.events(),
                              std::chrono::milliseconds{300});
  ASSERT_TRUE(rec.wait_end());
  auto elapsed = std::chrono::steady_clock::now() - started;
  auto got = rec.snapshot();
  ASSERT_TRUE(got.error.has_value());
  EXPECT_EQ(got.error->kind, fetch_failure::timeout);
  EXPECT_TRUE(got.error->sent);
  EXPECT_TRUE(got.head.has_value());
  EXPECT_EQ(rec.body(), "first");
  EXPECT_EQ(got.ends, 1);
  EXPECT_LT(elapsed, std::chrono::milliseconds{1400});
}

TEST(HttpClientStreamTest, BoundsOnlyTheGapsBetweenPieces) {
  piece_list pieces;
  for (int i = 0; i < 6; ++i) {
    pieces.emplace_back(std::chrono::milliseconds{60}, std::to_string(i));
  }
  fake_upstream fake{[&](const recorded_request&) {
    return streamed(pieces);
  }};
  auto options = loopback();
  options.read_timeout = std::chrono::milliseconds{100}; // shorter than the whole answer
  http_client client{options};
  stream_recorder rec;
  auto handle = client.stream({"GET", fake.url() + "/ticks", {}, {}}, rec.events(),
                              std::chrono::milliseconds{2000});
  ASSERT_TRUE(rec.wait_end());
  auto got = rec.snapshot();
  EXPECT_FALSE(got.error.has_value()) << got.error->message;
  EXPECT_EQ(rec.body(), "012345");
}

TEST(HttpClientStreamTest, ReportsAFailureBeforeTheHeadWithoutAHead) {
  uint16_t closed_port = 0;
  {
    fake_upstream gone;
    closed_port = gone.port();
  }
  http_client client{loopback()};
  stream_recorder rec;
  auto handle
    = client.stream({"GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/", {}, {}},
                    rec.events(), std::chrono::milliseconds{1000});
  ASSERT_TRUE(rec.wait_end());
  auto got = rec.snapshot();
  ASSERT_TRUE(got.error.has_value());
  EXPECT_EQ(got.error->kind, fetch_failure::connect);
  EXPECT_FALSE(got.error->sent);
  EXPECT_FALSE(got.head.has_value());
  EXPECT_EQ(got.log, std::vector<std::string>{"end"});

  stream_recorder bad;
  auto invalid = client.stream({"GET", "ftp://example.com/", {}, {}}, bad.events(),
                               std::chrono::milliseconds{1000});
  ASSERT_TRUE(bad.wait_end());
  ASSERT_TRUE(bad.snapshot().error.has_value());
  EXPECT_EQ(bad.snapshot().error->kind, fetch_failure::invalid_url);
  EXPECT_EQ(bad.snapshot().log, std::vector<std::string>{"end"});

  http_client strict{};
  stream_recorder refused;
  auto denied
    = strict.stream({"GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/", {}, {}},
                    refused.events(), std::chrono::milliseconds{1000});
  ASSERT_TRUE(refused.wait_end());
  EXPECT_EQ(refused.snapshot().error->kind, fetch_failure::refused_address);
}

TEST(HttpClientStreamTest, TimesOutWaitingForTheHead) {
  fake_upstream fake{[](const recorded_request&) {
    auto res = streamed({{std::chrono::milliseconds{0}, "late"}});
    res.delay = std::chrono::milliseconds{1500};
    return res;
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto handle = client.stream({"GET", fake.url() + "/", {}, {}}, rec.events(),
                              std::chrono::milliseconds{200});
  ASSERT_TRUE(rec.wait_end());
  auto got = rec.snapshot();
  ASSERT_TRUE(got.error.has_value());
  EXPECT_EQ(got.error->kind, fetch_failure::timeout);
  EXPECT_TRUE(got.error->sent);
  EXPECT_EQ(got.log, std::vector<std::string>{"end"});
}

TEST(HttpClientStreamTest, CancelStopsEventsAndClosesTheConnection) {
  fake_upstream fake{[](const recorded_request&) {
    auto res = streamed({{std::chrono::milliseconds{0}, "data: first\n\n"}});
    res.hold_open = true;
    return res;
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto handle = client.stream({"GET", fake.url() + "/events", {}, {}}, rec.events(),
                              std::chrono::milliseconds{0});
  ASSERT_TRUE(rec.wait_pieces(1));
  EXPECT_EQ(fake.hangups(), 0u);
  handle->cancel();
  handle->cancel(); // idempotent
  EXPECT_TRUE(eventually([&] {
    return fake.hangups() == 1;
  }));
  // Nothing follows the cancel: no end, no error.
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  auto got = rec.snapshot();
  EXPECT_EQ(got.ends, 0);
  EXPECT_EQ(got.log, (std::vector<std::string>{"head", "data"}));
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClientStreamTest, CancelFromAnEventStopsTheRest) {
  fake_upstream fake{[](const recorded_request&) {
    auto res
      = streamed({{std::chrono::milliseconds{0}, "one"}, {std::chrono::milliseconds{100}, "two"}});
    res.hold_open = true;
    return res;
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto events = rec.events();
  auto handle_slot = std::make_shared<std::promise<std::shared_ptr<http_stream>>>();
  auto handle_future = handle_slot->get_future().share();
  events.on_head = [inner = events.on_head, handle_future](const http_response& head) {
    inner(head);
    // Runs on the client's thread, which must not wait for itself.
    handle_future.get()->cancel();
  };
  auto handle = client.stream({"GET", fake.url() + "/events", {}, {}}, std::move(events),
                              std::chrono::milliseconds{0});
  handle_slot->set_value(handle);
  EXPECT_TRUE(eventually([&] {
    return fake.hangups() == 1;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds{150});
  EXPECT_EQ(rec.snapshot().log, std::vector<std::string>{"head"});
}

TEST(HttpClientStreamTest, CancelIsHarmlessAfterTheEndAndAfterTheClient) {
  fake_upstream fake{[](const recorded_request&) {
    return ok();
  }};
  std::shared_ptr<http_stream> handle;
  {
    http_client client{loopback()};
    stream_recorder rec;
    handle = client.stream({"GET", fake.url() + "/x", {}, {}}, rec.events(),
                           std::chrono::milliseconds{1000});
    ASSERT_TRUE(rec.wait_end());
    handle->cancel();
    EXPECT_EQ(rec.snapshot().ends, 1);
    // The connection went back to the pool before the cancel, which must leave it alone.
    EXPECT_EQ(client.idle_connections(), 1u);
    auto again = fetch(client, {"GET", fake.url() + "/x", {}, {}});
    EXPECT_TRUE(std::holds_alternative<http_response>(again));
    EXPECT_EQ(fake.connections(), 1u);
  }
  handle->cancel();

  std::shared_ptr<http_stream> orphan;
  {
    http_client client{loopback()};
    stream_recorder rec;
    auto held = streamed({{std::chrono::milliseconds{0}, "x"}});
    held.hold_open = true;
    fake.set_handler([held](const recorded_request&) {
      return held;
    });
    orphan = client.stream({"GET", fake.url() + "/x", {}, {}}, rec.events(),
                           std::chrono::milliseconds{0});
    ASSERT_TRUE(rec.wait_pieces(1));
  }
  orphan->cancel();
}

TEST(HttpClientStreamTest, ReportsAnErrorStatusLikeAnyAnswer) {
  fake_upstream fake{[](const recorded_request&) {
    auto res = streamed({{std::chrono::milliseconds{0}, R"({"error":)"},
                         {std::chrono::milliseconds{20}, R"("nope"})"}});
    res.status = 404;
    res.headers = {{"content-type", "application/json"}};
    return res;
  }};
  http_client client{loopback()};
  stream_recorder rec;
  auto handle = client.stream({"GET", fake.url() + "/missing", {}, {}}, rec.events(),
                              std::chrono::milliseconds{2000});
  ASSERT_TRUE(rec.wait_end());
  auto got = rec.snapshot();
  EXPECT_FALSE(got.error.has_value());
  ASSERT_TRUE(got.head.has_value());
  EXPECT_EQ(got.head->status, 404u);
  EXPECT_EQ(rec.body(), R"({"error":"nope"})");
  EXPECT_EQ(got.log.front(), "head");
  EXPECT_EQ(got.log.back(), "end");
}

TEST(HttpClientStreamTest, PostsToTheClientThread) {
  http_client client{loopback()};
  std::promise<std::thread::id> ran;
  client.post([&] {
    ran.set_value(std::this_thread::get_id());
  });
  auto future = ran.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds{10}), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
}

class HttpClientTlsTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir = std::filesystem::temp_directory_path() / ("sagemcp-tls-" + std::to_string(getpid()));
    files = fakes::make_self_signed(dir.string());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(dir);
  }
  static inline std::filesystem::path dir;
  static inline fakes::tls_files files;
};

TEST_F(HttpClientTlsTest, VerifiesCertificatesAndHostNames) {
  fake_upstream fake{[](const recorded_request&) {
                       return ok();
                     },
                     &files};
  auto url = "https://localhost:" + std::to_string(fake.port()) + "/secure";

  http_client untrusting{loopback()};
  auto refused = fetch(untrusting, {"GET", url, {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(refused));
  EXPECT_EQ(std::get<fetch_error>(refused).kind, fetch_failure::tls);
  EXPECT_NE(std::get<fetch_error>(refused).message.find("self-signed"), std::string::npos)
    << std::get<fetch_error>(refused).message;

  auto options = loopback();
  options.ca_file = files.certificate;
  http_client trusting{options};
  auto accepted = fetch(trusting, {"GET", url, {}, {}});
  ASSERT_TRUE(std::holds_alternative<http_response>(accepted))
    << std::get<fetch_error>(accepted).message;
  EXPECT_EQ(std::get<http_response>(accepted).status, 200u);
}

TEST_F(HttpClientTlsTest, RefusesACertificateForAnotherHost) {
  auto other = fakes::make_self_signed((dir / "other").string(), "DNS:other.example");
  fake_upstream fake{[](const recorded_request&) {
                       return ok();
                     },
                     &other};
  auto options = loopback();
  options.ca_file = other.certificate;
  http_client client{options};
  auto wrong = fetch(client,
                     {"GET", "https://localhost:" + std::to_string(fake.port()) + "/", {}, {}});
  ASSERT_TRUE(std::holds_alternative<fetch_error>(wrong));
  EXPECT_EQ(std::get<fetch_error>(wrong).kind, fetch_failure::tls);
  EXPECT_NE(std::get<fetch_error>(wrong).message.find("mismatch"), std::string::npos)
    << std::get<fetch_error>(wrong).message;
}

TEST_F(HttpClientTlsTest, StreamsOverTls) {
  fake_upstream fake{[](const recorded_request&) {
                       return streamed({{std::chrono::milliseconds{0}, "data: a\n\n"},
                                        {std::chrono::milliseconds{20}, "data: b\n\n"}});
                     },
                     &files};
  auto options = loopback();
  options.ca_file = files.certificate;
  http_client client{options};
  stream_recorder rec;
  auto handle
    = client.stream({"GET", "https://localhost:" + std::to_string(fake.port()) + "/events", {}, {}},
                    rec.events(), std::chrono::milliseconds{5000});
  ASSERT_TRUE(rec.wait_end());
  auto got = rec.snapshot();
  EXPECT_FALSE(got.error.has_value()) << got.error->message;
  EXPECT_EQ(rec.body(), "data: a\n\ndata: b\n\n");
}

} // namespace
} // namespace sagemcp::connectors
