#pragma once

#include "connectors/http_tool.hpp"
#include "connectors/spec.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "security/keyring.hpp"

namespace sagemcp {

/// What native connector instances need to reach their upstream APIs; lives as long as the node.
struct upstream_env {
  connectors::http_client* client = nullptr;
  /// Opens the connectors' stored configuration (tokens, base URLs).
  const security::keyring* keys = nullptr;
  /// Hands out the OAuth tokens of connectors that have no configured token.
  credential_vault_actor vault;
  /// Retries, back-off and limits of upstream calls; each instance adds its base URL and
  /// credentials.
  connectors::call_context call;
};

/// State of a connector instance.
struct connector_state {
  static inline const char* name = "connector";
  connector_row row;
  /// Whose OAuth credential the instance calls with: empty for the tenant's, else the API key
  /// id of the principal whose personal credential it uses.
  std::string owner;
  const connectors::connector_spec* spec = nullptr;
  /// Native connectors: how to reach the upstream; nullptr where this node has no outbound
  /// client.
  const upstream_env* upstream = nullptr;
  /// The opened configuration, or why it could not be opened.
  caf::expected<boost::json::object> configuration = boost::json::object{};
  /// Whether calls use the tenant's credentials or those of the caller's API key (`owner`).
  connectors::credential_mode mode = connectors::credential_mode::tenant;
  /// The serialized `tools/list` result pages, built once.
  std::vector<std::string> tool_pages;
  /// The serialized array of every tool, for tenant-wide catalogs.
  std::string tools_json;
  /// The arguments each tool mirrors into Mcp-Param headers, read from its schema on first use.
  std::unordered_map<std::string_view, std::vector<connectors::mirrored_argument>> mirrored;
  uint64_t calls = 0;
  uint64_t failures = 0;
  /// A tool call that has not answered yet: a scripted one waiting for its last notification,
  /// or an interactive one waiting for the client's answers to its input requests.
  struct pending_call {
    caf::typed_response_promise<std::string> promise;
    std::chrono::steady_clock::time_point start;
    /// The call as the session sent it; interactive calls carry their latest round's answers.
    tool_call call;
    /// Scripted calls: the result to deliver after the last notification.
    std::string result;
    /// Scripted calls: the notifications still to send, in order (one per tick); an empty one
    /// ends the connection carrying the call's stream.
    std::deque<std::string> steps;
    /// Interactive calls: the tool, the session that asks the client, and the round's answers.
    const connectors::tool_spec* tool = nullptr;
    session_actor caller;
    unsigned rounds = 0;
    boost::json::object answers;
    size_t awaiting = 0;
  };
  /// Calls in flight, by internal number.
  std::unordered_map<uint64_t, pending_call> pending;
  uint64_t next_pending = 0;
};

/// Executes the tools of a native connector instance.
connector_actor::behavior_type connector(connector_actor::stateful_pointer<connector_state> self,
                                         connector_row row, std::string owner,
                                         const connectors::connector_spec* spec,
                                         const upstream_env* upstream);

} // namespace sagemcp
