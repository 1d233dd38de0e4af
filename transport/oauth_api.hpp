#pragma once

#include "transport/context.hpp"

#include <string>
#include <string_view>

namespace sagemcp::transport {

/// The `state` sent to a provider for a flow: its id and an HMAC binding it to the tenant and
/// provider of the callback URL.
std::string oauth_state(const transport_context& ctx, std::string_view flow_id,
                        std::string_view tenant_slug, std::string_view provider);

/// The flow id of a `state` that the callback of (tenant, provider) may accept; empty when the
/// state is malformed, forged, or minted for another tenant or provider.
std::string verify_oauth_state(const transport_context& ctx, std::string_view state,
                               std::string_view tenant_slug, std::string_view provider);

/// GET /api/v1/oauth/providers
void list_oauth_providers(transport_context& ctx, const http_request& req, const route_match& match,
                          const principal& caller, responder reply);

/// GET /api/v1/oauth/{tenant}/auth/{provider}: starts connecting the tenant's account.
void start_tenant_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply);

/// GET /api/v1/oauth/{tenant}/me/auth/{provider}: starts connecting the caller's own account,
/// which connectors in credential_mode "user" use for the caller's API key.
void start_personal_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                          const principal& caller, responder reply);

/// DELETE /api/v1/oauth/{tenant}/me/auth/{provider}: removes the caller's own connection.
void revoke_personal_oauth(transport_context& ctx, const http_request& req,
                           const route_match& match, const principal& caller, responder reply);

/// GET /api/v1/oauth/{tenant}/callback/{provider}: the provider's redirect.
void oauth_callback(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal& caller, responder reply);

/// GET /api/v1/oauth/{tenant}/flows/{flow}: how a started authorization went.
void get_oauth_flow(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal& caller, responder respond);

/// GET /api/v1/oauth/{tenant}/auth
void list_oauth_credentials(transport_context& ctx, const http_request& req,
                            const route_match& match, const principal& caller, responder respond);

/// DELETE /api/v1/oauth/{tenant}/auth/{provider}: the tenant's connection, or with
/// `?owner=<key id>` a user's personal one.
void revoke_tenant_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                         const principal& caller, responder reply);

/// GET /api/v1/oauth/{tenant}/config
void list_oauth_apps(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder respond);

/// POST /api/v1/oauth/{tenant}/config
void set_oauth_app(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal& caller, responder respond);

/// DELETE /api/v1/oauth/{tenant}/config/{provider}
void delete_oauth_app(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder respond);

} // namespace sagemcp::transport
