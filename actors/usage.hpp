#pragma once

#include "messages/interfaces.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sagemcp {

/// Counts tool calls per UTC day, tenant, connector and tool in memory, between flushes to the
/// database. Thread-safe.
class usage_meter {
public:
  /// Counts one finished call (`failed`: it ended in an error, a tool error included).
  void record(const std::string& tenant_slug, const std::string& connector_id,
              const std::string& tool_name, bool failed);

  /// Takes the counts gathered since the last take.
  std::vector<usage_row> take();

  /// Puts counts back (their flush failed), adding them to what was gathered meanwhile.
  void restore(const std::vector<usage_row>& rows);

  /// The number of distinct counters held.
  size_t size() const;

  /// The process-wide meter the sessions count into.
  static usage_meter& global();

private:
  using key = std::tuple<std::string, std::string, std::string, std::string>;
  using key_view
    = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;

  // Orders keys and their views alike, so that a call's count is found by views of its names,
  // without copying them.
  struct key_less {
    using is_transparent = void;

    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }

    template <class K>
    static key_view view(const K& k) {
      return {std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k)};
    }
  };

  using count_map = std::map<key, std::pair<int64_t, int64_t>, key_less>;

  void add(key k, int64_t calls, int64_t errors);

  mutable std::mutex mtx_;
  count_map counts_;
};

/// Spawns the actor that flushes `meter` to `db` every `interval`; counts whose write fails go
/// back into the meter for the next flush. At shutdown the node flushes what is left itself,
/// before it stops the persistence actor.
caf::actor spawn_usage_flusher(caf::actor_system& sys, const persistence_actor& db,
                               usage_meter& meter, caf::timespan interval);

} // namespace sagemcp
