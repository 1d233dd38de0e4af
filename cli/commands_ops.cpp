#include "cli/commands.hpp"
#include "cli/spinner.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace sagemcp::cli {

namespace json = boost::json;

namespace {

struct target_flags {
  std::string tenant;
  std::string connector;
  std::vector<std::string> tools;
  bool all = false;
  bool idle = false;
  std::string id;
  std::string level;
  int backlog = 100;
  bool follow = false;
};

std::string connector_path(const target_flags& f) {
  return "/api/v1/admin/tenants/" + encode_component(f.tenant) + "/connectors/"
         + encode_component(f.connector);
}

void add_target(CLI::App* cmd, target_flags& f) {
  cmd->add_option("tenant", f.tenant, "Tenant slug")->required();
  cmd->add_option("connector", f.connector, "Connector id")->required();
}

const auto print_object = [](const printer& out, const json::value& v) {
  out.object(v);
};

int set_tools(session& s, const target_flags& f, bool on) {
  if (f.all) {
    auto res = s.api().post(connector_path(f) + (on ? "/tools/enable-all" : "/tools/disable-all"),
                            json::object{});
    return finish(s, res, print_object);
  }
  if (f.tools.empty()) {
    return fail(2, "name tools or give --all");
  }
  json::array done;
  for (const auto& tool : f.tools) {
    auto res = s.api().patch(connector_path(f) + "/tools/" + encode_component(tool),
                             json::object{{"is_enabled", on}});
    if (!res.ok()) {
      return fail(res);
    }
    done.push_back(res.body);
  }
  s.out().list(done, {{"TOOL", "tool_name"}, {"ENABLED", "is_enabled"}});
  return 0;
}

void add_tool(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("tool", "A connector's tools and which of them are enabled");
  group->require_subcommand(1);
  examples(group, "sagemcp tool list acme 3f2c…\nsagemcp tool disable acme 3f2c… add\n"
                  "sagemcp tool sync acme 3f2c…");
  auto f = std::make_shared<target_flags>();
  auto* list = group->add_subcommand("list", "List a connector's tools with their policy");
  add_target(list, *f);
  examples(list, "sagemcp tool list acme 3f2c…");
  on_run(list, state, [f](session& s) {
    return finish(
      s, s.api().get(connector_path(*f) + "/tools"), [](const printer& out, const json::value& v) {
        if (out.format() != output_format::table) {
          out.object(v);
          return;
        }
        const auto* tools = member_at(v, "tools");
        out.list(
          tools != nullptr ? *tools : json::value{json::array{}},
          {{"TOOL", "tool_name"}, {"ENABLED", "is_enabled"}, {"DESCRIPTION", "description"}});
      });
  });
  for (bool on : {true, false}) {
    auto* cmd = group->add_subcommand(on ? "enable" : "disable",
                                      on ? "Enable tools of a connector"
                                         : "Disable tools of a connector");
    add_target(cmd, *f);
    cmd->add_option("tools", f->tools, "Tool names");
    cmd->add_flag("--all", f->all, "Every tool of the connector");
    examples(cmd, std::string{"sagemcp tool "} + (on ? "enable" : "disable")
                    + " acme 3f2c… echo add\nsagemcp tool " + (on ? "enable" : "disable")
                    + " acme 3f2c… --all");
    on_run(cmd, state, [f, on](session& s) {
      return set_tools(s, *f, on);
    });
  }
  auto* sync = group->add_subcommand("sync", "Ask the connector for its tools and store the list");
  add_target(sync, *f);
  examples(sync, "sagemcp tool sync acme 3f2c…");
  on_run(sync, state, [f](session& s) {
    spinner wait{"syncing tools"};
    auto res = s.api().post(connector_path(*f) + "/tools/sync", json::object{});
    wait.stop();
    return finish(s, res, print_object);
  });
}

void add_pool(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("pool",
                                   "The connector instances the server keeps (platform admin)");
  group->require_subcommand(1);
  examples(group, "sagemcp pool list\nsagemcp pool summary\nsagemcp pool evict acme 3f2c…\n"
                  "sagemcp pool evict --idle");
  auto f = std::make_shared<target_flags>();
  auto* list = group->add_subcommand("list", "List pooled connector instances");
  examples(list, "sagemcp pool list");
  on_run(list, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/admin/pool"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, {{"TENANT", "tenant_slug"},
                                 {"CONNECTOR", "connector_id"},
                                 {"NAME", "connector_name"},
                                 {"TYPE", "connector_type"},
                                 {"OWNER", "credential_owner"},
                                 {"STATUS", "status"},
                                 {"HITS", "hit_count"},
                                 {"IDLE S", "idle_seconds"}});
                  });
  });
  auto* summary = group->add_subcommand("summary", "Pool totals and hit rate");
  examples(summary, "sagemcp pool summary");
  on_run(summary, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/admin/pool/summary"), print_object);
  });
  auto* evict = group->add_subcommand("evict", "Evict one connector instance, or all idle ones");
  evict->add_option("tenant", f->tenant, "Tenant slug");
  evict->add_option("connector", f->connector, "Connector id");
  evict->add_flag("--idle", f->idle, "Evict every instance idle for 10 minutes");
  examples(evict, "sagemcp pool evict acme 3f2c…\nsagemcp pool evict --idle");
  on_run(evict, state, [f](session& s) {
    if (f->idle) {
      return finish(s, s.api().post("/api/v1/admin/pool/evict-idle", json::object{}), print_object);
    }
    if (f->tenant.empty() || f->connector.empty()) {
      return fail(2, "name a tenant and a connector, or give --idle");
    }
    auto res = s.api().del("/api/v1/admin/pool/" + encode_component(f->tenant) + "/"
                           + encode_component(f->connector));
    return finish(s, res, [f](const printer& out, const json::value& v) {
      out.value(v.is_null() ? json::value{json::object{{"evicted", f->connector}}} : v,
                "Evicted " + f->tenant + "/" + f->connector);
    });
  });
}

void add_sessions(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("sessions", "MCP sessions open on the server (platform admin)");
  group->require_subcommand(1);
  examples(group, "sagemcp sessions list\nsagemcp sessions delete 9c1e…");
  auto f = std::make_shared<target_flags>();
  auto* list = group->add_subcommand("list", "List sessions");
  examples(list, "sagemcp sessions list --format json");
  on_run(list, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/admin/sessions"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, {{"ID", "session_id"},
                                 {"KIND", "kind"},
                                 {"TENANT", "tenant_slug"},
                                 {"CONNECTOR", "connector_id"},
                                 {"PROTOCOL", "protocol_version"},
                                 {"AGE S", "age_seconds"},
                                 {"IDLE S", "idle_seconds"}});
                  });
  });
  auto* get = group->add_subcommand("get", "Show a session");
  get->add_option("id", f->id, "Session id")->required();
  examples(get, "sagemcp sessions get 9c1e…");
  on_run(get, state, [f](session& s) {
    return finish(s, s.api().get("/api/v1/admin/sessions/" + encode_component(f->id)),
                  print_object);
  });
  auto* del = group->add_subcommand("delete", "End a session");
  del->add_option("id", f->id, "Session id")->required();
  examples(del, "sagemcp sessions delete 9c1e…");
  on_run(del, state, [f](session& s) {
    return finish(s, s.api().del("/api/v1/admin/sessions/" + encode_component(f->id)),
                  [f](const printer& out, const json::value&) {
                    out.value(json::object{{"deleted", f->id}}, "Ended session " + f->id);
                  });
  });
}

int logs(session& s, const target_flags& f) {
  std::string path = "/api/v1/admin/logs/stream?backlog=" + std::to_string(f.backlog);
  for (auto [name, value] :
       {std::pair{"level", &f.level}, {"tenant", &f.tenant}, {"connector", &f.connector}}) {
    if (!value->empty()) {
      path += std::string{"&"} + name + "=" + encode_component(*value);
    }
  }
  bool json_out = s.out().format() != output_format::table;
  auto print = [&s, json_out](std::string_view line) {
    if (!line.starts_with("data:")) {
      return;
    }
    auto data = line.substr(line.starts_with("data: ") ? 6 : 5);
    if (json_out) {
      std::cout << data << '\n' << std::flush;
      return;
    }
    boost::system::error_code ec;
    auto record = json::parse(data, ec);
    if (ec || !record.is_object()) {
      std::cout << data << '\n' << std::flush;
      return;
    }
    auto& obj = record.as_object();
    auto text = [&obj](const char* key) {
      const auto* v = obj.if_contains(key);
      return v != nullptr ? cell_text(*v) : std::string{};
    };
    std::string rest;
    for (const auto& [key, value] : obj) {
      if (key != "ts" && key != "level" && key != "msg") {
        rest += " " + std::string{key} + "=" + cell_text(value);
      }
    }
    auto level = text("level");
    bool bad = level == "error" || level == "warn" || level == "critical";
    std::cout << text("ts") << ' ' << (bad ? s.out().paint(level, false) : level) << ' '
              << text("msg") << rest << '\n'
              << std::flush;
  };
  std::string error;
  auto idle = f.follow ? std::nullopt : std::optional{std::chrono::milliseconds{300}};
  auto status = s.api().stream_lines(path, print, idle, error);
  if (status < 200 || status >= 300) {
    api_result failed;
    failed.status = status;
    failed.text = error;
    boost::system::error_code ec;
    failed.body = json::parse(error, ec);
    return fail(failed);
  }
  return 0;
}

void add_logs(CLI::App& app, cli_state& state) {
  auto f = std::make_shared<target_flags>();
  auto* cmd = app.add_subcommand("logs", "Print the server's recent log lines, or follow them");
  cmd->add_flag("--follow,-f", f->follow, "Keep printing new lines until Ctrl-C");
  cmd->add_option("--backlog,-n", f->backlog, "Recent lines to print first")
    ->check(CLI::Range(0, 10000));
  cmd->add_option("--level", f->level, "Lowest level: debug, info, warn, error");
  cmd->add_option("--tenant", f->tenant, "Only lines of this tenant");
  cmd->add_option("--connector", f->connector, "Only lines of this connector");
  examples(cmd, "sagemcp logs -n 20\nsagemcp logs --follow --level warn --tenant acme\n"
                "sagemcp logs --format json | jq .msg");
  on_run(cmd, state, [f](session& s) {
    return logs(s, *f);
  });
}

void add_process(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("process", "The processes of external MCP servers");
  group->require_subcommand(1);
  examples(group, "sagemcp process status acme 3f2c…\nsagemcp process restart acme 3f2c…");
  auto f = std::make_shared<target_flags>();
  auto* status = group->add_subcommand("status", "Show a connector's processes");
  add_target(status, *f);
  examples(status, "sagemcp process status acme 3f2c…");
  on_run(status, state, [f](session& s) {
    return finish(s, s.api().get(connector_path(*f) + "/process"),
                  [](const printer& out, const json::value& v) {
                    if (out.format() != output_format::table) {
                      out.object(v);
                      return;
                    }
                    const auto* processes = member_at(v, "processes");
                    if (processes == nullptr || !processes->is_array()) {
                      out.object(v);
                      return;
                    }
                    out.list(*processes, {{"PID", "pid"},
                                          {"STATE", "state"},
                                          {"STATUS", "status"},
                                          {"RESTARTS", "restarts"},
                                          {"STARTED", "started_at"}});
                  });
  });
  auto* restart = group->add_subcommand("restart", "Restart a connector's processes");
  add_target(restart, *f);
  examples(restart, "sagemcp process restart acme 3f2c…");
  on_run(restart, state, [f](session& s) {
    spinner wait{"restarting"};
    auto res = s.api().post(connector_path(*f) + "/process/restart", json::object{});
    wait.stop();
    return finish(s, res, [f](const printer& out, const json::value& v) {
      out.value(v, "Restarted the processes of " + f->connector);
    });
  });
  auto* stop = group->add_subcommand("stop", "Stop a connector's processes");
  add_target(stop, *f);
  examples(stop, "sagemcp process stop acme 3f2c…");
  on_run(stop, state, [f](session& s) {
    return finish(s, s.api().del(connector_path(*f) + "/process"),
                  [f](const printer& out, const json::value& v) {
                    out.value(v, "Stopped the processes of " + f->connector);
                  });
  });
}

} // namespace

void add_ops_commands(CLI::App& app, cli_state& state) {
  add_tool(app, state);
  add_pool(app, state);
  add_sessions(app, state);
  add_logs(app, state);
  add_process(app, state);
}

} // namespace sagemcp::cli
