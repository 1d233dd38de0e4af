#pragma once

#include "actors/connector.hpp"
#include "actors/external_connector.hpp"
#include "actors/session.hpp"
#include "messages/interfaces.hpp"
#include "messages/session_directory.hpp"

#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// Settings of the server pool.
struct server_pool_options {
  /// Idle time after which a session ends itself.
  caf::timespan session_ttl = std::chrono::minutes{30};
  /// The bytes of SSE events each session keeps for Last-Event-ID replay.
  size_t event_buffer_bytes = size_t{1} << 20;
  /// The most memory each session may hold, its event buffer included.
  size_t session_max_bytes = size_t{4} << 20;
  /// The most connector instances the pool keeps; one more evicts the least recently used.
  size_t max_instances = 5000;
  /// Idle time after which a connector instance is evicted.
  caf::timespan instance_ttl = std::chrono::minutes{30};
  /// The most sessions one tenant may hold; one more ends its least recently used session.
  size_t sessions_per_tenant = 10000;
  /// Delay before the first restart of a crashed instance; doubles with every crash in a row.
  caf::timespan restart_backoff = std::chrono::milliseconds{100};
  /// The longest delay between restarts.
  caf::timespan max_restart_backoff = std::chrono::seconds{30};
  /// An instance that ran this long before it crashed starts its back-off anew.
  caf::timespan stable_after = std::chrono::seconds{60};
  /// How native connector instances reach their upstreams; nullptr leaves them unreachable.
  const upstream_env* upstream = nullptr;
  /// How external connector instances host their MCP servers; nullptr refuses them.
  const process_env* processes = nullptr;
  /// Where the transport finds the live sessions; nullptr keeps them to the pool.
  session_directory* directory = nullptr;
};

/// A connector instance (tenant × connector × credential owner) and what it belongs to.
struct instance_entry {
  /// The live actor; none while it waits to be restarted after a crash.
  connector_actor handle;
  std::string tenant;
  /// The API key whose personal credentials it uses; empty for the tenant's.
  std::string owner;
  /// The configuration it runs with, kept to restart it.
  connector_row row;
  caf::actor_clock::time_point created;
  caf::actor_clock::time_point last_used;
  /// When the current actor started.
  caf::actor_clock::time_point started;
  uint64_t hits = 0;
  /// Crashes in a row without a stable run in between; sets the back-off.
  unsigned crashes = 0;
  uint64_t restarts = 0;
  /// Tells a pending restart apart from a stale one.
  uint64_t generation = 0;
  /// Sessions waiting for the instance while it restarts (strong actor pointers of it).
  std::vector<caf::typed_response_promise<caf::strong_actor_ptr>> waiting;
  /// Its place in the pool's LRU order.
  std::list<std::string>::iterator lru;
};

/// A live session and the identity it is bound to.
struct session_entry : session_binding {
  session_actor handle;
  /// What opening it answered, for opening it again.
  session_info info;
  caf::actor_clock::time_point created;
  caf::actor_clock::time_point last_used;
  /// Its place in its tenant's LRU order of sessions.
  std::list<std::string>::iterator lru;
};

/// State of the server pool.
struct server_pool_state {
  // Declared so that the state is no aggregate: CAF would otherwise construct it from the actor
  // pointer through C++20 parenthesized aggregate initialization of `db`.
  server_pool_state() = default;

  static inline const char* name = "server-pool";
  persistence_actor db;
  server_pool_options options;
  session_options per_session;
  std::unordered_map<std::string, tenant_actor> tenants;
  /// Keyed `tenant/connector/owner`; ordered so that a tenant's or a connector's instances are
  /// one range.
  std::map<std::string, instance_entry> instances;
  /// Connector id → its stored configuration and whether it chooses each caller's own
  /// credentials (credential_mode "user").
  std::unordered_map<std::string, std::pair<std::string, bool>> user_modes;
  /// Instance keys, most recently used first.
  std::list<std::string> instance_lru;
  std::unordered_map<std::string, session_entry> sessions;
  /// Session ids by tenant, most recently used first.
  std::unordered_map<std::string, std::list<std::string>> tenant_sessions;
  /// Reverse index for down messages: actor → kind and key in one of the maps above.
  std::unordered_map<caf::actor_addr, std::string> names;
};

/// The node's directory of tenant, connector-instance and session actors.
server_pool_actor::behavior_type
server_pool(server_pool_actor::stateful_pointer<server_pool_state> self, persistence_actor db,
            server_pool_options options);

/// Spawns the server pool.
server_pool_actor spawn_server_pool(caf::actor_system& sys, persistence_actor db,
                                    server_pool_options options);

} // namespace sagemcp
