#pragma once

#include "messages/interfaces.hpp"
#include "persistence/store.hpp"

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

namespace sagemcp::persistence {

/// How the persistence actor rides out a database outage.
struct persistence_options {
  /// The most requests that may wait for the database; more are refused at once.
  size_t max_waiting = 1000;
  /// How long a request may wait for the database before it fails (unapplied).
  caf::timespan max_wait = std::chrono::seconds{20};
  /// The first delay before trying the database again; doubles up to `max_retry_delay`.
  caf::timespan retry_delay = std::chrono::milliseconds{100};
  caf::timespan max_retry_delay = std::chrono::seconds{2};
};

/// The state of the persistence actor.
struct persistence_state {
  /// The actor's name in logs.
  static inline const char* name = "persistence";
  /// The database; only this actor touches it.
  std::shared_ptr<store> db;
  persistence_options options;
  /// A request waiting for the database to come back.
  struct waiting {
    /// Tries the request: false while the database is still unreachable, true once it was
    /// answered (with a result or another error).
    std::function<bool()> attempt;
    /// Fails the request with an error.
    std::function<void(caf::error)> fail;
    caf::actor_clock::time_point deadline;
  };
  /// Requests in arrival order; non-empty only while the database is unreachable.
  std::deque<waiting> queue;
  /// Whether the database is known to be unreachable.
  bool down = false;
  caf::timespan delay{};
  /// Writes acknowledged after their commit.
  size_t writes = 0;
  /// Reads answered.
  size_t reads = 0;
  /// Requests answered with an error.
  size_t failures = 0;
  /// Outages seen.
  size_t outages = 0;
  /// Serves reads on a connection of its own; none when reads share the writer's.
  persistence_actor reader;
  /// Reads handed to the reader.
  size_t delegated = 0;
};

/// The single, ordered writer of the database. Requests are served one at a time in mailbox
/// order, and every reply comes after the store call returned (a write's after its commit).
///
/// When the database is unreachable (storage_unavailable), the request and every later one wait
/// in order, in a queue of at most `options.max_waiting`, while the actor tries again with
/// back-off; a request that waited `options.max_wait` fails with storage_unavailable and is never
/// applied. Pings answer storage_unavailable at once while the database is down, which turns
/// readiness 503.
///
/// With a `reader` (another persistence actor on its own connection), reads go there while the
/// database answers and no request waits, so a read never queues behind a write; a write's reply
/// still comes after its commit, so a client that reads after a write sees it.
persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self, std::shared_ptr<store> db,
            persistence_options options, persistence_actor reader);

/// Spawns the persistence actor on a thread of its own, since the store blocks on I/O; with
/// `reads`, a store on a connection of its own, also a linked reader actor on another thread.
persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<store> db,
                                    persistence_options options = {},
                                    std::shared_ptr<store> reads = nullptr);

} // namespace sagemcp::persistence
