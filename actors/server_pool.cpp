#include "actors/server_pool.hpp"

#include "actors/connector.hpp"
#include "actors/merged_list.hpp"
#include "actors/session.hpp"
#include "actors/tenant.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <vector>

namespace sagemcp {

namespace {

using pool_pointer = server_pool_actor::stateful_pointer<server_pool_state>;

// Native connector instances use the tenant-level credential for now.
constexpr std::string_view tenant_owner = "tenant";

std::string connector_key(const std::string& tenant, const std::string& connector_id) {
  std::string key = tenant;
  key += '/';
  key += connector_id;
  key += '/';
  key += tenant_owner;
  return key;
}

void publish_sizes(pool_pointer self) {
  const auto& st = self->state;
  observability::metrics::global().set_pool_sizes(static_cast<double>(st.tenants.size()),
                                                  static_cast<double>(st.connectors.size()),
                                                  static_cast<double>(st.sessions.size()));
}

tenant_actor tenant_for(pool_pointer self, const std::string& slug) {
  auto& st = self->state;
  if (auto i = st.tenants.find(slug); i != st.tenants.end()) {
    return i->second;
  }
  auto handle = self->spawn(tenant, slug, st.db);
  self->monitor(handle);
  st.names.emplace(handle.address(), "t:" + slug);
  st.tenants.emplace(slug, handle);
  publish_sizes(self);
  return handle;
}

caf::expected<connector_actor> connector_for(pool_pointer self, const connector_row& row,
                                             const std::string& tenant_slug) {
  auto& st = self->state;
  auto key = connector_key(tenant_slug, row.id);
  if (auto i = st.connectors.find(key); i != st.connectors.end()) {
    return i->second.handle;
  }
  const auto* spec = connectors::find_connector_type(row.connector_type);
  if (spec == nullptr) {
    return make_error(errc::connector_not_found,
                      "Connector type '" + row.connector_type + "' is not available on this node");
  }
  auto handle = self->spawn(connector, row, spec);
  self->monitor(handle);
  st.names.emplace(handle.address(), "c:" + key);
  st.connectors.emplace(key, connector_entry{handle, tenant_slug, row.id});
  publish_sizes(self);
  return handle;
}

// Spawns a session over `members` and registers it under the id the transport minted.
void spawn_session(pool_pointer self, caf::typed_response_promise<session_info> promise,
                   session_request req, std::vector<session_member> members, session_info info) {
  auto& st = self->state;
  if (auto i = st.sessions.find(req.session_id); i != st.sessions.end()) {
    // Two first stateless requests raced; both use the context the first one opened.
    if (req.stateless && i->second.stateless) {
      promise.deliver(i->second.info);
    } else {
      promise.deliver(make_error(errc::internal_error, "session id collision"));
    }
    return;
  }
  auto id = req.session_id;
  session_entry entry{{}, req.tenant, req.connector_id, req.caller.key_id, req.stateless, info};
  entry.handle = self->spawn(session, std::move(req), std::move(members), st.per_session,
                             caf::actor_cast<server_pool_actor>(self), info.capabilities);
  self->monitor(entry.handle);
  st.names.emplace(entry.handle.address(), "s:" + id);
  st.sessions.emplace(id, std::move(entry));
  publish_sizes(self);
  promise.deliver(std::move(info));
}

void start_session(pool_pointer self, caf::typed_response_promise<session_info> promise,
                   session_request req, const connector_row& row) {
  auto instance = connector_for(self, row, req.tenant);
  if (!instance) {
    promise.deliver(std::move(instance.error()));
    return;
  }
  const auto* spec = connectors::find_connector_type(row.connector_type);
  auto info = session_info{req.session_id, req.protocol_version, row.name,
                           connectors::capabilities(*spec)};
  spawn_session(self, std::move(promise), std::move(req), {session_member{{}, *instance, row.id}},
                std::move(info));
}

// The tenant-wide endpoint: every enabled connector whose type this node knows, with what any
// of them offers.
void start_tenant_session(pool_pointer self, caf::typed_response_promise<session_info> promise,
                          session_request req, const std::vector<connector_row>& rows) {
  std::vector<session_member> members;
  std::vector<const connectors::connector_spec*> specs;
  for (const auto& row : rows) {
    auto instance = connector_for(self, row, req.tenant);
    if (instance) {
      members.push_back(
        session_member{connector_prefix(row.name, row.connector_type), *instance, row.id});
      specs.push_back(connectors::find_connector_type(row.connector_type));
    }
  }
  // No connector name: the session spans the tenant.
  auto info
    = session_info{req.session_id, req.protocol_version, {}, connectors::capabilities(specs)};
  spawn_session(self, std::move(promise), std::move(req), std::move(members), std::move(info));
}

// The directory key of the stateless context of a caller on an endpoint. '~' never occurs in
// minted session ids.
std::string stateless_key(const session_request& req) {
  return "~" + req.tenant + "/" + req.connector_id + "/" + req.caller.key_id;
}

caf::result<session_info> open(pool_pointer self, session_request& req) {
  if (req.stateless) {
    req.session_id = stateless_key(req);
    auto i = self->state.sessions.find(req.session_id);
    if (i != self->state.sessions.end() && i->second.stateless) {
      return i->second.info;
    }
  }
  auto promise = self->make_response_promise<session_info>();
  auto target = tenant_for(self, req.tenant);
  auto fail = [promise](caf::error& err) mutable {
    promise.deliver(std::move(err));
  };
  if (req.connector_id.empty()) {
    self->request(target, std::chrono::seconds{30}, atom::list_v, atom::connector_v)
      .then(
        [self, promise, req](std::vector<connector_row>& rows) mutable {
          start_tenant_session(self, std::move(promise), std::move(req), rows);
        },
        fail);
    return promise;
  }
  auto connector_id = req.connector_id;
  self->request(target, std::chrono::seconds{30}, atom::open_v, std::move(connector_id))
    .then(
      [self, promise, req](connector_row& row) mutable {
        start_session(self, std::move(promise), std::move(req), row);
      },
      fail);
  return promise;
}

// Answers whether an endpoint exists: its tenant (the tenant endpoint), or its enabled connector.
caf::result<atom::ok> check_endpoint(pool_pointer self, const std::string& tenant_slug,
                                     const std::string& connector_id) {
  auto promise = self->make_response_promise<atom::ok>();
  auto target = tenant_for(self, tenant_slug);
  auto fail = [promise](caf::error& err) mutable {
    promise.deliver(std::move(err));
  };
  if (connector_id.empty()) {
    self->request(target, std::chrono::seconds{30}, atom::list_v, atom::connector_v)
      .then(
        [promise](const std::vector<connector_row>&) mutable {
          promise.deliver(atom::ok_v);
        },
        fail);
  } else {
    self->request(target, std::chrono::seconds{30}, atom::open_v, connector_id)
      .then(
        [promise](const connector_row&) mutable {
          promise.deliver(atom::ok_v);
        },
        fail);
  }
  return promise;
}

// Finds the session of an envelope; a session bound to another tenant, connector or key does not
// exist for the caller.
const session_entry* find_session(pool_pointer self, const mcp_envelope& env) {
  auto& st = self->state;
  auto i = st.sessions.find(env.session_id);
  if (i == st.sessions.end()) {
    return nullptr;
  }
  const auto& entry = i->second;
  if (entry.tenant != env.tenant || entry.connector_id != env.connector_id
      || entry.key_id != env.caller.key_id || entry.stateless != env.request.stateless) {
    return nullptr;
  }
  return &entry;
}

caf::error session_not_found() {
  return make_error(errc::session_not_found,
                    "Session not found: it expired, was terminated, or belongs to someone else");
}

template <class Map, class Predicate>
void stop_matching(pool_pointer self, Map& map, Predicate pred) {
  for (auto i = map.begin(); i != map.end();) {
    if (pred(i->second)) {
      self->state.names.erase(i->second.handle.address());
      self->send_exit(i->second.handle, caf::exit_reason::user_shutdown);
      i = map.erase(i);
    } else {
      ++i;
    }
  }
}

void evict(pool_pointer self, const std::string& tenant_slug, const std::string& connector_id) {
  auto& st = self->state;
  if (auto i = st.tenants.find(tenant_slug); i != st.tenants.end()) {
    st.names.erase(i->second.address());
    self->send_exit(i->second, caf::exit_reason::user_shutdown);
    st.tenants.erase(i);
  }
  // Tenant-wide sessions (empty connector id) depend on every connector of their tenant.
  auto affected = [&](const auto& entry) {
    return entry.tenant == tenant_slug
           && (connector_id.empty() || entry.connector_id == connector_id
               || entry.connector_id.empty());
  };
  stop_matching(self, st.sessions, affected);
  stop_matching(self, st.connectors, affected);
  publish_sizes(self);
}

void forget(pool_pointer self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto i = st.names.find(who);
  if (i == st.names.end()) {
    return;
  }
  auto name = std::move(i->second);
  st.names.erase(i);
  auto key = name.substr(2);
  switch (name[0]) {
    case 't':
      st.tenants.erase(key);
      break;
    case 'c':
      st.connectors.erase(key);
      break;
    default:
      st.sessions.erase(key);
  }
  publish_sizes(self);
}

void shutdown(pool_pointer self, const caf::error& reason) {
  auto& st = self->state;
  for (auto& [slug, handle] : st.tenants) {
    self->send_exit(handle, reason);
  }
  for (auto& [key, entry] : st.connectors) {
    self->send_exit(entry.handle, reason);
  }
  for (auto& [id, entry] : st.sessions) {
    self->send_exit(entry.handle, reason);
  }
  st.tenants.clear();
  st.connectors.clear();
  st.sessions.clear();
  st.names.clear();
  self->quit(reason);
}

std::string status(pool_pointer self) {
  const auto& st = self->state;
  boost::json::object result;
  result["tenants"] = st.tenants.size();
  result["connectors"] = st.connectors.size();
  result["sessions"] = st.sessions.size();
  return boost::json::serialize(result);
}

} // namespace

server_pool_actor::behavior_type server_pool(pool_pointer self, persistence_actor db,
                                             server_pool_options options) {
  self->state.db = std::move(db);
  self->state.per_session = session_options{options.session_ttl, options.event_buffer_bytes};
  self->set_down_handler([self](caf::down_msg& msg) {
    forget(self, msg.source);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    shutdown(self, msg.reason);
  });
  return {
    [self](atom::open, session_request& req) {
      return open(self, req);
    },
    [self](atom::get, atom::connector, const std::string& tenant_slug,
           const std::string& connector_id) {
      return check_endpoint(self, tenant_slug, connector_id);
    },
    [self](atom::route, mcp_envelope& env) -> caf::result<mcp_reply> {
      const auto* entry = find_session(self, env);
      if (entry == nullptr) {
        return session_not_found();
      }
      return self->delegate(entry->handle, atom::handle_v, std::move(env.request));
    },
    [self](atom::attach, mcp_envelope& env, std::string& last_event_id) -> caf::result<atom::ok> {
      const auto* entry = find_session(self, env);
      if (entry == nullptr) {
        return session_not_found();
      }
      return self->delegate(entry->handle, atom::attach_v, std::move(last_event_id));
    },
    [self](atom::close, const mcp_envelope& env) -> caf::result<atom::ok> {
      const auto* entry = find_session(self, env);
      if (entry == nullptr) {
        return session_not_found();
      }
      auto handle = entry->handle;
      self->state.names.erase(handle.address());
      self->state.sessions.erase(env.session_id);
      self->send_exit(handle, caf::exit_reason::user_shutdown);
      publish_sizes(self);
      return atom::ok_v;
    },
    [self](atom::push, const std::string& tenant_slug, const std::string& connector_id,
           const std::string& notification) {
      // Every session on the endpoint, and the tenant-wide ones whose catalog includes it.
      for (const auto& [id, entry] : self->state.sessions) {
        if (entry.tenant == tenant_slug
            && (entry.connector_id == connector_id || entry.connector_id.empty())) {
          self->send(entry.handle, atom::push_v, notification);
        }
      }
    },
    [self](atom::evict, const std::string& tenant_slug, const std::string& connector_id) {
      evict(self, tenant_slug, connector_id);
      return atom::ok_v;
    },
    [self](atom::status) {
      return status(self);
    },
  };
}

server_pool_actor spawn_server_pool(caf::actor_system& sys, persistence_actor db,
                                    server_pool_options options) {
  return sys.spawn(server_pool, std::move(db), options);
}

} // namespace sagemcp
