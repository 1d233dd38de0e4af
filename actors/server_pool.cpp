#include "actors/server_pool.hpp"

#include "actors/connector.hpp"
#include "actors/merged_list.hpp"
#include "actors/session.hpp"
#include "actors/tenant.hpp"
#include "actors/timeouts.hpp"
#include "connectors/external.hpp"
#include "connectors/http_tool.hpp"
#include "connectors/remote_mcp.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>
#include <vector>

#include "security/sealed_json.hpp"

namespace sagemcp {

namespace {

// Time a session may take to report its status.
constexpr auto status_timeout = std::chrono::seconds{5};

using pool_pointer = server_pool_actor::stateful_pointer<server_pool_state>;
using time_point = caf::actor_clock::time_point;

// The owner segment of the key of an instance that uses the tenant's credentials.
constexpr std::string_view tenant_owner = "tenant";

// The key prefix every instance of a connector shares: `tenant/connector/`.
std::string connector_prefix_of(const std::string& tenant, const std::string& connector_id) {
  return tenant + '/' + connector_id + '/';
}

// `tenant/connector/tenant`, or `tenant/connector/key:<id>` for an instance that uses the
// personal credentials of an API key.
std::string instance_key(const std::string& tenant, const std::string& connector_id,
                         const std::string& owner) {
  return connector_prefix_of(tenant, connector_id)
         + (owner.empty() ? std::string{tenant_owner} : "key:" + owner);
}

// Whose credentials a caller's instance of a connector uses: the caller's API key id when the
// connector's configuration asks for each caller's own (credential_mode "user"), else the
// tenant's (empty). The mode is remembered per connector until its stored configuration changes.
std::string credential_owner(pool_pointer self, const connector_row& row,
                             const std::string& key_id) {
  bool remote = row.runtime_type == connectors::remote_runtime;
  const auto* spec = remote ? nullptr : connectors::find_connector_type(row.connector_type);
  const auto* upstream = self->state.options.upstream;
  if ((!remote && (spec == nullptr || spec->api == nullptr || spec->api->oauth_provider.empty()))
      || upstream == nullptr || upstream->keys == nullptr) {
    return {};
  }
  auto& modes = self->state.user_modes;
  auto i = modes.find(row.id);
  if (i == modes.end() || i->second.first != row.configuration) {
    auto configuration = security::open_object(*upstream->keys, row.configuration,
                                               security::configuration_context(row.tenant_id));
    // An unreadable configuration fails every call of the instance; its owner does not matter.
    bool user = false;
    if (configuration && remote) {
      auto config = connectors::remote_config_of(*configuration);
      user = config && config->per_user;
    } else if (configuration) {
      auto mode = connectors::credential_mode_of(*spec->api, *configuration);
      user = mode && *mode == connectors::credential_mode::user;
    }
    i = modes.insert_or_assign(row.id, std::make_pair(row.configuration, user)).first;
  }
  // Without authentication no caller has a key of its own: the instance refuses the calls.
  return i->second.second && key_id != anonymous_key_id ? key_id : std::string{};
}

int64_t seconds_between(time_point from, time_point to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

void publish_sizes(pool_pointer self) {
  const auto& st = self->state;
  observability::metrics::global().set_pool_sizes(static_cast<double>(st.tenants.size()),
                                                  static_cast<double>(st.instances.size()),
                                                  static_cast<double>(st.sessions.size()));
}

// Runs `f(key, entry)` for every instance whose key starts with `prefix`, in key order; `f` may
// not erase.
template <class F>
void for_prefix(pool_pointer self, const std::string& prefix, F f) {
  auto& instances = self->state.instances;
  for (auto i = instances.lower_bound(prefix);
       i != instances.end() && std::string_view{i->first}.starts_with(prefix); ++i) {
    f(i->first, i->second);
  }
}

// Keys of the instances whose key starts with `prefix`.
std::vector<std::string> keys_with_prefix(pool_pointer self, const std::string& prefix) {
  std::vector<std::string> keys;
  for_prefix(self, prefix, [&](const std::string& key, const instance_entry&) {
    keys.push_back(key);
  });
  return keys;
}

void touch_instance(pool_pointer self, instance_entry& entry, time_point now) {
  entry.last_used = now;
  auto& lru = self->state.instance_lru;
  lru.splice(lru.begin(), lru, entry.lru);
}

// Ends an instance: stops its actor, answers sessions waiting for its restart, and forgets it.
// O(log n). `key` may be the LRU list's own copy; it is not read once that node is gone.
void drop_instance(pool_pointer self, const std::string& key, std::string_view reason) {
  auto& st = self->state;
  auto i = st.instances.find(key);
  if (i == st.instances.end()) {
    return;
  }
  auto& entry = i->second;
  if (entry.handle) {
    st.names.erase(entry.handle.address());
    self->send_exit(entry.handle, caf::exit_reason::user_shutdown);
  }
  for (auto& promise : entry.waiting) {
    promise.deliver(make_error(errc::connector_not_found, "the connector instance was evicted"));
  }
  st.instance_lru.erase(entry.lru);
  st.instances.erase(i);
  observability::metrics::global().observe_pool_eviction("connector", reason);
}

// Spawns the actor of an instance: an external MCP server's host, or a native connector of
// `spec`.
connector_actor spawn_instance(pool_pointer self, const std::string& key, instance_entry& entry,
                               const connectors::connector_spec* spec) {
  connector_actor handle;
  if (spec == nullptr) {
    handle = self->spawn(external_connector, entry.row, entry.tenant, entry.owner,
                         self->state.options.processes, caf::actor_cast<server_pool_actor>(self));
  } else {
    handle = self->spawn(connector, entry.row, entry.owner, spec, self->state.options.upstream);
  }
  self->monitor(handle);
  self->state.names.emplace(handle.address(), "c:" + key);
  entry.handle = handle;
  entry.started = self->clock().now();
  return handle;
}

// The live instance of a connector, spawned on a miss; at capacity the least recently used
// instance makes room. The handle is empty while the instance waits to restart after a crash.
caf::expected<connector_actor> instance_for(pool_pointer self, const connector_row& row,
                                            const std::string& tenant_slug,
                                            const std::string& key_id) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto owner = credential_owner(self, row, key_id);
  auto key = instance_key(tenant_slug, row.id, owner);
  if (auto i = st.instances.find(key); i != st.instances.end()) {
    observability::metrics::global().observe_pool_lookup(true);
    ++i->second.hits;
    touch_instance(self, i->second, now);
    return i->second.handle;
  }
  bool external = connectors::is_external_runtime(row.runtime_type);
  if (external && st.options.processes == nullptr) {
    return make_error(errc::connector_not_found, "This node does not host external MCP servers");
  }
  const auto* spec = external ? nullptr : connectors::find_connector_type(row.connector_type);
  if (spec == nullptr && !external) {
    return make_error(errc::connector_not_found,
                      "Connector type '" + row.connector_type + "' is not available on this node");
  }
  observability::metrics::global().observe_pool_lookup(false);
  while (!st.instance_lru.empty() && st.instances.size() >= st.options.max_instances) {
    drop_instance(self, st.instance_lru.back(), "capacity");
  }
  st.instance_lru.push_front(key);
  instance_entry entry;
  entry.tenant = tenant_slug;
  entry.owner = std::move(owner);
  entry.row = row;
  entry.created = now;
  entry.last_used = now;
  entry.lru = st.instance_lru.begin();
  auto& placed = st.instances.emplace(key, std::move(entry)).first->second;
  auto handle = spawn_instance(self, key, placed, spec);
  publish_sizes(self);
  return handle;
}

// Restarts a crashed instance once its back-off passed, unless it was evicted meanwhile.
void restart_instance(pool_pointer self, const std::string& key, uint64_t generation) {
  auto& st = self->state;
  auto i = st.instances.find(key);
  if (i == st.instances.end() || i->second.generation != generation || i->second.handle) {
    return;
  }
  auto& entry = i->second;
  bool external = connectors::is_external_runtime(entry.row.runtime_type);
  const auto* spec = external ? nullptr : connectors::find_connector_type(entry.row.connector_type);
  if (spec == nullptr && !external) {
    drop_instance(self, key, "config");
    return;
  }
  auto handle = spawn_instance(self, key, entry, spec);
  ++entry.restarts;
  observability::metrics::global().observe_pool_restart();
  auto ptr = caf::actor_cast<caf::strong_actor_ptr>(handle);
  for (auto& promise : entry.waiting) {
    promise.deliver(ptr);
  }
  entry.waiting.clear();
}

// An instance ended without being asked to: restart it after a back-off that doubles with every
// crash in a row.
void on_instance_crash(pool_pointer self, const std::string& key) {
  auto& st = self->state;
  auto i = st.instances.find(key);
  if (i == st.instances.end()) {
    return;
  }
  auto& entry = i->second;
  auto now = self->clock().now();
  entry.handle = connector_actor{};
  if (now - entry.started >= st.options.stable_after) {
    entry.crashes = 0;
  }
  ++entry.crashes;
  auto delay = st.options.restart_backoff;
  for (unsigned n = 1; n < entry.crashes && delay < st.options.max_restart_backoff; ++n) {
    delay *= 2;
  }
  delay = std::min(delay, st.options.max_restart_backoff);
  ++entry.generation;
  self->delayed_send(self, delay, atom::tick_v, key, entry.generation);
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

void stop_tenant_actor(pool_pointer self, const std::string& slug) {
  auto& st = self->state;
  if (auto i = st.tenants.find(slug); i != st.tenants.end()) {
    st.names.erase(i->second.address());
    self->send_exit(i->second, caf::exit_reason::user_shutdown);
    st.tenants.erase(i);
  }
}

// Removes a session from the directory and from its tenant's LRU order. O(1).
void unlink_session(server_pool_state& st,
                    std::unordered_map<std::string, session_entry>::iterator i) {
  auto t = st.tenant_sessions.find(i->second.tenant);
  t->second.erase(i->second.lru);
  if (t->second.empty()) {
    st.tenant_sessions.erase(t);
  }
  if (st.options.directory != nullptr) {
    st.options.directory->remove(i->first);
  }
  st.sessions.erase(i);
}

// Ends a session and forgets it. O(1). `id` may be the LRU list's own copy; it is not read once
// that node is gone.
void drop_session(pool_pointer self, const std::string& id, std::string_view reason) {
  auto& st = self->state;
  auto i = st.sessions.find(id);
  if (i == st.sessions.end()) {
    return;
  }
  st.names.erase(i->second.handle.address());
  self->send_exit(i->second.handle, caf::exit_reason::user_shutdown);
  unlink_session(st, i);
  if (!reason.empty()) {
    observability::metrics::global().observe_pool_eviction("session", reason);
  }
}

// Spawns a session over `members` and registers it under the id the transport minted. A tenant
// at its session cap first loses its least recently used session.
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
  if (auto t = st.tenant_sessions.find(req.tenant);
      t != st.tenant_sessions.end() && t->second.size() >= st.options.sessions_per_tenant) {
    drop_session(self, t->second.back(), "capacity");
  }
  auto id = req.session_id;
  auto now = self->clock().now();
  auto& order = st.tenant_sessions[req.tenant];
  order.push_front(id);
  session_entry entry{{req.tenant, req.connector_id, req.caller.key_id, req.stateless},
                      {},
                      info,
                      now,
                      now,
                      order.begin()};
  entry.handle = self->spawn(session, std::move(req), std::move(members), st.per_session,
                             caf::actor_cast<server_pool_actor>(self), info.capabilities);
  self->monitor(entry.handle);
  st.names.emplace(entry.handle.address(), "s:" + id);
  if (st.options.directory != nullptr) {
    st.options.directory->add(id, entry.handle, static_cast<const session_binding&>(entry));
  }
  st.sessions.emplace(id, std::move(entry));
  publish_sizes(self);
  promise.deliver(std::move(info));
}

// Adds what one member offers to an endpoint's capabilities: keys it lacks, and the flags
// (listChanged, subscribe) any member sets.
void merge_capabilities(boost::json::object& into, const boost::json::object& more) {
  for (const auto& [key, value] : more) {
    auto* have = into.if_contains(key);
    if (have == nullptr) {
      into[key] = value;
      continue;
    }
    if (have->is_object() && value.is_object()) {
      for (const auto& [flag, on] : value.as_object()) {
        if (on.is_bool() && on.as_bool()) {
          have->as_object()[flag] = true;
        }
      }
    }
  }
}

// Spawns a session once its external members (marked in `external`) said what their servers
// offer. An external member that cannot start fails a single-connector session and is left out
// of a tenant-wide one.
void spawn_with_externals(pool_pointer self, caf::typed_response_promise<session_info> promise,
                          session_request req, std::vector<session_member> members,
                          const std::vector<bool>& external, session_info info) {
  auto externals = static_cast<size_t>(std::count(external.begin(), external.end(), true));
  if (externals == 0) {
    spawn_session(self, std::move(promise), std::move(req), std::move(members), std::move(info));
    return;
  }
  struct gathering {
    caf::typed_response_promise<session_info> promise;
    session_request req;
    std::vector<session_member> members;
    std::vector<bool> keep;
    session_info info;
    boost::json::object capabilities;
    size_t left = 0;
    caf::error failure;
  };
  auto g = std::make_shared<gathering>();
  g->promise = std::move(promise);
  g->req = std::move(req);
  g->members = std::move(members);
  g->keep.assign(g->members.size(), true);
  g->info = std::move(info);
  boost::system::error_code ec;
  auto natives = boost::json::parse(g->info.capabilities, ec);
  if (!ec && natives.is_object()) {
    g->capabilities = std::move(natives.as_object());
  }
  g->left = externals;
  bool tenant_wide = g->req.connector_id.empty();
  auto finish = [self, g, tenant_wide] {
    if (--g->left > 0) {
      return;
    }
    if (g->failure && !tenant_wide) {
      g->promise.deliver(std::move(g->failure));
      return;
    }
    std::vector<session_member> kept;
    for (size_t i = 0; i < g->members.size(); ++i) {
      if (g->keep[i]) {
        kept.push_back(std::move(g->members[i]));
      }
    }
    g->info.capabilities = boost::json::serialize(g->capabilities);
    spawn_session(self, std::move(g->promise), std::move(g->req), std::move(kept),
                  std::move(g->info));
  };
  auto timeout = self->state.options.processes != nullptr
                   ? self->state.options.processes->start_timeout + std::chrono::seconds{5}
                   : caf::timespan{std::chrono::seconds{30}};
  for (size_t i = 0; i < g->members.size(); ++i) {
    if (!external[i]) {
      continue;
    }
    if (!g->members[i].handle) {
      g->keep[i] = false;
      g->failure = make_error(errc::upstream_failure, "The MCP server is restarting");
      finish();
      continue;
    }
    self->request(g->members[i].handle, timeout, atom::get_v, atom::connector_v)
      .then(
        [g, finish](std::string& text) {
          boost::system::error_code parse_ec;
          auto parsed = boost::json::parse(text, parse_ec);
          if (!parse_ec && parsed.is_object()) {
            merge_capabilities(g->capabilities, parsed.as_object());
          }
          finish();
        },
        [g, i, finish](caf::error& err) {
          g->keep[i] = false;
          g->failure = std::move(err);
          finish();
        });
  }
}

void start_session(pool_pointer self, caf::typed_response_promise<session_info> promise,
                   session_request req, const connector_row& row) {
  auto instance = instance_for(self, row, req.tenant, req.caller.key_id);
  if (!instance) {
    promise.deliver(std::move(instance.error()));
    return;
  }
  const auto* spec = connectors::is_external_runtime(row.runtime_type)
                       ? nullptr
                       : connectors::find_connector_type(row.connector_type);
  auto info = session_info{req.session_id, req.protocol_version, row.name,
                           spec != nullptr ? connectors::capabilities(*spec) : std::string{"{}"}};
  spawn_with_externals(self, std::move(promise), std::move(req),
                       {session_member{{}, *instance, row.id}}, {spec == nullptr}, std::move(info));
}

// The tenant-wide endpoint: every enabled connector whose type this node knows, with what any
// of them offers.
void start_tenant_session(pool_pointer self, caf::typed_response_promise<session_info> promise,
                          session_request req, const std::vector<connector_row>& rows) {
  std::vector<session_member> members;
  std::vector<bool> external;
  std::vector<const connectors::connector_spec*> specs;
  for (const auto& row : rows) {
    auto instance = instance_for(self, row, req.tenant, req.caller.key_id);
    if (instance) {
      members.push_back(
        session_member{connector_prefix(row.name, row.connector_type), *instance, row.id});
      bool outside = connectors::is_external_runtime(row.runtime_type);
      external.push_back(outside);
      if (!outside) {
        specs.push_back(connectors::find_connector_type(row.connector_type));
      }
    }
  }
  // No connector name: the session spans the tenant.
  auto info
    = session_info{req.session_id, req.protocol_version, {}, connectors::capabilities(specs)};
  spawn_with_externals(self, std::move(promise), std::move(req), std::move(members), external,
                       std::move(info));
}

// The directory key of the stateless context of a caller on an endpoint. '~' never occurs in
// minted session ids.
caf::result<session_info> open(pool_pointer self, session_request& req) {
  if (req.stateless) {
    req.session_id = stateless_session_id(req.tenant, req.connector_id, req.caller.key_id);
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
    auto sent = self->request(target, std::chrono::seconds{30}, atom::list_v, atom::connector_v);
    sent.then(
      [self, promise, req, request = sent.id()](std::vector<connector_row>& rows) mutable {
        forget_timeout(self, request);
        start_tenant_session(self, std::move(promise), std::move(req), rows);
      },
      [self, fail, request = sent.id()](caf::error& err) mutable {
        forget_timeout(self, request);
        fail(err);
      });
    return promise;
  }
  auto connector_id = req.connector_id;
  auto sent = self->request(target, std::chrono::seconds{30}, atom::open_v,
                            std::move(connector_id));
  sent.then(
    [self, promise, req, request = sent.id()](connector_row& row) mutable {
      forget_timeout(self, request);
      start_session(self, std::move(promise), std::move(req), row);
    },
    [self, fail, request = sent.id()](caf::error& err) mutable {
      forget_timeout(self, request);
      fail(err);
    });
  return promise;
}

// A session's instance went away (evicted or crashed): finds or spawns the current one for the
// session's key. A crashed one answers once it restarted.
caf::result<caf::strong_actor_ptr> open_instance(pool_pointer self, const std::string& tenant_slug,
                                                 const std::string& connector_id,
                                                 const std::string& key_id) {
  auto promise = self->make_response_promise<caf::strong_actor_ptr>();
  // The connector's row says whose credentials the instance uses, and so which instance it is.
  self->request(tenant_for(self, tenant_slug), std::chrono::seconds{30}, atom::open_v, connector_id)
    .then(
      [self, promise, tenant_slug, key_id](connector_row& row) mutable {
        auto instance = instance_for(self, row, tenant_slug, key_id);
        if (!instance) {
          promise.deliver(std::move(instance.error()));
          return;
        }
        if (*instance) {
          promise.deliver(caf::actor_cast<caf::strong_actor_ptr>(*instance));
          return;
        }
        auto key = instance_key(tenant_slug, row.id, credential_owner(self, row, key_id));
        self->state.instances.at(key).waiting.push_back(promise);
      },
      [promise](caf::error& err) mutable {
        promise.deliver(std::move(err));
      });
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
    auto sent = self->request(target, std::chrono::seconds{30}, atom::list_v, atom::connector_v);
    sent.then(
      [self, promise, request = sent.id()](const std::vector<connector_row>&) mutable {
        forget_timeout(self, request);
        promise.deliver(atom::ok_v);
      },
      [self, fail, request = sent.id()](caf::error& err) mutable {
        forget_timeout(self, request);
        fail(err);
      });
  } else {
    auto sent = self->request(target, std::chrono::seconds{30}, atom::open_v, connector_id);
    sent.then(
      [self, promise, request = sent.id()](const connector_row&) mutable {
        forget_timeout(self, request);
        promise.deliver(atom::ok_v);
      },
      [self, fail, request = sent.id()](caf::error& err) mutable {
        forget_timeout(self, request);
        fail(err);
      });
  }
  return promise;
}

// Finds the session of an envelope; a session bound to another tenant, connector or key does not
// exist for the caller.
session_entry* find_session(pool_pointer self, const mcp_envelope& env) {
  auto& st = self->state;
  auto i = st.sessions.find(env.session_id);
  if (i == st.sessions.end()) {
    return nullptr;
  }
  return i->second.admits(env) ? &i->second : nullptr;
}

// A request for a session: it and the instances it uses become the most recently used.
void touch_session(pool_pointer self, session_entry& entry, time_point now) {
  auto& st = self->state;
  entry.last_used = now;
  auto& order = st.tenant_sessions.at(entry.tenant);
  order.splice(order.begin(), order, entry.lru);
  auto prefix = entry.connector_id.empty() ? entry.tenant + '/'
                                           : connector_prefix_of(entry.tenant, entry.connector_id);
  for_prefix(self, prefix, [&](const std::string&, instance_entry& instance) {
    touch_instance(self, instance, now);
  });
}

void touch_session(pool_pointer self, session_entry& entry) {
  touch_session(self, entry, self->clock().now());
}

// Takes in the uses of sessions that requests made through the session directory, oldest first,
// so that the LRU orders are right before anything is decided or shown by them.
void collect_uses(pool_pointer self) {
  auto& st = self->state;
  if (st.options.directory == nullptr) {
    return;
  }
  for (const auto& use : st.options.directory->take_used()) {
    auto i = st.sessions.find(use.id);
    if (i != st.sessions.end() && use.at > i->second.last_used) {
      touch_session(self, i->second, use.at);
    }
  }
}

// The sessions of a tenant that serve a connector: its own and the tenant-wide ones (every one
// of the tenant for an empty connector id).
std::vector<std::string> sessions_of(pool_pointer self, const std::string& tenant_slug,
                                     const std::string& connector_id) {
  std::vector<std::string> ids;
  auto& st = self->state;
  auto t = st.tenant_sessions.find(tenant_slug);
  if (t == st.tenant_sessions.end()) {
    return ids;
  }
  for (const auto& id : t->second) {
    const auto& entry = st.sessions.at(id);
    if (connector_id.empty() || entry.connector_id == connector_id || entry.connector_id.empty()) {
      ids.push_back(id);
    }
  }
  return ids;
}

// A configuration change of a tenant or one of its connectors: the tenant's snapshot is stale,
// and the affected sessions and instances end. Sessions end too, so that their clients
// initialize again and see the new configuration.
void evict(pool_pointer self, const std::string& tenant_slug, const std::string& connector_id) {
  stop_tenant_actor(self, tenant_slug);
  for (const auto& id : sessions_of(self, tenant_slug, connector_id)) {
    drop_session(self, id, "config");
  }
  auto prefix = connector_id.empty() ? tenant_slug + '/'
                                     : connector_prefix_of(tenant_slug, connector_id);
  for (const auto& key : keys_with_prefix(self, prefix)) {
    drop_instance(self, key, "config");
  }
  if (connector_id.empty()) {
    self->state.user_modes.clear();
  } else {
    self->state.user_modes.erase(connector_id);
  }
  publish_sizes(self);
}

// Sends a change notification to every session that serves the connector.
void push_change(pool_pointer self, const std::string& tenant_slug, const std::string& connector_id,
                 const std::string& notification) {
  for (const auto& id : sessions_of(self, tenant_slug, connector_id)) {
    self->send(self->state.sessions.at(id).handle, atom::push_v, notification);
  }
}

// A connector's tool policy changed: its instances were built with the old one. Sessions stay;
// they get new instances on their next request, and their clients hear that the list changed.
void policy_changed(pool_pointer self, const std::string& tenant_slug,
                    const std::string& connector_id) {
  stop_tenant_actor(self, tenant_slug);
  for (const auto& key : keys_with_prefix(self, connector_prefix_of(tenant_slug, connector_id))) {
    drop_instance(self, key, "config");
  }
  push_change(self, tenant_slug, connector_id,
              R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})");
  publish_sizes(self);
}

// Evicts the instances idle past `idle`, least recently used first; stops at the first one used
// more recently, so the cost is that of the evictions.
uint64_t evict_idle(pool_pointer self, caf::timespan idle, std::string_view reason) {
  auto& st = self->state;
  auto now = self->clock().now();
  uint64_t evicted = 0;
  while (!st.instance_lru.empty()) {
    auto key = st.instance_lru.back();
    if (now - st.instances.at(key).last_used < idle) {
      break;
    }
    drop_instance(self, key, reason);
    ++evicted;
  }
  if (evicted > 0) {
    publish_sizes(self);
  }
  return evicted;
}

caf::timespan sweep_interval(const server_pool_options& options) {
  auto interval = std::chrono::duration_cast<caf::timespan>(options.instance_ttl / 10);
  return std::clamp(interval, caf::timespan{std::chrono::seconds{1}},
                    caf::timespan{std::chrono::seconds{60}});
}

void forget(pool_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  auto i = st.names.find(msg.source);
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
      on_instance_crash(self, key);
      break;
    default:
      // A session that ended itself (idle) or failed.
      if (auto s = st.sessions.find(key); s != st.sessions.end()) {
        unlink_session(st, s);
      }
  }
  publish_sizes(self);
}

void shutdown(pool_pointer self, const caf::error& reason) {
  auto& st = self->state;
  for (auto& [slug, handle] : st.tenants) {
    self->send_exit(handle, reason);
  }
  for (auto& [key, entry] : st.instances) {
    if (entry.handle) {
      self->send_exit(entry.handle, reason);
    }
    for (auto& promise : entry.waiting) {
      promise.deliver(make_error(errc::shutting_down));
    }
  }
  for (auto& [id, entry] : st.sessions) {
    self->send_exit(entry.handle, reason);
  }
  st.tenants.clear();
  st.instances.clear();
  st.instance_lru.clear();
  st.sessions.clear();
  st.tenant_sessions.clear();
  st.names.clear();
  if (st.options.directory != nullptr) {
    st.options.directory->clear();
  }
  self->quit(reason);
}

std::string list_instances(pool_pointer self, const std::string& tenant_slug) {
  const auto& st = self->state;
  auto now = self->clock().now();
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(st.options.instance_ttl).count();
  boost::json::array result;
  for_prefix(self, tenant_slug.empty() ? std::string{} : tenant_slug + '/',
             [&](const std::string& key, const instance_entry& entry) {
               auto idle = seconds_between(entry.last_used, now);
               auto remaining = std::max<int64_t>(0, ttl - idle);
               std::string_view status = !entry.handle         ? "restarting"
                                         : remaining < ttl / 6 ? "expiring"
                                                               : "healthy";
               result.emplace_back(boost::json::object{
                 {"key", key},
                 {"tenant_slug", entry.tenant},
                 {"connector_id", entry.row.id},
                 {"connector_name", entry.row.name},
                 {"connector_type", entry.row.connector_type},
                 {"credential_owner", entry.owner.empty() ? boost::json::value(tenant_owner)
                                                          : boost::json::value(entry.owner)},
                 {"age_seconds", seconds_between(entry.created, now)},
                 {"idle_seconds", idle},
                 {"ttl_remaining_seconds", remaining},
                 {"hit_count", entry.hits},
                 {"restarts", entry.restarts},
                 {"status", status}});
             });
  return boost::json::serialize(result);
}

// What the pool knows of a session, as the admin API shows it.
boost::json::object session_summary(const std::string& id, const session_entry& entry,
                                    caf::actor_clock::time_point now) {
  return boost::json::object{
    {"session_id", entry.stateless ? boost::json::value() : boost::json::value(id)},
    {"kind", entry.stateless ? "stateless" : "session"},
    {"tenant_slug", entry.tenant},
    {"connector_id",
     entry.connector_id.empty() ? boost::json::value() : boost::json::value(entry.connector_id)},
    {"key_id", entry.key_id},
    {"protocol_version", entry.info.protocol_version},
    {"age_seconds", seconds_between(entry.created, now)},
    {"idle_seconds", seconds_between(entry.last_used, now)}};
}

std::string list_sessions(pool_pointer self, const std::string& tenant_slug) {
  const auto& st = self->state;
  auto now = self->clock().now();
  boost::json::array result;
  auto add = [&](const std::list<std::string>& ids) {
    for (const auto& id : ids) {
      result.emplace_back(session_summary(id, st.sessions.at(id), now));
    }
  };
  if (tenant_slug.empty()) {
    for (const auto& [slug, ids] : st.tenant_sessions) {
      add(ids);
    }
  } else if (auto t = st.tenant_sessions.find(tenant_slug); t != st.tenant_sessions.end()) {
    add(t->second);
  }
  return boost::json::serialize(result);
}

std::string status(pool_pointer self) {
  const auto& st = self->state;
  auto& metrics = observability::metrics::global();
  boost::json::object by_tenant;
  boost::json::object by_status{{"healthy", 0}, {"expiring", 0}, {"restarting", 0}};
  auto now = self->clock().now();
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(st.options.instance_ttl).count();
  for (const auto& [key, entry] : st.instances) {
    auto& count = by_tenant[entry.tenant];
    count = count.is_null() ? 1 : count.as_int64() + 1;
    auto remaining = ttl - seconds_between(entry.last_used, now);
    auto& bucket = by_status[!entry.handle         ? "restarting"
                             : remaining < ttl / 6 ? "expiring"
                                                   : "healthy"];
    bucket = bucket.as_int64() + 1;
  }
  auto hits = static_cast<uint64_t>(metrics.pool_hits());
  auto misses = static_cast<uint64_t>(metrics.pool_misses());
  boost::json::object result;
  result["instances"] = st.instances.size();
  result["max_instances"] = st.options.max_instances;
  result["instance_ttl_seconds"] = ttl;
  result["sessions"] = st.sessions.size();
  result["sessions_per_tenant"] = st.options.sessions_per_tenant;
  result["session_ttl_seconds"]
    = std::chrono::duration_cast<std::chrono::seconds>(st.options.session_ttl).count();
  result["tenants"] = st.tenants.size();
  result["hits"] = hits;
  result["misses"] = misses;
  result["hit_rate_percent"]
    = hits + misses > 0
        ? std::round(1000.0 * static_cast<double>(hits) / static_cast<double>(hits + misses)) / 10
        : 0.0;
  result["by_tenant"] = std::move(by_tenant);
  result["by_status"] = std::move(by_status);
  return boost::json::serialize(result);
}

} // namespace

server_pool_actor::behavior_type server_pool(pool_pointer self, persistence_actor db,
                                             server_pool_options options) {
  auto& st = self->state;
  st.db = std::move(db);
  st.options = options;
  st.options.max_instances = std::max<size_t>(1, options.max_instances);
  st.options.sessions_per_tenant = std::max<size_t>(1, options.sessions_per_tenant);
  st.per_session = session_options{options.session_ttl, options.event_buffer_bytes,
                                   options.session_max_bytes};
  self->set_down_handler([self](caf::down_msg& msg) {
    forget(self, msg);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    shutdown(self, msg.reason);
  });
  self->delayed_send(self, sweep_interval(st.options), atom::tick_v);
  return {
    [self](atom::open, session_request& req) {
      collect_uses(self);
      return open(self, req);
    },
    [self](atom::get, atom::connector, const std::string& tenant_slug,
           const std::string& connector_id) {
      return check_endpoint(self, tenant_slug, connector_id);
    },
    [self](atom::route, mcp_envelope& env) -> caf::result<mcp_reply> {
      collect_uses(self);
      auto* entry = find_session(self, env);
      if (entry == nullptr) {
        return session_not_found();
      }
      touch_session(self, *entry);
      return self->delegate(entry->handle, atom::handle_v, std::move(env.request));
    },
    [self](atom::attach, mcp_envelope& env, std::string& last_event_id) -> caf::result<atom::ok> {
      collect_uses(self);
      auto* entry = find_session(self, env);
      if (entry == nullptr) {
        return session_not_found();
      }
      touch_session(self, *entry);
      return self->delegate(entry->handle, atom::attach_v, std::move(last_event_id));
    },
    [self](atom::close, const mcp_envelope& env) -> caf::result<atom::ok> {
      if (find_session(self, env) == nullptr) {
        return session_not_found();
      }
      drop_session(self, env.session_id, {});
      publish_sizes(self);
      return atom::ok_v;
    },
    [self](atom::push, const std::string& tenant_slug, const std::string& connector_id,
           const std::string& notification) {
      push_change(self, tenant_slug, connector_id, notification);
    },
    [self](atom::evict, const std::string& tenant_slug, const std::string& connector_id) {
      evict(self, tenant_slug, connector_id);
      return atom::ok_v;
    },
    [self](atom::open, atom::instance, const std::string& tenant_slug,
           const std::string& connector_id, const std::string& key_id) {
      collect_uses(self);
      return open_instance(self, tenant_slug, connector_id, key_id);
    },
    [self](atom::list, atom::instance, const std::string& tenant_slug) {
      collect_uses(self);
      return list_instances(self, tenant_slug);
    },
    [self](atom::list, atom::session, const std::string& tenant_slug) {
      collect_uses(self);
      return list_sessions(self, tenant_slug);
    },
    [self](atom::evict, atom::instance, const std::string& tenant_slug,
           const std::string& connector_id) -> caf::result<atom::ok> {
      auto keys = keys_with_prefix(self, connector_prefix_of(tenant_slug, connector_id));
      if (keys.empty()) {
        return make_error(errc::not_found, "No pooled instance of connector '" + connector_id
                                             + "' of tenant '" + tenant_slug + "'");
      }
      for (const auto& key : keys) {
        drop_instance(self, key, "admin");
      }
      publish_sizes(self);
      return atom::ok_v;
    },
    [self](atom::get, atom::instance, const std::string& tenant_slug,
           const std::string& connector_id) -> caf::result<std::string> {
      collect_uses(self);
      std::vector<connector_actor> live;
      for_prefix(self, connector_prefix_of(tenant_slug, connector_id),
                 [&live](const std::string&, const instance_entry& entry) {
                   if (entry.handle) {
                     live.push_back(entry.handle);
                   }
                 });
      auto promise = self->make_response_promise<std::string>();
      auto out = std::make_shared<boost::json::array>();
      auto left = std::make_shared<size_t>(live.size());
      if (live.empty()) {
        promise.deliver(std::string{"[]"});
        return promise;
      }
      for (const auto& handle : live) {
        auto done = [promise, out, left]() mutable {
          if (--*left == 0) {
            promise.deliver(boost::json::serialize(*out));
          }
        };
        self->request(handle, status_timeout, atom::status_v)
          .then(
            [out, done](std::string& text) mutable {
              boost::system::error_code ec;
              auto parsed = boost::json::parse(text, ec);
              if (!ec) {
                out->push_back(std::move(parsed));
              }
              done();
            },
            [done](caf::error&) mutable {
              done();
            });
      }
      return promise;
    },
    [self](atom::restart, const std::string& tenant_slug,
           const std::string& connector_id) -> caf::result<atom::ok> {
      std::vector<connector_actor> live;
      for_prefix(self, connector_prefix_of(tenant_slug, connector_id),
                 [&live](const std::string&, const instance_entry& entry) {
                   if (entry.handle && connectors::is_external_runtime(entry.row.runtime_type)) {
                     live.push_back(entry.handle);
                   }
                 });
      if (live.empty()) {
        return make_error(errc::not_found,
                          "No process of connector '" + connector_id
                            + "' runs; it starts with the connector's first request");
      }
      for (const auto& handle : live) {
        // Only external instances take restart.
        auto external = caf::actor_cast<external_connector_actor>(handle);
        caf::anon_send(external, atom::restart_v);
      }
      return atom::ok_v;
    },
    [self](atom::evict, atom::instance, int64_t idle_seconds) -> uint64_t {
      collect_uses(self);
      return evict_idle(self, std::chrono::seconds{std::max<int64_t>(0, idle_seconds)}, "admin");
    },
    [self](atom::get, atom::session, const std::string& id) -> caf::result<std::string> {
      collect_uses(self);
      auto i = self->state.sessions.find(id);
      if (i == self->state.sessions.end() || i->second.stateless) {
        return make_error(errc::not_found, "Session not found");
      }
      auto summary = session_summary(id, i->second, self->clock().now());
      auto promise = self->make_response_promise<std::string>();
      self->request(i->second.handle, status_timeout, atom::status_v)
        .then(
          [promise, summary](std::string& status) mutable {
            boost::system::error_code ec;
            auto parsed = boost::json::parse(status, ec);
            if (!ec && parsed.is_object()) {
              for (const auto& [key, value] : parsed.as_object()) {
                if (!summary.contains(key)) {
                  summary[key] = value;
                }
              }
            }
            promise.deliver(boost::json::serialize(summary));
          },
          [promise](caf::error& err) mutable {
            promise.deliver(std::move(err));
          });
      return promise;
    },
    [self](atom::close, atom::session, const std::string& id) -> caf::result<atom::ok> {
      if (!self->state.sessions.contains(id)) {
        return make_error(errc::not_found, "Session not found");
      }
      drop_session(self, id, "admin");
      publish_sizes(self);
      return atom::ok_v;
    },
    [self](atom::update, atom::tool, const std::string& tenant_slug,
           const std::string& connector_id) {
      policy_changed(self, tenant_slug, connector_id);
      return atom::ok_v;
    },
    [self](atom::tick) {
      collect_uses(self);
      evict_idle(self, self->state.options.instance_ttl, "idle");
      self->delayed_send(self, sweep_interval(self->state.options), atom::tick_v);
    },
    [self](atom::tick, const std::string& key, uint64_t generation) {
      restart_instance(self, key, generation);
    },
    [self](atom::status) {
      collect_uses(self);
      return status(self);
    },
  };
}

server_pool_actor spawn_server_pool(caf::actor_system& sys, persistence_actor db,
                                    server_pool_options options) {
  return sys.spawn(server_pool, std::move(db), options);
}

} // namespace sagemcp
