#pragma once

#include "messages/errc.hpp"
#include "messages/interfaces.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <map>
#include <string>

namespace sagemcp::test {

/// What the fake store holds: snapshots by tenant slug.
struct fake_persistence_state {
  static inline const char* name = "fake-persistence";
  std::map<std::string, tenant_snapshot> tenants;
  int loads = 0;
};

/// A persistence actor with the real typed interface over an in-memory map; only `load` and
/// `ping` answer with data, the rest report storage_failure.
inline persistence_actor::behavior_type
fake_persistence(persistence_actor::stateful_pointer<fake_persistence_state> self,
                 std::map<std::string, tenant_snapshot> tenants) {
  self->state.tenants = std::move(tenants);
  auto unsupported = [] {
    return make_error(errc::storage_failure, "not in the fake");
  };
  return {
    [=](atom::create, tenant_row&) -> caf::result<tenant_row> {
      return unsupported();
    },
    [=](atom::update, tenant_row&) -> caf::result<tenant_row> {
      return unsupported();
    },
    [=](atom::erase, atom::tenant, std::string&) -> caf::result<atom::ok> {
      return unsupported();
    },
    [=](atom::get, atom::tenant, std::string&) -> caf::result<tenant_row> {
      return unsupported();
    },
    [=](atom::list, atom::tenant) -> caf::result<std::vector<tenant_row>> {
      return unsupported();
    },
    [self](atom::load, std::string& slug) -> caf::result<tenant_snapshot> {
      ++self->state.loads;
      auto i = self->state.tenants.find(slug);
      if (i == self->state.tenants.end()) {
        return make_error(errc::not_found, "tenant '" + slug + "' not found");
      }
      return i->second;
    },
    [=](atom::create, connector_row&) -> caf::result<connector_row> {
      return unsupported();
    },
    [=](atom::update, connector_row&) -> caf::result<connector_row> {
      return unsupported();
    },
    [=](atom::erase, atom::connector, std::string&, std::string&) -> caf::result<atom::ok> {
      return unsupported();
    },
    [=](atom::create, api_key_row&) -> caf::result<api_key_row> {
      return unsupported();
    },
    [=](atom::list, atom::key) -> caf::result<std::vector<api_key_row>> {
      return unsupported();
    },
    [=](atom::revoke, std::string&) -> caf::result<api_key_row> {
      return unsupported();
    },
    [=](atom::list, atom::tool, std::string&) -> caf::result<std::vector<tool_state_row>> {
      return unsupported();
    },
    [self](atom::update, atom::tool, std::string& connector_id, std::vector<tool_state_row>& states,
           std::vector<std::string>&) -> caf::result<std::vector<tool_state_row>> {
      // Applies the policy to the connector's disabled tools in every snapshot.
      for (auto& [slug, snapshot] : self->state.tenants) {
        for (auto& row : snapshot.connectors) {
          if (row.id != connector_id) {
            continue;
          }
          for (const auto& state : states) {
            std::erase(row.disabled_tools, state.tool_name);
            if (!state.is_enabled) {
              row.disabled_tools.push_back(state.tool_name);
            }
          }
          std::sort(row.disabled_tools.begin(), row.disabled_tools.end());
        }
      }
      return states;
    },
    [](atom::ping) {
      return atom::ok_v;
    },
    [](atom::update, atom::key, const std::vector<api_key_row>&) {
      return atom::ok_v;
    },
    [](atom::update, atom::usage, const std::vector<usage_row>&) {
      return atom::ok_v;
    },
    [](atom::list, atom::usage, const std::string&, const std::string&) {
      return std::vector<usage_row>{};
    },
    [](atom::audit, audit_row& row) {
      return row;
    },
    [](atom::list, atom::audit, const std::string&, int64_t) {
      return std::vector<audit_row>{};
    },
    [=](atom::create, oauth_credential_row&) -> caf::result<oauth_credential_row> {
      return unsupported();
    },
    [=](atom::get, atom::credential, std::string&, std::string&,
        std::string&) -> caf::result<oauth_credential_row> {
      return unsupported();
    },
    [=](atom::list, atom::credential,
        std::string&) -> caf::result<std::vector<oauth_credential_row>> {
      return unsupported();
    },
    [=](atom::erase, atom::credential, std::string&, std::string&,
        std::string&) -> caf::result<oauth_credential_row> {
      return unsupported();
    },
    [=](atom::update, atom::credential, oauth_credential_row&,
        oauth_credential_row&) -> caf::result<bool> {
      return unsupported();
    },
    [=](atom::create, oauth_config_row&) -> caf::result<oauth_config_row> {
      return unsupported();
    },
    [=](atom::get, atom::oauth_app, std::string&, std::string&) -> caf::result<oauth_config_row> {
      return unsupported();
    },
    [=](atom::list, atom::oauth_app, std::string&) -> caf::result<std::vector<oauth_config_row>> {
      return unsupported();
    },
    [=](atom::erase, atom::oauth_app, std::string&, std::string&) -> caf::result<atom::ok> {
      return unsupported();
    },
    [=](atom::create, oauth_flow_row&) -> caf::result<oauth_flow_row> {
      return unsupported();
    },
    [=](atom::open, atom::flow, std::string&) -> caf::result<oauth_flow_row> {
      return unsupported();
    },
    [=](atom::close, atom::flow, std::string&, std::string&) -> caf::result<atom::ok> {
      return unsupported();
    },
    [=](atom::get, atom::flow, std::string&) -> caf::result<oauth_flow_row> {
      return unsupported();
    },
    [](atom::tick) {
      // nop: the fake never loses its database
    },
    [](atom::status) {
      return std::string{"{}"};
    },
  };
}

/// A tenant `acme` with an enabled `everything` connector `c1` and a disabled one `c2`.
inline std::map<std::string, tenant_snapshot> acme_snapshot() {
  tenant_snapshot snapshot;
  snapshot.tenant.id = "t-acme";
  snapshot.tenant.slug = "acme";
  snapshot.tenant.name = "Acme";
  connector_row enabled;
  enabled.id = "c1";
  enabled.tenant_id = "t-acme";
  enabled.connector_type = "everything";
  enabled.name = "Test";
  connector_row disabled = enabled;
  disabled.id = "c2";
  disabled.is_enabled = false;
  snapshot.connectors = {enabled, disabled};
  return {{"acme", snapshot}};
}

} // namespace sagemcp::test
