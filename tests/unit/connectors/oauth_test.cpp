#include "connectors/oauth.hpp"

#include "connectors/http_tool.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sagemcp::connectors::oauth {
namespace {

const app client{"the-client", "the-secret"};

const provider& named(std::string_view id) {
  const auto* p = find_provider(id);
  EXPECT_NE(p, nullptr) << id;
  return *p;
}

endpoints urls_of(const provider& p) {
  return registry{}.endpoints_of(p);
}

std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  auto parsed = boost::urls::parse_uri(url);
  EXPECT_TRUE(parsed.has_value()) << url;
  for (auto param : parsed->params()) {
    out[param.key] = param.value;
  }
  return out;
}

std::map<std::string, std::string> form_of(const std::string& body) {
  return query_of("https://x/?" + body);
}

std::string header_of(const http_request& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (h.name == name) {
      return h.value;
    }
  }
  return {};
}

http_response answer(unsigned status, std::string body) {
  http_response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(OAuthProviders, CoverEveryProviderAndConnectorType) {
  std::vector<std::string> ids;
  for (const auto& p : providers()) {
    ids.emplace_back(p.id);
    EXPECT_TRUE(p.authorize_url.starts_with("https://")) << p.id;
    EXPECT_TRUE(p.token_url.starts_with("https://")) << p.id;
    EXPECT_FALSE(p.env_prefix.empty()) << p.id;
    EXPECT_FALSE(p.connector_types.empty()) << p.id;
    EXPECT_FALSE(p.profile_id.empty()) << p.id;
    EXPECT_EQ(p.revoke == revoke_style::none, p.revoke_url.empty()) << p.id;
  }
  EXPECT_EQ(ids,
            (std::vector<std::string>{"atlassian", "bitbucket", "discord", "github", "gitlab",
                                      "google", "linear", "microsoft", "notion", "slack", "zoom"}));
  EXPECT_EQ(find_provider("jira")->id, "atlassian");
  EXPECT_EQ(find_provider("gmail")->id, "google");
  EXPECT_EQ(find_provider("teams")->id, "microsoft");
  EXPECT_EQ(find_provider("copilot")->id, "github");
  EXPECT_EQ(find_provider("myspace"), nullptr);
}

TEST(OAuthProviders, EveryOAuthConnectorNamesAKnownProvider) {
  for (const auto& spec : connector_types()) {
    if (spec->api != nullptr && !spec->api->oauth_provider.empty()) {
      EXPECT_NE(find_provider(spec->api->oauth_provider), nullptr) << spec->type;
    }
  }
}

TEST(OAuthAuthorize, BuildsTheAuthorizationUrlWithPkceAndState) {
  const auto& github = named("github");
  auto url = authorize_url(github, urls_of(github), client, "https://mcp.example.com/cb", "st.ate",
                           {}, "challenge123");
  EXPECT_TRUE(url.starts_with("https://github.com/login/oauth/authorize?"));
  auto q = query_of(url);
  EXPECT_EQ(q["client_id"], "the-client");
  EXPECT_EQ(q["redirect_uri"], "https://mcp.example.com/cb");
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["state"], "st.ate");
  EXPECT_EQ(q["scope"], "repo read:org user:email manage_billing:copilot");
  EXPECT_EQ(q["code_challenge"], "challenge123");
  EXPECT_EQ(q["code_challenge_method"], "S256");
}

TEST(OAuthAuthorize, SendsEachProvidersOwnParameters) {
  const auto& slack = named("slack");
  auto q = query_of(authorize_url(slack, urls_of(slack), client, "r", "s", {}, "c"));
  EXPECT_EQ(q.count("scope"), 0U);
  EXPECT_TRUE(q["user_scope"].starts_with("channels:history,channels:read,"));
  EXPECT_EQ(q.count("code_challenge"), 0U) << "Slack takes no PKCE";

  const auto& google = named("google");
  q = query_of(authorize_url(google, urls_of(google), client, "r", "s", {}, "c"));
  EXPECT_EQ(q["access_type"], "offline");
  EXPECT_EQ(q["prompt"], "consent");

  const auto& atlassian = named("atlassian");
  q = query_of(authorize_url(atlassian, urls_of(atlassian), client, "r", "s", {}, "c"));
  EXPECT_EQ(q["audience"], "api.atlassian.com");
  EXPECT_NE(q["scope"].find("offline_access"), std::string::npos);

  const auto& notion = named("notion");
  q = query_of(authorize_url(notion, urls_of(notion), client, "r", "s", {}, "c"));
  EXPECT_EQ(q["owner"], "user");
  EXPECT_EQ(q.count("scope"), 0U);

  const auto& linear = named("linear");
  std::vector<std::string> asked{"read", "issues:create"};
  q = query_of(authorize_url(linear, urls_of(linear), client, "r", "s", asked, "c"));
  EXPECT_EQ(q["scope"], "read,issues:create");
}

TEST(OAuthPkce, ChallengeIsTheUnpaddedBase64urlSha256) {
  // SHA-256("abc") is ba7816bf…f20015ad (FIPS 180-2).
  EXPECT_EQ(pkce_challenge("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  std::array<uint8_t, 32> random{};
  auto pair = make_pkce(random);
  EXPECT_EQ(pair.verifier.size(), 43U);
  EXPECT_EQ(pair.challenge, pkce_challenge(pair.verifier));
}

TEST(OAuthToken, GitHubSendsTheClientInTheFormAndAsksForJson) {
  const auto& github = named("github");
  auto request = code_request(github, urls_of(github), client, "the code", "https://r/cb", "ver");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://github.com/login/oauth/access_token");
  EXPECT_EQ(header_of(request, "Accept"), "application/json");
  EXPECT_EQ(header_of(request, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(header_of(request, "Authorization"), "");
  auto form = form_of(request.body);
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "the code");
  EXPECT_EQ(form["redirect_uri"], "https://r/cb");
  EXPECT_EQ(form["code_verifier"], "ver");
  EXPECT_EQ(form["client_id"], "the-client");
  EXPECT_EQ(form["client_secret"], "the-secret");
}

TEST(OAuthToken, NotionAndZoomUseBasicAuthentication) {
  const auto& notion = named("notion");
  auto request = code_request(notion, urls_of(notion), client, "c", "https://r/cb", "");
  EXPECT_EQ(header_of(request, "Authorization"), basic_credentials("the-client", "the-secret"));
  EXPECT_EQ(header_of(request, "Content-Type"), "application/json");
  auto body = boost::json::parse(request.body).as_object();
  EXPECT_EQ(body.at("grant_type"), "authorization_code");
  EXPECT_FALSE(body.contains("client_secret"));

  const auto& zoom = named("zoom");
  auto refresh = refresh_request(zoom, urls_of(zoom), client, "rt");
  EXPECT_EQ(header_of(refresh, "Authorization"), basic_credentials("the-client", "the-secret"));
  auto form = form_of(refresh.body);
  EXPECT_EQ(form["grant_type"], "refresh_token");
  EXPECT_EQ(form["refresh_token"], "rt");
  EXPECT_EQ(form.count("client_secret"), 0U);
}

TEST(OAuthToken, ReadsGrantsAndTheProvidersErrors) {
  const auto& gitlab = named("gitlab");
  auto g = read_grant(gitlab,
                      answer(200, R"({"access_token":"a","refresh_token":"r","expires_in":7200,)"
                                  R"("token_type":"Bearer","scope":"api read_user"})"),
                      false);
  ASSERT_TRUE(g) << message_of(g.error());
  EXPECT_EQ(g->access_token, "a");
  EXPECT_EQ(g->refresh_token, "r");
  EXPECT_EQ(g->expires_in, 7200);
  EXPECT_EQ(g->scopes, "api read_user");

  auto refused = read_grant(
    gitlab, answer(400, R"({"error":"invalid_grant","error_description":"The code expired"})"),
    false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(code_of(refused.error()), errc::upstream_failure);
  EXPECT_NE(message_of(refused.error()).find("The code expired"), std::string::npos);

  // GitHub reports errors with HTTP 200.
  auto github_error = read_grant(named("github"),
                                 answer(200, R"({"error":"bad_verification_code"})"), false);
  EXPECT_FALSE(github_error);
  EXPECT_FALSE(read_grant(gitlab, answer(200, "access_token=a&scope=x"), false));
  EXPECT_FALSE(read_grant(gitlab, answer(200, R"({"token_type":"bearer"})"), false));
}

TEST(OAuthToken, ReadsSlackUserTokensAndItsOkFalse) {
  const auto& slack = named("slack");
  auto g = read_grant(slack,
                      answer(200, R"({"ok":true,"team":{"id":"T1","name":"Acme"},)"
                                  R"("authed_user":{"id":"U1","access_token":"xoxp-1",)"
                                  R"("scope":"channels:read,chat:write","token_type":"user"}})"),
                      false);
  ASSERT_TRUE(g) << message_of(g.error());
  EXPECT_EQ(g->access_token, "xoxp-1");
  EXPECT_EQ(g->scopes, "channels:read chat:write");
  EXPECT_EQ(g->account_id, "U1");
  EXPECT_EQ(g->account_name, "Acme");
  auto refused = read_grant(slack, answer(200, R"({"ok":false,"error":"invalid_code"})"), false);
  ASSERT_FALSE(refused);
  EXPECT_NE(message_of(refused.error()).find("invalid_code"), std::string::npos);
}

TEST(OAuthProfile, ReadsTheAccountOrSaysItCannot) {
  const auto& linear = named("linear");
  auto request = profile_request(linear, urls_of(linear), "tok");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(header_of(*request, "Authorization"), "Bearer tok");
  grant g;
  EXPECT_FALSE(
    read_profile(linear, answer(200, R"({"data":{"viewer":{"id":"u-1","email":"a@b.c"}}})"), g));
  EXPECT_EQ(g.account_id, "u-1");
  EXPECT_EQ(g.account_name, "a@b.c");
  EXPECT_TRUE(read_profile(linear, answer(401, R"({"message":"no"})"), g));
  EXPECT_FALSE(profile_request(named("notion"), urls_of(named("notion")), "tok"));
}

TEST(OAuthRevoke, FollowsEachProvidersStyle) {
  const auto& github = named("github");
  auto request = revoke_request(github, urls_of(github), client, "gho_1", false);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "DELETE");
  EXPECT_EQ(request->url, "https://api.github.com/applications/the-client/grant");
  EXPECT_EQ(header_of(*request, "Authorization"), basic_credentials("the-client", "the-secret"));
  EXPECT_EQ(boost::json::parse(request->body).at("access_token"), "gho_1");

  const auto& google = named("google");
  request = revoke_request(google, urls_of(google), client, "rt", true);
  ASSERT_TRUE(request);
  auto form = form_of(request->body);
  EXPECT_EQ(form["token"], "rt");
  EXPECT_EQ(form["token_type_hint"], "refresh_token");

  const auto& slack = named("slack");
  request = revoke_request(slack, urls_of(slack), client, "xoxp", false);
  ASSERT_TRUE(request);
  EXPECT_EQ(header_of(*request, "Authorization"), "Bearer xoxp");

  EXPECT_FALSE(revoke_request(named("atlassian"), urls_of(named("atlassian")), client, "t", true));
}

TEST(OAuthRegistry, ReadsAppsAndOverridesFromTheEnvironment) {
  std::map<std::string, std::string> env{{"GITLAB_CLIENT_ID", "id"},
                                         {"GITLAB_CLIENT_SECRET", "secret"},
                                         {"GITLAB_AUTHORIZE_URL",
                                          "https://gitlab.example.com/oauth/authorize"}};
  auto reader = [&](const std::string& name) {
    auto i = env.find(name);
    return i == env.end() ? std::string{} : i->second;
  };
  auto reg = registry::from_environment(reader);
  ASSERT_TRUE(reg) << message_of(reg.error());
  const auto& gitlab = named("gitlab");
  ASSERT_TRUE(reg->operator_app(gitlab));
  EXPECT_EQ(reg->operator_app(gitlab)->client_secret, "secret");
  EXPECT_EQ(reg->endpoints_of(gitlab).authorize, "https://gitlab.example.com/oauth/authorize");
  EXPECT_EQ(reg->endpoints_of(gitlab).token, "https://gitlab.com/oauth/token");
  EXPECT_FALSE(reg->operator_app(named("github")));

  env["SLACK_CLIENT_ID"] = "only-the-id";
  EXPECT_FALSE(registry::from_environment(reader));
  env.erase("SLACK_CLIENT_ID");
  env["ZOOM_TOKEN_URL"] = "ftp://zoom";
  auto bad = registry::from_environment(reader);
  ASSERT_FALSE(bad);
  EXPECT_NE(message_of(bad.error()).find("ZOOM_TOKEN_URL"), std::string::npos);
}

} // namespace
} // namespace sagemcp::connectors::oauth
