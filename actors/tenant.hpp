#pragma once

#include "messages/interfaces.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sagemcp {

/// State of a tenant actor.
struct tenant_state {
  static inline const char* name = "tenant";
  std::string slug;
  /// Empty until the store answered.
  std::optional<tenant_snapshot> snapshot;
  /// Requests that arrived before the snapshot, with the connector id they ask for.
  std::vector<std::pair<caf::typed_response_promise<connector_row>, std::string>> pending;
  /// Connector lists asked for before the snapshot arrived.
  std::vector<caf::typed_response_promise<std::vector<connector_row>>> pending_lists;
};

/// Holds one tenant's configuration; loads it from the store when spawned.
tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self,
                                   std::string slug, const persistence_actor& db);

} // namespace sagemcp
