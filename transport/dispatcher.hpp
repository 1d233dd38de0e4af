#pragma once

#include "transport/context.hpp"

namespace sagemcp::transport {

/// Routes a request, authenticates and authorizes its caller against the route table, runs the
/// route's handler, and records the access log line and HTTP metrics of its response.
void dispatch(transport_context& ctx, http_request req, responder reply);

} // namespace sagemcp::transport
