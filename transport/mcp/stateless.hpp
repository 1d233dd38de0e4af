#pragma once

#include "messages/types.hpp"
#include "transport/http.hpp"
#include "transport/jsonrpc.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

/// The 2026-07-28 revision: stateless requests that carry their version and capabilities in
/// `params._meta`, mirrored into HTTP headers.
namespace sagemcp::transport::mcp {

/// The stateless protocol versions this server speaks.
inline constexpr std::array<std::string_view, 1> stateless_versions{"2026-07-28"};

/// The `_meta` keys of the request envelope.
inline constexpr std::string_view meta_protocol_version = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view meta_client_capabilities
  = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view meta_client_info = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view meta_log_level = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view meta_server_info = "io.modelcontextprotocol/serverInfo";

/// Whether a header value names a stateless protocol version.
bool is_stateless_version(std::string_view version);

/// The era detection rule: a request or notification is stateless when its `params._meta`
/// claims a protocol version, or when its MCP-Protocol-Version header names a stateless
/// version. Everything else (initialize without the claim, batches, responses, bodies that are
/// no JSON-RPC) takes the session path.
bool is_stateless_request(const http_request& http, const jsonrpc_message& msg);

/// What a stateless request's envelope says.
struct envelope {
  std::string protocol_version;
  /// Raw JSON of the clientCapabilities object.
  std::string client_capabilities;
  /// Raw JSON of the clientInfo object; empty when absent.
  std::string client_info;
  std::string log_level;
  /// Raw JSON of params.inputResponses; empty when absent.
  std::string input_responses;
  /// params.requestState as sent (sealed); empty when absent.
  std::string request_state;
  /// tools/call: the Mcp-Param-{Name} headers, a JSON object by lower-case name (an array of
  /// values for a header sent more than once); the tool's schema says which must match what.
  std::string param_headers;
};

/// Validates a stateless request against its headers, in this order: the envelope
/// (errc::invalid_envelope), MCP-Protocol-Version, Mcp-Method and Mcp-Name against the body
/// (errc::header_mismatch), the version (errc::version_not_supported with data
/// {"supported", "requested"}), then the log level and multi-round fields (errc::invalid_params).
caf::expected<envelope> read_envelope(const http_request& http, const mcp_request& req);

/// The methods the stateless path serves; any other gets 404 and -32601.
bool is_stateless_method(std::string_view method);

/// Seals the state an `input_required` result hands to the client: the state, its expiry and an
/// HMAC-SHA256 over both and `binding` (who may send it back, for which request). The client
/// sees the state but cannot change it, move it to another request, or keep it past `expires`
/// (seconds since the epoch).
std::string seal_state(const std::array<uint8_t, 32>& key, std::string_view binding,
                       std::string_view state, int64_t expires);

/// Opens a sealed state: the state, or errc::invalid_params when the token was changed, belongs
/// to another binding, or expired before `now`.
caf::expected<std::string> open_state(const std::array<uint8_t, 32>& key, std::string_view binding,
                                      std::string_view token, int64_t now);

} // namespace sagemcp::transport::mcp
