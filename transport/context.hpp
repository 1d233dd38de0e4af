#pragma once

#include "connectors/http_client.hpp"
#include "connectors/oauth.hpp"
#include "messages/interfaces.hpp"
#include "messages/session_directory.hpp"
#include "observability/health.hpp"
#include "transport/auth.hpp"
#include "transport/http.hpp"
#include "transport/rate_limit.hpp"
#include "transport/router.hpp"

#include <caf/actor_system.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "security/keyring.hpp"

namespace sagemcp::transport {

/// Settings of the HTTP server.
struct server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  /// Largest accepted request body; larger ones get 413.
  size_t max_body_bytes = size_t{4} * 1024 * 1024;
  /// Largest accepted request header block; larger ones get 431.
  size_t max_header_bytes = size_t{16} * 1024;
  /// Time to receive a complete header block; also bounds idle keep-alive connections.
  std::chrono::seconds header_timeout{30};
  /// Time to receive a body once its headers arrived.
  std::chrono::seconds body_timeout{60};
  /// Time to write a response.
  std::chrono::seconds write_timeout{30};
  /// Time an admin request may wait for actors.
  std::chrono::seconds admin_timeout{30};
  /// Time an MCP request may wait for actors (tool calls can be slow).
  std::chrono::seconds mcp_timeout{300};
  bool auth_enabled = true;
  /// RATE_LIMIT_RPM: requests per minute each tenant may make on its MCP endpoints unless the
  /// tenant sets its own limit; 0 turns rate limiting off.
  uint32_t rate_limit_rpm = 100;
  /// Whether /metrics is served.
  bool metrics_enabled = true;
  /// MCP_ALLOWED_ORIGINS: comma-separated allowed Origin values; empty means same-host or
  /// loopback origins only.
  std::string allowed_origins;
  /// CORS_ALLOWED_ORIGINS: comma-separated browser origins that may call the API from scripts
  /// ("*" for any); empty means no cross-origin access.
  std::string cors_origins;
  /// SAGEMCP_ALLOWED_HOSTS: comma-separated Host names the MCP endpoint answers to; empty means
  /// loopback names only when listening on loopback, and any host otherwise.
  std::string allowed_hosts;
  /// SAGEMCP_WEB_DIR: the admin UI's built files, served at `/`; empty for none.
  std::string web_dir;
};

/// The open connections of the legacy HTTP+SSE transport, by session id (mcp_endpoint.cpp).
class mcp_channels;

/// An empty directory of legacy HTTP+SSE connections.
std::shared_ptr<mcp_channels> make_mcp_channels();

/// What request handlers work with; owned by the node, outlives the server.
struct transport_context {
  caf::actor_system& sys;
  server_pool_actor pool;
  /// The live sessions, which MCP requests reach without going through the pool.
  session_directory& sessions;
  persistence_actor db;
  key_cache& keys;
  /// Seals and opens the secrets stored in the database.
  const security::keyring& secrets;
  /// The token buckets of the tenants' MCP traffic.
  rate_limiter& limits;
  observability::health_state& health;
  server_options options;
  /// Seals the requestState of 2026-07-28 input_required results (derived from the secret key).
  std::array<uint8_t, 32> state_key;
  std::shared_ptr<mcp_channels> channels;
  /// The node's non-secret settings as a JSON object, for the admin API.
  std::string settings = "{}";
  /// The outbound HTTP client (OAuth token requests); nullptr where the node has none.
  connectors::http_client* outbound = nullptr;
  /// The operator's OAuth apps and provider endpoints; nullptr where the node has none.
  const connectors::oauth::registry* oauth = nullptr;
  /// Hands out OAuth tokens to connector instances; told when credentials change.
  credential_vault_actor vault = {};
  /// SAGEMCP_PUBLIC_URL: the base URL browsers reach the server at (OAuth redirect URIs); empty
  /// to take it from the request.
  std::string public_url = {};
  /// Signs the `state` of OAuth authorizations (derived from the secret key).
  std::array<uint8_t, 32> oauth_state_key{};
};

/// Completes a request; may be called from any thread, exactly once.
using responder = std::function<void(http_response)>;

/// A route handler.
using handler = void (*)(transport_context& ctx, const http_request& req, const route_match& match,
                         const principal& caller, responder reply);

} // namespace sagemcp::transport
