#include "connectors/http_client.hpp"

#include "tests/fakes/fake_upstream.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

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

} // namespace
} // namespace sagemcp::connectors
