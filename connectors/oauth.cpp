#include "connectors/oauth.hpp"

#include "connectors/http_tool.hpp"
#include "messages/errc.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "security/crypto.hpp"

namespace sagemcp::connectors::oauth {

namespace {

namespace json = boost::json;

using sv = std::string_view;

// Scopes and parameters, provider by provider. Scopes cover every tool of the provider's
// connectors; an administrator may ask for fewer when starting an authorization.

constexpr std::array<sv, 4> github_scopes{"repo", "read:org", "user:email",
                                          "manage_billing:copilot"};
constexpr std::array<sv, 3> gitlab_scopes{"api", "read_user", "read_repository"};
constexpr std::array<sv, 5> bitbucket_scopes{"account", "repository", "pullrequest", "issue",
                                             "pipeline"};
constexpr std::array<sv, 9> atlassian_scopes{"read:jira-work",
                                             "write:jira-work",
                                             "read:jira-user",
                                             "read:confluence-content.all",
                                             "write:confluence-content",
                                             "read:confluence-space.summary",
                                             "search:confluence",
                                             "read:me",
                                             "offline_access"};
constexpr std::array<param, 2> atlassian_params{param{"audience", "api.atlassian.com"},
                                                param{"prompt", "consent"}};
constexpr std::array<sv, 4> linear_scopes{"read", "write", "issues:create", "comments:create"};
constexpr std::array<sv, 11> slack_scopes{"channels:history", "channels:read",  "groups:history",
                                          "groups:read",      "chat:write",     "users:read",
                                          "team:read",        "reactions:read", "reactions:write",
                                          "search:read",      "files:read"};
constexpr std::array<sv, 3> discord_scopes{"identify", "guilds", "guilds.members.read"};
constexpr std::array<sv, 13> microsoft_scopes{"openid",
                                              "profile",
                                              "email",
                                              "offline_access",
                                              "User.Read",
                                              "Mail.ReadWrite",
                                              "Mail.Send",
                                              "ChannelMessage.Send",
                                              "Team.ReadBasic.All",
                                              "Channel.ReadBasic.All",
                                              "Chat.ReadWrite",
                                              "Files.ReadWrite.All",
                                              "Calendars.ReadWrite"};
constexpr std::array<sv, 11> google_scopes{"openid",
                                           "email",
                                           "profile",
                                           "https://www.googleapis.com/auth/documents",
                                           "https://www.googleapis.com/auth/spreadsheets",
                                           "https://www.googleapis.com/auth/presentations",
                                           "https://www.googleapis.com/auth/drive.file",
                                           "https://www.googleapis.com/auth/drive.readonly",
                                           "https://www.googleapis.com/auth/gmail.modify",
                                           "https://www.googleapis.com/auth/gmail.send",
                                           "https://www.googleapis.com/auth/gmail.labels"};
constexpr std::array<param, 3> google_params{param{"access_type", "offline"},
                                             param{"prompt", "consent"},
                                             param{"include_granted_scopes", "true"}};
constexpr std::array<param, 1> notion_params{param{"owner", "user"}};
constexpr std::array<sv, 5> zoom_scopes{"meeting:read", "meeting:write", "recording:read",
                                        "user:read", "cloud_recording:read"};

constexpr std::array<sv, 2> github_types{"github", "copilot"};
constexpr std::array<sv, 1> gitlab_types{"gitlab"};
constexpr std::array<sv, 1> bitbucket_types{"bitbucket"};
constexpr std::array<sv, 2> atlassian_types{"jira", "confluence"};
constexpr std::array<sv, 1> linear_types{"linear"};
constexpr std::array<sv, 1> slack_types{"slack"};
constexpr std::array<sv, 1> discord_types{"discord"};
constexpr std::array<sv, 4> microsoft_types{"teams", "outlook", "excel", "powerpoint"};
constexpr std::array<sv, 4> google_types{"gmail", "google_docs", "google_sheets", "google_slides"};
constexpr std::array<sv, 1> notion_types{"notion"};
constexpr std::array<sv, 1> zoom_types{"zoom"};

constexpr std::array<provider, 11> table{
  provider{.id = "atlassian",
           .display_name = "Atlassian (Jira, Confluence)",
           .env_prefix = "ATLASSIAN",
           .authorize_url = "https://auth.atlassian.com/authorize",
           .token_url = "https://auth.atlassian.com/oauth/token",
           .profile_url = "https://api.atlassian.com/me",
           .scopes = atlassian_scopes,
           .authorize_params = atlassian_params,
           .token_body = body_encoding::json,
           .profile_id = "account_id",
           .profile_name = "email",
           .connector_types = atlassian_types},
  provider{.id = "bitbucket",
           .display_name = "Bitbucket",
           .env_prefix = "BITBUCKET",
           .authorize_url = "https://bitbucket.org/site/oauth2/authorize",
           .token_url = "https://bitbucket.org/site/oauth2/access_token",
           .profile_url = "https://api.bitbucket.org/2.0/user",
           .scopes = bitbucket_scopes,
           .token_auth = client_auth::basic,
           .profile_id = "uuid",
           .profile_name = "username",
           .connector_types = bitbucket_types},
  provider{.id = "discord",
           .display_name = "Discord",
           .env_prefix = "DISCORD",
           .authorize_url = "https://discord.com/oauth2/authorize",
           .token_url = "https://discord.com/api/oauth2/token",
           .revoke_url = "https://discord.com/api/oauth2/token/revoke",
           .profile_url = "https://discord.com/api/v10/users/@me",
           .scopes = discord_scopes,
           .token_auth = client_auth::basic,
           .pkce = true,
           .revoke = revoke_style::rfc7009,
           .profile_id = "id",
           .profile_name = "username",
           .connector_types = discord_types},
  provider{.id = "github",
           .display_name = "GitHub",
           .env_prefix = "GITHUB",
           .authorize_url = "https://github.com/login/oauth/authorize",
           .token_url = "https://github.com/login/oauth/access_token",
           .revoke_url = "https://api.github.com/applications/{client_id}/grant",
           .profile_url = "https://api.github.com/user",
           .scopes = github_scopes,
           .pkce = true,
           .revoke = revoke_style::github_grant,
           .profile_id = "id",
           .profile_name = "login",
           .connector_types = github_types},
  provider{.id = "gitlab",
           .display_name = "GitLab",
           .env_prefix = "GITLAB",
           .authorize_url = "https://gitlab.com/oauth/authorize",
           .token_url = "https://gitlab.com/oauth/token",
           .revoke_url = "https://gitlab.com/oauth/revoke",
           .profile_url = "https://gitlab.com/api/v4/user",
           .scopes = gitlab_scopes,
           .pkce = true,
           .revoke = revoke_style::rfc7009,
           .profile_id = "id",
           .profile_name = "username",
           .connector_types = gitlab_types},
  provider{.id = "google",
           .display_name = "Google (Gmail, Docs, Sheets, Slides)",
           .env_prefix = "GOOGLE",
           .authorize_url = "https://accounts.google.com/o/oauth2/v2/auth",
           .token_url = "https://oauth2.googleapis.com/token",
           .revoke_url = "https://oauth2.googleapis.com/revoke",
           .profile_url = "https://openidconnect.googleapis.com/v1/userinfo",
           .scopes = google_scopes,
           .authorize_params = google_params,
           .pkce = true,
           .revoke = revoke_style::rfc7009,
           .profile_id = "sub",
           .profile_name = "email",
           .connector_types = google_types},
  provider{.id = "linear",
           .display_name = "Linear",
           .env_prefix = "LINEAR",
           .authorize_url = "https://linear.app/oauth/authorize",
           .token_url = "https://api.linear.app/oauth/token",
           .revoke_url = "https://api.linear.app/oauth/revoke",
           .profile_url = "https://api.linear.app/graphql",
           .scopes = linear_scopes,
           .scope_separator = ',',
           .pkce = true,
           .revoke = revoke_style::bearer,
           .profile = profile_style::graphql_viewer,
           .profile_id = "data.viewer.id",
           .profile_name = "data.viewer.email",
           .connector_types = linear_types},
  provider{.id = "microsoft",
           .display_name = "Microsoft 365 (Teams, Outlook, Excel, PowerPoint)",
           .env_prefix = "MICROSOFT",
           .authorize_url = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
           .token_url = "https://login.microsoftonline.com/common/oauth2/v2.0/token",
           .profile_url = "https://graph.microsoft.com/v1.0/me",
           .scopes = microsoft_scopes,
           .pkce = true,
           .profile_id = "id",
           .profile_name = "userPrincipalName",
           .connector_types = microsoft_types},
  provider{.id = "notion",
           .display_name = "Notion",
           .env_prefix = "NOTION",
           .authorize_url = "https://api.notion.com/v1/oauth/authorize",
           .token_url = "https://api.notion.com/v1/oauth/token",
           .scope_param = "",
           .authorize_params = notion_params,
           .token_auth = client_auth::basic,
           .token_body = body_encoding::json,
           .profile = profile_style::token_response,
           .profile_id = "owner.user.id",
           .profile_name = "workspace_name",
           .connector_types = notion_types},
  provider{.id = "slack",
           .display_name = "Slack",
           .env_prefix = "SLACK",
           .authorize_url = "https://slack.com/oauth/v2/authorize",
           .token_url = "https://slack.com/api/oauth.v2.access",
           .revoke_url = "https://slack.com/api/auth.revoke",
           .scopes = slack_scopes,
           .scope_separator = ',',
           .scope_param = "user_scope",
           .token_object = "authed_user",
           .revoke = revoke_style::bearer,
           .profile = profile_style::token_response,
           .profile_id = "authed_user.id",
           .profile_name = "team.name",
           .connector_types = slack_types},
  provider{.id = "zoom",
           .display_name = "Zoom",
           .env_prefix = "ZOOM",
           .authorize_url = "https://zoom.us/oauth/authorize",
           .token_url = "https://zoom.us/oauth/token",
           .revoke_url = "https://zoom.us/oauth/revoke",
           .profile_url = "https://api.zoom.us/v2/users/me",
           .scopes = zoom_scopes,
           .token_auth = client_auth::basic,
           .pkce = true,
           .revoke = revoke_style::rfc7009,
           .profile_id = "id",
           .profile_name = "email",
           .connector_types = zoom_types},
};

constexpr bool ordered_by_id() {
  for (size_t i = 1; i < table.size(); ++i) {
    if (!(table[i - 1].id < table[i].id)) {
      return false;
    }
  }
  return true;
}

static_assert(ordered_by_id(), "providers are ordered by id");

// Whether an endpoint is an http(s) URL; GitHub's revocation URL may hold `{client_id}`.
bool is_http_url(std::string_view endpoint) {
  std::string text{endpoint};
  if (auto at = text.find("{client_id}"); at != std::string::npos) {
    text.replace(at, 11, "client");
  }
  auto url = boost::urls::parse_absolute_uri(text);
  return url && (url->scheme() == "https" || url->scheme() == "http") && url->has_authority()
         && !url->host().empty();
}

std::string encode_component(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string joined_scopes(const provider& p, std::span<const std::string> scopes) {
  std::string out;
  auto add = [&](std::string_view scope) {
    if (!out.empty()) {
      out += p.scope_separator;
    }
    out += scope;
  };
  if (scopes.empty()) {
    for (auto scope : p.scopes) {
      add(scope);
    }
  } else {
    for (const auto& scope : scopes) {
      add(scope);
    }
  }
  return out;
}

using param_list = std::vector<std::pair<std::string, std::string>>;

// A token endpoint request with the provider's body encoding and client authentication.
http_request token_request(const provider& p, const endpoints& urls, const app& client,
                           param_list params) {
  http_request request;
  request.method = "POST";
  request.url = urls.token;
  // GitHub answers form-encoded text unless asked for JSON.
  request.headers.push_back({"Accept", "application/json"});
  if (p.token_auth == client_auth::basic) {
    request.headers.push_back(
      {"Authorization", basic_credentials(client.client_id, client.client_secret)});
  } else {
    params.emplace_back("client_id", client.client_id);
    params.emplace_back("client_secret", client.client_secret);
  }
  if (p.token_body == body_encoding::json) {
    json::object body;
    for (auto& [name, value] : params) {
      body[name] = value;
    }
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = json::serialize(body);
  } else {
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = form_encode(params);
  }
  return request;
}

std::string text_at(const json::value& root, std::string_view path) {
  const auto* found = path.empty() ? &root : at_path(root, path);
  if (found == nullptr) {
    return {};
  }
  if (found->is_string()) {
    return std::string{found->get_string()};
  }
  if (found->is_int64() || found->is_uint64()) {
    return json::serialize(*found);
  }
  return {};
}

std::optional<int64_t> seconds_at(const json::object& object, std::string_view name) {
  const auto* found = object.if_contains(name);
  if (found == nullptr) {
    return std::nullopt;
  }
  if (found->is_int64()) {
    return found->get_int64();
  }
  if (found->is_uint64()) {
    return static_cast<int64_t>(std::min<uint64_t>(found->get_uint64(), INT64_MAX));
  }
  if (found->is_double() && std::isfinite(found->get_double())) {
    return static_cast<int64_t>(found->get_double());
  }
  if (found->is_string()) {
    // Some providers send numbers as strings.
    const auto& s = found->get_string();
    int64_t value = 0;
    for (char c : s) {
      if (c < '0' || c > '9' || value > INT64_MAX / 10 - 10) {
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
    }
    return s.empty() ? std::nullopt : std::optional<int64_t>{value};
  }
  return std::nullopt;
}

// The provider's own account of an error, short and free of control characters.
std::string provider_words(const json::value& body) {
  std::string words;
  if (const auto* object = body.if_object()) {
    for (const auto* name : {"error_description", "error", "message", "errorMessage"}) {
      if (const auto* value = object->if_contains(name); value != nullptr && value->is_string()) {
        if (!words.empty()) {
          words += ": ";
        }
        words += value->get_string();
        if (words.size() > 200) {
          break;
        }
      }
    }
  }
  if (words.size() > 300) {
    words.resize(300);
  }
  std::replace_if(
    words.begin(), words.end(),
    [](char c) {
      return static_cast<unsigned char>(c) < 0x20;
    },
    ' ');
  return words;
}

caf::error provider_error(const provider& p, std::string_view what, unsigned status,
                          const std::string& words) {
  std::string message{p.display_name};
  message += " refused the ";
  message += what;
  if (status != 0) {
    message += " (HTTP " + std::to_string(status) + ")";
  }
  if (!words.empty()) {
    message += ": " + words;
  }
  return make_error(errc::upstream_failure, std::move(message));
}

} // namespace

std::span<const provider> providers() {
  return table;
}

const provider* find_provider(std::string_view id_or_connector_type) {
  for (const auto& p : table) {
    if (p.id == id_or_connector_type) {
      return &p;
    }
  }
  for (const auto& p : table) {
    if (std::find(p.connector_types.begin(), p.connector_types.end(), id_or_connector_type)
        != p.connector_types.end()) {
      return &p;
    }
  }
  return nullptr;
}

caf::expected<registry> registry::from_environment(const env_reader& env) {
  registry out;
  for (const auto& p : table) {
    entry e;
    e.id = std::string{p.id};
    auto prefix = std::string{p.env_prefix};
    auto id = env(prefix + "_CLIENT_ID");
    auto secret = env(prefix + "_CLIENT_SECRET");
    if (!id.empty() && !secret.empty()) {
      e.operator_app = app{std::move(id), std::move(secret)};
    } else if (!id.empty() || !secret.empty()) {
      std::string message = prefix;
      message += "_CLIENT_ID and ";
      message += prefix;
      message += "_CLIENT_SECRET must be set together";
      return make_error(errc::invalid_argument, std::move(message));
    }
    struct override_def {
      const char* suffix;
      std::string_view fallback;
      std::string* target;
    };
    std::array overrides{override_def{"_AUTHORIZE_URL", p.authorize_url, &e.urls.authorize},
                         override_def{"_TOKEN_URL", p.token_url, &e.urls.token},
                         override_def{"_REVOKE_URL", p.revoke_url, &e.urls.revoke},
                         override_def{"_PROFILE_URL", p.profile_url, &e.urls.profile}};
    for (auto& o : overrides) {
      auto name = prefix + o.suffix;
      auto value = env(name);
      if (value.empty()) {
        *o.target = std::string{o.fallback};
      } else if (!is_http_url(value)) {
        return make_error(errc::invalid_argument, name + " must be an http(s) URL");
      } else {
        *o.target = std::move(value);
      }
    }
    out.entries_.push_back(std::move(e));
  }
  return out;
}

std::optional<app> registry::operator_app(const provider& p) const {
  for (const auto& e : entries_) {
    if (e.id == p.id) {
      return e.operator_app;
    }
  }
  return std::nullopt;
}

endpoints registry::endpoints_of(const provider& p) const {
  for (const auto& e : entries_) {
    if (e.id == p.id) {
      return e.urls;
    }
  }
  return endpoints{std::string{p.authorize_url}, std::string{p.token_url},
                   std::string{p.revoke_url}, std::string{p.profile_url}};
}

std::string pkce_challenge(std::string_view verifier) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return security::base64url_encode(std::span<const uint8_t>{digest.data(), size});
}

pkce_pair make_pkce(std::span<const uint8_t> random) {
  pkce_pair out;
  out.verifier = security::base64url_encode(random);
  out.challenge = pkce_challenge(out.verifier);
  return out;
}

std::string form_encode(std::span<const std::pair<std::string, std::string>> params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += encode_component(name);
    out += '=';
    out += encode_component(value);
  }
  return out;
}

std::string authorize_url(const provider& p, const endpoints& urls, const app& client,
                          std::string_view redirect_uri, std::string_view state,
                          std::span<const std::string> scopes, std::string_view challenge) {
  boost::urls::url url{urls.authorize};
  auto params = url.params();
  params.append({"client_id", client.client_id});
  params.append({"redirect_uri", redirect_uri});
  params.append({"response_type", "code"});
  if (!p.scope_param.empty()) {
    auto joined = joined_scopes(p, scopes);
    if (!joined.empty()) {
      params.append({p.scope_param, joined});
    }
  }
  params.append({"state", state});
  if (p.pkce && !challenge.empty()) {
    params.append({"code_challenge", challenge});
    params.append({"code_challenge_method", "S256"});
  }
  for (const auto& extra : p.authorize_params) {
    params.append({extra.name, extra.value});
  }
  return std::string{url.buffer()};
}

http_request code_request(const provider& p, const endpoints& urls, const app& client,
                          std::string_view code, std::string_view redirect_uri,
                          std::string_view verifier) {
  param_list params{{"grant_type", "authorization_code"},
                    {"code", std::string{code}},
                    {"redirect_uri", std::string{redirect_uri}}};
  if (p.pkce && !verifier.empty()) {
    params.emplace_back("code_verifier", std::string{verifier});
  }
  return token_request(p, urls, client, std::move(params));
}

http_request refresh_request(const provider& p, const endpoints& urls, const app& client,
                             std::string_view refresh_token) {
  return token_request(p, urls, client,
                       {{"grant_type", "refresh_token"},
                        {"refresh_token", std::string{refresh_token}}});
}

caf::expected<grant> read_grant(const provider& p, const http_response& response, bool refreshing) {
  std::string_view what = refreshing ? "token refresh" : "authorization code";
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  if (ec || !body.is_object()) {
    if (response.status < 200 || response.status >= 300) {
      return provider_error(p, what, response.status, {});
    }
    return make_error(errc::upstream_failure,
                      std::string{p.display_name} + " answered the token request with no JSON");
  }
  const auto& object = body.get_object();
  auto words = provider_words(body);
  bool slack_failed = object.contains("ok") && object.at("ok").is_bool()
                      && !object.at("ok").get_bool();
  if (response.status < 200 || response.status >= 300 || slack_failed
      || (object.contains("error") && !object.contains("access_token"))) {
    return provider_error(p, what, response.status, words);
  }
  // Slack puts a user token under authed_user; a refresh answer has it at the top level.
  const json::object* fields = &object;
  if (!p.token_object.empty()) {
    if (const auto* nested = at_path(body, p.token_object);
        nested != nullptr && nested->is_object() && nested->get_object().contains("access_token")) {
      fields = &nested->get_object();
    }
  }
  grant out;
  json::value view(*fields);
  out.access_token = text_at(view, "access_token");
  if (out.access_token.empty()) {
    return make_error(errc::upstream_failure,
                      std::string{p.display_name} + " granted no access token");
  }
  out.refresh_token = text_at(view, "refresh_token");
  out.token_type = text_at(view, "token_type");
  if (out.token_type.empty()) {
    out.token_type = "bearer";
  }
  out.scopes = text_at(view, "scope");
  std::replace(out.scopes.begin(), out.scopes.end(), ',', ' ');
  out.expires_in = seconds_at(*fields, "expires_in");
  if (p.profile == profile_style::token_response) {
    out.account_id = text_at(body, p.profile_id);
    out.account_name = text_at(body, p.profile_name);
  }
  return out;
}

std::optional<http_request> profile_request(const provider& p, const endpoints& urls,
                                            std::string_view access_token) {
  if (p.profile == profile_style::token_response || urls.profile.empty()) {
    return std::nullopt;
  }
  http_request request;
  request.url = urls.profile;
  request.headers.push_back({"Authorization", "Bearer " + std::string{access_token}});
  request.headers.push_back({"Accept", "application/json"});
  if (p.profile == profile_style::graphql_viewer) {
    request.method = "POST";
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = R"({"query":"{ viewer { id name email } }"})";
  }
  return request;
}

caf::error read_profile(const provider& p, const http_response& response, grant& g) {
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  if (response.status < 200 || response.status >= 300) {
    return provider_error(p, "profile request", response.status,
                          ec ? std::string{} : provider_words(body));
  }
  if (ec) {
    return make_error(errc::upstream_failure,
                      std::string{p.display_name} + " answered the profile request with no JSON");
  }
  g.account_id = text_at(body, p.profile_id);
  g.account_name = text_at(body, p.profile_name);
  if (g.account_id.empty()) {
    return make_error(errc::upstream_failure,
                      std::string{p.display_name} + " did not say which account the token is for");
  }
  return {};
}

std::optional<http_request> revoke_request(const provider& p, const endpoints& urls,
                                           const app& client, std::string_view token,
                                           bool is_refresh_token) {
  if (p.revoke == revoke_style::none || urls.revoke.empty()) {
    return std::nullopt;
  }
  http_request request;
  request.method = "POST";
  request.url = urls.revoke;
  request.headers.push_back({"Accept", "application/json"});
  switch (p.revoke) {
    case revoke_style::none:
      return std::nullopt;
    case revoke_style::rfc7009: {
      param_list params{{"token", std::string{token}},
                        {"token_type_hint", is_refresh_token ? "refresh_token" : "access_token"}};
      if (p.token_auth == client_auth::basic) {
        request.headers.push_back(
          {"Authorization", basic_credentials(client.client_id, client.client_secret)});
      } else {
        params.emplace_back("client_id", client.client_id);
        params.emplace_back("client_secret", client.client_secret);
      }
      request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
      request.body = form_encode(params);
      break;
    }
    case revoke_style::bearer:
      request.headers.push_back({"Authorization", "Bearer " + std::string{token}});
      break;
    case revoke_style::github_grant: {
      request.method = "DELETE";
      auto at = request.url.find("{client_id}");
      if (at != std::string::npos) {
        request.url.replace(at, 11, encode_component(client.client_id));
      }
      request.headers.push_back(
        {"Authorization", basic_credentials(client.client_id, client.client_secret)});
      request.headers.push_back({"Content-Type", "application/json"});
      request.body = json::serialize(json::object{{"access_token", token}});
      break;
    }
  }
  return request;
}

} // namespace sagemcp::connectors::oauth
