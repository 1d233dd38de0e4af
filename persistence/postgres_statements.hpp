#pragma once

#include "persistence/statement_table.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// The one statement table of the PostgreSQL backend: all of its SQL except the migration
// scripts. Every statement is prepared on each connection under the name `s<index>`; parameters
// are always bound, never spliced in. Column orders follow persistence/rows.hpp.

namespace sagemcp::persistence::postgres {

/// Every statement of the PostgreSQL backend, in statement_table order.
enum class stmt : uint8_t {
  create_schema_version,
  migration_lock,
  select_schema_version,
  insert_schema_version,
  ping,
  notify,
  insert_tenant,
  update_tenant,
  delete_tenant,
  select_tenant,
  list_tenants,
  list_connectors,
  insert_connector,
  update_connector,
  delete_connector,
  insert_api_key,
  list_api_keys,
  revoke_api_key,
  list_tool_states,
  upsert_tool_state,
  delete_tool_state,
  list_disabled_tools,
  tenant_slug_of_connector,
  insert_audit,
  list_audit,
  add_usage,
  list_usage,
  touch_api_key,
  rewrite_connector_secrets,
  upsert_oauth_credential,
  select_oauth_credential,
  list_oauth_credentials,
  delete_oauth_credential,
  delete_personal_oauth_credentials,
  replace_oauth_tokens,
  upsert_oauth_config,
  select_oauth_config,
  list_oauth_configs,
  delete_oauth_config,
  replace_oauth_config_secret,
  purge_oauth_flows,
  insert_oauth_flow,
  claim_oauth_flow,
  finish_oauth_flow,
  select_oauth_flow,
};

/// One row of the statement table.
struct statement_def {
  stmt id;
  std::string_view sql;
};

/// The channel LISTEN/NOTIFY carries changes on.
inline constexpr std::string_view change_channel = "sagemcp_changes";

constexpr std::array statement_table{
  statement_def{stmt::create_schema_version,
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TEXT NOT NULL)"},
  // Serializes migrations of processes sharing the database, until the transaction ends.
  statement_def{stmt::migration_lock, "SELECT pg_advisory_xact_lock(7305142203)"},
  statement_def{stmt::select_schema_version,
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"},
  statement_def{stmt::insert_schema_version,
                "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)"},
  statement_def{stmt::ping, "SELECT 1"},
  // Delivered to every listening connection when the transaction commits.
  statement_def{stmt::notify, "SELECT pg_notify('sagemcp_changes', $1)"},
  statement_def{stmt::insert_tenant,
                "INSERT INTO tenants (id, slug, name, description, contact_email, is_active, "
                "created_at, updated_at, rate_limit_rpm) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
  statement_def{stmt::update_tenant,
                "UPDATE tenants SET name = $2, description = $3, contact_email = $4, "
                "updated_at = $5, rate_limit_rpm = $6 WHERE slug = $1 RETURNING id, slug, name, "
                "description, contact_email, is_active, created_at, updated_at, rate_limit_rpm"},
  statement_def{stmt::delete_tenant, "DELETE FROM tenants WHERE slug = $1 RETURNING id"},
  statement_def{stmt::select_tenant,
                "SELECT id, slug, name, description, contact_email, is_active, created_at, "
                "updated_at, rate_limit_rpm FROM tenants WHERE slug = $1"},
  statement_def{stmt::list_tenants,
                "SELECT id, slug, name, description, contact_email, is_active, created_at, "
                "updated_at, rate_limit_rpm FROM tenants ORDER BY slug"},
  statement_def{stmt::list_connectors,
                "SELECT id, tenant_id, connector_type, name, description, is_enabled, "
                "configuration, runtime_type, runtime_command, runtime_env, package_path, "
                "created_at, updated_at FROM connectors WHERE tenant_id = $1 "
                "ORDER BY created_at, seq"},
  statement_def{stmt::insert_connector,
                "INSERT INTO connectors (id, tenant_id, connector_type, name, description, "
                "is_enabled, configuration, runtime_type, runtime_command, runtime_env, "
                "package_path, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"},
  statement_def{stmt::update_connector,
                "UPDATE connectors SET name = $3, description = $4, is_enabled = $5, "
                "configuration = $6, runtime_type = $7, runtime_command = $8, runtime_env = $9, "
                "package_path = $10, updated_at = $11 WHERE id = $1 AND tenant_id = $2 "
                "RETURNING id, tenant_id, connector_type, name, description, is_enabled, "
                "configuration, runtime_type, runtime_command, runtime_env, package_path, "
                "created_at, updated_at"},
  statement_def{stmt::delete_connector,
                "DELETE FROM connectors WHERE id = $1 AND tenant_id = $2 RETURNING id"},
  statement_def{stmt::insert_api_key,
                "INSERT INTO api_keys (id, name, key_prefix, key_hash, scope, tenant_id, "
                "is_active, expires_at, last_used_at, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                "RETURNING id, name, key_prefix, key_hash, scope, tenant_id, "
                "(SELECT slug FROM tenants WHERE tenants.id = api_keys.tenant_id), is_active, "
                "expires_at, last_used_at, created_at"},
  statement_def{stmt::list_api_keys,
                "SELECT k.id, k.name, k.key_prefix, k.key_hash, k.scope, k.tenant_id, t.slug, "
                "k.is_active, k.expires_at, k.last_used_at, k.created_at FROM api_keys AS k "
                "LEFT JOIN tenants AS t ON t.id = k.tenant_id "
                "ORDER BY k.created_at DESC, k.seq DESC"},
  statement_def{stmt::revoke_api_key,
                "UPDATE api_keys SET is_active = FALSE WHERE id = $1 "
                "RETURNING id, name, key_prefix, key_hash, scope, tenant_id, "
                "(SELECT slug FROM tenants WHERE tenants.id = api_keys.tenant_id), is_active, "
                "expires_at, last_used_at, created_at"},
  statement_def{stmt::list_tool_states,
                "SELECT connector_id, tool_name, is_enabled, updated_at "
                "FROM connector_tool_states WHERE connector_id = $1 ORDER BY tool_name"},
  statement_def{stmt::upsert_tool_state,
                "INSERT INTO connector_tool_states (id, connector_id, tool_name, is_enabled, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) "
                "ON CONFLICT (connector_id, tool_name) DO UPDATE SET "
                "is_enabled = excluded.is_enabled, updated_at = excluded.updated_at "
                "WHERE connector_tool_states.is_enabled <> excluded.is_enabled"},
  statement_def{stmt::delete_tool_state,
                "DELETE FROM connector_tool_states WHERE connector_id = $1 AND tool_name = $2"},
  statement_def{stmt::list_disabled_tools,
                "SELECT s.connector_id, s.tool_name, s.is_enabled, s.updated_at "
                "FROM connector_tool_states AS s JOIN connectors AS c ON c.id = s.connector_id "
                "WHERE c.tenant_id = $1 AND NOT s.is_enabled ORDER BY s.connector_id, s.tool_name"},
  statement_def{stmt::tenant_slug_of_connector,
                "SELECT t.slug FROM connectors AS c JOIN tenants AS t ON t.id = c.tenant_id "
                "WHERE c.id = $1"},
  statement_def{stmt::insert_audit,
                "INSERT INTO audit_log (id, at, actor_key_id, actor_scope, tenant_slug, action, "
                "target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"},
  statement_def{stmt::list_audit,
                "SELECT id, at, actor_key_id, actor_scope, tenant_slug, action, target, detail "
                "FROM audit_log WHERE $1 = '' OR tenant_slug = $1 "
                "ORDER BY at DESC, seq DESC LIMIT $2"},
  statement_def{stmt::add_usage,
                "INSERT INTO tool_usage (day, tenant_slug, connector_id, tool_name, calls, errors) "
                "VALUES ($1, $2, $3, $4, $5, $6) "
                "ON CONFLICT (day, tenant_slug, connector_id, tool_name) DO UPDATE SET "
                "calls = tool_usage.calls + excluded.calls, "
                "errors = tool_usage.errors + excluded.errors"},
  statement_def{stmt::list_usage,
                "SELECT day, tenant_slug, connector_id, tool_name, calls, errors FROM tool_usage "
                "WHERE ($1 = '' OR tenant_slug = $1) AND day >= $2 "
                "ORDER BY day, tenant_slug, connector_id, tool_name"},
  // Never moves last_used_at back (nodes report uses in any order); an empty hash keeps it.
  statement_def{stmt::touch_api_key,
                "UPDATE api_keys SET last_used_at = CASE WHEN last_used_at IS NULL OR "
                "last_used_at < $2 THEN $2 ELSE last_used_at END, key_hash = CASE WHEN $3 = '' "
                "THEN key_hash ELSE $3 END WHERE id = $1"},
  // Compare-and-set: rewrites only what still holds the values read before.
  statement_def{stmt::rewrite_connector_secrets,
                "UPDATE connectors SET configuration = $5, runtime_env = $6 WHERE id = $1 AND "
                "tenant_id = $2 AND configuration = $3 AND runtime_env = $4 RETURNING id"},
  // Replaces everything of the stored credential but its id and created_at.
  statement_def{
    stmt::upsert_oauth_credential,
    "INSERT INTO oauth_credentials (id, tenant_id, provider, owner, provider_user_id, "
    "provider_username, access_token, refresh_token, token_type, scopes, expires_at, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
    "ON CONFLICT (tenant_id, provider, owner) DO UPDATE SET "
    "provider_user_id = excluded.provider_user_id, "
    "provider_username = excluded.provider_username, access_token = excluded.access_token, "
    "refresh_token = excluded.refresh_token, token_type = excluded.token_type, "
    "scopes = excluded.scopes, expires_at = excluded.expires_at, "
    "updated_at = excluded.updated_at RETURNING id, tenant_id, provider, owner, "
    "provider_user_id, provider_username, access_token, refresh_token, token_type, scopes, "
    "expires_at, created_at, updated_at"},
  statement_def{
    stmt::select_oauth_credential,
    "SELECT id, tenant_id, provider, owner, provider_user_id, provider_username, "
    "access_token, refresh_token, token_type, scopes, expires_at, created_at, updated_at "
    "FROM oauth_credentials WHERE tenant_id = $1 AND provider = $2 AND owner = $3"},
  statement_def{
    stmt::list_oauth_credentials,
    "SELECT id, tenant_id, provider, owner, provider_user_id, provider_username, "
    "access_token, refresh_token, token_type, scopes, expires_at, created_at, updated_at "
    "FROM oauth_credentials WHERE tenant_id = $1 ORDER BY provider, owner"},
  statement_def{stmt::delete_oauth_credential,
                "DELETE FROM oauth_credentials WHERE tenant_id = $1 AND provider = $2 AND "
                "owner = $3 RETURNING id, tenant_id, provider, owner, provider_user_id, "
                "provider_username, access_token, refresh_token, token_type, scopes, expires_at, "
                "created_at, updated_at"},
  // A revoked API key's personal connections.
  statement_def{stmt::delete_personal_oauth_credentials,
                "DELETE FROM oauth_credentials WHERE owner = $1 AND owner <> ''"},
  // Compare-and-set: replaces only the tokens read before.
  statement_def{stmt::replace_oauth_tokens,
                "UPDATE oauth_credentials SET access_token = $4, refresh_token = $5, "
                "token_type = $6, scopes = $7, expires_at = $8, updated_at = $9 "
                "WHERE id = $1 AND access_token = $2 AND COALESCE(refresh_token, '') = $3 "
                "RETURNING id"},
  statement_def{
    stmt::upsert_oauth_config,
    "INSERT INTO oauth_configs (id, tenant_id, provider, client_id, client_secret, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (tenant_id, provider) DO UPDATE SET client_id = excluded.client_id, "
    "client_secret = excluded.client_secret, updated_at = excluded.updated_at "
    "RETURNING id, tenant_id, provider, client_id, client_secret, created_at, updated_at"},
  statement_def{stmt::select_oauth_config,
                "SELECT id, tenant_id, provider, client_id, client_secret, created_at, updated_at "
                "FROM oauth_configs WHERE tenant_id = $1 AND provider = $2"},
  statement_def{stmt::list_oauth_configs,
                "SELECT id, tenant_id, provider, client_id, client_secret, created_at, updated_at "
                "FROM oauth_configs WHERE tenant_id = $1 ORDER BY provider"},
  statement_def{stmt::delete_oauth_config,
                "DELETE FROM oauth_configs WHERE tenant_id = $1 AND provider = $2 RETURNING id"},
  // Compare-and-set: rewrites only the secret read before.
  statement_def{stmt::replace_oauth_config_secret,
                "UPDATE oauth_configs SET client_secret = $3 WHERE id = $1 AND "
                "client_secret = $2 RETURNING id"},
  statement_def{stmt::purge_oauth_flows, "DELETE FROM oauth_flows WHERE expires_at < $1"},
  statement_def{
    stmt::insert_oauth_flow,
    "INSERT INTO oauth_flows (id, tenant_id, provider, owner, initiator, code_verifier, "
    "redirect_uri, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
  // Only one callback claims a flow, and only before it expires.
  statement_def{stmt::claim_oauth_flow,
                "UPDATE oauth_flows SET completed_at = $2, outcome = 'exchanging' WHERE id = $1 "
                "AND completed_at IS NULL AND expires_at > $2 "
                "RETURNING id, tenant_id, provider, owner, initiator, code_verifier, redirect_uri, "
                "expires_at, created_at, completed_at, outcome"},
  statement_def{stmt::finish_oauth_flow,
                "UPDATE oauth_flows SET outcome = $2 WHERE id = $1 RETURNING id"},
  statement_def{stmt::select_oauth_flow,
                "SELECT id, tenant_id, provider, owner, initiator, code_verifier, redirect_uri, "
                "expires_at, created_at, completed_at, outcome FROM oauth_flows WHERE id = $1"},
};

static_assert(rows_follow_enum_order(statement_table),
              "statement_table rows must follow the enum order");
static_assert(statement_table.size() == static_cast<size_t>(stmt::select_oauth_flow) + 1,
              "every statement needs a row in statement_table");

} // namespace sagemcp::persistence::postgres
