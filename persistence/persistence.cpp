#include "persistence/persistence.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"

#include <caf/result.hpp>
#include <caf/spawn_options.hpp>

#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sagemcp::persistence {

namespace {

using pointer = persistence_actor::stateful_pointer<persistence_state>;

bool unavailable(const caf::error& err) {
  return code_of(err) == errc::storage_unavailable;
}

caf::expected<tenant_snapshot> load(store& db, const std::string& slug) {
  auto tenant = db.get_tenant(slug);
  if (!tenant) {
    return std::move(tenant.error());
  }
  auto connectors = db.list_connectors(tenant->id);
  if (!connectors) {
    return std::move(connectors.error());
  }
  auto disabled = db.list_disabled_tools(tenant->id);
  if (!disabled) {
    return std::move(disabled.error());
  }
  // Both lists are small; the rows come ordered by tool name.
  for (auto& state : *disabled) {
    for (auto& row : *connectors) {
      if (row.id == state.connector_id) {
        row.disabled_tools.push_back(std::move(state.tool_name));
        break;
      }
    }
  }
  return tenant_snapshot{std::move(*tenant), std::move(*connectors)};
}

/// A store call without a value, as one with caf::unit.
caf::expected<atom::ok> done(const caf::error& err) {
  if (err) {
    return err;
  }
  return atom::ok_v;
}

/// Counts an answer.
void count(persistence_state& st, bool ok, bool write) {
  if (!ok) {
    ++st.failures;
  } else if (write) {
    ++st.writes;
  } else {
    ++st.reads;
  }
}

void went_down(pointer self, const caf::error& err) {
  auto& st = self->state;
  if (st.down) {
    return;
  }
  st.down = true;
  ++st.outages;
  st.delay = st.options.retry_delay;
  observability::log(observability::log_level::error,
                     "the database is unreachable; requests wait for it",
                     {{"error", message_of(err)}});
  self->delayed_send(self, st.delay, atom::tick_v);
}

/// Runs `call` (a store call yielding caf::expected<T>) now, or queues it behind the requests
/// waiting for the database.
template <class T, class Call>
caf::result<T> submit(pointer self, bool write, Call call) {
  auto& st = self->state;
  if (!st.down) {
    auto x = call();
    if (x || !unavailable(x.error())) {
      count(st, static_cast<bool>(x), write);
      if (!x) {
        return std::move(x.error());
      }
      return std::move(*x);
    }
    went_down(self, x.error());
  }
  if (st.queue.size() >= st.options.max_waiting) {
    ++st.failures;
    return make_error(errc::storage_unavailable,
                      "the database is unreachable and " + std::to_string(st.queue.size())
                        + " requests already wait for it; try again later");
  }
  auto promise = self->make_response_promise<T>();
  auto attempt = [self, write, call, promise]() mutable {
    auto x = call();
    if (!x && unavailable(x.error())) {
      return false;
    }
    count(self->state, static_cast<bool>(x), write);
    if (x) {
      promise.deliver(std::move(*x));
    } else {
      promise.deliver(std::move(x.error()));
    }
    return true;
  };
  auto fail = [promise](caf::error err) mutable {
    promise.deliver(std::move(err));
  };
  st.queue.push_back(persistence_state::waiting{std::move(attempt), std::move(fail),
                                                self->clock().now() + st.options.max_wait});
  return promise;
}

/// A read: served by the reader (on its own connection) while the database answers and no
/// request waits here, so reads never queue behind a slow write; otherwise it waits here in order
/// behind the writes, like any request.
template <class T, class Call, class... Ts>
caf::result<T> read(pointer self, Call call, Ts... xs) {
  auto& st = self->state;
  if (st.reader && !st.down && st.queue.empty()) {
    ++st.delegated;
    return self->delegate(st.reader, std::move(xs)...);
  }
  return submit<T>(self, false, std::move(call));
}

/// Tries the waiting requests in order; stops at the first that still finds the database down.
void retry(pointer self) {
  auto& st = self->state;
  auto now = self->clock().now();
  while (!st.queue.empty()) {
    auto& head = st.queue.front();
    if (now >= head.deadline) {
      ++st.failures;
      head.fail(make_error(errc::storage_unavailable,
                           "the database stayed unreachable; the request was not applied"));
      st.queue.pop_front();
      continue;
    }
    if (!head.attempt()) {
      st.delay = std::min(st.delay * 2, st.options.max_retry_delay);
      self->delayed_send(self, st.delay, atom::tick_v);
      return;
    }
    st.queue.pop_front();
  }
  if (auto err = st.db->ping(); err && unavailable(err)) {
    st.delay = std::min(st.delay * 2, st.options.max_retry_delay);
    self->delayed_send(self, st.delay, atom::tick_v);
    return;
  }
  st.down = false;
  observability::log(observability::log_level::info, "the database is reachable again");
}

std::string status(persistence_state& st) {
  boost::json::object result;
  result["writes"] = st.writes;
  result["reads"] = st.reads;
  result["failures"] = st.failures;
  result["reachable"] = !st.down;
  result["waiting"] = st.queue.size();
  result["outages"] = st.outages;
  result["reads_delegated"] = st.delegated;
  if (st.down) {
    return boost::json::serialize(result);
  }
  if (auto version = st.db->schema_version()) {
    result["schema_version"] = *version;
  } else {
    result["error"] = message_of(version.error());
  }
  return boost::json::serialize(result);
}

} // namespace

persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self, std::shared_ptr<store> db,
            persistence_options options, persistence_actor reader) {
  self->state.db = std::move(db);
  self->state.options = options;
  if (reader) {
    // The reader ends with the writer.
    self->link_to(reader);
    self->state.reader = std::move(reader);
  }
  // Requests still waiting when the actor ends get an error rather than silence.
  self->attach_functor([self] {
    for (auto& entry : self->state.queue) {
      entry.fail(
        make_error(errc::shutting_down, "the server stopped before the database returned"));
    }
    self->state.queue.clear();
  });
  auto* store = self->state.db.get();
  return {
    [self, store](atom::create, tenant_row& row) -> caf::result<tenant_row> {
      return submit<tenant_row>(self, true, [store, row] {
        return store->create_tenant(row);
      });
    },
    [self, store](atom::update, const tenant_row& row) -> caf::result<tenant_row> {
      return submit<tenant_row>(self, true, [store, row] {
        return store->update_tenant(row);
      });
    },
    [self, store](atom::erase, atom::tenant, const std::string& slug) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, slug] {
        return done(store->delete_tenant(slug));
      });
    },
    [self, store](atom::get, atom::tenant, const std::string& slug) -> caf::result<tenant_row> {
      return read<tenant_row>(
        self,
        [store, slug] {
          return store->get_tenant(slug);
        },
        atom::get_v, atom::tenant_v, slug);
    },
    [self, store](atom::list, atom::tenant) -> caf::result<std::vector<tenant_row>> {
      return read<std::vector<tenant_row>>(
        self,
        [store] {
          return store->list_tenants();
        },
        atom::list_v, atom::tenant_v);
    },
    [self, store](atom::load, const std::string& slug) -> caf::result<tenant_snapshot> {
      return read<tenant_snapshot>(
        self,
        [store, slug] {
          return load(*store, slug);
        },
        atom::load_v, slug);
    },
    [self, store](atom::create, connector_row& row) -> caf::result<connector_row> {
      return submit<connector_row>(self, true, [store, row] {
        return store->create_connector(row);
      });
    },
    [self, store](atom::update, const connector_row& row) -> caf::result<connector_row> {
      return submit<connector_row>(self, true, [store, row] {
        return store->update_connector(row);
      });
    },
    [self, store](atom::erase, atom::connector, const std::string& tenant_id,
                  const std::string& id) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, tenant_id, id] {
        return done(store->delete_connector(tenant_id, id));
      });
    },
    [self, store](atom::create, api_key_row& row) -> caf::result<api_key_row> {
      return submit<api_key_row>(self, true, [store, row] {
        return store->create_api_key(row);
      });
    },
    [self, store](atom::list, atom::key) -> caf::result<std::vector<api_key_row>> {
      return read<std::vector<api_key_row>>(
        self,
        [store] {
          return store->list_api_keys();
        },
        atom::list_v, atom::key_v);
    },
    [self, store](atom::revoke, const std::string& id) -> caf::result<api_key_row> {
      return submit<api_key_row>(self, true, [store, id] {
        return store->revoke_api_key(id);
      });
    },
    [self, store](atom::list, atom::tool,
                  const std::string& connector_id) -> caf::result<std::vector<tool_state_row>> {
      return read<std::vector<tool_state_row>>(
        self,
        [store, connector_id] {
          return store->list_tool_states(connector_id);
        },
        atom::list_v, atom::tool_v, connector_id);
    },
    [self,
     store](atom::update, atom::tool, const std::string& connector_id,
            const std::vector<tool_state_row>& states,
            const std::vector<std::string>& removed) -> caf::result<std::vector<tool_state_row>> {
      return submit<std::vector<tool_state_row>>(
        self, true, [store, connector_id, states, removed] {
          return store->change_tool_states(connector_id, states, removed);
        });
    },
    [self, store](atom::update, atom::key,
                  const std::vector<api_key_row>& uses) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, uses] {
        return done(store->touch_api_keys(uses));
      });
    },
    [self, store](atom::update, atom::usage,
                  const std::vector<usage_row>& rows) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, rows] {
        return done(store->add_usage(rows));
      });
    },
    [self, store](atom::list, atom::usage, const std::string& tenant_slug,
                  const std::string& since_day) -> caf::result<std::vector<usage_row>> {
      return read<std::vector<usage_row>>(
        self,
        [store, tenant_slug, since_day] {
          return store->list_usage(tenant_slug, since_day);
        },
        atom::list_v, atom::usage_v, tenant_slug, since_day);
    },
    [self, store](atom::audit, const audit_row& row) -> caf::result<audit_row> {
      return submit<audit_row>(self, true, [store, row] {
        return store->append_audit(row);
      });
    },
    [self, store](atom::list, atom::audit, const std::string& tenant_slug,
                  int64_t limit) -> caf::result<std::vector<audit_row>> {
      return read<std::vector<audit_row>>(
        self,
        [store, tenant_slug, limit] {
          return store->list_audit(tenant_slug, limit);
        },
        atom::list_v, atom::audit_v, tenant_slug, limit);
    },
    [self, store](atom::create, oauth_credential_row& row) -> caf::result<oauth_credential_row> {
      return submit<oauth_credential_row>(self, true, [store, row] {
        return store->upsert_oauth_credential(row);
      });
    },
    [self, store](atom::get, atom::credential, const std::string& tenant_id,
                  const std::string& provider,
                  const std::string& owner) -> caf::result<oauth_credential_row> {
      return read<oauth_credential_row>(
        self,
        [store, tenant_id, provider, owner] {
          return store->get_oauth_credential(tenant_id, provider, owner);
        },
        atom::get_v, atom::credential_v, tenant_id, provider, owner);
    },
    [self, store](atom::list, atom::credential,
                  const std::string& tenant_id) -> caf::result<std::vector<oauth_credential_row>> {
      return read<std::vector<oauth_credential_row>>(
        self,
        [store, tenant_id] {
          return store->list_oauth_credentials(tenant_id);
        },
        atom::list_v, atom::credential_v, tenant_id);
    },
    [self, store](atom::erase, atom::credential, const std::string& tenant_id,
                  const std::string& provider,
                  const std::string& owner) -> caf::result<oauth_credential_row> {
      return submit<oauth_credential_row>(self, true, [store, tenant_id, provider, owner] {
        return store->delete_oauth_credential(tenant_id, provider, owner);
      });
    },
    [self, store](atom::update, atom::credential, const oauth_credential_row& before,
                  const oauth_credential_row& after) -> caf::result<bool> {
      return submit<bool>(self, true, [store, before, after] {
        return store->replace_oauth_tokens(before, after);
      });
    },
    [self, store](atom::create, oauth_config_row& row) -> caf::result<oauth_config_row> {
      return submit<oauth_config_row>(self, true, [store, row] {
        return store->upsert_oauth_config(row);
      });
    },
    [self, store](atom::get, atom::oauth_app, const std::string& tenant_id,
                  const std::string& provider) -> caf::result<oauth_config_row> {
      return read<oauth_config_row>(
        self,
        [store, tenant_id, provider] {
          return store->get_oauth_config(tenant_id, provider);
        },
        atom::get_v, atom::oauth_app_v, tenant_id, provider);
    },
    [self, store](atom::list, atom::oauth_app,
                  const std::string& tenant_id) -> caf::result<std::vector<oauth_config_row>> {
      return read<std::vector<oauth_config_row>>(
        self,
        [store, tenant_id] {
          return store->list_oauth_configs(tenant_id);
        },
        atom::list_v, atom::oauth_app_v, tenant_id);
    },
    [self, store](atom::erase, atom::oauth_app, const std::string& tenant_id,
                  const std::string& provider) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, tenant_id, provider] {
        return done(store->delete_oauth_config(tenant_id, provider));
      });
    },
    [self, store](atom::create, oauth_flow_row& row) -> caf::result<oauth_flow_row> {
      return submit<oauth_flow_row>(self, true, [store, row] {
        return store->create_oauth_flow(row);
      });
    },
    [self, store](atom::open, atom::flow, const std::string& id) -> caf::result<oauth_flow_row> {
      return submit<oauth_flow_row>(self, true, [store, id] {
        return store->claim_oauth_flow(id);
      });
    },
    [self, store](atom::close, atom::flow, const std::string& id,
                  const std::string& outcome) -> caf::result<atom::ok> {
      return submit<atom::ok>(self, true, [store, id, outcome] {
        return done(store->finish_oauth_flow(id, outcome));
      });
    },
    [self, store](atom::get, atom::flow, const std::string& id) -> caf::result<oauth_flow_row> {
      return read<oauth_flow_row>(
        self,
        [store, id] {
          return store->get_oauth_flow(id);
        },
        atom::get_v, atom::flow_v, id);
    },
    [self, store](atom::ping) -> caf::result<atom::ok> {
      auto& st = self->state;
      if (st.down) {
        ++st.failures;
        return make_error(errc::storage_unavailable, "the database is unreachable");
      }
      auto err = store->ping();
      count(st, !err, false);
      if (err) {
        if (unavailable(err)) {
          went_down(self, err);
        }
        return err;
      }
      return atom::ok_v;
    },
    [self](atom::tick) {
      retry(self);
    },
    [self](atom::status) -> std::string {
      return status(self->state);
    },
  };
}

persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<store> db,
                                    persistence_options options, std::shared_ptr<store> reads) {
  persistence_actor reader;
  if (reads) {
    reader = sys.spawn<caf::detached>(persistence, std::move(reads), options, persistence_actor{});
  }
  return sys.spawn<caf::detached>(persistence, std::move(db), options, std::move(reader));
}

} // namespace sagemcp::persistence
