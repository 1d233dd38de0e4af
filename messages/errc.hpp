#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sagemcp {

/// Every failure the system can report; each value has exactly one row in the errc table.
enum class errc : uint8_t {
  // Value 0 is reserved by CAF for "no error".
  parse_error = 1,
  invalid_request,
  method_not_found,
  invalid_params,
  internal_error,
  unknown_tool,
  invalid_tool_arguments,
  tool_failed,
  session_required,
  session_not_found,
  unsupported_protocol_version,
  not_acceptable,
  unsupported_media_type,
  payload_too_large,
  method_not_allowed,
  forbidden_origin,
  unauthenticated,
  forbidden,
  tenant_not_found,
  connector_not_found,
  connector_disabled,
  not_found,
  conflict,
  invalid_argument,
  storage_failure,
  timeout,
  resource_not_found,
  cancelled,
  shutting_down,
  invalid_envelope,
  header_mismatch,
  missing_client_capability,
  version_not_supported,
  rate_limited,
  session_budget_exceeded,
  storage_unavailable,
  secret_unreadable,
  upstream_failure,
  relayed_error,
};

/// The last errc value; every value from 1 to this one has a table row.
constexpr errc last_errc = errc::relayed_error;

/// Where a failure surfaces towards an MCP client.
enum class error_surface : uint8_t {
  /// A JSON-RPC error response (or a plain HTTP error outside MCP routes).
  jsonrpc,
  /// A successful `tools/call` result with `isError: true` and the message as text.
  tool_result,
};

/// One row of the errc table.
struct errc_info {
  errc code;
  std::string_view name;
  std::string_view text;
  error_surface surface;
  int jsonrpc_code;
  unsigned http_status;
  bool retryable;
};

/// The errc table row for `x`.
const errc_info& info(errc x);

/// The enumerator name of `x`, for logs and CAF's error rendering.
std::string to_string(errc x);

/// The CAF error category of sagemcp errors.
constexpr caf::atom_value errc_category = caf::atom("sagemcp");

/// Creates an error with a human-readable context message.
caf::error make_error(errc x, std::string message);

/// Creates an error without context; clients then see the table's default text.
caf::error make_error(errc x);

/// Creates an error with a message and JSON-RPC error data (raw JSON text).
caf::error make_error(errc x, std::string message, std::string data);

/// Creates the error an upstream MCP server answered, to pass on as it is: its JSON-RPC code,
/// message and data (raw JSON text, empty when absent).
caf::error make_relayed_error(int32_t jsonrpc_code, std::string message, std::string data);

/// The JSON-RPC code a client sees for `err`: a relayed error's own, else its errc's.
int32_t jsonrpc_code_of(const caf::error& err);

/// Returns the sagemcp error code carried by `err`, or internal_error for foreign errors.
errc code_of(const caf::error& err);

/// Returns the client-facing message of `err`: its context, else the table text.
std::string message_of(const caf::error& err);

/// Returns the JSON-RPC error data of `err` (raw JSON text), or an empty string.
std::string data_of(const caf::error& err);

} // namespace sagemcp
