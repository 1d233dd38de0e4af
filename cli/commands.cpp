#include "cli/commands.hpp"

#include <unistd.h>

#include <iostream>

namespace sagemcp::cli {

session::session(const global_options& globals)
  : config_file(config_path()),
    printer_(std::cout, output_format::table, false) {
  config = load_config_file(config_file, config_error);
  profile_name = !globals.profile.empty()                   ? globals.profile
                 : env_value("SAGEMCP_PROFILE").has_value() ? *env_value("SAGEMCP_PROFILE")
                                                            : config.current;
  profile chosen;
  if (auto it = config.profiles.find(profile_name); it != config.profiles.end()) {
    chosen = it->second;
  }
  url = !globals.url.empty() ? globals.url : chosen.url;
  if (url.empty()) {
    url = default_url;
  }
  api_key = !globals.api_key.empty() ? globals.api_key : chosen.api_key;
  auto format = output_format::table;
  if (!parse_format(!globals.format.empty() ? globals.format : chosen.format, format)) {
    format = output_format::table;
  }
  color = !globals.no_color && !env_value("NO_COLOR").has_value() && ::isatty(STDOUT_FILENO) != 0;
  printer_ = printer{std::cout, format, color};
}

rest_client& session::api() {
  if (!api_) {
    api_ = std::make_unique<rest_client>(url, api_key);
  }
  return *api_;
}

int fail(const api_result& result) {
  return fail(result.exit_code() == 0 ? 1 : result.exit_code(), result.message());
}

int fail(int code, std::string_view message) {
  std::cerr << "sagemcp: " << message << '\n';
  return code;
}

bool confirm(std::string_view question) {
  if (::isatty(STDIN_FILENO) == 0) {
    return false;
  }
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void add_global_options(CLI::App& app, cli_state& state) {
  auto& g = state.globals;
  app.fallthrough();
  app.add_option("--profile", g.profile, "Configuration profile to use (env SAGEMCP_PROFILE)");
  app.add_option("--url", g.url, "Server URL (env SAGEMCP_URL)")->envname("SAGEMCP_URL");
  app.add_option("--api-key", g.api_key, "API key (env SAGEMCP_API_KEY)")
    ->envname("SAGEMCP_API_KEY");
  app.add_option("--format", g.format, "Output format: table, json or yaml")
    ->check(CLI::IsMember({"table", "json", "yaml"}));
  app.add_flag("--no-color", g.no_color, "Never colour the output (also env NO_COLOR)");
}

void on_run(CLI::App* sub, cli_state& state, std::function<int(session&)> fn) {
  sub->callback([&state, fn = std::move(fn)] {
    state.action = fn;
  });
}

void examples(CLI::App* sub, std::string_view lines) {
  std::string text = "\nExamples:\n";
  size_t at = 0;
  while (at < lines.size()) {
    auto nl = lines.find('\n', at);
    auto line = lines.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    text += "  ";
    text += line;
    text += '\n';
    at = nl == std::string_view::npos ? lines.size() : nl + 1;
  }
  sub->footer(text);
}

int finish(session& s, const api_result& result,
           const std::function<void(const printer&, const boost::json::value&)>& print) {
  if (!result.ok()) {
    return fail(result);
  }
  print(s.out(), result.body);
  return 0;
}

void add_client_commands(CLI::App& app, cli_state& state) {
  add_config_commands(app, state);
  add_admin_commands(app, state);
  add_ops_commands(app, state);
  add_oauth_commands(app, state);
  add_mcp_commands(app, state);
}

int run_action(cli_state& state) {
  if (!state.action) {
    return 2;
  }
  session s{state.globals};
  return state.action(s);
}

} // namespace sagemcp::cli
