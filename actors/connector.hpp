#pragma once

#include "connectors/spec.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// State of a connector instance.
struct connector_state {
  static inline const char* name = "connector";
  connector_row row;
  const connectors::connector_spec* spec = nullptr;
  /// The serialized `tools/list` result pages, built once.
  std::vector<std::string> tool_pages;
  /// The serialized array of every tool, for tenant-wide catalogs.
  std::string tools_json;
  uint64_t calls = 0;
  uint64_t failures = 0;
  /// A scripted tool call waiting for its last notification before it answers.
  struct scripted_call {
    caf::typed_response_promise<std::string> promise;
    std::string result;
    std::chrono::steady_clock::time_point start;
    /// Set when the result depends on the answer to a request to the client.
    std::string ask_method;
    std::string ask_params;
    connectors::answer_handler answer = nullptr;
    uint64_t call_id = 0;
    session_actor caller;
  };
  std::unordered_map<uint64_t, scripted_call> scripted;
  uint64_t next_script = 0;
};

/// Executes the tools of a native connector instance.
connector_actor::behavior_type connector(connector_actor::stateful_pointer<connector_state> self,
                                         connector_row row, const connectors::connector_spec* spec);

} // namespace sagemcp
