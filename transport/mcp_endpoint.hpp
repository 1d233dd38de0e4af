#pragma once

#include "transport/context.hpp"

#include <chrono>

namespace sagemcp::transport {

/// POST on a connector's MCP endpoint (Streamable HTTP, legacy era, JSON responses).
void handle_mcp_post(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply);

/// GET on a connector's MCP endpoint: the session's event stream for server-initiated messages,
/// or the resumption of a stream named by Last-Event-ID.
void handle_mcp_get(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal& caller, responder reply);

/// DELETE on a connector's MCP endpoint: terminates the session.
void handle_mcp_delete(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply);

/// GET on the legacy HTTP+SSE endpoint (`…/mcp/sse`): opens a connection-bound session whose
/// first event names the URL for its messages.
void handle_sse_open(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply);

/// POST of a message of a legacy HTTP+SSE session (`…/mcp/messages?sessionId=`): 202, and the
/// answer comes on the session's SSE stream.
void handle_sse_message(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply);

/// A JSON-RPC error response for `err`, with the status of its errc row.
http_response jsonrpc_error_response(const caf::error& err, std::string_view id = {});

/// The error of a request over its tenant's rate limit, with the seconds to wait in its data.
caf::error rate_limit_error(std::chrono::seconds wait);

} // namespace sagemcp::transport
