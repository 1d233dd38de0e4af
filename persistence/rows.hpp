#pragma once

#include "messages/errc.hpp"
#include "messages/types.hpp"
#include "persistence/ids.hpp"

#include <caf/error.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

// What both backends share about rows: the column orders of their statement tables, the readers
// that turn a result row into a row type, and the checks a row passes before it is written. A
// `Row` offers text(i) (NULL reads as empty), boolean(i) and integer_or(i, if_null) over 0-based
// columns.

namespace sagemcp::persistence {

/// Column order of a usage total: day, tenant_slug, connector_id, tool_name, calls, errors.
template <class Row>
usage_row read_usage(const Row& q) {
  return usage_row{q.text(0), q.text(1),          q.text(2),
                   q.text(3), q.integer_or(4, 0), q.integer_or(5, 0)};
}

/// Binds a usage increment in that column order as parameters 1-6.
template <class Binder>
void bind_usage(Binder& q, const usage_row& row) {
  q.bind_text(1, row.day);
  q.bind_text(2, row.tenant_slug);
  q.bind_text(3, row.connector_id);
  q.bind_text(4, row.tool_name);
  q.bind_int(5, row.calls);
  q.bind_int(6, row.errors);
}

inline std::string_view or_default(const std::string& value, std::string_view fallback) {
  return value.empty() ? fallback : std::string_view{value};
}

/// Column order of a tenant: id, slug, name, description, contact_email, is_active, created_at,
/// updated_at, rate_limit_rpm.
template <class Row>
tenant_row read_tenant(const Row& q) {
  tenant_row row;
  row.id = q.text(0);
  row.slug = q.text(1);
  row.name = q.text(2);
  row.description = q.text(3);
  row.contact_email = q.text(4);
  row.is_active = q.boolean(5);
  row.created_at = q.text(6);
  row.updated_at = q.text(7);
  row.rate_limit_rpm = static_cast<int32_t>(q.integer_or(8, -1));
  return row;
}

/// Column order of a tool state: connector_id, tool_name, is_enabled, updated_at.
template <class Row>
tool_state_row read_tool_state(const Row& q) {
  tool_state_row row;
  row.connector_id = q.text(0);
  row.tool_name = q.text(1);
  row.is_enabled = q.boolean(2);
  row.updated_at = q.text(3);
  return row;
}

/// Column order of a connector: id, tenant_id, connector_type, name, description, is_enabled,
/// configuration, runtime_type, runtime_command, runtime_env, package_path, created_at,
/// updated_at.
template <class Row>
connector_row read_connector(const Row& q) {
  connector_row row;
  row.id = q.text(0);
  row.tenant_id = q.text(1);
  row.connector_type = q.text(2);
  row.name = q.text(3);
  row.description = q.text(4);
  row.is_enabled = q.boolean(5);
  row.configuration = q.text(6);
  row.runtime_type = q.text(7);
  row.runtime_command = q.text(8);
  row.runtime_env = q.text(9);
  row.package_path = q.text(10);
  row.created_at = q.text(11);
  row.updated_at = q.text(12);
  return row;
}

/// Column order of an API key: id, name, key_prefix, key_hash, scope, tenant_id, tenant slug,
/// is_active, expires_at, last_used_at, created_at.
template <class Row>
api_key_row read_api_key(const Row& q) {
  api_key_row row;
  row.id = q.text(0);
  row.name = q.text(1);
  row.key_prefix = q.text(2);
  row.key_hash = q.text(3);
  // The CHECK constraint admits only wire names; anything else gets the least privilege.
  row.role = parse_scope(q.text(4)).value_or(scope::tenant_user);
  row.tenant_id = q.text(5);
  row.tenant_slug = q.text(6);
  row.is_active = q.boolean(7);
  row.expires_at = q.text(8);
  row.last_used_at = q.text(9);
  row.created_at = q.text(10);
  return row;
}

/// Column order of an audit entry: id, at, actor_key_id, actor_scope, tenant_slug, action,
/// target, detail.
template <class Row>
audit_row read_audit(const Row& q) {
  audit_row row;
  row.id = q.text(0);
  row.at = q.text(1);
  row.actor_key_id = q.text(2);
  row.actor_scope = q.text(3);
  row.tenant_slug = q.text(4);
  row.action = q.text(5);
  row.target = q.text(6);
  row.detail = q.text(7);
  return row;
}

/// Binds a new audit entry in that column order as parameters 1-8, after giving it an id and
/// its time.
template <class Binder>
void bind_new_audit(Binder& q, audit_row& row) {
  row.id = make_uuid();
  row.at = now_iso8601();
  q.bind_text(1, row.id);
  q.bind_text(2, row.at);
  q.bind_text(3, row.actor_key_id);
  q.bind_text(4, row.actor_scope);
  q.bind_text_or_null(5, row.tenant_slug);
  q.bind_text(6, row.action);
  q.bind_text(7, or_default(row.target, "{}"));
  q.bind_text(8, or_default(row.detail, "{}"));
}

/// Binds a connector's name, description, is_enabled, configuration, runtime_type,
/// runtime_command, runtime_env and package_path to eight parameters from `first` on, through a
/// binder with bind_text, bind_text_or_null and bind_bool.
template <class Binder>
void bind_connector_fields(Binder& q, const connector_row& row, int first) {
  q.bind_text(first, row.name);
  q.bind_text_or_null(first + 1, row.description);
  q.bind_bool(first + 2, row.is_enabled);
  q.bind_text(first + 3, or_default(row.configuration, "{}"));
  q.bind_text(first + 4, or_default(row.runtime_type, "native"));
  q.bind_text_or_null(first + 5, row.runtime_command);
  q.bind_text(first + 6, or_default(row.runtime_env, "{}"));
  q.bind_text_or_null(first + 7, row.package_path);
}

/// Binds a new tenant: id, slug, name, description, contact_email, is_active, created_at,
/// updated_at, rate_limit_rpm as parameters 1-9.
template <class Binder>
void bind_new_tenant(Binder& q, const tenant_row& row) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.slug);
  q.bind_text(3, row.name);
  q.bind_text_or_null(4, row.description);
  q.bind_text_or_null(5, row.contact_email);
  q.bind_bool(6, row.is_active);
  q.bind_text(7, row.created_at);
  q.bind_text(8, row.updated_at);
  q.bind_int_or_null(9, row.rate_limit_rpm);
}

/// Binds a tenant update: slug, name, description, contact_email, updated_at, rate_limit_rpm as
/// parameters 1-6.
template <class Binder>
void bind_tenant_update(Binder& q, const tenant_row& row, std::string_view now) {
  q.bind_text(1, row.slug);
  q.bind_text(2, row.name);
  q.bind_text_or_null(3, row.description);
  q.bind_text_or_null(4, row.contact_email);
  q.bind_text(5, now);
  q.bind_int_or_null(6, row.rate_limit_rpm);
}

/// Binds a new connector: id, tenant_id, connector_type, the eight fields of
/// bind_connector_fields, created_at and updated_at as parameters 1-13.
template <class Binder>
void bind_new_connector(Binder& q, const connector_row& row) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.tenant_id);
  q.bind_text(3, row.connector_type);
  bind_connector_fields(q, row, 4);
  q.bind_text(12, row.created_at);
  q.bind_text(13, row.updated_at);
}

/// Binds a connector update: id, tenant_id, the eight fields and updated_at as parameters 1-11.
template <class Binder>
void bind_connector_update(Binder& q, const connector_row& row, std::string_view now) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.tenant_id);
  bind_connector_fields(q, row, 3);
  q.bind_text(11, now);
}

/// Binds a compare-and-set of a connector's secrets: id, tenant_id, the values read before and
/// the new ones as parameters 1-6.
template <class Binder>
void bind_secret_rewrite(Binder& q, const connector_row& before, std::string_view configuration,
                         std::string_view runtime_env) {
  q.bind_text(1, before.id);
  q.bind_text(2, before.tenant_id);
  q.bind_text(3, before.configuration);
  q.bind_text(4, before.runtime_env);
  q.bind_text(5, configuration);
  q.bind_text(6, runtime_env);
}

/// Binds a key use: id, last_used_at and the new key_hash (empty keeps it) as parameters 1-3.
template <class Binder>
void bind_key_use(Binder& q, const api_key_row& use) {
  q.bind_text(1, use.id);
  q.bind_text(2, use.last_used_at);
  q.bind_text(3, use.key_hash);
}

/// Binds a new API key: id, name, key_prefix, key_hash, scope, tenant_id, is_active,
/// expires_at, last_used_at, created_at as parameters 1-10.
template <class Binder>
void bind_new_api_key(Binder& q, const api_key_row& row, std::string_view id,
                      std::string_view now) {
  q.bind_text(1, id);
  q.bind_text(2, row.name);
  q.bind_text(3, row.key_prefix);
  q.bind_text(4, row.key_hash);
  q.bind_text(5, to_string(row.role));
  q.bind_text_or_null(6, row.tenant_id);
  q.bind_bool(7, row.is_active);
  q.bind_text_or_null(8, row.expires_at);
  q.bind_text_or_null(9, row.last_used_at);
  q.bind_text(10, now);
}

/// Binds a tool state upsert: id, connector_id, tool_name, is_enabled, now as parameters 1-5.
template <class Binder>
void bind_tool_state(Binder& q, std::string_view id, std::string_view connector_id,
                     const tool_state_row& state, std::string_view now) {
  q.bind_text(1, id);
  q.bind_text(2, connector_id);
  q.bind_text(3, state.tool_name);
  q.bind_bool(4, state.is_enabled);
  q.bind_text(5, now);
}

/// Column order of an OAuth credential: id, tenant_id, provider, owner, provider_user_id,
/// provider_username, access_token, refresh_token, token_type, scopes, expires_at, created_at,
/// updated_at.
template <class Row>
oauth_credential_row read_oauth_credential(const Row& q) {
  oauth_credential_row row;
  row.id = q.text(0);
  row.tenant_id = q.text(1);
  row.provider = q.text(2);
  row.owner = q.text(3);
  row.provider_user_id = q.text(4);
  row.provider_username = q.text(5);
  row.access_token = q.text(6);
  row.refresh_token = q.text(7);
  row.token_type = q.text(8);
  row.scopes = q.text(9);
  row.expires_at = q.text(10);
  row.created_at = q.text(11);
  row.updated_at = q.text(12);
  return row;
}

/// Binds an OAuth credential in that column order as parameters 1-13.
template <class Binder>
void bind_oauth_credential(Binder& q, const oauth_credential_row& row) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.tenant_id);
  q.bind_text(3, row.provider);
  q.bind_text(4, row.owner);
  q.bind_text(5, row.provider_user_id);
  q.bind_text_or_null(6, row.provider_username);
  q.bind_text(7, row.access_token);
  q.bind_text_or_null(8, row.refresh_token);
  q.bind_text(9, or_default(row.token_type, "bearer"));
  q.bind_text_or_null(10, row.scopes);
  q.bind_text_or_null(11, row.expires_at);
  q.bind_text(12, row.created_at);
  q.bind_text(13, row.updated_at);
}

/// Binds a compare-and-set of an OAuth credential's tokens: `before`'s id, access_token and
/// refresh_token, then `after`'s access_token, refresh_token, token_type, scopes and expires_at,
/// and the update time as parameters 1-9.
template <class Binder>
void bind_oauth_token_swap(Binder& q, const oauth_credential_row& before,
                           const oauth_credential_row& after, std::string_view now) {
  q.bind_text(1, before.id);
  q.bind_text(2, before.access_token);
  q.bind_text(3, before.refresh_token);
  q.bind_text(4, after.access_token);
  q.bind_text_or_null(5, after.refresh_token);
  q.bind_text(6, or_default(after.token_type, "bearer"));
  q.bind_text_or_null(7, after.scopes);
  q.bind_text_or_null(8, after.expires_at);
  q.bind_text(9, now);
}

/// Binds the (tenant_id, provider, owner) key of an OAuth credential as parameters 1-3.
template <class Binder>
void bind_oauth_credential_key(Binder& q, std::string_view tenant_id, std::string_view provider,
                               std::string_view owner) {
  q.bind_text(1, tenant_id);
  q.bind_text(2, provider);
  q.bind_text(3, owner);
}

/// Column order of an OAuth app: id, tenant_id, provider, client_id, client_secret, created_at,
/// updated_at.
template <class Row>
oauth_config_row read_oauth_config(const Row& q) {
  oauth_config_row row;
  row.id = q.text(0);
  row.tenant_id = q.text(1);
  row.provider = q.text(2);
  row.client_id = q.text(3);
  row.client_secret = q.text(4);
  row.created_at = q.text(5);
  row.updated_at = q.text(6);
  return row;
}

/// Binds an OAuth app in that column order as parameters 1-7.
template <class Binder>
void bind_oauth_config(Binder& q, const oauth_config_row& row) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.tenant_id);
  q.bind_text(3, row.provider);
  q.bind_text(4, row.client_id);
  q.bind_text(5, row.client_secret);
  q.bind_text(6, row.created_at);
  q.bind_text(7, row.updated_at);
}

/// Binds a compare-and-set of an OAuth app's secret: `before`'s id and client_secret, then the
/// new secret as parameters 1-3.
template <class Binder>
void bind_oauth_secret_swap(Binder& q, const oauth_config_row& before,
                            std::string_view client_secret) {
  q.bind_text(1, before.id);
  q.bind_text(2, before.client_secret);
  q.bind_text(3, client_secret);
}

/// Column order of an OAuth flow: id, tenant_id, provider, owner, initiator, code_verifier,
/// redirect_uri, expires_at, created_at, completed_at, outcome.
template <class Row>
oauth_flow_row read_oauth_flow(const Row& q) {
  oauth_flow_row row;
  row.id = q.text(0);
  row.tenant_id = q.text(1);
  row.provider = q.text(2);
  row.owner = q.text(3);
  row.initiator = q.text(4);
  row.code_verifier = q.text(5);
  row.redirect_uri = q.text(6);
  row.expires_at = q.text(7);
  row.created_at = q.text(8);
  row.completed_at = q.text(9);
  row.outcome = q.text(10);
  return row;
}

/// Binds a new OAuth flow in that column order, up to created_at, as parameters 1-9.
template <class Binder>
void bind_new_oauth_flow(Binder& q, const oauth_flow_row& row) {
  q.bind_text(1, row.id);
  q.bind_text(2, row.tenant_id);
  q.bind_text(3, row.provider);
  q.bind_text(4, row.owner);
  q.bind_text(5, row.initiator);
  q.bind_text_or_null(6, row.code_verifier);
  q.bind_text(7, row.redirect_uri);
  q.bind_text(8, row.expires_at);
  q.bind_text(9, row.created_at);
}

/// Checks a new tenant (it needs a slug and a name: invalid_argument otherwise) and gives it an
/// id and its creation time.
inline caf::error prepare_new_tenant(tenant_row& row) {
  if (row.slug.empty() || row.name.empty()) {
    return make_error(errc::invalid_argument, "a tenant needs a slug and a name");
  }
  row.id = make_uuid();
  row.created_at = now_iso8601();
  row.updated_at = row.created_at;
  return {};
}

/// invalid_argument unless an updated tenant keeps a name.
inline caf::error check_tenant_update(const tenant_row& row) {
  if (row.name.empty()) {
    return make_error(errc::invalid_argument, "a tenant needs a name");
  }
  return {};
}

/// Checks a new connector (it needs a tenant, a type and a name: invalid_argument otherwise),
/// gives it an id and its creation time, and fills in the defaults: configuration `{}`, runtime
/// `native`, env `{}`.
inline caf::error prepare_new_connector(connector_row& row) {
  if (row.tenant_id.empty() || row.connector_type.empty() || row.name.empty()) {
    return make_error(errc::invalid_argument, "a connector needs a tenant, a type and a name");
  }
  row.id = make_uuid();
  row.configuration = or_default(row.configuration, "{}");
  row.runtime_type = or_default(row.runtime_type, "native");
  row.runtime_env = or_default(row.runtime_env, "{}");
  row.created_at = now_iso8601();
  row.updated_at = row.created_at;
  return {};
}

/// invalid_argument unless an updated connector keeps a name.
inline caf::error check_connector_update(const connector_row& row) {
  if (row.name.empty()) {
    return make_error(errc::invalid_argument, "a connector needs a name");
  }
  return {};
}

/// invalid_argument unless a new API key has a prefix and a hash, and names its tenant when it is
/// tenant-scoped.
inline caf::error check_new_api_key(const api_key_row& row) {
  if (row.key_hash.empty() || row.key_prefix.empty()) {
    return make_error(errc::invalid_argument, "an API key needs a prefix and a hash");
  }
  if (row.role != scope::platform_admin && row.tenant_id.empty()) {
    return make_error(errc::invalid_argument, "a tenant-scoped API key needs a tenant");
  }
  return {};
}

/// invalid_argument unless a tool name has 1 to 200 characters.
inline caf::error check_tool_name(const std::string& name) {
  if (name.empty() || name.size() > 200) {
    return make_error(errc::invalid_argument, "a tool name has 1 to 200 characters");
  }
  return {};
}

/// Checks an OAuth credential to store (it needs a tenant, a provider and an access token:
/// invalid_argument otherwise), gives it an id and its times, and fills in the token type
/// `bearer`. On a replacement the stored id and created_at stay.
inline caf::error prepare_oauth_credential(oauth_credential_row& row) {
  if (row.tenant_id.empty() || row.provider.empty() || row.access_token.empty()) {
    return make_error(errc::invalid_argument,
                      "an OAuth credential needs a tenant, a provider and an access token");
  }
  row.id = make_uuid();
  row.token_type = or_default(row.token_type, "bearer");
  row.created_at = now_iso8601();
  row.updated_at = row.created_at;
  return {};
}

/// Checks an OAuth app to store (it needs a tenant, a provider, a client id and a client secret:
/// invalid_argument otherwise) and gives it an id and its times. On a replacement the stored id
/// and created_at stay.
inline caf::error prepare_oauth_config(oauth_config_row& row) {
  if (row.tenant_id.empty() || row.provider.empty() || row.client_id.empty()
      || row.client_secret.empty()) {
    return make_error(errc::invalid_argument,
                      "an OAuth app needs a tenant, a provider, a client id and a client secret");
  }
  row.id = make_uuid();
  row.created_at = now_iso8601();
  row.updated_at = row.created_at;
  return {};
}

/// Checks a new OAuth flow (it needs an id, a tenant, a provider, an initiator, a redirect URI
/// and an expiry: invalid_argument otherwise), gives it its creation time and clears what only a
/// callback sets.
inline caf::error prepare_new_oauth_flow(oauth_flow_row& row) {
  if (row.id.empty() || row.tenant_id.empty() || row.provider.empty() || row.initiator.empty()
      || row.redirect_uri.empty() || row.expires_at.empty()) {
    return make_error(errc::invalid_argument, "an OAuth flow needs an id, a tenant, a provider, "
                                              "an initiator, a redirect URI and an expiry");
  }
  row.created_at = now_iso8601();
  row.completed_at.clear();
  row.outcome.clear();
  return {};
}

/// The not_found text of a missing OAuth credential.
inline std::string credential_missing(const std::string& provider, const std::string& owner) {
  if (owner.empty()) {
    return "no '" + provider + "' OAuth credential of the tenant";
  }
  return "no '" + provider + "' OAuth credential of API key '" + owner + "'";
}

/// The not_found text of a missing OAuth app.
inline std::string config_missing(const std::string& provider) {
  return "no '" + provider + "' OAuth app of the tenant";
}

/// The not_found text of a missing OAuth flow; flow ids are secrets of their callbacks, so it
/// names none.
inline std::string flow_missing() {
  return "the authorization is unknown";
}

/// The not_found text of a flow that cannot be claimed.
inline constexpr std::string_view flow_unclaimable
  = "the authorization is unknown, already used or expired";

/// Flows that expired before this time (an hour ago, as ISO-8601 text) are forgotten.
inline std::string oauth_flow_purge_cutoff() {
  return to_iso8601(std::chrono::system_clock::now() - std::chrono::hours{1});
}

} // namespace sagemcp::persistence
