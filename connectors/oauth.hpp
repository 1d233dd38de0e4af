#pragma once

#include "connectors/http_client.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors::oauth {

// OAuth 2.0 authorization-code providers as data: where each one authorizes, how its token
// endpoint wants to be asked, how it reports the account, and how a grant is revoked.

/// How the client proves itself at the token endpoint.
enum class client_auth : uint8_t {
  /// client_id and client_secret as body parameters.
  body,
  /// HTTP Basic with client_id:client_secret (Notion, Zoom, Bitbucket).
  basic,
};

/// How the token request body is encoded.
enum class body_encoding : uint8_t { form, json };

/// How a grant is revoked at the provider.
enum class revoke_style : uint8_t {
  /// The provider has no revocation endpoint; deleting the credential forgets it locally.
  none,
  /// RFC 7009: POST form `token=…` with the client's authentication.
  rfc7009,
  /// POST with the token as Bearer (Slack auth.revoke, Linear).
  bearer,
  /// GitHub: DELETE /applications/{client_id}/grant, Basic client authentication, JSON body
  /// {"access_token": …}; `{client_id}` in the URL is replaced.
  github_grant,
};

/// Where the account behind a token comes from.
enum class profile_style : uint8_t {
  /// GET the profile URL with the token as Bearer.
  get,
  /// POST a GraphQL query for the viewer (Linear).
  graphql_viewer,
  /// The token response names the account itself (Slack, Notion).
  token_response,
};

/// One name=value parameter.
struct param {
  std::string_view name;
  std::string_view value;
};

/// An OAuth provider.
struct provider {
  /// Stable id, used in URLs and stored with credentials.
  std::string_view id = {};
  std::string_view display_name = {};
  /// Prefix of the operator's settings: `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` and the
  /// endpoint overrides `<PREFIX>_AUTHORIZE_URL`, `_TOKEN_URL`, `_REVOKE_URL`, `_PROFILE_URL`.
  std::string_view env_prefix = {};
  std::string_view authorize_url = {};
  std::string_view token_url = {};
  std::string_view revoke_url = {};
  std::string_view profile_url = {};
  /// The scopes asked for by default: what every connector of the provider needs.
  std::span<const std::string_view> scopes = {};
  char scope_separator = ' ';
  /// The authorization parameter that carries the scopes (`user_scope` for Slack user tokens);
  /// empty when the provider takes none (scopes are set on the app).
  std::string_view scope_param = "scope";
  /// Further authorization parameters (Google's access_type=offline, Atlassian's audience).
  std::span<const param> authorize_params = {};
  client_auth token_auth = client_auth::body;
  body_encoding token_body = body_encoding::form;
  /// Whether the provider takes a PKCE S256 code challenge.
  bool pkce = false;
  /// Dotted path of the object holding the token fields in a code exchange answer; empty for
  /// the top level (Slack's user tokens are under `authed_user`).
  std::string_view token_object = {};
  revoke_style revoke = revoke_style::none;
  profile_style profile = profile_style::get;
  /// Dotted paths of the account id and name, in the profile or the token response.
  std::string_view profile_id = {};
  std::string_view profile_name = {};
  /// The connector types that use the provider's credentials.
  std::span<const std::string_view> connector_types = {};
};

/// Every provider, ordered by id.
std::span<const provider> providers();

/// A provider by its id, or by the type of a connector that uses it (`jira` finds atlassian);
/// nullptr for neither.
const provider* find_provider(std::string_view id_or_connector_type);

/// An OAuth app: what identifies the platform (or a tenant) to a provider.
struct app {
  std::string client_id;
  std::string client_secret;
};

/// A provider's endpoints after the operator's overrides.
struct endpoints {
  std::string authorize;
  std::string token;
  std::string revoke;
  std::string profile;
};

/// Reads an environment variable; returns empty when unset.
using env_reader = std::function<std::string(const std::string&)>;

/// The operator's OAuth settings: an app per provider and endpoint overrides (GitHub
/// Enterprise, self-hosted GitLab), read once at start.
class registry {
public:
  registry() = default;

  /// Reads `<PREFIX>_CLIENT_ID`, `<PREFIX>_CLIENT_SECRET` and the endpoint overrides of every
  /// provider. An override that is no http(s) URL is an error naming the variable.
  static caf::expected<registry> from_environment(const env_reader& env);

  /// The operator's app for a provider; nullopt when it has none.
  [[nodiscard]] std::optional<app> operator_app(const provider& p) const;

  /// The provider's endpoints, overrides applied.
  [[nodiscard]] endpoints endpoints_of(const provider& p) const;

private:
  struct entry {
    std::string id;
    std::optional<app> operator_app;
    endpoints urls;
  };
  std::vector<entry> entries_;
};

/// A PKCE verifier (43 characters of base64url) and its S256 challenge.
struct pkce_pair {
  std::string verifier;
  std::string challenge;
};

/// A fresh PKCE verifier and challenge from `random` (32 bytes of entropy expected).
pkce_pair make_pkce(std::span<const uint8_t> random);

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)), unpadded.
std::string pkce_challenge(std::string_view verifier);

/// The URL the user's browser is sent to. `scopes` replaces the provider's default scopes when
/// not empty; `challenge` is sent when the provider takes PKCE.
std::string authorize_url(const provider& p, const endpoints& urls, const app& client,
                          std::string_view redirect_uri, std::string_view state,
                          std::span<const std::string> scopes, std::string_view challenge);

/// The token request exchanging an authorization code.
http_request code_request(const provider& p, const endpoints& urls, const app& client,
                          std::string_view code, std::string_view redirect_uri,
                          std::string_view verifier);

/// The token request trading a refresh token for a new access token.
http_request refresh_request(const provider& p, const endpoints& urls, const app& client,
                             std::string_view refresh_token);

/// What a token endpoint granted.
struct grant {
  std::string access_token;
  /// Empty when the provider issued none (then the old one stays valid, if any).
  std::string refresh_token;
  std::string token_type;
  /// Space-separated.
  std::string scopes;
  /// Seconds the access token lives; nullopt when the answer does not say.
  std::optional<int64_t> expires_in;
  /// The account, when the token response names it (Slack, Notion).
  std::string account_id;
  std::string account_name;
};

/// Reads a token endpoint's answer. Failures (an HTTP error, an `error` member, Slack's
/// `ok: false`, no access token) are errors whose message carries the provider's own words,
/// never a token.
caf::expected<grant> read_grant(const provider& p, const http_response& response, bool refreshing);

/// The request that asks who the token belongs to; nullopt when the token response said it.
std::optional<http_request> profile_request(const provider& p, const endpoints& urls,
                                            std::string_view access_token);

/// The account id and name from a profile answer; fills `g.account_id` and `g.account_name`.
caf::error read_profile(const provider& p, const http_response& response, grant& g);

/// The request revoking a grant at the provider; nullopt when the provider has no endpoint.
/// `token` is the refresh token when there is one (revoking it ends the whole grant), else the
/// access token.
std::optional<http_request> revoke_request(const provider& p, const endpoints& urls,
                                           const app& client, std::string_view token,
                                           bool is_refresh_token);

/// `application/x-www-form-urlencoded` encoding of parameters.
std::string form_encode(std::span<const std::pair<std::string, std::string>> params);

} // namespace sagemcp::connectors::oauth
