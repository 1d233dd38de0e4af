#include "actors/tenant.hpp"

#include "messages/errc.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

namespace sagemcp {

namespace {

caf::expected<std::vector<connector_row>> enabled(const tenant_snapshot& snapshot) {
  if (!snapshot.tenant.is_active) {
    return make_error(errc::tenant_not_found, "Tenant '" + snapshot.tenant.slug + "' is inactive");
  }
  std::vector<connector_row> result;
  for (const auto& row : snapshot.connectors) {
    if (row.is_enabled) {
      result.push_back(row);
    }
  }
  return result;
}

caf::expected<connector_row> resolve(const tenant_snapshot& snapshot, const std::string& id) {
  if (!snapshot.tenant.is_active) {
    return make_error(errc::tenant_not_found, "Tenant '" + snapshot.tenant.slug + "' is inactive");
  }
  for (const auto& row : snapshot.connectors) {
    if (row.id == id) {
      if (!row.is_enabled) {
        return make_error(errc::connector_disabled, "Connector '" + id + "' is disabled");
      }
      return row;
    }
  }
  return make_error(errc::connector_not_found, "Connector '" + id + "' not found");
}

void on_loaded(tenant_actor::stateful_pointer<tenant_state> self, tenant_snapshot snapshot) {
  auto& st = self->state;
  st.snapshot = std::move(snapshot);
  for (auto& [promise, id] : st.pending) {
    auto row = resolve(*st.snapshot, id);
    if (row) {
      promise.deliver(std::move(*row));
    } else {
      promise.deliver(std::move(row.error()));
    }
  }
  st.pending.clear();
  for (auto& promise : st.pending_lists) {
    auto rows = enabled(*st.snapshot);
    if (rows) {
      promise.deliver(std::move(*rows));
    } else {
      promise.deliver(std::move(rows.error()));
    }
  }
  st.pending_lists.clear();
}

void on_load_failed(tenant_actor::stateful_pointer<tenant_state> self, caf::error err) {
  if (code_of(err) == errc::not_found) {
    err = make_error(errc::tenant_not_found, "Tenant '" + self->state.slug + "' not found");
  }
  for (auto& entry : self->state.pending) {
    entry.first.deliver(err);
  }
  self->state.pending.clear();
  for (auto& promise : self->state.pending_lists) {
    promise.deliver(err);
  }
  self->state.pending_lists.clear();
  // Nothing is cached for a tenant that could not be loaded; the pool forgets this actor.
  self->quit();
}

} // namespace

tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self,
                                   std::string slug, const persistence_actor& db) {
  self->state.slug = slug;
  self->request(db, std::chrono::seconds{30}, atom::load_v, std::move(slug))
    .then(
      [self](tenant_snapshot& snapshot) {
        on_loaded(self, std::move(snapshot));
      },
      [self](caf::error& err) {
        on_load_failed(self, std::move(err));
      });
  return {
    [self](atom::open, const std::string& connector_id) -> caf::result<connector_row> {
      auto& st = self->state;
      if (!st.snapshot) {
        auto promise = self->make_response_promise<connector_row>();
        st.pending.emplace_back(promise, connector_id);
        return promise;
      }
      auto row = resolve(*st.snapshot, connector_id);
      if (!row) {
        return std::move(row.error());
      }
      return std::move(*row);
    },
    [self](atom::list, atom::connector) -> caf::result<std::vector<connector_row>> {
      auto& st = self->state;
      if (!st.snapshot) {
        auto promise = self->make_response_promise<std::vector<connector_row>>();
        st.pending_lists.push_back(promise);
        return promise;
      }
      auto rows = enabled(*st.snapshot);
      if (!rows) {
        return std::move(rows.error());
      }
      return std::move(*rows);
    },
    [self](atom::status) -> std::string {
      const auto& st = self->state;
      boost::json::object status;
      status["slug"] = st.slug;
      status["loaded"] = st.snapshot.has_value();
      status["connectors"] = st.snapshot ? st.snapshot->connectors.size() : 0;
      status["pending"] = st.pending.size();
      return boost::json::serialize(status);
    },
  };
}

} // namespace sagemcp
