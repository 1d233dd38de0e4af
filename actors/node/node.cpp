#include "actors/node/node.hpp"

#include "actors/credential_vault.hpp"
#include "actors/external_connector.hpp"
#include "actors/node/change_listener.hpp"
#include "actors/scheduler.hpp"
#include "actors/server_pool.hpp"
#include "actors/usage.hpp"
#include "messages/errc.hpp"
#include "messages/type_ids.hpp"
#include "observability/health.hpp"
#include "observability/logging.hpp"
#include "persistence/ids.hpp"
#include "persistence/persistence.hpp"
#include "persistence/postgres_store.hpp"
#include "persistence/sqlite_store.hpp"
#include "transport/mcp/protocol.hpp"
#include "transport/server.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace sagemcp::node {

namespace {

using observability::log;
using observability::log_level;

constexpr auto startup_timeout = std::chrono::seconds{30};

caf::error prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(errc::storage_failure, "cannot create data dir " + dir + ": " + ec.message());
  }
  return {};
}

template <class T, class... Ts>
caf::expected<T> ask_blocking(caf::scoped_actor& self, const persistence_actor& db, Ts&&... xs) {
  caf::expected<T> result{make_error(errc::timeout)};
  self->request(db, startup_timeout, std::forward<Ts>(xs)...)
    .receive(
      [&](T& value) {
        result = std::move(value);
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
  return result;
}

caf::error write_admin_key_file(const std::string& path, const std::string& key) {
  std::filesystem::remove(path);
  auto old_mask = umask(077);
  std::ofstream out{path};
  umask(old_mask);
  out << key << '\n';
  out.close();
  if (!out) {
    return make_error(errc::storage_failure, "cannot write " + path);
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                       | std::filesystem::perms::owner_write);
  return {};
}

// Ensures a platform admin can log in: registers SAGEMCP_BOOTSTRAP_ADMIN_KEY, or generates a
// key on the first start. Fills the key cache with every active key.
caf::error bootstrap_keys(const node_config& cfg, caf::scoped_actor& self,
                          const persistence_actor& db, transport::key_cache& keys) {
  auto rows = ask_blocking<std::vector<api_key_row>>(self, db, atom::list_v, atom::key_v);
  if (!rows) {
    return std::move(rows.error());
  }
  bool has_admin = false;
  for (const auto& row : *rows) {
    keys.put(row);
    has_admin = has_admin || (row.is_active && row.role == scope::platform_admin);
  }
  std::string key = cfg.bootstrap_admin_key;
  bool generated = false;
  if (key.empty()) {
    if (has_admin || !cfg.server.auth_enabled) {
      return {};
    }
    key = transport::generate_api_key(scope::platform_admin);
    generated = true;
  }
  auto hash = keys.hash(key);
  for (const auto& row : *rows) {
    if (row.key_hash == hash) {
      if (!row.is_active) {
        log(log_level::warn, "SAGEMCP_BOOTSTRAP_ADMIN_KEY was revoked and stays revoked");
      }
      return {};
    }
  }
  api_key_row row;
  row.name = "Bootstrap admin key";
  row.role = scope::platform_admin;
  row.key_prefix = transport::display_prefix(key);
  row.key_hash = std::move(hash);
  auto created = ask_blocking<api_key_row>(self, db, atom::create_v, std::move(row));
  if (!created) {
    return std::move(created.error());
  }
  keys.put(*created);
  if (generated) {
    auto path = cfg.data_dir + "/admin-key";
    if (auto err = write_admin_key_file(path, key)) {
      return err;
    }
    // Printed once, on purpose not as a log line: logs must never carry keys.
    std::cerr << "\nGenerated the first platform admin key (shown only now; also saved to " << path
              << " with mode 0600):\n\n    " << key << "\n\n";
  }
  log(log_level::info, "bootstrap admin key registered", {{"key_id", created->id}});
  return {};
}

// The configuration an administrator may see: everything but secrets.
std::string settings_json(const node_config& cfg) {
  auto list = [](const std::string& text) {
    boost::json::array items;
    for (auto element : transport::mcp::list_elements(text)) {
      items.emplace_back(element);
    }
    return items;
  };
  boost::json::object settings{
    {"version", SAGEMCP_VERSION},
    {"auth_enabled", cfg.server.auth_enabled},
    {"metrics_enabled", cfg.metrics_enabled},
    {"database", cfg.database_url.empty() ? "sqlite" : "postgresql"},
    {"pool", boost::json::object{{"max_instances", cfg.pool_max},
                                 {"instance_ttl_seconds", cfg.pool_ttl.count()}}},
    {"sessions", boost::json::object{{"ttl_seconds", cfg.session_ttl.count()},
                                     {"max_per_tenant", cfg.sessions_per_tenant},
                                     {"event_buffer_bytes", cfg.event_buffer_bytes},
                                     {"max_bytes", cfg.session_max_bytes}}},
    {"rate_limit_rpm", cfg.server.rate_limit_rpm},
    {"max_body_bytes", cfg.server.max_body_bytes},
    {"cors_allowed_origins", list(cfg.server.cors_origins)},
    {"mcp_allowed_origins", list(cfg.server.allowed_origins)},
    {"allowed_hosts", list(cfg.server.allowed_hosts)},
    {"threads", cfg.threads},
    // Proxy URLs may hold credentials: only whether one is set shows.
    {"upstream",
     boost::json::object{{"connect_timeout_seconds", cfg.upstream.connect_timeout.count() / 1000},
                         {"timeout_seconds", cfg.upstream.read_timeout.count() / 1000},
                         {"retries", cfg.upstream_retries},
                         {"allow_private", cfg.upstream.allow_private},
                         {"ca_file", cfg.upstream.ca_file},
                         {"https_proxy", !cfg.upstream.https_proxy.empty()},
                         {"http_proxy", !cfg.upstream.http_proxy.empty()}}}};
  boost::json::array configured;
  for (const auto& provider : connectors::oauth::providers()) {
    if (cfg.oauth.operator_app(provider)) {
      configured.emplace_back(provider.id);
    }
  }
  settings["oauth"] = boost::json::object{{"public_url", cfg.public_url},
                                          {"configured_providers", std::move(configured)}};
  return boost::json::serialize(settings);
}

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// Opens a connection to the configured database.
caf::expected<std::shared_ptr<persistence::store>> open_store(const node_config& cfg,
                                                              const std::string& node_id) {
  auto opened = cfg.database_url.empty()
                  ? persistence::open_sqlite_store(cfg.database_path)
                  : persistence::open_postgres_store(cfg.database_url, node_id);
  if (!opened) {
    return std::move(opened.error());
  }
  return std::shared_ptr<persistence::store>{std::move(*opened)};
}

// Opens the database and applies pending migrations before any actor runs.
caf::expected<std::shared_ptr<persistence::store>> open_database(const node_config& cfg,
                                                                 const std::string& node_id) {
  auto result = open_store(cfg, node_id);
  if (!result) {
    return result;
  }
  if (auto err = (*result)->migrate()) {
    return make_error(errc::storage_failure, "migration failed: " + message_of(err));
  }
  return result;
}

// Writes when API keys were last used (and the new hashes of keys that matched under the
// previous secret) every `interval`; uses whose write fails go into the next one.
caf::actor spawn_key_use_flusher(caf::actor_system& sys, const persistence_actor& db,
                                 transport::key_cache& keys, caf::timespan interval) {
  return sys.spawn([db, &keys, interval](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, interval, atom::tick_v);
    return {
      [self, db, &keys, interval](atom::tick) {
        if (auto uses = keys.take_uses(); !uses.empty()) {
          self->request(db, std::chrono::seconds{30}, atom::update_v, atom::key_v, uses)
            .then(
              [](atom::ok) {
                // stored
              },
              [&keys, uses](caf::error& err) {
                keys.restore_uses(uses);
                log(log_level::warn, "cannot record when API keys were last used",
                    {{"error", message_of(err)}});
              });
        }
        self->delayed_send(self, interval, atom::tick_v);
      },
    };
  });
}

// What every external MCP server's environment starts from: PATH and the server's locale, and
// nothing else of the server's own (no SECRET_KEY, DATABASE_URL or OAuth secrets).
std::vector<std::pair<std::string, std::string>> child_environment() {
  std::vector<std::pair<std::string, std::string>> out;
  bool has_path = false;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text{*entry};
    auto eq = text.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    auto name = text.substr(0, eq);
    if (name == "PATH" || name == "LANG" || name == "LANGUAGE" || name == "TZ"
        || name.starts_with("LC_")) {
      has_path = has_path || name == "PATH";
      out.emplace_back(std::string{name}, std::string{text.substr(eq + 1)});
    }
  }
  if (!has_path) {
    out.emplace_back("PATH", "/usr/local/bin:/usr/bin:/bin");
  }
  return out;
}

int fail(std::string_view what, const caf::error& err) {
  log(log_level::error, what, {{"error", message_of(err)}});
  observability::flush_logs();
  return 1;
}

} // namespace

void block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int serve(const node_config& cfg) {
  // Everything the server creates (database, key files) is private to its user.
  umask(077);
  observability::init_logging(cfg.log_level);
  if (auto err = prepare_data_dir(cfg.data_dir)) {
    return fail("startup failed", err);
  }
  // Tags the changes this node publishes to the others sharing its database.
  auto node_id = persistence::make_uuid();
  auto store = open_database(cfg, node_id);
  if (!store) {
    return fail("cannot open the database", store.error());
  }
  caf::actor_system_config sys_cfg;
  add_message_types(sys_cfg);
  // Actors run on the threads of the I/O context that the HTTP server uses.
  io_scheduler* scheduler = nullptr;
  io_scheduler::install(sys_cfg, cfg.threads, &scheduler);
  caf::actor_system sys{sys_cfg};
  persistence::persistence_options db_options;
  db_options.max_wait = cfg.db_wait;
  // Reads get a connection of their own (SQLite's WAL lets them run beside the writer).
  auto reads = open_store(cfg, node_id);
  if (!reads) {
    log(log_level::warn, "reads share the writer's database connection",
        {{"error", message_of(reads.error())}});
  }
  auto db = persistence::spawn_persistence(sys, *store, db_options,
                                           reads ? std::move(*reads) : nullptr);
  security::keyring secrets{cfg.secret_key, cfg.previous_secret_key};
  // Destroyed after every actor is done, before the actor system.
  connectors::http_client upstream_client{cfg.upstream};
  credential_vault_options vault_options;
  vault_options.db = db;
  vault_options.keys = &secrets;
  vault_options.client = &upstream_client;
  vault_options.oauth = &cfg.oauth;
  auto vault = sys.spawn(credential_vault, vault_options);
  upstream_env upstream{&upstream_client, &secrets, vault, {}};
  upstream.call.max_retries = cfg.upstream_retries;
  server_pool_options pool_options;
  pool_options.session_ttl = cfg.session_ttl;
  pool_options.event_buffer_bytes = cfg.event_buffer_bytes;
  pool_options.session_max_bytes = cfg.session_max_bytes;
  pool_options.max_instances = cfg.pool_max;
  pool_options.instance_ttl = cfg.pool_ttl;
  pool_options.sessions_per_tenant = cfg.sessions_per_tenant;
  pool_options.upstream = &upstream;
  // The children of external connectors; destroyed after every actor is done.
  connectors::process_runner process_runner;
  process_env processes;
  processes.runner = &process_runner;
  processes.client = &upstream_client;
  processes.vault = vault;
  processes.keys = &secrets;
  processes.root = cfg.data_dir + "/processes";
  processes.base_env = child_environment();
  processes.limits = cfg.process_limits;
  pool_options.processes = &processes;
  // Outlives the pool and the server, like the context below.
  session_directory sessions;
  pool_options.directory = &sessions;
  auto pool = spawn_server_pool(sys, db, pool_options);
  transport::key_cache keys{cfg.secret_key, cfg.previous_secret_key};
  transport::rate_limiter limits{cfg.server.rate_limit_rpm};
  observability::health_state health;
  auto options = cfg.server;
  options.metrics_enabled = cfg.metrics_enabled;
  // The context and the server outlive every actor: replies still in flight during shutdown use
  // the key cache and post to the server's I/O context.
  transport::transport_context ctx{sys,
                                   pool,
                                   sessions,
                                   db,
                                   keys,
                                   secrets,
                                   limits,
                                   health,
                                   options,
                                   transport::derive_key(cfg.secret_key, "mcp-request-state"),
                                   transport::make_mcp_channels(),
                                   settings_json(cfg)};
  ctx.outbound = &upstream_client;
  ctx.oauth = &cfg.oauth;
  ctx.vault = vault;
  ctx.public_url = cfg.public_url;
  ctx.oauth_state_key = transport::derive_key(cfg.secret_key, "oauth-state");
  transport::server http{ctx, scheduler->context(), scheduler->threads() == 1};
  auto usage = spawn_usage_flusher(sys, db, usage_meter::global(), cfg.usage_flush);
  auto key_uses = spawn_key_use_flusher(sys, db, keys, cfg.usage_flush);
  caf::actor changes;
  if (!cfg.database_url.empty()) {
    changes = spawn_change_listener(sys, persistence::open_postgres_listener(cfg.database_url),
                                    change_targets{pool, db, &keys, &limits, node_id});
  }
  int exit_code = 0;
  {
    caf::scoped_actor self{sys};
    if (auto err = bootstrap_keys(cfg, self, db, keys)) {
      exit_code = fail("cannot bootstrap API keys", err);
    } else if (auto tenants = ask_blocking<std::vector<tenant_row>>(self, db, atom::list_v,
                                                                    atom::tenant_v)) {
      for (const auto& row : *tenants) {
        limits.set_tenant(row.slug, row.rate_limit_rpm);
      }
    } else {
      exit_code = fail("cannot read the tenants", tenants.error());
    }
  }
  if (exit_code == 0) {
    if (!cfg.server.auth_enabled) {
      log(log_level::warn, "authentication is disabled (SAGEMCP_ENABLE_AUTH=false): every "
                           "request is treated as a platform admin");
    }
    auto port = http.start();
    if (!port) {
      exit_code = fail("cannot start HTTP server", port.error());
    } else {
      health.started = true;
      log(log_level::info, "listening",
          {{"host", cfg.server.host}, {"data_dir", cfg.data_dir}, {"version", SAGEMCP_VERSION}},
          "port", *port);
      auto sig = wait_for_signal();
      log(log_level::info, "shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    }
  }
  health.stopping = true;
  http.stop();
  if (changes) {
    caf::anon_send_exit(changes, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(usage, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(key_uses, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(vault, caf::exit_reason::user_shutdown);
  {
    // The counts not flushed yet go to the database before the persistence actor stops.
    caf::scoped_actor self{sys};
    if (auto rows = usage_meter::global().take(); !rows.empty()) {
      if (auto stored = ask_blocking<atom::ok>(self, db, atom::update_v, atom::usage_v, rows);
          !stored) {
        log(log_level::warn, "tool usage of the last seconds was not stored",
            {{"error", message_of(stored.error())}});
      }
    }
    if (auto uses = keys.take_uses(); !uses.empty()) {
      if (auto stored = ask_blocking<atom::ok>(self, db, atom::update_v, atom::key_v, uses);
          !stored) {
        log(log_level::warn, "the last uses of API keys were not stored",
            {{"error", message_of(stored.error())}});
      }
    }
  }
  caf::anon_send_exit(db, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
  // Nothing of the transport runs after this: the context it refers to goes next.
  scheduler->halt();
  log(log_level::info, "stopped");
  observability::flush_logs();
  return exit_code;
}

} // namespace sagemcp::node
