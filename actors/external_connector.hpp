#pragma once

#include "connectors/remote_mcp.hpp"
#include "connectors/stdio_process.hpp"
#include "messages/interfaces.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "security/keyring.hpp"

namespace sagemcp {

/// What external connector instances need to host their MCP servers; lives as long as the node.
struct process_env {
  connectors::process_runner* runner = nullptr;
  /// Reaches remote MCP servers.
  connectors::http_client* client = nullptr;
  /// Hands out the OAuth tokens remote servers are called with.
  credential_vault_actor vault;
  /// Opens the connectors' sealed configuration and runtime_env.
  const security::keyring* keys = nullptr;
  /// Children work (and have their HOME) in `<root>/<tenant id>/<connector id>` unless the
  /// connector names a package_path.
  std::string root;
  /// What every child's environment starts from: PATH, and the server's locale (LANG, LC_*, TZ)
  /// when set. The connector's runtime_env comes on top.
  std::vector<std::pair<std::string, std::string>> base_env;
  connectors::process_limits limits;
  /// How long a child may take to answer initialize (npx may download its package first).
  caf::timespan start_timeout = std::chrono::seconds{90};
  /// How long a remote server may take to start answering a request, or to send the next event
  /// of an answer stream.
  std::chrono::milliseconds remote_idle_timeout{300'000};
  /// How long a request other than tools/call may take.
  caf::timespan request_timeout = std::chrono::seconds{60};
  caf::timespan ping_interval = std::chrono::seconds{30};
  caf::timespan ping_timeout = std::chrono::seconds{10};
  /// Health pings in a row that may go unanswered before the child is restarted.
  unsigned max_ping_failures = 3;
  /// Between closing stdin, SIGTERM and SIGKILL when a child stops.
  std::chrono::milliseconds stop_grace{2000};
  /// Delay before the first restart of a child that ended; doubles with every end in a row.
  caf::timespan restart_backoff = std::chrono::milliseconds{100};
  caf::timespan max_restart_backoff = std::chrono::seconds{30};
  /// A child that ran this long before it ended starts its back-off anew.
  caf::timespan stable_after = std::chrono::seconds{60};
  /// Lines of stderr kept for the admin.
  size_t stderr_lines = 200;
};

/// State of an external connector instance.
struct external_state {
  static inline const char* name = "external-connector";

  external_state() = default;
  external_state(const external_state&) = delete;
  external_state& operator=(const external_state&) = delete;
  external_state(external_state&&) = delete;
  external_state& operator=(external_state&&) = delete;
  /// Stops the child, or ends the remote session.
  ~external_state();

  connector_row row;
  std::string tenant_slug;
  const process_env* env = nullptr;
  /// Hears of the changes the child reports, for the sessions of the connector.
  server_pool_actor pool;
  /// Why the connector cannot run (an unreadable configuration, a bad command); none otherwise.
  caf::error unusable;
  /// The command and environment of a child process, opened once.
  connectors::process_spec spec;
  /// A remote server's URL and headers; nullopt for a child process.
  std::optional<connectors::remote_settings> remote;
  /// The OAuth provider whose token a remote server is called with; empty for none.
  std::string oauth_provider;
  /// Whose OAuth connection that is: empty for the tenant's, else an API key id.
  std::string owner;
  bool per_user = false;
  /// The link to a remote server; empty while none is open.
  std::shared_ptr<connectors::remote_link> link;
  /// Numbers the remote links, as the runner numbers children.
  uint64_t links = 0;

  enum class phase : uint8_t { starting, ready, backing_off, failed };
  phase now = phase::starting;
  /// The runner's id of the current child, or the number of the current remote link; 0 when
  /// none runs.
  uint64_t process = 0;
  int pid = 0;
  connectors::stdio_framing framing = connectors::stdio_framing::lines;
  /// Whether the current child has written anything yet (a silent one may want other framing).
  bool heard = false;
  bool retried_framing = false;
  /// What the current child answered to initialize.
  std::string capabilities = "{}";
  std::string server_info = "{}";
  std::string protocol_version;
  std::string instructions;
  caf::actor_clock::time_point started;
  std::string started_at;
  /// Ends in a row without a stable run in between; sets the back-off.
  unsigned crashes = 0;
  uint64_t restarts = 0;
  /// Tells the pending restart timer apart from stale ones.
  uint64_t generation = 0;
  /// Why the last child ended or could not start.
  std::string last_exit;
  std::string last_health_check;
  unsigned ping_failures = 0;
  std::deque<std::string> stderr_tail;

  /// A tools/call in flight: who asked, to route its notifications and server requests.
  struct call_info {
    session_actor caller;
    uint64_t call_id = 0;
    /// Raw JSON of the client's progress token; empty when it asked for none.
    std::string progress_token;
    std::string client_capabilities;
    bool stateless = false;
  };
  /// A request to the child waiting for its answer.
  struct in_flight {
    std::string method;
    std::function<void(caf::expected<std::string>)> done;
    std::optional<call_info> call;
    caf::actor_clock::time_point sent;
  };
  std::map<uint64_t, in_flight> outgoing;
  uint64_t next_id = 0;
  /// Work waiting for the child to be ready.
  std::vector<std::function<void(const caf::error&)>> waiting;
  /// Promises of admin restarts, answered once the new child started.
  std::vector<caf::typed_response_promise<atom::ok>> restarting;
  /// Resource URIs the child was asked to send updates of.
  std::vector<std::string> subscribed;
  uint64_t calls = 0;
  uint64_t failures = 0;
};

/// Hosts an external MCP server (a stdio child process, or a remote server reached by URL) as a
/// connector instance: starts it, relays every request and notification, answers its health,
/// restarts it with back-off. `owner` is the API key id whose OAuth connection a remote server
/// with per-user credentials is called with.
external_connector_actor::behavior_type
external_connector(external_connector_actor::stateful_pointer<external_state> self,
                   connector_row row, std::string tenant_slug, std::string owner,
                   const process_env* env, server_pool_actor pool);

} // namespace sagemcp
