#pragma once

#include "messages/types.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <string>
#include <vector>

namespace sagemcp::persistence {

/// The database behind the persistence actor. Implementations block; only the persistence actor
/// (a detached actor) calls them. Failures are errors of sagemcp::errc: not_found, conflict,
/// invalid_argument or storage_failure.
class store {
public:
  virtual ~store() = default;

  /// Applies pending migrations; idempotent.
  virtual caf::error migrate() = 0;

  /// The highest applied migration version.
  virtual caf::expected<int> schema_version() = 0;

  /// Runs a trivial query to prove the database answers.
  virtual caf::error ping() = 0;

  /// Inserts a tenant (id, created_at and updated_at are filled in); conflict on a taken slug.
  virtual caf::expected<tenant_row> create_tenant(tenant_row row) = 0;

  /// Updates name, description and contact_email of the tenant with `row.slug`.
  virtual caf::expected<tenant_row> update_tenant(const tenant_row& row) = 0;

  /// Deletes a tenant and, by cascade, its connectors, tool states, API keys, OAuth credentials,
  /// OAuth apps and OAuth flows.
  virtual caf::error delete_tenant(const std::string& slug) = 0;

  /// Reads a tenant by slug.
  virtual caf::expected<tenant_row> get_tenant(const std::string& slug) = 0;

  /// Lists tenants ordered by slug.
  virtual caf::expected<std::vector<tenant_row>> list_tenants() = 0;

  /// Lists the connectors of a tenant ordered by creation time.
  virtual caf::expected<std::vector<connector_row>> list_connectors(const std::string& tenant_id)
    = 0;

  /// Inserts a connector (id and timestamps are filled in).
  virtual caf::expected<connector_row> create_connector(connector_row row) = 0;

  /// Updates name, description, configuration, is_enabled and the runtime fields of the
  /// connector with `row.id` and `row.tenant_id`.
  virtual caf::expected<connector_row> update_connector(const connector_row& row) = 0;

  /// Deletes a connector of a tenant.
  virtual caf::error delete_connector(const std::string& tenant_id, const std::string& id) = 0;

  /// Inserts an API key (id and created_at are filled in); conflict on a duplicate hash.
  virtual caf::expected<api_key_row> create_api_key(api_key_row row) = 0;

  /// Lists API keys, newest first, with the tenant slug joined in.
  virtual caf::expected<std::vector<api_key_row>> list_api_keys() = 0;

  /// Marks an API key inactive and returns it.
  virtual caf::expected<api_key_row> revoke_api_key(const std::string& id) = 0;

  /// Records when keys were last used (`id`, `last_used_at`; never moving it back) and stores
  /// the new `key_hash` of those that carry one, in one transaction. Unknown ids are ignored.
  virtual caf::error touch_api_keys(const std::vector<api_key_row>& uses) = 0;

  /// Replaces the stored configuration and runtime_env of connector `before.id` of tenant
  /// `before.tenant_id`, if they still hold `before`'s values (compare-and-set); false when they
  /// changed meanwhile or the connector is gone.
  virtual caf::expected<bool> rewrite_connector_secrets(const connector_row& before,
                                                        const std::string& configuration,
                                                        const std::string& runtime_env)
    = 0;

  /// Lists the tool policy rows of a connector ordered by tool name.
  virtual caf::expected<std::vector<tool_state_row>>
  list_tool_states(const std::string& connector_id) = 0;

  /// Sets the state of the named tools and deletes the rows of `removed`, in one transaction;
  /// returns the connector's rows afterwards.
  virtual caf::expected<std::vector<tool_state_row>>
  change_tool_states(const std::string& connector_id, const std::vector<tool_state_row>& states,
                     const std::vector<std::string>& removed)
    = 0;

  /// Lists the disabled tools of every connector of a tenant, ordered by connector and name.
  virtual caf::expected<std::vector<tool_state_row>>
  list_disabled_tools(const std::string& tenant_id) = 0;

  /// Adds call counts to the daily totals (creating rows as needed), in one transaction.
  virtual caf::error add_usage(const std::vector<usage_row>& rows) = 0;

  /// Daily totals from `since_day` (YYYY-MM-DD) on, of one tenant or of all for an empty slug,
  /// ordered by day, tenant, connector and tool.
  virtual caf::expected<std::vector<usage_row>>
  list_usage(const std::string& tenant_slug, const std::string& since_day) = 0;

  /// Appends an audit entry (id and `at` are filled in).
  virtual caf::expected<audit_row> append_audit(audit_row row) = 0;

  /// The newest audit entries first, of one tenant or of all for an empty slug; at most `limit`.
  virtual caf::expected<std::vector<audit_row>>
  list_audit(const std::string& tenant_slug, int64_t limit) = 0;

  /// Inserts the OAuth credential of (tenant_id, provider, owner), or replaces every column of
  /// the one stored but its id and created_at; returns the stored row. invalid_argument without a
  /// tenant, a provider or an access token; not_found for an unknown tenant.
  virtual caf::expected<oauth_credential_row> upsert_oauth_credential(oauth_credential_row row) = 0;

  /// Reads the OAuth credential of (tenant_id, provider, owner); not_found if none.
  virtual caf::expected<oauth_credential_row> get_oauth_credential(const std::string& tenant_id,
                                                                   const std::string& provider,
                                                                   const std::string& owner)
    = 0;

  /// Lists the OAuth credentials of a tenant ordered by provider and owner.
  virtual caf::expected<std::vector<oauth_credential_row>>
  list_oauth_credentials(const std::string& tenant_id) = 0;

  /// Deletes the OAuth credential of (tenant_id, provider, owner) and returns it; not_found if
  /// none.
  virtual caf::expected<oauth_credential_row> delete_oauth_credential(const std::string& tenant_id,
                                                                      const std::string& provider,
                                                                      const std::string& owner)
    = 0;

  /// Stores `after`'s access_token, refresh_token, token_type, scopes and expires_at in
  /// credential `before.id` if it still holds `before`'s tokens (compare-and-set); false when
  /// they changed meanwhile or the credential is gone.
  virtual caf::expected<bool>
  replace_oauth_tokens(const oauth_credential_row& before, const oauth_credential_row& after) = 0;

  /// Inserts a tenant's OAuth app for a provider, or replaces the client_id and client_secret of
  /// the one stored; returns the stored row. invalid_argument without a tenant, a provider, a
  /// client id or a client secret; not_found for an unknown tenant.
  virtual caf::expected<oauth_config_row> upsert_oauth_config(oauth_config_row row) = 0;

  /// Reads a tenant's OAuth app for a provider; not_found if none.
  virtual caf::expected<oauth_config_row>
  get_oauth_config(const std::string& tenant_id, const std::string& provider) = 0;

  /// Lists a tenant's OAuth apps ordered by provider.
  virtual caf::expected<std::vector<oauth_config_row>>
  list_oauth_configs(const std::string& tenant_id) = 0;

  /// Deletes a tenant's OAuth app for a provider; not_found if none.
  virtual caf::error delete_oauth_config(const std::string& tenant_id, const std::string& provider)
    = 0;

  /// Replaces the client secret of OAuth app `before.id` if it still holds `before`'s
  /// (compare-and-set, for key rotation); false when it changed meanwhile or the app is gone.
  virtual caf::expected<bool>
  replace_oauth_config_secret(const oauth_config_row& before, const std::string& client_secret) = 0;

  /// Inserts an authorization under way (its id comes from the caller; created_at is filled in)
  /// after deleting, in the same transaction, the flows that expired over an hour ago.
  /// invalid_argument without an id, a tenant, a provider, an initiator, a redirect URI or an
  /// expiry; not_found for an unknown tenant; conflict on a taken id.
  virtual caf::expected<oauth_flow_row> create_oauth_flow(oauth_flow_row row) = 0;

  /// Claims a flow for its callback, once: sets completed_at and the outcome `exchanging` if it
  /// waits and has not expired, and returns it; not_found otherwise.
  virtual caf::expected<oauth_flow_row> claim_oauth_flow(const std::string& id) = 0;

  /// Records the outcome of a flow; not_found if none.
  virtual caf::error finish_oauth_flow(const std::string& id, const std::string& outcome) = 0;

  /// Reads a flow by id; not_found if none.
  virtual caf::expected<oauth_flow_row> get_oauth_flow(const std::string& id) = 0;
};

} // namespace sagemcp::persistence
