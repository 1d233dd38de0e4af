#pragma once

#include "messages/interfaces.hpp"
#include "persistence/postgres_store.hpp"
#include "transport/auth.hpp"
#include "transport/rate_limit.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace sagemcp::node {

/// What a change made on another node invalidates on this one.
struct change_targets {
  server_pool_actor pool;
  persistence_actor db;
  transport::key_cache* keys = nullptr;
  transport::rate_limiter* limits = nullptr;
  /// This node's id: its own changes were applied when they were made.
  std::string node_id;
};

/// What applying a change left to do.
enum class change_outcome : uint8_t {
  /// The payload was not a change this node understands.
  unreadable,
  /// Applied (or this node's own change, applied when it was made).
  applied,
  /// The API keys changed: the key cache must be reloaded from the database.
  reload_keys,
};

/// Applies one change payload (see persistence::open_postgres_store) from another node: tenant
/// changes reset the tenant's rate limit and end what the pool built for it, connector and tool
/// policy changes end or refresh the connector's instances.
change_outcome apply_change(const change_targets& targets, const std::string& payload);

/// Spawns a detached actor that waits for changes from `source` and applies them. When the
/// connection is lost it retries every second; when it is back, it reloads the keys and the rate
/// limits, since changes made meanwhile were not delivered.
caf::actor spawn_change_listener(caf::actor_system& sys,
                                 std::shared_ptr<persistence::change_listener> source,
                                 change_targets targets);

} // namespace sagemcp::node
