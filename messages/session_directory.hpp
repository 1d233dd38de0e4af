#pragma once

#include "messages/interfaces.hpp"

#include <caf/error.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// Who a session belongs to: a request reaches it only from the same tenant, endpoint (connector
/// id, empty for the tenant endpoint), API key and protocol era.
struct session_binding {
  std::string tenant;
  std::string connector_id;
  std::string key_id;
  /// The shared context of 2026-07-28 requests, rather than an initialized session.
  bool stateless = false;

  /// Whether a request in `env` may use the session.
  bool admits(const mcp_envelope& env) const;
};

/// The id of the shared context of a caller's 2026-07-28 requests to an endpoint.
std::string stateless_session_id(std::string_view tenant, std::string_view connector_id,
                                 std::string_view key_id);

/// The error of a request for a session that does not exist for its caller.
caf::error session_not_found();

/// The live sessions by id. The pool adds and removes them; the transport finds the session of a
/// request here and sends it the request directly, instead of through the pool. A use is noted
/// here, and the pool collects the uses (`take_used`) before it decides anything by how recently
/// sessions and instances were used. Thread-safe.
class session_directory {
public:
  using clock = std::chrono::steady_clock;

  /// A session used since the last `take_used`, and when it was last used.
  struct use {
    std::string id;
    clock::time_point at;
  };

  void add(const std::string& id, const session_actor& handle, const session_binding& binding);
  void remove(const std::string& id);
  void clear();

  /// The session of `env` if the request may use it; notes the use.
  std::optional<session_actor> find(const mcp_envelope& env);

  /// The sessions used since the last call, least recently used first.
  std::vector<use> take_used();

private:
  struct entry {
    entry(session_actor h, session_binding b) : handle(std::move(h)), binding(std::move(b)) {}

    session_actor handle;
    session_binding binding;
    /// The last use, in ticks of `clock`.
    std::atomic<clock::rep> used{0};
    /// Whether the id is in `used_` (cleared when collected).
    std::atomic<bool> listed{false};
  };

  std::shared_mutex mtx_;
  std::unordered_map<std::string, entry> sessions_;
  std::mutex used_mtx_;
  std::vector<std::string> used_;
};

} // namespace sagemcp
