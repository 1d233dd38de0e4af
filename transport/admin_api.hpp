#pragma once

#include "transport/context.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace sagemcp::transport {

/// The REST error response of a failure: the status of its errc row (400 for the codes MCP
/// answers inside HTTP 200), its name and its message.
http_response error_of(const caf::error& err);

/// A text column as JSON: null when empty.
inline boost::json::value optional_text(const std::string& x) {
  return x.empty() ? boost::json::value() : boost::json::value(x);
}

/// An error handler for `ask` that answers the request with the failure.
inline auto fail(responder reply) {
  return [reply = std::move(reply)](caf::error& err) {
    reply(error_of(err));
  };
}

/// GET /api/v1/admin/tenants
void list_tenants(transport_context& ctx, const http_request& req, const route_match& match,
                  const principal& caller, responder reply);

/// POST /api/v1/admin/tenants
void create_tenant(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder reply);

/// GET /api/v1/admin/tenants/{tenant}
void get_tenant(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

/// PUT /api/v1/admin/tenants/{tenant}
void update_tenant(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder reply);

/// DELETE /api/v1/admin/tenants/{tenant}
void delete_tenant(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder reply);

/// GET /api/v1/admin/tenants/{tenant}/connectors
void list_connectors(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply);

/// POST /api/v1/admin/tenants/{tenant}/connectors
void create_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

/// GET /api/v1/admin/tenants/{tenant}/connectors/{connector}
void get_connector(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder reply);

/// PUT /api/v1/admin/tenants/{tenant}/connectors/{connector}
void update_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

/// DELETE /api/v1/admin/tenants/{tenant}/connectors/{connector}
void delete_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

/// PATCH /api/v1/admin/tenants/{tenant}/connectors/{connector}/toggle
void toggle_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

/// GET /api/v1/admin/connector-types
void list_connector_types(transport_context& ctx, const http_request& req, const route_match& match,
                          const principal& caller, responder reply);

/// GET /api/v1/auth/keys
void list_keys(transport_context& ctx, const http_request& req, const route_match& match,
               const principal& caller, responder reply);

/// POST /api/v1/auth/keys
void create_key(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

/// DELETE /api/v1/auth/keys/{key}
void revoke_key(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

/// POST /api/v1/auth/verify
void verify_key(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

/// Whether a tenant slug is valid: 1–50 of [a-z0-9-], no leading or trailing '-', not reserved.
void list_tool_policy(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

void update_tool_policy(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply);

void bulk_update_tool_policy(transport_context& ctx, const http_request& req,
                             const route_match& match, const principal& caller, responder reply);

void enable_all_tools(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

void disable_all_tools(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply);

void sync_tool_policy(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

void list_pool(transport_context& ctx, const http_request& req, const route_match& match,
               const principal& caller, responder reply);

void pool_summary(transport_context& ctx, const http_request& req, const route_match& match,
                  const principal& caller, responder reply);

/// GET /api/v1/admin/tenants/{tenant}/connectors/{connector}/process: an external server's
/// processes (pid, status, restarts, health, stderr tail).
void get_process(transport_context& ctx, const http_request& req, const route_match& match,
                 const principal& caller, responder reply);

/// POST .../process/restart: restarts an external server's processes.
void restart_process(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply);

/// DELETE .../process: stops an external server's processes; the next request starts one.
void stop_process(transport_context& ctx, const http_request& req, const route_match& match,
                  const principal& caller, responder reply);

void evict_pool_entry(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply);

void evict_idle_pool_entries(transport_context& ctx, const http_request& req,
                             const route_match& match, const principal& caller, responder reply);

void list_sessions(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder reply);

/// GET /api/v1/admin/sessions/{session}: one session with its own status.
void get_session(transport_context& ctx, const http_request& req, const route_match& match,
                 const principal& caller, responder reply);

void terminate_session(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply);

/// GET /api/v1/admin/audit?tenant_slug=&limit=: the audit log, newest first (platform admins).
void list_audit(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

/// GET /api/v1/admin/tenants/{tenant}/audit?limit=: one tenant's audit log (its admins).
void list_tenant_audit(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply);

/// GET /api/v1/admin/usage?tenant_slug=&days=: daily tool call totals (platform admins).
void list_usage(transport_context& ctx, const http_request& req, const route_match& match,
                const principal& caller, responder reply);

void platform_stats(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal& caller, responder reply);

void platform_settings(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply);

bool is_valid_slug(std::string_view slug);

} // namespace sagemcp::transport
