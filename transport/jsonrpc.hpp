#pragma once

#include "messages/jsonrpc.hpp"
#include "messages/types.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::transport {

/// What a JSON-RPC message is.
enum class jsonrpc_kind {
  request,
  notification,
  /// A response (result or error) sent by the client to a server→client request.
  response,
  /// A JSON array of messages (2025-03-26 batches).
  batch,
};

/// One decoded JSON-RPC message.
struct jsonrpc_message {
  jsonrpc_kind kind = jsonrpc_kind::request;
  /// Method, raw id, raw params, and for tool calls the name and raw arguments.
  mcp_request request;
  /// The members of a batch, in order.
  std::vector<jsonrpc_message> batch;
};

/// Decodes a JSON-RPC 2.0 message or batch with simdjson. Errors: errc::parse_error for invalid
/// JSON, errc::invalid_request for JSON that is not a JSON-RPC message, an empty batch, or a
/// batch with a member that is no message.
caf::expected<jsonrpc_message> decode_message(std::string_view body);

} // namespace sagemcp::transport
