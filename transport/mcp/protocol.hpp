#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace sagemcp::transport::mcp {

/// The legacy-era protocol versions this server speaks, oldest first.
inline constexpr std::array<std::string_view, 4> legacy_versions{"2024-11-05", "2025-03-26",
                                                                 "2025-06-18", "2025-11-25"};

/// The newest legacy-era version.
inline constexpr std::string_view latest_legacy_version = legacy_versions.back();

/// `x` without leading and trailing spaces and tabs (optional whitespace around header values).
std::string_view trim(std::string_view x);

/// The elements of a comma-separated list as the server reads its allow-lists: trimmed, without
/// parameters after ';', empty ones left out.
std::vector<std::string_view> list_elements(std::string_view list);

/// Picks the version to answer an initialize request with: the client's when supported, else
/// the newest this server speaks.
std::string_view negotiate_version(std::string_view requested);

/// Whether an MCP-Protocol-Version header value names a legacy version this server speaks.
bool is_supported_version(std::string_view version);

/// Whether an Accept header lists both application/json and text/event-stream explicitly, as the
/// spec requires of a POST (wildcards do not count, as in the reference SDK server).
bool accepts_json_and_sse(std::string_view accept);

/// Whether a request asks for a WebSocket upgrade (`Upgrade: websocket`).
bool is_websocket_upgrade(std::string_view upgrade_header);

/// Whether a Sec-WebSocket-Protocol header offers `protocol`.
bool offers_subprotocol(std::string_view header, std::string_view protocol);

/// Prefix of the subprotocol that carries an API key on a WebSocket handshake.
inline constexpr std::string_view bearer_subprotocol_prefix = "sagemcp.bearer.";

/// The API key a WebSocket handshake offers as the subprotocol `sagemcp.bearer.<key>`, for
/// browsers, which cannot set an Authorization header there; nullopt when none is offered.
std::optional<std::string_view> bearer_subprotocol(std::string_view header);

/// Whether an Accept header lists text/event-stream explicitly, as a GET stream requires.
bool accepts_sse(std::string_view accept);

/// Whether a Content-Type header is application/json (parameters such as charset allowed).
bool is_json_content_type(std::string_view content_type);

/// Whether a session id is 1–128 visible ASCII characters (0x21–0x7E), as the spec requires.
bool is_valid_session_id(std::string_view id);

/// Whether a request's Origin header may talk to the MCP endpoint. Allowed: no Origin header,
/// an Origin listed in `allowed` (comma-separated, exact match, "*" for any), or when the list
/// is empty an Origin whose host is a loopback name or equals the request's Host.
bool is_allowed_origin(std::string_view origin, std::string_view host, std::string_view allowed);

/// Whether a request's Host header may reach the MCP endpoint (DNS rebinding protection).
/// With a non-empty `allowed` list (comma-separated host names, "*" for any) the host name must
/// be listed; otherwise a server bound to loopback accepts only loopback names, and any other
/// server accepts every host.
bool is_allowed_host(std::string_view host, std::string_view allowed, bool loopback_only);

/// Whether a browser origin is in a CORS allow-list (comma-separated exact origins, "*" for
/// any); an empty list or an empty origin allows nothing.
bool is_cors_origin(std::string_view origin, std::string_view allowed);

/// Whether `address` (a listen address) is a loopback address.
bool is_loopback_address(std::string_view address);

} // namespace sagemcp::transport::mcp
