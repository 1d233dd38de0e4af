#pragma once

#include "actors/session.hpp"
#include "messages/interfaces.hpp"

#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <unordered_map>

namespace sagemcp {

/// A live connector instance and what it belongs to.
struct connector_entry {
  connector_actor handle;
  std::string tenant;
  std::string connector_id;
};

/// A live session and the identity it is bound to.
struct session_entry {
  session_actor handle;
  std::string tenant;
  std::string connector_id;
  std::string key_id;
  /// The shared context of 2026-07-28 requests, rather than an initialized session.
  bool stateless = false;
  /// What opening it answered, for opening it again.
  session_info info;
};

/// State of the server pool.
struct server_pool_state {
  // Declared so that the state is no aggregate: CAF would otherwise construct it from the actor
  // pointer through C++20 parenthesized aggregate initialization of `db`.
  server_pool_state() = default;

  static inline const char* name = "server-pool";
  persistence_actor db;
  session_options per_session;
  std::unordered_map<std::string, tenant_actor> tenants;
  /// Keyed by tenant × connector × credential owner.
  std::unordered_map<std::string, connector_entry> connectors;
  std::unordered_map<std::string, session_entry> sessions;
  /// Reverse index for down messages: actor → key in one of the maps above.
  std::unordered_map<caf::actor_addr, std::string> names;
};

/// Settings of the server pool.
struct server_pool_options {
  caf::timespan session_ttl = std::chrono::minutes{30};
  /// The bytes of SSE events each session keeps for Last-Event-ID replay.
  size_t event_buffer_bytes = size_t{1} << 20;
};

/// The node's directory of tenant, connector-instance and session actors.
server_pool_actor::behavior_type
server_pool(server_pool_actor::stateful_pointer<server_pool_state> self, persistence_actor db,
            server_pool_options options);

/// Spawns the server pool.
server_pool_actor spawn_server_pool(caf::actor_system& sys, persistence_actor db,
                                    server_pool_options options);

} // namespace sagemcp
