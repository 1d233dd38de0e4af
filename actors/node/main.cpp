#include "actors/node/config.hpp"
#include "actors/node/node.hpp"
#include "actors/node/rotate.hpp"
#include "cli/commands.hpp"
#include "messages/errc.hpp"
#include "persistence/postgres_store.hpp"
#include "persistence/sqlite_store.hpp"
#include "transport/router.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

namespace {

// `sagemcp migrate`: opens the configured database and applies pending migrations, as serve does
// on start.
int migrate_command(const sagemcp::node::node_config& cfg) {
  auto opened = cfg.database_url.empty()
                  ? sagemcp::persistence::open_sqlite_store(cfg.database_path)
                  : sagemcp::persistence::open_postgres_store(cfg.database_url, {});
  if (!opened) {
    std::cerr << "sagemcp: cannot open the database: " << sagemcp::message_of(opened.error())
              << '\n';
    return 1;
  }
  auto& db = **opened;
  auto before = db.schema_version();
  if (auto err = db.migrate()) {
    std::cerr << "sagemcp: migration failed: " << sagemcp::message_of(err) << '\n';
    return 1;
  }
  auto after = db.schema_version();
  std::cout << "schema version " << (before ? *before : 0) << " -> " << (after ? *after : 0)
            << '\n';
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"SageMCP: a multi-tenant platform that hosts MCP servers", "sagemcp"};
  app.require_subcommand(1);
  sagemcp::cli::cli_state client;
  sagemcp::cli::add_global_options(app, client);
  sagemcp::node::serve_flags flags;
  auto* serve = app.add_subcommand("serve", "Run a server node");
  serve->add_option("--host", flags.host, "Address to listen on (env HOST, default 127.0.0.1)");
  serve->add_option("--port", flags.port, "Port to listen on, 0 for any (env PORT, default 8000)")
    ->check(CLI::Range(0, 65535));
  serve->add_option("--data-dir", flags.data_dir,
                    "Directory of the embedded database and local files (env SAGEMCP_DATA_DIR, "
                    "default ./data)");
  serve->footer(
    "\nExamples:\n  SECRET_KEY=… sagemcp serve --port 8000 --data-dir /var/lib/sagemcp\n");
  auto* routes = app.add_subcommand(
    "routes", "Print every HTTP route with the scope it needs and its tenant binding, as JSON");
  routes->footer("\nExamples:\n  sagemcp routes | jq '.[] | select(.scope == null)'\n");
  auto* keys = app.add_subcommand("keys", "Manage the keys that protect stored secrets");
  keys->require_subcommand(1);
  auto* rotate = keys->add_subcommand(
    "rotate", "Re-encrypt every stored secret under SECRET_KEY (reading SECRET_KEY_PREVIOUS too)");
  rotate->add_option("--data-dir", flags.data_dir,
                     "Directory of the embedded database (env SAGEMCP_DATA_DIR, default ./data)");
  rotate->footer("Rotation: start every node with the new SECRET_KEY and the old one as "
                 "SECRET_KEY_PREVIOUS, run `sagemcp keys rotate` once, then remove "
                 "SECRET_KEY_PREVIOUS.\nExample: SECRET_KEY=new SECRET_KEY_PREVIOUS=old sagemcp "
                 "keys rotate --data-dir /var/lib/sagemcp");
  auto* migrate = app.add_subcommand(
    "migrate",
    "Apply pending database migrations (DATABASE_URL, or the SQLite file in --data-dir)");
  migrate->add_option("--data-dir", flags.data_dir,
                      "Directory of the embedded database (env SAGEMCP_DATA_DIR, default ./data)");
  migrate->footer("\nExamples:\n  sagemcp migrate --data-dir /var/lib/sagemcp\n"
                  "  DATABASE_URL=postgresql://sagemcp@db/sagemcp sagemcp migrate\n");
  sagemcp::cli::add_client_commands(app, client);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Help and version requests end successfully; anything else is a usage error.
    return code == 0 ? 0 : 2;
  }
  if (client.action) {
    return sagemcp::cli::run_action(client);
  }
  if (routes->parsed()) {
    std::cout << sagemcp::transport::routes_json() << '\n';
    return 0;
  }
  if (migrate->parsed() && !std::getenv("SECRET_KEY")) { // NOLINT(concurrency-mt-unsafe)
    // Migrations never read secrets, but the node configuration insists on one.
    ::setenv("SECRET_KEY", "migrations-need-no-secret-key", 0); // NOLINT(concurrency-mt-unsafe)
  }
  auto cfg = sagemcp::node::load_config(flags);
  if (!cfg) {
    std::cerr << "sagemcp: configuration error: " << sagemcp::message_of(cfg.error()) << '\n';
    return 2;
  }
  if (migrate->parsed()) {
    return migrate_command(*cfg);
  }
  // The server waits for SIGINT and SIGTERM itself; client commands keep the default handling.
  sagemcp::node::block_termination_signals();
  if (rotate->parsed()) {
    return sagemcp::node::rotate_keys_command(*cfg);
  }
  return sagemcp::node::serve(*cfg);
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& ex) {
    std::cerr << "sagemcp: fatal: " << ex.what() << '\n';
    return 1;
  }
}
