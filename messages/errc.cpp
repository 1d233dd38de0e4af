#include "messages/errc.hpp"

#include <caf/sec.hpp>

#include <array>

namespace sagemcp {

namespace {

using enum error_surface;

// One row per errc value, in enum order: name, text, surface, JSON-RPC code, HTTP status,
// retryable. HTTP status 200 means "a JSON-RPC error inside a successful HTTP exchange".
constexpr std::array errc_table{
  errc_info{errc::parse_error, "parse_error", "Parse error", jsonrpc, -32700, 400, false},
  errc_info{errc::invalid_request, "invalid_request", "Invalid Request", jsonrpc, -32600, 400,
            false},
  errc_info{errc::method_not_found, "method_not_found", "Method not found", jsonrpc, -32601, 200,
            false},
  errc_info{errc::invalid_params, "invalid_params", "Invalid params", jsonrpc, -32602, 200, false},
  errc_info{errc::internal_error, "internal_error", "Internal error", jsonrpc, -32603, 500, false},
  errc_info{errc::unknown_tool, "unknown_tool", "Unknown tool", jsonrpc, -32602, 200, false},
  errc_info{errc::invalid_tool_arguments, "invalid_tool_arguments", "Invalid tool arguments",
            tool_result, -32602, 200, false},
  errc_info{errc::tool_failed, "tool_failed", "Tool execution failed", tool_result, -32603, 200,
            false},
  errc_info{errc::session_required, "session_required",
            "Bad Request: Mcp-Session-Id header is required", jsonrpc, -32000, 400, false},
  errc_info{errc::session_not_found, "session_not_found", "Session not found", jsonrpc, -32001, 404,
            false},
  errc_info{errc::unsupported_protocol_version, "unsupported_protocol_version",
            "Bad Request: Unsupported protocol version", jsonrpc, -32000, 400, false},
  errc_info{errc::not_acceptable, "not_acceptable",
            "Not Acceptable: Client must accept both application/json and text/event-stream",
            jsonrpc, -32000, 406, false},
  errc_info{errc::unsupported_media_type, "unsupported_media_type",
            "Unsupported Media Type: Content-Type must be application/json", jsonrpc, -32000, 415,
            false},
  errc_info{errc::payload_too_large, "payload_too_large", "Payload Too Large", jsonrpc, -32000, 413,
            false},
  errc_info{errc::method_not_allowed, "method_not_allowed", "Method Not Allowed", jsonrpc, -32000,
            405, false},
  errc_info{errc::forbidden_origin, "forbidden_origin", "Forbidden: Origin not allowed", jsonrpc,
            -32000, 403, false},
  errc_info{errc::unauthenticated, "unauthenticated", "Unauthorized: a valid API key is required",
            jsonrpc, -32000, 401, false},
  errc_info{errc::forbidden, "forbidden", "Forbidden", jsonrpc, -32000, 403, false},
  errc_info{errc::tenant_not_found, "tenant_not_found", "Tenant not found", jsonrpc, -32001, 404,
            false},
  errc_info{errc::connector_not_found, "connector_not_found", "Connector not found", jsonrpc,
            -32001, 404, false},
  errc_info{errc::connector_disabled, "connector_disabled", "Connector is disabled", jsonrpc,
            -32001, 404, false},
  errc_info{errc::not_found, "not_found", "Not found", jsonrpc, -32001, 404, false},
  errc_info{errc::conflict, "conflict", "Conflict", jsonrpc, -32000, 409, false},
  errc_info{errc::invalid_argument, "invalid_argument", "Invalid argument", jsonrpc, -32602, 400,
            false},
  errc_info{errc::storage_failure, "storage_failure", "Storage unavailable", jsonrpc, -32603, 503,
            true},
  errc_info{errc::timeout, "timeout", "Timed out", jsonrpc, -32603, 504, true},
  errc_info{errc::resource_not_found, "resource_not_found", "Resource not found", jsonrpc, -32002,
            200, false},
  errc_info{errc::cancelled, "cancelled", "Request cancelled", jsonrpc, -32603, 202, false},
  errc_info{errc::shutting_down, "shutting_down", "Server is shutting down", jsonrpc, -32603, 503,
            true},
  // The 2026-07-28 request envelope and its HTTP mirror headers.
  errc_info{errc::invalid_envelope, "invalid_envelope", "Invalid params: bad request _meta",
            jsonrpc, -32602, 400, false},
  errc_info{errc::header_mismatch, "header_mismatch", "Header mismatch", jsonrpc, -32020, 400,
            false},
  errc_info{errc::missing_client_capability, "missing_client_capability",
            "Missing required client capability", jsonrpc, -32021, 400, false},
  errc_info{errc::version_not_supported, "version_not_supported", "Unsupported protocol version",
            jsonrpc, -32022, 400, false},
  // -32000..-32019 are implementation-defined; -32029 would collide with the spec's range.
  errc_info{errc::rate_limited, "rate_limited",
            "Too Many Requests: the tenant's rate limit is "
            "exhausted",
            jsonrpc, -32010, 429, true},
  errc_info{errc::session_budget_exceeded, "session_budget_exceeded",
            "Session byte budget exhausted", jsonrpc, -32011, 200, true},
  errc_info{errc::storage_unavailable, "storage_unavailable",
            "Service Unavailable: the database is unreachable", jsonrpc, -32603, 503, true},
  errc_info{errc::secret_unreadable, "secret_unreadable",
            "A stored secret cannot be decrypted with the configured keys", jsonrpc, -32603, 500,
            false},
  // An upstream service (an OAuth provider's token endpoint) refused or failed a request.
  errc_info{errc::upstream_failure, "upstream_failure", "Bad Gateway: the upstream service failed",
            jsonrpc, -32603, 502, true},
  // An upstream MCP server's JSON-RPC error, passed on with its own code (see
  // make_relayed_error); -32603 is only the fallback.
  errc_info{errc::relayed_error, "relayed_error", "The upstream MCP server failed the request",
            jsonrpc, -32603, 200, false},
};

constexpr bool table_is_in_enum_order() {
  for (size_t i = 0; i < errc_table.size(); ++i) {
    if (static_cast<size_t>(errc_table[i].code) != i + 1) {
      return false;
    }
  }
  return true;
}

static_assert(table_is_in_enum_order(), "errc_table rows must follow the enum order");
static_assert(errc_table.size() == static_cast<size_t>(last_errc),
              "every errc value needs a row in errc_table");

} // namespace

const errc_info& info(errc x) {
  auto index = static_cast<size_t>(x);
  if (index == 0 || index > errc_table.size()) {
    return errc_table[static_cast<size_t>(errc::internal_error) - 1];
  }
  return errc_table[index - 1];
}

std::string to_string(errc x) {
  return std::string{info(x).name};
}

caf::error make_error(errc x, std::string message) {
  return caf::error{static_cast<uint8_t>(x), errc_category, caf::make_message(std::move(message))};
}

caf::error make_error(errc x, std::string message, std::string data) {
  return caf::error{static_cast<uint8_t>(x), errc_category,
                    caf::make_message(std::move(message), std::move(data))};
}

caf::error make_error(errc x) {
  return caf::error{static_cast<uint8_t>(x), errc_category};
}

caf::error make_relayed_error(int32_t jsonrpc_code, std::string message, std::string data) {
  return caf::error{static_cast<uint8_t>(errc::relayed_error), errc_category,
                    caf::make_message(std::move(message), std::move(data), jsonrpc_code)};
}

int32_t jsonrpc_code_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (code_of(err) == errc::relayed_error && ctx.size() == 3 && ctx.match_element<int32_t>(2)) {
    return ctx.get_as<int32_t>(2);
  }
  return info(code_of(err)).jsonrpc_code;
}

errc code_of(const caf::error& err) {
  if (err.category() != errc_category || err.code() == 0
      || err.code() > static_cast<uint8_t>(last_errc)) {
    if (err == caf::sec::request_timeout) {
      return errc::timeout;
    }
    return errc::internal_error;
  }
  return static_cast<errc>(err.code());
}

std::string message_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (err.category() == errc_category && !ctx.empty() && ctx.match_element<std::string>(0)) {
    return ctx.get_as<std::string>(0);
  }
  return std::string{info(code_of(err)).text};
}

std::string data_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (err.category() == errc_category && ctx.size() >= 2 && ctx.match_element<std::string>(1)) {
    return ctx.get_as<std::string>(1);
  }
  return {};
}

} // namespace sagemcp
