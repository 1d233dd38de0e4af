#include "transport/router.hpp"

#include "messages/errc.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/pct_string_view.hpp>

#include <array>

namespace sagemcp::transport {

namespace {

using enum route_id;
constexpr auto pa = scope::platform_admin;
constexpr auto ta = scope::tenant_admin;
constexpr auto tu = scope::tenant_user;
constexpr auto public_route = std::nullopt;

// Every route declares its scope and tenant binding here, and nowhere else.
const std::array route_table{
  route{"GET", "/", root, public_route, false},
  route{"GET", "/health", health, public_route, false},
  route{"GET", "/health/live", health_live, public_route, false},
  route{"GET", "/health/ready", health_ready, public_route, false},
  route{"GET", "/health/startup", health_startup, public_route, false},
  route{"GET", "/metrics", metrics, public_route, false},
  route{"GET", "/api/v1/{tenant}/connectors/{connector}/mcp", mcp_get, tu, true},
  route{"POST", "/api/v1/{tenant}/connectors/{connector}/mcp", mcp_post, tu, true},
  route{"DELETE", "/api/v1/{tenant}/connectors/{connector}/mcp", mcp_delete, tu, true},
  route{"GET", "/api/v1/{tenant}/connectors/{connector}/mcp/sse", mcp_sse, tu, true},
  route{"POST", "/api/v1/{tenant}/connectors/{connector}/mcp/messages", mcp_messages, tu, true},
  route{"GET", "/api/v1/{tenant}/mcp", mcp_get, tu, true},
  route{"POST", "/api/v1/{tenant}/mcp", mcp_post, tu, true},
  route{"DELETE", "/api/v1/{tenant}/mcp", mcp_delete, tu, true},
  route{"GET", "/api/v1/{tenant}/mcp/sse", mcp_sse, tu, true},
  route{"POST", "/api/v1/{tenant}/mcp/messages", mcp_messages, tu, true},
  route{"GET", "/api/v1/admin/tenants", tenants_list, pa, false},
  route{"POST", "/api/v1/admin/tenants", tenant_create, pa, false},
  route{"GET", "/api/v1/admin/tenants/{tenant}", tenant_get, pa, true},
  route{"PUT", "/api/v1/admin/tenants/{tenant}", tenant_update, pa, true},
  route{"DELETE", "/api/v1/admin/tenants/{tenant}", tenant_delete, pa, true},
  route{"GET", "/api/v1/admin/tenants/{tenant}/connectors", connectors_list, tu, true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors", connector_create, ta, true},
  route{"GET", "/api/v1/admin/tenants/{tenant}/connectors/{connector}", connector_get, tu, true},
  route{"PUT", "/api/v1/admin/tenants/{tenant}/connectors/{connector}", connector_update, ta, true},
  route{"DELETE", "/api/v1/admin/tenants/{tenant}/connectors/{connector}", connector_delete, ta,
        true},
  route{"PATCH", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/toggle", connector_toggle,
        ta, true},
  route{"GET", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools", tools_list, ta, true},
  route{"GET", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/process", process_status, ta,
        true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/process/restart",
        process_restart, ta, true},
  route{"DELETE", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/process", process_stop, ta,
        true},
  route{"PATCH", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/{tool}", tool_update,
        ta, true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/bulk-update",
        tools_bulk_update, ta, true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/enable-all",
        tools_enable_all, ta, true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/disable-all",
        tools_disable_all, ta, true},
  route{"POST", "/api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/sync", tools_sync, ta,
        true},
  route{"GET", "/api/v1/admin/connector-types", connector_types, tu, false},
  route{"GET", "/api/v1/admin/pool", pool_list, pa, false},
  route{"GET", "/api/v1/admin/pool/summary", pool_summary, pa, false},
  route{"DELETE", "/api/v1/admin/pool/{tenant}/{connector}", pool_evict, pa, true},
  route{"POST", "/api/v1/admin/pool/evict-idle", pool_evict_idle, pa, false},
  route{"GET", "/api/v1/admin/logs/stream", logs_stream, pa, false},
  route{"GET", "/api/v1/admin/sessions", sessions_list, pa, false},
  route{"GET", "/api/v1/admin/sessions/{session}", session_get, pa, false},
  route{"DELETE", "/api/v1/admin/sessions/{session}", session_delete, pa, false},
  route{"GET", "/api/v1/admin/stats", stats, pa, false},
  route{"GET", "/api/v1/admin/settings", settings, pa, false},
  route{"GET", "/api/v1/admin/audit", audit_list, pa, false},
  route{"GET", "/api/v1/admin/usage", usage, pa, false},
  route{"GET", "/api/v1/admin/tenants/{tenant}/audit", tenant_audit, ta, true},
  route{"GET", "/api/v1/auth/keys", keys_list, pa, false},
  route{"POST", "/api/v1/auth/keys", key_create, pa, false},
  route{"DELETE", "/api/v1/auth/keys/{key}", key_revoke, pa, false},
  route{"POST", "/api/v1/auth/verify", key_verify, tu, false},
  route{"GET", "/api/v1/oauth/providers", oauth_providers, tu, false},
  route{"GET", "/api/v1/oauth/{tenant}/auth", oauth_credentials, tu, true},
  route{"GET", "/api/v1/oauth/{tenant}/auth/{provider}", oauth_start, ta, true},
  route{"DELETE", "/api/v1/oauth/{tenant}/auth/{provider}", oauth_revoke, ta, true},
  route{"GET", "/api/v1/oauth/{tenant}/me/auth/{provider}", oauth_start_personal, tu, true},
  route{"DELETE", "/api/v1/oauth/{tenant}/me/auth/{provider}", oauth_revoke_personal, tu, true},
  // The provider's redirect: the signed, single-use state authenticates it.
  route{"GET", "/api/v1/oauth/{tenant}/callback/{provider}", oauth_callback, public_route, false},
  route{"GET", "/api/v1/oauth/{tenant}/flows/{flow}", oauth_flow, tu, true},
  route{"GET", "/api/v1/oauth/{tenant}/config", oauth_apps_list, ta, true},
  route{"POST", "/api/v1/oauth/{tenant}/config", oauth_app_set, ta, true},
  route{"DELETE", "/api/v1/oauth/{tenant}/config/{provider}", oauth_app_delete, ta, true},
};

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches a raw (percent-encoded) path against a pattern; parameters are decoded. Both start
// with '/'.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string_view, std::string>>& params) {
  params.clear();
  if (pattern == "/" || path.size() < 2 || path.front() != '/') {
    return pattern == path;
  }
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  for (;;) {
    auto pattern_end = pattern.find('/');
    auto path_end = path.find('/');
    auto expected = pattern.substr(0, pattern_end);
    auto actual = path.substr(0, path_end);
    if (is_param(expected)) {
      auto decoded = boost::urls::make_pct_string_view(actual);
      if (actual.empty() || !decoded) {
        return false;
      }
      params.emplace_back(expected.substr(1, expected.size() - 2), decoded->decode());
    } else if (expected != actual) {
      return false;
    }
    bool pattern_last = pattern_end == std::string_view::npos;
    bool path_last = path_end == std::string_view::npos;
    if (pattern_last || path_last) {
      return pattern_last && path_last;
    }
    pattern.remove_prefix(pattern_end + 1);
    path.remove_prefix(path_end + 1);
  }
}

} // namespace

std::span<const route> routes() {
  return route_table;
}

std::string routes_json() {
  boost::json::array out;
  for (const auto& entry : route_table) {
    out.emplace_back(boost::json::object{
      {"method", entry.method},
      {"pattern", entry.pattern},
      {"scope", entry.need ? boost::json::value(to_string(*entry.need)) : boost::json::value()},
      {"tenant_bound", entry.tenant_bound}});
  }
  return boost::json::serialize(out);
}

std::string_view route_match::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

caf::expected<route_match> match_route(std::string_view method, std::string_view path) {
  if (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  route_match result;
  for (const auto& entry : route_table) {
    if (entry.method == method && match_pattern(entry.pattern, path, result.params)) {
      result.entry = &entry;
      return result;
    }
  }
  // No route of this method: which methods the path has, if any.
  std::string allowed;
  for (const auto& entry : route_table) {
    if (!match_pattern(entry.pattern, path, result.params)) {
      continue;
    }
    if (allowed.find(entry.method) == std::string::npos) {
      allowed += allowed.empty() ? "" : ", ";
      allowed += entry.method;
    }
  }
  if (!allowed.empty()) {
    return make_error(errc::method_not_allowed, std::move(allowed));
  }
  return make_error(errc::not_found, "Not found");
}

bool is_authorized(const route& entry, const principal& caller, std::string_view tenant_slug) {
  if (!entry.need) {
    return true;
  }
  if (caller.role < *entry.need) {
    return false;
  }
  if (caller.role == scope::platform_admin || !entry.tenant_bound) {
    return true;
  }
  return !caller.tenant_slug.empty() && caller.tenant_slug == tenant_slug;
}

} // namespace sagemcp::transport
