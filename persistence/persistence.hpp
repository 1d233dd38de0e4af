#pragma once

#include "messages/interfaces.hpp"
#include "persistence/store.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cstddef>
#include <memory>

namespace sagemcp::persistence {

/// The state of the persistence actor.
struct persistence_state {
  /// The actor's name in logs.
  static inline const char* name = "persistence";
  /// The database; only this actor touches it.
  std::shared_ptr<store> db;
  /// Writes acknowledged after their commit.
  size_t writes = 0;
  /// Reads answered.
  size_t reads = 0;
  /// Requests answered with an error.
  size_t failures = 0;
};

/// Serves every request from `db`, one at a time and in mailbox order, so it is the single,
/// ordered writer of the database; every reply comes after the store call returned.
persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self, std::shared_ptr<store> db);

/// Spawns the persistence actor on a thread of its own, since the store blocks on I/O.
persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<store> db);

} // namespace sagemcp::persistence
