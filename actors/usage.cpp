#include "actors/usage.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"

#include <caf/event_based_actor.hpp>

#include <chrono>
#include <string_view>
#include <tuple>

namespace sagemcp {

void usage_meter::record(const std::string& tenant_slug, const std::string& connector_id,
                         const std::string& tool_name, bool failed) {
  // The day's name, rendered again when the day changes.
  thread_local std::chrono::sys_days cached_day{};
  thread_local std::string day;
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  if (today != cached_day || day.empty()) {
    day = utc_day();
    cached_day = today;
  }
  int64_t errors = failed ? 1 : 0;
  {
    std::lock_guard guard{mtx_};
    auto i = counts_.find(
      std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>{
        day, tenant_slug, connector_id, tool_name});
    if (i != counts_.end()) {
      i->second.first += 1;
      i->second.second += errors;
      return;
    }
  }
  add(key{day, tenant_slug, connector_id, tool_name}, 1, errors);
}

void usage_meter::add(key k, int64_t calls, int64_t errors) {
  std::lock_guard guard{mtx_};
  auto& [c, e] = counts_[std::move(k)];
  c += calls;
  e += errors;
}

std::vector<usage_row> usage_meter::take() {
  count_map taken;
  {
    std::lock_guard guard{mtx_};
    taken.swap(counts_);
  }
  std::vector<usage_row> rows;
  rows.reserve(taken.size());
  for (auto& [k, v] : taken) {
    rows.push_back(
      usage_row{std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), v.first, v.second});
  }
  return rows;
}

void usage_meter::restore(const std::vector<usage_row>& rows) {
  for (const auto& row : rows) {
    add(key{row.day, row.tenant_slug, row.connector_id, row.tool_name}, row.calls, row.errors);
  }
}

size_t usage_meter::size() const {
  std::lock_guard guard{mtx_};
  return counts_.size();
}

usage_meter& usage_meter::global() {
  static usage_meter instance;
  return instance;
}

namespace {

constexpr auto flush_timeout = std::chrono::seconds{30};

void flush(caf::event_based_actor* self, const persistence_actor& db, usage_meter& meter) {
  auto rows = meter.take();
  if (rows.empty()) {
    return;
  }
  self->request(db, flush_timeout, atom::update_v, atom::usage_v, rows)
    .then(
      [](atom::ok) {
        // stored
      },
      [&meter, rows](caf::error& err) {
        meter.restore(rows);
        observability::log(observability::log_level::warn,
                           "tool usage not stored yet; kept for the next flush",
                           {{"error", message_of(err)}});
      });
}

} // namespace

caf::actor spawn_usage_flusher(caf::actor_system& sys, const persistence_actor& db,
                               usage_meter& meter, caf::timespan interval) {
  return sys.spawn([db, &meter, interval](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, interval, atom::tick_v);
    return {
      [self, db, &meter, interval](atom::tick) {
        flush(self, db, meter);
        self->delayed_send(self, interval, atom::tick_v);
      },
    };
  });
}

} // namespace sagemcp
