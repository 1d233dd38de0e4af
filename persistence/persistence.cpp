#include "persistence/persistence.hpp"

#include "messages/errc.hpp"

#include <caf/result.hpp>
#include <caf/spawn_options.hpp>

#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sagemcp::persistence {

namespace {

/// Counts an answered write or failure and turns the store's answer into a reply.
template <class T>
caf::result<T> written(persistence_state& st, caf::expected<T> x) {
  if (!x) {
    ++st.failures;
    return std::move(x.error());
  }
  ++st.writes;
  return std::move(*x);
}

caf::result<atom::ok> written(persistence_state& st, const caf::error& err) {
  if (err) {
    ++st.failures;
    return err;
  }
  ++st.writes;
  return atom::ok_v;
}

/// Counts an answered read or failure and turns the store's answer into a reply.
template <class T>
caf::result<T> read(persistence_state& st, caf::expected<T> x) {
  if (!x) {
    ++st.failures;
    return std::move(x.error());
  }
  ++st.reads;
  return std::move(*x);
}

caf::result<tenant_snapshot> load(persistence_state& st, const std::string& slug) {
  auto tenant = st.db->get_tenant(slug);
  if (!tenant) {
    ++st.failures;
    return std::move(tenant.error());
  }
  auto connectors = st.db->list_connectors(tenant->id);
  if (!connectors) {
    ++st.failures;
    return std::move(connectors.error());
  }
  auto disabled = st.db->list_disabled_tools(tenant->id);
  if (!disabled) {
    ++st.failures;
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
  ++st.reads;
  return tenant_snapshot{std::move(*tenant), std::move(*connectors)};
}

std::string status(persistence_state& st) {
  boost::json::object result;
  result["writes"] = st.writes;
  result["reads"] = st.reads;
  result["failures"] = st.failures;
  if (auto version = st.db->schema_version()) {
    result["schema_version"] = *version;
  } else {
    result["error"] = message_of(version.error());
  }
  return boost::json::serialize(result);
}

} // namespace

persistence_actor::behavior_type
persistence(persistence_actor::stateful_pointer<persistence_state> self,
            std::shared_ptr<store> db) {
  self->state.db = std::move(db);
  return {
    [self](atom::create, tenant_row& row) -> caf::result<tenant_row> {
      return written(self->state, self->state.db->create_tenant(std::move(row)));
    },
    [self](atom::update, const tenant_row& row) -> caf::result<tenant_row> {
      return written(self->state, self->state.db->update_tenant(row));
    },
    [self](atom::erase, atom::tenant, const std::string& slug) -> caf::result<atom::ok> {
      return written(self->state, self->state.db->delete_tenant(slug));
    },
    [self](atom::get, atom::tenant, const std::string& slug) -> caf::result<tenant_row> {
      return read(self->state, self->state.db->get_tenant(slug));
    },
    [self](atom::list, atom::tenant) -> caf::result<std::vector<tenant_row>> {
      return read(self->state, self->state.db->list_tenants());
    },
    [self](atom::load, const std::string& slug) -> caf::result<tenant_snapshot> {
      return load(self->state, slug);
    },
    [self](atom::create, connector_row& row) -> caf::result<connector_row> {
      return written(self->state, self->state.db->create_connector(std::move(row)));
    },
    [self](atom::update, const connector_row& row) -> caf::result<connector_row> {
      return written(self->state, self->state.db->update_connector(row));
    },
    [self](atom::erase, atom::connector, const std::string& tenant_id,
           const std::string& id) -> caf::result<atom::ok> {
      return written(self->state, self->state.db->delete_connector(tenant_id, id));
    },
    [self](atom::create, api_key_row& row) -> caf::result<api_key_row> {
      return written(self->state, self->state.db->create_api_key(std::move(row)));
    },
    [self](atom::list, atom::key) -> caf::result<std::vector<api_key_row>> {
      return read(self->state, self->state.db->list_api_keys());
    },
    [self](atom::revoke, const std::string& id) -> caf::result<api_key_row> {
      return written(self->state, self->state.db->revoke_api_key(id));
    },
    [self](atom::list, atom::tool,
           const std::string& connector_id) -> caf::result<std::vector<tool_state_row>> {
      return read(self->state, self->state.db->list_tool_states(connector_id));
    },
    [self](atom::update, atom::tool, const std::string& connector_id,
           const std::vector<tool_state_row>& states,
           const std::vector<std::string>& removed) -> caf::result<std::vector<tool_state_row>> {
      return written(self->state,
                     self->state.db->change_tool_states(connector_id, states, removed));
    },
    [self](atom::ping) -> caf::result<atom::ok> {
      if (auto err = self->state.db->ping()) {
        ++self->state.failures;
        return err;
      }
      ++self->state.reads;
      return atom::ok_v;
    },
    [self](atom::status) -> std::string {
      return status(self->state);
    },
  };
}

persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<store> db) {
  return sys.spawn<caf::detached>(persistence, std::move(db));
}

} // namespace sagemcp::persistence
