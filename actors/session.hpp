#pragma once

#include "messages/interfaces.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

namespace sagemcp {

/// State of a legacy-era MCP session.
struct session_state {
  static inline const char* name = "session";
  session_request origin;
  connector_actor connector;
  bool initialized = false;
  /// The level set by logging/setLevel; messages below it are not sent.
  std::string log_level = "info";
  /// Resource URIs the client subscribed to.
  std::set<std::string> subscriptions;
  /// A tool call in flight: where its notifications and result go.
  struct running_call {
    request_stream_actor stream;
    caf::typed_response_promise<mcp_reply> promise;
    /// Raw JSON id of the request that started the call.
    std::string request_id;
  };
  /// Tool calls in flight, by call id.
  std::unordered_map<uint64_t, running_call> calls;
  uint64_t next_call = 0;
  /// Requests sent to the client, by their raw JSON id, waiting for its response.
  std::unordered_map<std::string, caf::typed_response_promise<std::string>> client_requests;
  uint64_t next_client_request = 0;
  caf::timespan idle_ttl{};
  caf::actor_clock::time_point last_activity;
  uint64_t requests = 0;
};

/// Serves one session: ping, tools/list and tools/call against its connector instance. Ends
/// itself after `idle_ttl` without requests.
session_actor::behavior_type session(session_actor::stateful_pointer<session_state> self,
                                     session_request origin, connector_actor connector,
                                     caf::timespan idle_ttl);

} // namespace sagemcp
