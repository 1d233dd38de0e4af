#include "actors/node/config.hpp"
#include "actors/node/node.hpp"
#include "actors/node/rotate.hpp"
#include "messages/errc.hpp"
#include "transport/router.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

int run(int argc, char** argv) {
  CLI::App app{"SageMCP: a multi-tenant platform that hosts MCP servers", "sagemcp"};
  app.require_subcommand(1);
  sagemcp::node::serve_flags flags;
  auto* serve = app.add_subcommand("serve", "Run a server node");
  serve->add_option("--host", flags.host, "Address to listen on (env HOST, default 127.0.0.1)");
  serve->add_option("--port", flags.port, "Port to listen on, 0 for any (env PORT, default 8000)")
    ->check(CLI::Range(0, 65535));
  serve->add_option("--data-dir", flags.data_dir,
                    "Directory of the embedded database and local files (env SAGEMCP_DATA_DIR, "
                    "default ./data)");
  auto* version = app.add_subcommand("version", "Print the version");
  auto* routes = app.add_subcommand(
    "routes", "Print every HTTP route with the scope it needs and its tenant binding, as JSON");
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
  CLI11_PARSE(app, argc, argv);
  if (version->parsed()) {
    std::cout << "sagemcp " << SAGEMCP_VERSION << '\n';
    return 0;
  }
  if (routes->parsed()) {
    std::cout << sagemcp::transport::routes_json() << '\n';
    return 0;
  }
  auto cfg = sagemcp::node::load_config(flags);
  if (!cfg) {
    std::cerr << "sagemcp: configuration error: " << sagemcp::message_of(cfg.error()) << '\n';
    return 2;
  }
  if (rotate->parsed()) {
    return sagemcp::node::rotate_keys_command(*cfg);
  }
  return sagemcp::node::serve(*cfg);
}

} // namespace

int main(int argc, char** argv) {
  sagemcp::node::block_termination_signals();
  try {
    return run(argc, argv);
  } catch (const std::exception& ex) {
    std::cerr << "sagemcp: fatal: " << ex.what() << '\n';
    return 1;
  }
}
