#pragma once

#include "persistence/statement_table.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// The one statement table of the SQLite backend: all of its SQL except the migration scripts.
// Every statement is prepared once and reused; parameters are always bound, never spliced in.

namespace sagemcp::persistence::sqlite {

/// Every statement of the SQLite backend, in statement_table order.
enum class stmt : uint8_t {
  journal_mode_wal,
  foreign_keys_on,
  busy_timeout,
  synchronous_normal,
  create_schema_version,
  select_schema_version,
  insert_schema_version,
  begin,
  commit,
  rollback,
  ping,
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

/// When a statement is prepared.
enum class phase : uint8_t {
  /// At open, and executed right away in table order.
  setup,
  /// At open.
  bootstrap,
  /// Once the schema is at the latest version: at open or at the end of migrate().
  data,
};

/// One row of the statement table.
struct statement_def {
  stmt id;
  phase when;
  std::string_view sql;
};

/// The statements by stmt value. Column orders the row readers of sqlite_store.cpp rely on:
///   tenant:    id, slug, name, description, contact_email, is_active, created_at, updated_at,
///              rate_limit_rpm
///   connector: id, tenant_id, connector_type, name, description, is_enabled, configuration,
///              runtime_type, runtime_command, runtime_env, package_path, created_at, updated_at
///   api key:   id, name, key_prefix, key_hash, scope, tenant_id, tenant slug, is_active,
///              expires_at, last_used_at, created_at
///   tool state: connector_id, tool_name, is_enabled, updated_at
///   OAuth credential, OAuth app and OAuth flow: as in persistence/rows.hpp
constexpr std::array statement_table{
  statement_def{stmt::journal_mode_wal, phase::setup, "PRAGMA journal_mode = WAL"},
  statement_def{stmt::foreign_keys_on, phase::setup, "PRAGMA foreign_keys = ON"},
  statement_def{stmt::busy_timeout, phase::setup, "PRAGMA busy_timeout = 5000"},
  statement_def{stmt::synchronous_normal, phase::setup, "PRAGMA synchronous = NORMAL"},
  statement_def{stmt::create_schema_version, phase::setup,
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TEXT NOT NULL)"},
  statement_def{stmt::select_schema_version, phase::bootstrap,
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"},
  statement_def{stmt::insert_schema_version, phase::bootstrap,
                "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)"},
  statement_def{stmt::begin, phase::bootstrap, "BEGIN IMMEDIATE"},
  statement_def{stmt::commit, phase::bootstrap, "COMMIT"},
  statement_def{stmt::rollback, phase::bootstrap, "ROLLBACK"},
  statement_def{stmt::ping, phase::bootstrap, "SELECT 1"},
  statement_def{stmt::insert_tenant, phase::data,
                "INSERT INTO tenants (id, slug, name, description, contact_email, is_active, "
                "created_at, updated_at, rate_limit_rpm) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
  statement_def{stmt::update_tenant, phase::data,
                "UPDATE tenants SET name = ?2, description = ?3, contact_email = ?4, "
                "updated_at = ?5, rate_limit_rpm = ?6 WHERE slug = ?1 RETURNING id, slug, name, "
                "description, contact_email, is_active, created_at, updated_at, rate_limit_rpm"},
  statement_def{stmt::delete_tenant, phase::data,
                "DELETE FROM tenants WHERE slug = ?1 RETURNING id"},
  statement_def{stmt::select_tenant, phase::data,
                "SELECT id, slug, name, description, contact_email, is_active, created_at, "
                "updated_at, rate_limit_rpm FROM tenants WHERE slug = ?1"},
  statement_def{stmt::list_tenants, phase::data,
                "SELECT id, slug, name, description, contact_email, is_active, created_at, "
                "updated_at, rate_limit_rpm FROM tenants ORDER BY slug"},
  statement_def{stmt::list_connectors, phase::data,
                "SELECT id, tenant_id, connector_type, name, description, is_enabled, "
                "configuration, runtime_type, runtime_command, runtime_env, package_path, "
                "created_at, updated_at FROM connectors WHERE tenant_id = ?1 "
                "ORDER BY created_at, rowid"},
  statement_def{stmt::insert_connector, phase::data,
                "INSERT INTO connectors (id, tenant_id, connector_type, name, description, "
                "is_enabled, configuration, runtime_type, runtime_command, runtime_env, "
                "package_path, created_at, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
  statement_def{stmt::update_connector, phase::data,
                "UPDATE connectors SET name = ?3, description = ?4, is_enabled = ?5, "
                "configuration = ?6, runtime_type = ?7, runtime_command = ?8, runtime_env = ?9, "
                "package_path = ?10, updated_at = ?11 WHERE id = ?1 AND tenant_id = ?2 "
                "RETURNING id, tenant_id, connector_type, name, description, is_enabled, "
                "configuration, runtime_type, runtime_command, runtime_env, package_path, "
                "created_at, updated_at"},
  statement_def{stmt::delete_connector, phase::data,
                "DELETE FROM connectors WHERE id = ?1 AND tenant_id = ?2 RETURNING id"},
  statement_def{stmt::insert_api_key, phase::data,
                "INSERT INTO api_keys (id, name, key_prefix, key_hash, scope, tenant_id, "
                "is_active, expires_at, last_used_at, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                "RETURNING id, name, key_prefix, key_hash, scope, tenant_id, "
                "(SELECT slug FROM tenants WHERE tenants.id = api_keys.tenant_id), is_active, "
                "expires_at, last_used_at, created_at"},
  statement_def{stmt::list_api_keys, phase::data,
                "SELECT k.id, k.name, k.key_prefix, k.key_hash, k.scope, k.tenant_id, t.slug, "
                "k.is_active, k.expires_at, k.last_used_at, k.created_at FROM api_keys AS k "
                "LEFT JOIN tenants AS t ON t.id = k.tenant_id "
                "ORDER BY k.created_at DESC, k.rowid DESC"},
  statement_def{stmt::revoke_api_key, phase::data,
                "UPDATE api_keys SET is_active = 0 WHERE id = ?1 "
                "RETURNING id, name, key_prefix, key_hash, scope, tenant_id, "
                "(SELECT slug FROM tenants WHERE tenants.id = api_keys.tenant_id), is_active, "
                "expires_at, last_used_at, created_at"},
  statement_def{stmt::list_tool_states, phase::data,
                "SELECT connector_id, tool_name, is_enabled, updated_at "
                "FROM connector_tool_states WHERE connector_id = ?1 ORDER BY tool_name"},
  statement_def{stmt::upsert_tool_state, phase::data,
                "INSERT INTO connector_tool_states (id, connector_id, tool_name, is_enabled, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
                "ON CONFLICT (connector_id, tool_name) DO UPDATE SET "
                "is_enabled = excluded.is_enabled, updated_at = excluded.updated_at "
                "WHERE is_enabled <> excluded.is_enabled"},
  statement_def{stmt::delete_tool_state, phase::data,
                "DELETE FROM connector_tool_states WHERE connector_id = ?1 AND tool_name = ?2"},
  statement_def{stmt::list_disabled_tools, phase::data,
                "SELECT s.connector_id, s.tool_name, s.is_enabled, s.updated_at "
                "FROM connector_tool_states AS s JOIN connectors AS c ON c.id = s.connector_id "
                "WHERE c.tenant_id = ?1 AND s.is_enabled = 0 ORDER BY s.connector_id, s.tool_name"},
  statement_def{stmt::insert_audit, phase::data,
                "INSERT INTO audit_log (id, at, actor_key_id, actor_scope, tenant_slug, action, "
                "target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
  statement_def{stmt::list_audit, phase::data,
                "SELECT id, at, actor_key_id, actor_scope, tenant_slug, action, target, detail "
                "FROM audit_log WHERE ?1 = '' OR tenant_slug = ?1 "
                "ORDER BY at DESC, rowid DESC LIMIT ?2"},
  statement_def{stmt::add_usage, phase::data,
                "INSERT INTO tool_usage (day, tenant_slug, connector_id, tool_name, calls, errors) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                "ON CONFLICT (day, tenant_slug, connector_id, tool_name) DO UPDATE SET "
                "calls = calls + excluded.calls, errors = errors + excluded.errors"},
  statement_def{stmt::list_usage, phase::data,
                "SELECT day, tenant_slug, connector_id, tool_name, calls, errors FROM tool_usage "
                "WHERE (?1 = '' OR tenant_slug = ?1) AND day >= ?2 "
                "ORDER BY day, tenant_slug, connector_id, tool_name"},
  // Never moves last_used_at back (nodes report uses in any order); an empty hash keeps it.
  statement_def{stmt::touch_api_key, phase::data,
                "UPDATE api_keys SET last_used_at = CASE WHEN last_used_at IS NULL OR "
                "last_used_at < ?2 THEN ?2 ELSE last_used_at END, key_hash = CASE WHEN ?3 = '' "
                "THEN key_hash ELSE ?3 END WHERE id = ?1"},
  // Compare-and-set: rewrites only what still holds the values read before.
  statement_def{stmt::rewrite_connector_secrets, phase::data,
                "UPDATE connectors SET configuration = ?5, runtime_env = ?6 WHERE id = ?1 AND "
                "tenant_id = ?2 AND configuration = ?3 AND runtime_env = ?4 RETURNING id"},
  // Replaces everything of the stored credential but its id and created_at.
  statement_def{
    stmt::upsert_oauth_credential, phase::data,
    "INSERT INTO oauth_credentials (id, tenant_id, provider, owner, provider_user_id, "
    "provider_username, access_token, refresh_token, token_type, scopes, expires_at, "
    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
    "ON CONFLICT (tenant_id, provider, owner) DO UPDATE SET "
    "provider_user_id = excluded.provider_user_id, "
    "provider_username = excluded.provider_username, access_token = excluded.access_token, "
    "refresh_token = excluded.refresh_token, token_type = excluded.token_type, "
    "scopes = excluded.scopes, expires_at = excluded.expires_at, "
    "updated_at = excluded.updated_at RETURNING id, tenant_id, provider, owner, "
    "provider_user_id, provider_username, access_token, refresh_token, token_type, scopes, "
    "expires_at, created_at, updated_at"},
  statement_def{
    stmt::select_oauth_credential, phase::data,
    "SELECT id, tenant_id, provider, owner, provider_user_id, provider_username, "
    "access_token, refresh_token, token_type, scopes, expires_at, created_at, updated_at "
    "FROM oauth_credentials WHERE tenant_id = ?1 AND provider = ?2 AND owner = ?3"},
  statement_def{
    stmt::list_oauth_credentials, phase::data,
    "SELECT id, tenant_id, provider, owner, provider_user_id, provider_username, "
    "access_token, refresh_token, token_type, scopes, expires_at, created_at, updated_at "
    "FROM oauth_credentials WHERE tenant_id = ?1 ORDER BY provider, owner"},
  statement_def{stmt::delete_oauth_credential, phase::data,
                "DELETE FROM oauth_credentials WHERE tenant_id = ?1 AND provider = ?2 AND "
                "owner = ?3 RETURNING id, tenant_id, provider, owner, provider_user_id, "
                "provider_username, access_token, refresh_token, token_type, scopes, expires_at, "
                "created_at, updated_at"},
  // A revoked API key's personal connections.
  statement_def{stmt::delete_personal_oauth_credentials, phase::data,
                "DELETE FROM oauth_credentials WHERE owner = ?1 AND owner <> ''"},
  // Compare-and-set: replaces only the tokens read before.
  statement_def{stmt::replace_oauth_tokens, phase::data,
                "UPDATE oauth_credentials SET access_token = ?4, refresh_token = ?5, "
                "token_type = ?6, scopes = ?7, expires_at = ?8, updated_at = ?9 "
                "WHERE id = ?1 AND access_token = ?2 AND COALESCE(refresh_token, '') = ?3 "
                "RETURNING id"},
  statement_def{
    stmt::upsert_oauth_config, phase::data,
    "INSERT INTO oauth_configs (id, tenant_id, provider, client_id, client_secret, "
    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (tenant_id, provider) DO UPDATE SET client_id = excluded.client_id, "
    "client_secret = excluded.client_secret, updated_at = excluded.updated_at "
    "RETURNING id, tenant_id, provider, client_id, client_secret, created_at, updated_at"},
  statement_def{stmt::select_oauth_config, phase::data,
                "SELECT id, tenant_id, provider, client_id, client_secret, created_at, updated_at "
                "FROM oauth_configs WHERE tenant_id = ?1 AND provider = ?2"},
  statement_def{stmt::list_oauth_configs, phase::data,
                "SELECT id, tenant_id, provider, client_id, client_secret, created_at, updated_at "
                "FROM oauth_configs WHERE tenant_id = ?1 ORDER BY provider"},
  statement_def{stmt::delete_oauth_config, phase::data,
                "DELETE FROM oauth_configs WHERE tenant_id = ?1 AND provider = ?2 RETURNING id"},
  // Compare-and-set: rewrites only the secret read before.
  statement_def{stmt::replace_oauth_config_secret, phase::data,
                "UPDATE oauth_configs SET client_secret = ?3 WHERE id = ?1 AND "
                "client_secret = ?2 RETURNING id"},
  statement_def{stmt::purge_oauth_flows, phase::data,
                "DELETE FROM oauth_flows WHERE expires_at < ?1"},
  statement_def{
    stmt::insert_oauth_flow, phase::data,
    "INSERT INTO oauth_flows (id, tenant_id, provider, owner, initiator, code_verifier, "
    "redirect_uri, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
  // Only one callback claims a flow, and only before it expires.
  statement_def{stmt::claim_oauth_flow, phase::data,
                "UPDATE oauth_flows SET completed_at = ?2, outcome = 'exchanging' WHERE id = ?1 "
                "AND completed_at IS NULL AND expires_at > ?2 "
                "RETURNING id, tenant_id, provider, owner, initiator, code_verifier, redirect_uri, "
                "expires_at, created_at, completed_at, outcome"},
  statement_def{stmt::finish_oauth_flow, phase::data,
                "UPDATE oauth_flows SET outcome = ?2 WHERE id = ?1 RETURNING id"},
  statement_def{stmt::select_oauth_flow, phase::data,
                "SELECT id, tenant_id, provider, owner, initiator, code_verifier, redirect_uri, "
                "expires_at, created_at, completed_at, outcome FROM oauth_flows WHERE id = ?1"},
};

static_assert(rows_follow_enum_order(statement_table),
              "statement_table rows must follow the enum order");
static_assert(statement_table.size() == static_cast<size_t>(stmt::select_oauth_flow) + 1,
              "every statement needs a row in statement_table");

} // namespace sagemcp::persistence::sqlite
