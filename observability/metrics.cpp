#include "observability/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <functional>
#include <initializer_list>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sagemcp::observability {

namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
  return buckets;
}

struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// The series of a family by their label values: finding one in a family builds a label map and
// hashes it under the family's lock, on every request; this finds it by its joined values.
template <class Value>
class series_cache {
public:
  template <class Make>
  Value get(std::initializer_list<std::string_view> values, Make&& make) {
    std::string key;
    key.reserve(64);
    for (auto value : values) {
      key.append(value);
      key.push_back('\x1f');
    }
    {
      std::shared_lock guard{mtx_};
      if (auto i = series_.find(std::string_view{key}); i != series_.end()) {
        return i->second;
      }
    }
    std::unique_lock guard{mtx_};
    auto [i, inserted] = series_.try_emplace(std::move(key));
    if (inserted) {
      i->second = make();
    }
    return i->second;
  }

private:
  std::shared_mutex mtx_;
  std::unordered_map<std::string, Value, string_hash, std::equal_to<>> series_;
};

struct series_pair {
  prometheus::Counter* count = nullptr;
  prometheus::Histogram* duration = nullptr;
};

} // namespace

struct metrics::impl {
  series_cache<series_pair> http_series;
  series_cache<series_pair> tool_series;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& http_requests
    = prometheus::BuildCounter()
        .Name("sagemcp_http_requests_total")
        .Help("HTTP requests served, by method, route template and status code.")
        .Register(*registry);
  prometheus::Family<prometheus::Histogram>& http_duration
    = prometheus::BuildHistogram()
        .Name("sagemcp_http_request_duration_seconds")
        .Help("Time from a complete request to its response, by route template.")
        .Register(*registry);
  prometheus::Family<prometheus::Counter>& tool_calls
    = prometheus::BuildCounter()
        .Name("sagemcp_tool_calls_total")
        .Help("Tool calls, by connector type and outcome (success, tool_error, error, cancelled).")
        .Register(*registry);
  prometheus::Family<prometheus::Histogram>& tool_duration
    = prometheus::BuildHistogram()
        .Name("sagemcp_tool_call_duration_seconds")
        .Help("Duration of tool calls, by connector type.")
        .Register(*registry);
  prometheus::Family<prometheus::Counter>& list_failures
    = prometheus::BuildCounter()
        .Name("sagemcp_tenant_list_failures_total")
        .Help("Connectors left out of a tenant-wide list because they could not list their "
              "items, by list (tools, prompts, resources, resourceTemplates).")
        .Register(*registry);
  prometheus::Family<prometheus::Gauge>& pool
    = prometheus::BuildGauge()
        .Name("sagemcp_pool_actors")
        .Help("Live actors in the server pool, by kind (tenant, connector, session).")
        .Register(*registry);
  prometheus::Family<prometheus::Counter>& pool_lookups
    = prometheus::BuildCounter()
        .Name("sagemcp_pool_lookups_total")
        .Help("Connector instance lookups in the server pool, by result (hit, miss).")
        .Register(*registry);
  prometheus::Counter& pool_hits = pool_lookups.Add({{"result", "hit"}});
  prometheus::Counter& pool_misses = pool_lookups.Add({{"result", "miss"}});
  prometheus::Family<prometheus::Counter>& pool_evictions
    = prometheus::BuildCounter()
        .Name("sagemcp_pool_evictions_total")
        .Help("Connector instances and sessions the pool ended, by kind and reason (capacity, "
              "idle, config, admin).")
        .Register(*registry);
  prometheus::Counter& pool_restarts = prometheus::BuildCounter()
                                         .Name("sagemcp_pool_restarts_total")
                                         .Help("Connector instances restarted after a crash.")
                                         .Register(*registry)
                                         .Add({});
  prometheus::Family<prometheus::Counter>& process_events
    = prometheus::BuildCounter()
        .Name("sagemcp_external_process_events_total")
        .Help("External MCP server processes started, ended, and failed to start, by runtime "
              "type.")
        .Register(*registry);
  prometheus::Gauge& processes_running = prometheus::BuildGauge()
                                           .Name("sagemcp_external_processes")
                                           .Help("External MCP server processes running.")
                                           .Register(*registry)
                                           .Add({});
  prometheus::Family<prometheus::Counter>& rate_limited
    = prometheus::BuildCounter()
        .Name("sagemcp_rate_limited_requests_total")
        .Help("MCP requests refused by their tenant's rate limit, by transport.")
        .Register(*registry);
};

metrics::metrics() : impl_(std::make_unique<impl>()) {
  // nop
}

metrics::~metrics() = default;

metrics& metrics::global() {
  static metrics instance;
  return instance;
}

void metrics::observe_http(std::string_view method, std::string_view route, unsigned status,
                           double seconds) {
  auto code = std::to_string(status);
  auto series = impl_->http_series.get({method, route, code}, [&] {
    return series_pair{
      &impl_->http_requests.Add(
        {{"method", std::string{method}}, {"route", std::string{route}}, {"status", code}}),
      &impl_->http_duration.Add({{"route", std::string{route}}}, latency_buckets())};
  });
  series.count->Increment();
  series.duration->Observe(seconds);
}

void metrics::observe_tool_call(std::string_view connector_type, std::string_view outcome,
                                double seconds) {
  auto series = impl_->tool_series.get({connector_type, outcome}, [&] {
    return series_pair{&impl_->tool_calls.Add({{"connector_type", std::string{connector_type}},
                                               {"outcome", std::string{outcome}}}),
                       &impl_->tool_duration.Add({{"connector_type", std::string{connector_type}}},
                                                 latency_buckets())};
  });
  series.count->Increment();
  series.duration->Observe(seconds);
}

void metrics::observe_list_failure(std::string_view list) {
  impl_->list_failures.Add({{"list", std::string{list}}}).Increment();
}

void metrics::set_pool_sizes(double tenants, double connectors, double sessions) {
  impl_->pool.Add({{"kind", "tenant"}}).Set(tenants);
  impl_->pool.Add({{"kind", "connector"}}).Set(connectors);
  impl_->pool.Add({{"kind", "session"}}).Set(sessions);
}

void metrics::observe_pool_lookup(bool hit) {
  (hit ? impl_->pool_hits : impl_->pool_misses).Increment();
}

void metrics::observe_pool_eviction(std::string_view kind, std::string_view reason, double count) {
  impl_->pool_evictions.Add({{"kind", std::string{kind}}, {"reason", std::string{reason}}})
    .Increment(count);
}

void metrics::observe_pool_restart() {
  impl_->pool_restarts.Increment();
}

void metrics::observe_external_process(std::string_view runtime_type, std::string_view event) {
  impl_->process_events
    .Add({{"runtime_type", std::string{runtime_type}}, {"event", std::string{event}}})
    .Increment();
  if (event == "started") {
    impl_->processes_running.Increment();
  } else if (event == "exited") {
    impl_->processes_running.Decrement();
  }
}

void metrics::observe_rate_limited(std::string_view transport) {
  impl_->rate_limited.Add({{"transport", std::string{transport}}}).Increment();
}

double metrics::pool_hits() const {
  return impl_->pool_hits.Value();
}

double metrics::pool_misses() const {
  return impl_->pool_misses.Value();
}

double metrics::tool_calls() const {
  double total = 0;
  for (const auto& family : impl_->tool_calls.Collect()) {
    for (const auto& metric : family.metric) {
      total += metric.counter.value;
    }
  }
  return total;
}

std::string metrics::serialize() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

prometheus::Registry& metrics::registry() {
  return *impl_->registry;
}

} // namespace sagemcp::observability
