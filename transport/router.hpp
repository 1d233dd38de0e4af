#pragma once

#include "messages/types.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagemcp::transport {

/// Every endpoint of the server.
enum class route_id {
  root,
  health,
  health_live,
  health_ready,
  health_startup,
  metrics,
  mcp_get,
  mcp_post,
  mcp_delete,
  mcp_sse,
  mcp_messages,
  tenants_list,
  tenant_create,
  tenant_get,
  tenant_update,
  tenant_delete,
  connectors_list,
  connector_create,
  connector_get,
  connector_update,
  connector_delete,
  connector_toggle,
  process_status,
  process_restart,
  process_stop,
  connector_types,
  keys_list,
  key_create,
  key_revoke,
  key_verify,
  tools_list,
  tool_update,
  tools_bulk_update,
  tools_enable_all,
  tools_disable_all,
  tools_sync,
  pool_list,
  pool_summary,
  pool_evict,
  pool_evict_idle,
  sessions_list,
  logs_stream,
  session_get,
  session_delete,
  stats,
  settings,
  audit_list,
  tenant_audit,
  usage,
  oauth_providers,
  oauth_credentials,
  oauth_start,
  oauth_revoke,
  oauth_start_personal,
  oauth_revoke_personal,
  oauth_callback,
  oauth_flow,
  oauth_apps_list,
  oauth_app_set,
  oauth_app_delete,
};

/// One row of the route table: who may call what.
struct route {
  std::string_view method;
  /// Path template; `{name}` matches one non-empty segment.
  std::string_view pattern;
  route_id id;
  /// The scope a caller needs; nullopt for public routes.
  std::optional<scope> need;
  /// Whether a tenant-bound key must belong to the path's `{tenant}`.
  bool tenant_bound;
};

/// The route table.
std::span<const route> routes();

/// The route table as a JSON array of {method, pattern, scope (null for public routes),
/// tenant_bound}: what `sagemcp routes` prints, and what the isolation test walks.
std::string routes_json();

/// A matched route with its path parameters.
struct route_match {
  const route* entry = nullptr;
  std::vector<std::pair<std::string_view, std::string>> params;

  /// The value of `{name}`, or an empty view.
  std::string_view param(std::string_view name) const;
};

/// Finds the route for a method and a raw (percent-encoded) path; parameters come decoded. Errors:
/// errc::not_found when no pattern matches; errc::method_not_allowed (context: the allowed methods,
/// comma-separated) when a pattern matches under other methods.
caf::expected<route_match> match_route(std::string_view method, std::string_view path);

/// Whether `caller` may use `entry` with `tenant_slug` from the path: its scope covers the
/// route's and, for tenant-bound routes, a non-platform key belongs to that tenant.
bool is_authorized(const route& entry, const principal& caller, std::string_view tenant_slug);

} // namespace sagemcp::transport
