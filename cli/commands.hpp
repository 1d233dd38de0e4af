#pragma once

#include "cli/client.hpp"
#include "cli/config.hpp"
#include "cli/output.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sagemcp::cli {

/// The options every client command accepts.
struct global_options {
  std::string profile;
  std::string url;
  std::string api_key;
  std::string format;
  bool no_color = false;
};

/// The resolved settings of one client command run: profile, server, key, output.
class session {
public:
  explicit session(const global_options& globals);

  /// The REST client of the resolved server and key, made on first use.
  rest_client& api();
  /// Where results go.
  [[nodiscard]] const printer& out() const {
    return printer_;
  }

  client_config config;
  std::string config_file;
  std::string config_error;
  std::string profile_name;
  std::string url;
  std::string api_key;
  bool color = false;

private:
  printer printer_;
  std::unique_ptr<rest_client> api_;
};

/// Prints an API failure (the server's detail) on stderr; returns its exit code.
int fail(const api_result& result);
/// Prints `message` on stderr; returns `code`.
int fail(int code, std::string_view message);
/// Asks a yes/no question on the terminal; false when stdin is no terminal.
bool confirm(std::string_view question);

/// What the parsed command line asks the client to do.
struct cli_state {
  global_options globals;
  std::function<int(session&)> action;
};

/// Adds the global client options to the root command; call before adding subcommands.
void add_global_options(CLI::App& app, cli_state& state);

/// Adds every client command group to the root command.
void add_client_commands(CLI::App& app, cli_state& state);

/// Runs the action the command line selected; returns the exit code.
int run_action(cli_state& state);

/// Makes `sub` run `fn` when it is the command given.
void on_run(CLI::App* sub, cli_state& state, std::function<int(session&)> fn);

/// Sets the `Examples:` footer of a command.
void examples(CLI::App* sub, std::string_view lines);

/// Prints a REST answer: `print` on success, else the failure. Returns the exit code.
int finish(session& s, const api_result& result,
           const std::function<void(const printer&, const boost::json::value&)>& print);

void add_config_commands(CLI::App& app, cli_state& state);
void add_admin_commands(CLI::App& app, cli_state& state);
void add_ops_commands(CLI::App& app, cli_state& state);
void add_oauth_commands(CLI::App& app, cli_state& state);
void add_mcp_commands(CLI::App& app, cli_state& state);

/// The server URL when neither flag, environment nor profile names one.
inline constexpr std::string_view default_url = "http://127.0.0.1:8000";

} // namespace sagemcp::cli
