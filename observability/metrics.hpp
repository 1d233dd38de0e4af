#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
} // namespace prometheus

namespace sagemcp::observability {

/// The node's Prometheus metrics. Every name follows sagemcp_<area>_<what>_<unit>; labels are
/// bounded (route templates, status codes, connector types), never tenant or tool arguments.
/// All members are thread-safe.
class metrics {
public:
  metrics();
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  /// The process-wide instance.
  static metrics& global();

  /// Records one served HTTP request.
  void observe_http(std::string_view method, std::string_view route, unsigned status,
                    double seconds);

  /// Records one tool call; `outcome` is "success", "tool_error", "error" or "cancelled".
  void observe_tool_call(std::string_view connector_type, std::string_view outcome, double seconds);

  /// Records a connector left out of a tenant-wide list (`tools`, `prompts`, `resources` or
  /// `resourceTemplates`) because it could not list its items.
  void observe_list_failure(std::string_view list);

  /// Sets the gauges of the server pool.
  void set_pool_sizes(double tenants, double connectors, double sessions);

  /// Records a lookup of a connector instance in the pool: found live, or spawned.
  void observe_pool_lookup(bool hit);

  /// Records connector instances or sessions the pool ended; `kind` is "connector" or
  /// "session", `reason` is "capacity", "idle", "config" or "admin".
  void observe_pool_eviction(std::string_view kind, std::string_view reason, double count = 1);

  /// Records a connector instance the pool restarted after it crashed.
  void observe_pool_restart();

  /// Records an event of an external MCP server process: "started", "exited" (after it was
  /// started) or "start_failed"; keeps the gauge of running processes.
  void observe_external_process(std::string_view runtime_type, std::string_view event);

  /// Records a request refused by its tenant's rate limit, by transport (http, websocket, sse).
  void observe_rate_limited(std::string_view transport);

  /// The pool's lookups so far: found live and spawned.
  double pool_hits() const;
  double pool_misses() const;

  /// Every tool call recorded since the process started.
  double tool_calls() const;

  /// Renders every metric in the Prometheus text exposition format.
  std::string serialize() const;

  /// The underlying registry, for modules that add their own families.
  prometheus::Registry& registry();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sagemcp::observability
