#include "actors/node/change_listener.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>

#include <boost/json/parse.hpp>

#include <chrono>

namespace sagemcp::node {

namespace {

using observability::log;
using observability::log_level;

// How long one wait for changes blocks the listener; shutdown waits for it at most this long.
constexpr auto wait_slice = std::chrono::milliseconds{500};

// Delay before listening again after the connection was lost.
constexpr auto retry_delay = std::chrono::seconds{1};

constexpr auto reload_timeout = std::chrono::seconds{30};

struct listener_state {
  static inline const char* name = "change-listener";
  std::shared_ptr<persistence::change_listener> source;
  change_targets targets;
  bool lost = false;
};

using listener_pointer = caf::stateful_actor<listener_state>*;

std::string text_of(const boost::json::object& obj, std::string_view key) {
  const auto* value = obj.if_contains(key);
  return value != nullptr && value->is_string() ? std::string{value->as_string()} : std::string{};
}

void reload_keys(listener_pointer self) {
  const auto& targets = self->state.targets;
  self->request(targets.db, reload_timeout, atom::list_v, atom::key_v)
    .then(
      [keys = targets.keys](std::vector<api_key_row>& rows) {
        keys->replace_all(rows);
      },
      [](caf::error& err) {
        log(log_level::warn, "cannot reload API keys after a change on another node",
            {{"error", message_of(err)}});
      });
}

void reload_limits(listener_pointer self) {
  const auto& targets = self->state.targets;
  self->request(targets.db, reload_timeout, atom::list_v, atom::tenant_v)
    .then(
      [limits = targets.limits](std::vector<tenant_row>& rows) {
        for (const auto& row : rows) {
          limits->set_tenant(row.slug, row.rate_limit_rpm);
        }
      },
      [](caf::error& err) {
        log(log_level::warn, "cannot reload rate limits", {{"error", message_of(err)}});
      });
}

} // namespace

change_outcome apply_change(const change_targets& targets, const std::string& payload) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(payload, ec);
  const auto* change = ec ? nullptr : parsed.if_object();
  if (change == nullptr) {
    return change_outcome::unreadable;
  }
  if (text_of(*change, "node") == targets.node_id) {
    return change_outcome::applied;
  }
  auto kind = text_of(*change, "kind");
  auto slug = text_of(*change, "tenant");
  if (kind == "tenant" && !slug.empty()) {
    const auto* deleted = change->if_contains("deleted");
    if (deleted != nullptr && deleted->is_bool() && deleted->as_bool()) {
      targets.limits->erase_tenant(slug);
      targets.keys->erase_tenant(text_of(*change, "tenant_id"));
    } else {
      const auto* rpm = change->if_contains("rate_limit_rpm");
      targets.limits->set_tenant(
        slug, rpm != nullptr && rpm->is_int64() ? static_cast<int32_t>(rpm->as_int64()) : -1);
    }
    caf::anon_send(targets.pool, atom::evict_v, slug, std::string{});
    return change_outcome::applied;
  }
  auto connector = text_of(*change, "connector");
  if (kind == "connector" && !slug.empty()) {
    caf::anon_send(targets.pool, atom::evict_v, slug, connector);
    return change_outcome::applied;
  }
  if (kind == "tools" && !slug.empty()) {
    caf::anon_send(targets.pool, atom::update_v, atom::tool_v, slug, connector);
    return change_outcome::applied;
  }
  return kind == "key" ? change_outcome::reload_keys : change_outcome::unreadable;
}

caf::actor spawn_change_listener(caf::actor_system& sys,
                                 std::shared_ptr<persistence::change_listener> source,
                                 change_targets targets) {
  return sys.spawn<caf::detached>(
    [](listener_pointer self, std::shared_ptr<persistence::change_listener> from,
       change_targets to) -> caf::behavior {
      self->state.source = std::move(from);
      self->state.targets = std::move(to);
      self->send(self, atom::tick_v);
      return {
        [self](atom::tick) {
          auto& st = self->state;
          auto changes = st.source->wait(wait_slice);
          if (!changes) {
            if (!st.lost) {
              st.lost = true;
              log(log_level::warn, "lost the connection that listens for changes of other nodes",
                  {{"error", message_of(changes.error())}});
            }
            self->delayed_send(self, retry_delay, atom::tick_v);
            return;
          }
          if (st.lost) {
            st.lost = false;
            log(log_level::info, "listening for changes of other nodes again");
            reload_keys(self);
            reload_limits(self);
          }
          bool keys_changed = false;
          for (const auto& payload : *changes) {
            auto outcome = apply_change(st.targets, payload);
            if (outcome == change_outcome::unreadable) {
              log(log_level::warn, "ignored an unreadable change notification");
            }
            keys_changed = keys_changed || outcome == change_outcome::reload_keys;
          }
          if (keys_changed) {
            reload_keys(self);
          }
          self->send(self, atom::tick_v);
        },
      };
    },
    std::move(source), std::move(targets));
}

} // namespace sagemcp::node
