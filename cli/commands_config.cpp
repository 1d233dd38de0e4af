#include "cli/commands.hpp"
#include "cli/spinner.hpp"

#include <boost/json.hpp>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace sagemcp::cli {

namespace json = boost::json;

namespace {

// Reads a line from the terminal, showing `fallback` as the default; without echo for secrets.
std::string ask(std::string_view question, const std::string& fallback, bool secret) {
  std::cerr << question;
  if (!fallback.empty()) {
    std::cerr << " [" << (secret ? mask_secret(fallback) : fallback) << "]";
  }
  std::cerr << ": " << std::flush;
  termios saved{};
  bool hidden = secret && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hidden) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (hidden) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  return line.empty() ? fallback : line;
}

int init(cli_state& state, session& s, bool verify) {
  auto name = state.globals.profile.empty() ? s.profile_name : state.globals.profile;
  auto url = state.globals.url;
  auto key = state.globals.api_key;
  if (::isatty(STDIN_FILENO) != 0 && (url.empty() || key.empty())) {
    auto existing = s.config.profiles[name];
    url = ask("Server URL",
              url.empty() ? (existing.url.empty() ? std::string{default_url} : existing.url) : url,
              false);
    key = ask("API key", key.empty() ? existing.api_key : key, true);
  }
  if (url.empty()) {
    url = default_url;
  }
  if (key.empty()) {
    return fail(2, "init needs an API key: --api-key or SAGEMCP_API_KEY");
  }
  std::string scope = "unverified";
  if (verify) {
    spinner wait{"verifying the key"};
    rest_client client{url, key};
    auto res = client.post("/api/v1/auth/verify", json::object{});
    wait.stop();
    if (!res.ok()) {
      return fail(res);
    }
    const auto* got = member_at(res.body, "scope");
    scope = got != nullptr ? cell_text(*got) : "?";
  }
  auto& p = s.config.profiles[name];
  p.url = url;
  p.api_key = key;
  s.config.current = name;
  if (auto err = save_config_file(s.config_file, s.config); !err.empty()) {
    return fail(1, err);
  }
  s.out().value(
    json::object{{"profile", name}, {"url", url}, {"scope", scope}, {"config_file", s.config_file}},
    "Saved profile '" + name + "' (" + url + ", " + scope + ") to " + s.config_file);
  return 0;
}

json::value profile_json(const std::string& name, const profile& p, bool current) {
  return json::object{{"profile", name},
                      {"current", current},
                      {"url", p.url},
                      {"api_key", mask_secret(p.api_key)},
                      {"format", p.format.empty() ? "table" : p.format}};
}

int save(session& s) {
  if (auto err = save_config_file(s.config_file, s.config); !err.empty()) {
    return fail(1, err);
  }
  return 0;
}

void add_config_group(CLI::App& app, cli_state& state) {
  auto* config = app.add_subcommand("config", "Show and change the client's profiles");
  config->require_subcommand(1);
  examples(config, "sagemcp config show\nsagemcp config set url http://10.0.0.5:8000\n"
                   "sagemcp config use staging\nsagemcp config list");
  auto* show = config->add_subcommand("show", "Show the profile in use (secrets masked)");
  examples(show, "sagemcp config show\nsagemcp --profile staging config show --format json");
  on_run(show, state, [](session& s) {
    auto p = s.config.profiles[s.profile_name];
    auto value = profile_json(s.profile_name, p, true);
    value.as_object()["config_file"] = s.config_file;
    s.out().object(value);
    return s.config_error.empty() ? 0 : fail(1, s.config_error);
  });
  auto kv = std::make_shared<std::pair<std::string, std::string>>();
  auto* set = config->add_subcommand("set", "Set a setting of the profile in use");
  set->add_option("key", kv->first, "url, api_key or format")->required();
  set->add_option("value", kv->second, "The new value")->required();
  examples(set, "sagemcp config set url https://mcp.example.com\nsagemcp config set format json\n"
                "sagemcp --profile ci config set api_key smcp_pa_…");
  on_run(set, state, [kv](session& s) {
    if (kv->first == "format") {
      output_format f{};
      if (!parse_format(kv->second, f)) {
        return fail(2, "format must be table, json or yaml");
      }
    }
    if (!set_profile_value(s.config.profiles[s.profile_name], kv->first, kv->second)) {
      return fail(2,
                  "unknown setting '" + kv->first + "' (one of " + std::string{profile_keys} + ")");
    }
    return save(s);
  });
  auto name = std::make_shared<std::string>();
  auto* use = config->add_subcommand("use", "Make a profile the default");
  use->add_option("profile", *name, "Profile name")->required();
  examples(use, "sagemcp config use staging");
  on_run(use, state, [name](session& s) {
    if (!s.config.profiles.contains(*name)) {
      return fail(3, "no profile '" + *name + "' in " + s.config_file);
    }
    s.config.current = *name;
    return save(s);
  });
  auto* list = config->add_subcommand("list", "List the profiles");
  examples(list, "sagemcp config list");
  on_run(list, state, [](session& s) {
    json::array rows;
    for (const auto& [n, p] : s.config.profiles) {
      rows.push_back(profile_json(n, p, n == s.config.current));
    }
    s.out().list(rows, {{"PROFILE", "profile"},
                        {"CURRENT", "current"},
                        {"URL", "url"},
                        {"API KEY", "api_key"},
                        {"FORMAT", "format"}});
    return 0;
  });
}

int version(session& s) {
  json::object out{{"client", SAGEMCP_VERSION}};
  std::string text = std::string{"sagemcp "} + SAGEMCP_VERSION + "\n";
  rest_client quick{s.url, s.api_key, std::chrono::seconds{3}};
  auto res = quick.get("/");
  if (const auto* v = member_at(res.body, "version"); res.ok() && v != nullptr) {
    out["server"] = *v;
    text += "server " + cell_text(*v) + " at " + s.url + "\n";
  } else {
    out["server"] = nullptr;
  }
  s.out().value(out, text);
  return 0;
}

// One line of the doctor's report.
void check(json::array& rows, std::string_view name, bool ok, std::string detail) {
  rows.push_back(json::object{{"check", name}, {"ok", ok}, {"detail", std::move(detail)}});
}

void check_config(session& s, json::array& rows) {
  struct stat st {};
  if (::stat(s.config_file.c_str(), &st) != 0) {
    check(rows, "config file", true,
          s.config_file + " does not exist (flags and environment only)");
    return;
  }
  bool readable = ::access(s.config_file.c_str(), R_OK) == 0 && s.config_error.empty();
  auto mode = st.st_mode & 0777U;
  bool private_mode = mode == 0600U;
  std::string detail = s.config_file;
  detail += readable ? " readable" : " unreadable";
  if (!s.config_error.empty()) {
    detail += ": " + s.config_error;
  }
  char octal[8];
  std::snprintf(octal, sizeof octal, "%03o", mode);
  detail += private_mode ? ", mode 0600" : std::string{", mode 0"} + octal + " (should be 0600)";
  check(rows, "config file", readable && private_mode, detail);
}

int doctor(session& s) {
  json::array rows;
  check_config(s, rows);
  spinner wait{"checking " + s.url};
  auto& api = s.api();
  auto root = api.get("/");
  const auto* version = member_at(root.body, "version");
  check(rows, "server reachable", root.status != 0,
        root.status != 0 ? s.url + " answered HTTP " + std::to_string(root.status)
                         : root.message());
  if (root.status != 0) {
    auto server = version != nullptr ? cell_text(*version) : std::string{"unknown"};
    check(rows, "server version", server == SAGEMCP_VERSION,
          "server " + server + ", client " + SAGEMCP_VERSION);
    auto ready = api.get("/health/ready");
    const auto* db = member_at(ready.body, "database");
    check(rows, "server ready", ready.ok(), "HTTP " + std::to_string(ready.status));
    check(rows, "database", db != nullptr && cell_text(*db) == "ok",
          db != nullptr ? cell_text(*db) : ready.message());
    if (s.api_key.empty()) {
      check(rows, "api key", false, "no API key configured (sagemcp init)");
    } else {
      auto verified = api.post("/api/v1/auth/verify", json::object{});
      std::string detail = verified.ok() ? "valid, scope " : verified.message();
      if (verified.ok()) {
        detail += cell_text(*member_at(verified.body, "scope"));
        if (const auto* t = member_at(verified.body, "tenant_slug");
            t != nullptr && !t->is_null()) {
          detail += ", tenant " + cell_text(*t);
        }
      }
      check(rows, "api key", verified.ok(), detail);
    }
  }
  wait.stop();
  bool all = true;
  for (auto& row : rows) {
    auto& obj = row.as_object();
    all = all && obj.at("ok").as_bool();
    obj["status"] = obj.at("ok").as_bool() ? s.out().paint("ok", true)
                                           : s.out().paint("FAIL", false);
  }
  if (s.out().format() == output_format::table) {
    s.out().list(rows, {{"CHECK", "check"}, {"STATUS", "status"}, {"DETAIL", "detail"}});
  } else {
    for (auto& row : rows) {
      row.as_object().erase("status");
    }
    s.out().value(rows, "");
  }
  return all ? 0 : 1;
}

} // namespace

void add_config_commands(CLI::App& app, cli_state& state) {
  auto verify = std::make_shared<bool>(true);
  auto* init_cmd = app.add_subcommand(
    "init", "Save a server URL and API key as a profile, after checking the key with the server");
  init_cmd->add_flag("!--no-verify", *verify, "Save without asking the server");
  examples(init_cmd,
           "sagemcp init                       # asks on a terminal\n"
           "sagemcp init --url http://127.0.0.1:8000 --api-key \"$(cat data/admin-key)\"\n"
           "sagemcp init --profile staging --url https://mcp.example.com --api-key smcp_pa_…");
  on_run(init_cmd, state, [&state, verify](session& s) {
    return init(state, s, *verify);
  });
  add_config_group(app, state);
  auto* version_cmd
    = app.add_subcommand("version", "Print the client's version, and the server's when reachable");
  examples(version_cmd, "sagemcp version\nsagemcp version --format json");
  on_run(version_cmd, state, version);
  auto* doctor_cmd = app.add_subcommand(
    "doctor", "Check the configuration, the server, its database and the API key");
  examples(doctor_cmd, "sagemcp doctor\nsagemcp --profile staging doctor --format json");
  on_run(doctor_cmd, state, doctor);
}

} // namespace sagemcp::cli
