#pragma once

#include "connectors/http_client.hpp"
#include "connectors/oauth.hpp"
#include "connectors/stdio_process.hpp"
#include "transport/context.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <string>

namespace sagemcp::node {

/// Everything the node reads from its environment and command line.
struct node_config {
  transport::server_options server;
  std::string data_dir = "data";
  /// Path of the SQLite database file; used unless `database_url` names a PostgreSQL database.
  std::string database_path;
  /// DATABASE_URL when it names a PostgreSQL database (postgresql:// or postgres://).
  std::string database_url;
  std::string secret_key;
  /// SECRET_KEY_PREVIOUS: the secret before the last rotation; it still opens stored secrets and
  /// matches API keys until `sagemcp keys rotate` and first use moved them to SECRET_KEY.
  std::string previous_secret_key;
  std::string bootstrap_admin_key;
  bool metrics_enabled = true;
  std::string log_level = "info";
  std::chrono::seconds session_ttl{1800};
  /// The bytes of SSE events each session keeps for Last-Event-ID replay.
  size_t event_buffer_bytes = size_t{1} << 20;
  /// SAGEMCP_SESSION_MAX_BYTES: the most memory each session may hold, its event buffer included.
  size_t session_max_bytes = size_t{4} << 20;
  /// SAGEMCP_POOL_MAX: the most connector instances the pool keeps.
  size_t pool_max = 5000;
  /// SAGEMCP_POOL_TTL: idle seconds after which a connector instance is evicted.
  std::chrono::seconds pool_ttl{1800};
  /// SAGEMCP_MAX_SESSIONS_PER_TENANT: the most sessions one tenant may hold.
  size_t sessions_per_tenant = 10000;
  /// SAGEMCP_DB_WAIT_SECONDS: how long a request waits for an unreachable database.
  std::chrono::seconds db_wait{20};
  /// SAGEMCP_USAGE_FLUSH_SECONDS: how often tool usage counts are written to the database.
  std::chrono::seconds usage_flush{10};
  /// SAGEMCP_THREADS: the threads that run the HTTP server's I/O and the actors; by default one
  /// per CPU the process may run on.
  unsigned threads = 1;
  /// The outbound client of native connectors: SAGEMCP_UPSTREAM_CONNECT_TIMEOUT_SECONDS,
  /// SAGEMCP_UPSTREAM_TIMEOUT_SECONDS, SAGEMCP_UPSTREAM_CA_FILE,
  /// SAGEMCP_ALLOW_PRIVATE_UPSTREAMS, HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
  connectors::http_client_options upstream;
  /// SAGEMCP_UPSTREAM_RETRIES: retries of an idempotent upstream call after a transient failure.
  unsigned upstream_retries = 2;
  /// The operator's OAuth apps (`<PROVIDER>_CLIENT_ID`, `<PROVIDER>_CLIENT_SECRET`) and endpoint
  /// overrides (`<PROVIDER>_AUTHORIZE_URL`, `_TOKEN_URL`, `_REVOKE_URL`, `_PROFILE_URL`).
  connectors::oauth::registry oauth;
  /// SAGEMCP_PUBLIC_URL: the base URL browsers reach the server at, for OAuth redirect URIs;
  /// empty to take it from each request's Host.
  std::string public_url;
  /// The limits of external MCP server processes: SAGEMCP_PROCESS_MEMORY_MB,
  /// SAGEMCP_PROCESS_OPEN_FILES and SAGEMCP_PROCESS_CPU_SECONDS (0: not limited).
  connectors::process_limits process_limits;
};

/// Command-line values of `sagemcp serve`; empty or zero means "not given".
struct serve_flags {
  std::string host;
  int port = -1;
  std::string data_dir;
};

/// Reads the configuration from the environment, then applies the flags. Errors name the
/// offending variable.
caf::expected<node_config> load_config(const serve_flags& flags);

/// Parses a boolean environment value (true/false, 1/0, yes/no, on/off; case-insensitive).
caf::expected<bool> parse_bool(std::string_view name, std::string_view value);

} // namespace sagemcp::node
