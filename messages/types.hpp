#pragma once

#include <caf/meta/type_name.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp {

/// API key scopes; a larger value includes every smaller one.
enum class scope : uint8_t {
  tenant_user = 1,
  tenant_admin = 2,
  platform_admin = 3,
};

/// The wire name of a scope (`platform_admin`, `tenant_admin`, `tenant_user`).
std::string_view to_string(scope x);

/// Parses a scope's wire name.
std::optional<scope> parse_scope(std::string_view name);

/// The RFC 5424 severities MCP log messages use, least severe first.
inline constexpr std::array<std::string_view, 8> log_levels{
  "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

/// The rank of a log level in log_levels; nullopt for a name that is no level.
std::optional<size_t> log_level_rank(std::string_view level);

/// The authenticated caller of a request.
/// The key id of every caller while authentication is off.
inline constexpr std::string_view anonymous_key_id = "anonymous";

struct principal {
  /// The API key's id, or anonymous_key_id when authentication is off.
  std::string key_id;
  scope role = scope::tenant_user;
  /// The tenant a tenant-scoped key belongs to; empty for platform keys.
  std::string tenant_id;
  std::string tenant_slug;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("principal"), x.key_id, x.role, x.tenant_id, x.tenant_slug);
}

/// A row of the `tenants` table.
struct tenant_row {
  std::string id;
  std::string slug;
  std::string name;
  std::string description;
  std::string contact_email;
  bool is_active = true;
  std::string created_at;
  std::string updated_at;
  /// Requests per minute the tenant may make on its MCP endpoints (0: unlimited); negative
  /// means the server's default (RATE_LIMIT_RPM).
  int32_t rate_limit_rpm = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_row& x) {
  return f(caf::meta::type_name("tenant_row"), x.id, x.slug, x.name, x.description, x.contact_email,
           x.is_active, x.created_at, x.updated_at, x.rate_limit_rpm);
}

/// A row of the `connectors` table; JSON-valued columns hold raw JSON text.
struct connector_row {
  std::string id;
  std::string tenant_id;
  std::string connector_type;
  std::string name;
  std::string description;
  bool is_enabled = true;
  /// JSON object text; "{}" when empty.
  std::string configuration = "{}";
  std::string runtime_type = "native";
  /// JSON array text, empty when absent.
  std::string runtime_command;
  /// JSON object text; "{}" when empty.
  std::string runtime_env = "{}";
  std::string package_path;
  std::string created_at;
  std::string updated_at;
  /// The tools its tool policy disables (sorted); filled in by tenant snapshots only.
  std::vector<std::string> disabled_tools;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connector_row& x) {
  return f(caf::meta::type_name("connector_row"), x.id, x.tenant_id, x.connector_type, x.name,
           x.description, x.is_enabled, x.configuration, x.runtime_type, x.runtime_command,
           x.runtime_env, x.package_path, x.created_at, x.updated_at, x.disabled_tools);
}

/// A row of the `connector_tool_states` table: a tool policy entry (a missing row means the
/// tool is enabled).
struct tool_state_row {
  std::string connector_id;
  std::string tool_name;
  bool is_enabled = true;
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_state_row& x) {
  return f(caf::meta::type_name("tool_state_row"), x.connector_id, x.tool_name, x.is_enabled,
           x.updated_at);
}

/// A row of the `api_keys` table; the key itself is never stored, only its keyed hash.
struct api_key_row {
  std::string id;
  std::string name;
  std::string key_prefix;
  std::string key_hash;
  scope role = scope::tenant_user;
  std::string tenant_id;
  /// Joined from `tenants` on reads; not a column.
  std::string tenant_slug;
  bool is_active = true;
  std::string expires_at;
  std::string last_used_at;
  std::string created_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_key_row& x) {
  return f(caf::meta::type_name("api_key_row"), x.id, x.name, x.key_prefix, x.key_hash, x.role,
           x.tenant_id, x.tenant_slug, x.is_active, x.expires_at, x.last_used_at, x.created_at);
}

/// A row of the `audit_log` table: one admin change. It names who made it, what route and what
/// it touched, never the values it wrote (which may be secrets).
struct audit_row {
  std::string id;
  /// When the change was acknowledged (ISO-8601 UTC).
  std::string at;
  /// The key that made it (`anonymous` when authentication is off) and its scope.
  std::string actor_key_id;
  std::string actor_scope;
  /// The tenant it concerns; empty for platform-wide changes.
  std::string tenant_slug;
  /// The route: method and template, such as `DELETE /api/v1/admin/tenants/{tenant}`.
  std::string action;
  /// JSON object: the route parameters and the id of a created entity.
  std::string target;
  /// JSON object: the HTTP status, the request id and the names of the fields the body set.
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_row& x) {
  return f(caf::meta::type_name("audit_row"), x.id, x.at, x.actor_key_id, x.actor_scope,
           x.tenant_slug, x.action, x.target, x.detail);
}

/// A row of the `oauth_credentials` table: an account a tenant, or one of its principals,
/// connected through an OAuth provider. Tokens are stored sealed (keyring context
/// `oauth_credentials.<column>:<tenant id>`) and never leave the server.
struct oauth_credential_row {
  std::string id;
  std::string tenant_id;
  /// The provider id (`github`, `atlassian`, ...).
  std::string provider;
  /// Empty for the tenant's own credential; the API key id of the principal for a personal one.
  std::string owner;
  std::string provider_user_id;
  std::string provider_username;
  /// Sealed.
  std::string access_token;
  /// Sealed; empty when the provider issued none.
  std::string refresh_token;
  std::string token_type;
  /// The scopes the provider granted, space-separated.
  std::string scopes;
  /// When the access token expires (ISO-8601 UTC); empty when it does not.
  std::string expires_at;
  std::string created_at;
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, oauth_credential_row& x) {
  return f(caf::meta::type_name("oauth_credential_row"), x.id, x.tenant_id, x.provider, x.owner,
           x.provider_user_id, x.provider_username, x.access_token, x.refresh_token, x.token_type,
           x.scopes, x.expires_at, x.created_at, x.updated_at);
}

/// A row of the `oauth_configs` table: a tenant's own OAuth app for a provider, used instead of
/// the operator's. The secret is stored sealed (context `oauth_configs.client_secret:<tenant
/// id>`) and never returned by the API.
struct oauth_config_row {
  std::string id;
  std::string tenant_id;
  std::string provider;
  std::string client_id;
  /// Sealed.
  std::string client_secret;
  std::string created_at;
  std::string updated_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, oauth_config_row& x) {
  return f(caf::meta::type_name("oauth_config_row"), x.id, x.tenant_id, x.provider, x.client_id,
           x.client_secret, x.created_at, x.updated_at);
}

/// A row of the `oauth_flows` table: one authorization started and not yet forgotten. Its id is
/// the random part of the `state` sent to the provider; a callback claims it once.
struct oauth_flow_row {
  std::string id;
  std::string tenant_id;
  std::string provider;
  /// Whose credential the flow creates: empty for the tenant's, else an API key id.
  std::string owner;
  /// The API key id that started the flow; only it may read the flow's outcome.
  std::string initiator;
  /// The PKCE code verifier, sealed (context `oauth_flows.code_verifier:<tenant id>`); empty
  /// when the provider takes no PKCE.
  std::string code_verifier;
  /// The redirect URI sent with the authorization request (the token request repeats it).
  std::string redirect_uri;
  /// After this (ISO-8601 UTC) the callback is refused.
  std::string expires_at;
  std::string created_at;
  /// When a callback claimed the flow; empty while it waits for one.
  std::string completed_at;
  /// Empty while pending, `exchanging` once claimed, `connected`, or `failed: <reason>`.
  std::string outcome;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, oauth_flow_row& x) {
  return f(caf::meta::type_name("oauth_flow_row"), x.id, x.tenant_id, x.provider, x.owner,
           x.initiator, x.code_verifier, x.redirect_uri, x.expires_at, x.created_at, x.completed_at,
           x.outcome);
}

/// The UTC day `days_ago` days before today, as YYYY-MM-DD (the `day` of usage rows).
std::string utc_day(int64_t days_ago = 0);

/// `time` as ISO-8601 UTC text with microseconds, e.g. 2026-11-21T12:00:00.123456Z: how every
/// timestamp is stored; such texts sort chronologically.
std::string to_iso8601(std::chrono::system_clock::time_point time);

/// A row of the `tool_usage` table: tool calls of one UTC day, tenant, connector and tool.
struct usage_row {
  /// YYYY-MM-DD.
  std::string day;
  std::string tenant_slug;
  std::string connector_id;
  std::string tool_name;
  int64_t calls = 0;
  /// Calls that ended in an error (tool errors included, which clients see as isError results).
  int64_t errors = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, usage_row& x) {
  return f(caf::meta::type_name("usage_row"), x.day, x.tenant_slug, x.connector_id, x.tool_name,
           x.calls, x.errors);
}

/// Everything a tenant actor needs to serve requests without touching the database.
struct tenant_snapshot {
  tenant_row tenant;
  std::vector<connector_row> connectors;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_snapshot& x) {
  return f(caf::meta::type_name("tenant_snapshot"), x.tenant, x.connectors);
}

/// One JSON-RPC request or notification; `id` and `params` stay raw JSON text.
struct mcp_request {
  std::string method;
  /// Raw JSON of the id; empty for a notification.
  std::string id;
  /// Raw JSON of the params object; empty when absent.
  std::string params;
  /// `params.name` when it is a string (tools/call, prompts/get); empty otherwise.
  std::string name;
  /// Raw JSON of `params.arguments`; empty when absent.
  std::string arguments;
  /// Raw JSON of `params._meta.progressToken`; empty when the client asked for no progress.
  std::string progress_token;
  /// For a client's response (empty method): raw JSON of its `error`; its `result` is `params`.
  std::string error;
  /// A 2026-07-28 request: it carries its own version and capabilities and has no session.
  bool stateless = false;
  /// Stateless requests: raw JSON of `_meta…/clientCapabilities`.
  std::string client_capabilities;
  /// Stateless requests: `_meta…/logLevel`; empty means the client wants no log messages.
  std::string log_level;
  /// Raw JSON of `params.inputResponses` (a retried multi-round request); empty when absent.
  std::string input_responses;
  /// The verified `params.requestState` the server issued in its previous round; empty if none.
  std::string request_state;
  /// A session-era request whose response may become a resumable event stream: its events get
  /// ids and are logged for `Last-Event-ID` replay.
  bool resumable = false;
  /// Stateless tools/call: raw JSON of its Mcp-Param-{Name} headers by lower-case name.
  std::string param_headers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_request& x) {
  return f(caf::meta::type_name("mcp_request"), x.method, x.id, x.params, x.name, x.arguments,
           x.progress_token, x.error, x.stateless, x.client_capabilities, x.log_level,
           x.input_responses, x.request_state, x.resumable, x.param_headers);
}

/// One tool call as a connector instance executes it.
struct tool_call {
  /// Identifies the call within its session; notifications the tool emits carry it.
  uint64_t call_id = 0;
  std::string name;
  /// Raw JSON of the arguments; empty when absent.
  std::string arguments;
  /// Raw JSON of the request's progress token; empty when the client wants no progress.
  std::string progress_token;
  /// Raw JSON of the capabilities the client declared (its session's, or the request's).
  std::string client_capabilities;
  /// Raw JSON of the client's answers to a previous round's input requests; empty when none.
  std::string input_responses;
  /// The state the tool returned with its previous round, verified; empty when none.
  std::string request_state;
  /// A 2026-07-28 call: input the tool needs goes back to the client as an `input_required`
  /// result instead of as requests on the call's stream.
  bool stateless = false;
  /// A 2026-07-28 call: raw JSON of its Mcp-Param-{Name} headers by lower-case name, checked
  /// against the tool's `x-mcp-header` arguments before it runs.
  std::string param_headers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_call& x) {
  return f(caf::meta::type_name("tool_call"), x.call_id, x.name, x.arguments, x.progress_token,
           x.client_capabilities, x.input_responses, x.request_state, x.stateless, x.param_headers);
}

/// An MCP message addressed to a session of a tenant's connector.
struct mcp_envelope {
  std::string tenant;
  std::string connector_id;
  std::string session_id;
  principal caller;
  mcp_request request;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_envelope& x) {
  return f(caf::meta::type_name("mcp_envelope"), x.tenant, x.connector_id, x.session_id, x.caller,
           x.request);
}

/// The outcome of an MCP request: the raw JSON of its result, empty for a notification.
struct mcp_reply {
  std::string result;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mcp_reply& x) {
  return f(caf::meta::type_name("mcp_reply"), x.result);
}

/// What an `initialize` request asks for, already validated and negotiated by the transport.
struct session_request {
  /// The id the transport minted for the new session (CSPRNG, visible ASCII).
  std::string session_id;
  std::string tenant;
  /// The connector of the session; empty for the tenant-wide endpoint (every enabled connector).
  std::string connector_id;
  principal caller;
  std::string protocol_version;
  /// Raw JSON of the client's capabilities object.
  std::string client_capabilities;
  /// Raw JSON of the client's clientInfo object.
  std::string client_info;
  /// The shared context of 2026-07-28 requests of one caller to one endpoint, rather than an
  /// `initialize`d session: opening it again finds the existing one.
  bool stateless = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_request& x) {
  return f(caf::meta::type_name("session_request"), x.session_id, x.tenant, x.connector_id,
           x.caller, x.protocol_version, x.client_capabilities, x.client_info, x.stateless);
}

/// A freshly opened session.
struct session_info {
  std::string session_id;
  std::string protocol_version;
  std::string connector_name;
  /// The server capabilities of the session's connector (JSON object text).
  std::string capabilities;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("session_info"), x.session_id, x.protocol_version, x.connector_name,
           x.capabilities);
}

} // namespace sagemcp
