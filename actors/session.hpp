#pragma once

#include "actors/event_log.hpp"
#include "actors/merged_list.hpp"
#include "messages/interfaces.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/timespan.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// A connector a session talks to.
struct session_member {
  /// Prefix of its tools' names where they clash on the tenant-wide endpoint.
  std::string prefix;
  connector_actor handle;
  /// The connector's id, for publishing the changes it reports.
  std::string connector_id;
};

/// Settings of a session.
struct session_options {
  /// Idle time after which the session ends itself.
  caf::timespan idle_ttl = std::chrono::minutes{30};
  /// The bytes of SSE events kept for Last-Event-ID replay.
  size_t event_buffer_bytes = size_t{1} << 20;
  /// The most memory the session may hold (see `session_state::held`), its event buffer
  /// included.
  size_t max_bytes = size_t{4} << 20;
};

/// State of a legacy-era MCP session.
struct session_state {
  static inline const char* name = "session";
  session_request origin;
  /// One connector, or every enabled connector of the tenant on the tenant-wide endpoint.
  std::vector<session_member> members;
  /// A list of a tenant-wide session, merged from its members on first use.
  struct merged_state {
    std::optional<merged_list> list;
    bool loading = false;
    /// A member reported a change while the list was being built.
    bool stale = false;
    /// Requests waiting for the list.
    std::vector<std::function<void()>> waiters;
    /// The bytes the kept list counts against the budget.
    size_t charged = 0;
  };
  /// Tenant-wide sessions: the merged lists, by list_kind.
  std::array<merged_state, list_kinds.size()> merged;
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
    /// The connector instance that runs it; none until the session has a live one.
    connector_actor runner;
    /// The member whose instance runs it.
    size_t member = 0;
    /// The tool's name, for the usage counts.
    std::string tool;
    /// When it fails with a timeout if it has not finished.
    caf::actor_clock::time_point deadline;
    /// Started by a 2026-07-28 request: no requests to the client on its stream.
    bool stateless = false;
    /// The log level the 2026-07-28 request asked for; empty means no log messages.
    std::string log_level;
    /// Whether its messages form a resumable event stream (a single session-era request).
    bool resumable = false;
    /// The number of its event stream, once it sent a message; 0 before.
    uint64_t stream_number = 0;
    /// The bytes it counts against the budget.
    size_t cost = 0;
  };
  /// Tool calls in flight, by call id.
  std::unordered_map<uint64_t, running_call> calls;
  uint64_t next_call = 0;
  /// When the session looks at its calls' deadlines next, if a timer is set.
  std::optional<caf::actor_clock::time_point> expiry_due;
  /// A request sent to the client on behalf of a running call, waiting for its response.
  struct client_request {
    caf::typed_response_promise<std::string> promise;
    uint64_t call_id = 0;
    /// The bytes it counts against the budget.
    size_t cost = 0;
  };
  /// Requests sent to the client, by their raw JSON id; dropped when their call ends.
  std::unordered_map<std::string, client_request> client_requests;
  uint64_t next_client_request = 0;
  caf::timespan idle_ttl{};
  caf::actor_clock::time_point last_activity;
  uint64_t requests = 0;
  /// Where changes a tool reports are published, to reach every session of the endpoint.
  server_pool_actor pool;
  /// The server capabilities of the endpoint (JSON object text).
  std::string capabilities;
  /// An open subscriptions/listen stream (2026-07-28) and what it asked for.
  struct listener {
    request_stream_actor stream;
    /// Raw JSON id of the listen request, which tags every notification on the stream.
    std::string subscription_id;
    caf::typed_response_promise<mcp_reply> promise;
    bool tools = false;
    bool prompts = false;
    bool resources = false;
    std::set<std::string> resource_uris;
    /// The bytes it counts against the budget.
    size_t cost = 0;
  };
  std::vector<listener> listeners;
  /// An event stream of the session (Streamable HTTP, session era): number 0 is the GET stream,
  /// the streams of requests count from 1.
  struct event_stream {
    /// The connection carrying the stream now; none while the client is away.
    request_stream_actor out;
    /// Whether its request ended: replaying it ends the connection after the last event.
    bool finished = false;
  };
  std::unordered_map<uint64_t, event_stream> streams;
  uint64_t last_stream = 0;
  /// The events sent on the streams, for Last-Event-ID replay.
  event_log events;
  /// The byte budget: the most the session may hold. It holds `held` bytes of subscriptions,
  /// running calls, requests to the client, listen streams and cached tenant-wide lists (each
  /// charged when added and released when dropped), plus its event streams and event log. A
  /// request that would grow the former beyond the budget is refused; the event log yields
  /// first, evicting its oldest events.
  size_t max_bytes = 0;
  size_t held = 0;
  /// Whether a tenant-wide list too large to keep was logged.
  bool warned_uncached = false;
};

/// Serves one session against its connector instance, or against every member on the
/// tenant-wide endpoint (an empty `origin.connector_id`). Ends itself after
/// `options.idle_ttl` without requests.
session_actor::behavior_type session(session_actor::stateful_pointer<session_state> self,
                                     session_request origin, std::vector<session_member> members,
                                     session_options options, server_pool_actor pool,
                                     std::string capabilities);

} // namespace sagemcp
