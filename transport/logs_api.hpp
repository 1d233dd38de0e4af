#pragma once

#include "transport/context.hpp"

namespace sagemcp::transport {

/// GET /api/v1/admin/logs/stream: the server's log lines as they are written, as Server-Sent
/// Events (one JSON line per event), after the most recent `backlog` lines (200; at most 1000);
/// `level` keeps lines at or above a level, `tenant` and `connector` keep the lines naming them.
void stream_logs(transport_context& ctx, const http_request& req, const route_match& match,
                 const principal& caller, responder reply);

} // namespace sagemcp::transport
