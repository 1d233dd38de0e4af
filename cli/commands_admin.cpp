#include "cli/args.hpp"
#include "cli/commands.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace sagemcp::cli {

namespace json = boost::json;

namespace {

const std::vector<column> tenant_columns{{"SLUG", "slug"},
                                         {"NAME", "name"},
                                         {"ACTIVE", "is_active"},
                                         {"RATE LIMIT", "rate_limit_rpm"},
                                         {"CREATED", "created_at"}};
const std::vector<column> connector_columns{{"ID", "id"},
                                            {"NAME", "name"},
                                            {"TYPE", "connector_type"},
                                            {"RUNTIME", "runtime_type"},
                                            {"ENABLED", "is_enabled"}};
const std::vector<column> key_columns{{"ID", "id"},
                                      {"NAME", "name"},
                                      {"PREFIX", "key_prefix"},
                                      {"SCOPE", "scope"},
                                      {"TENANT", "tenant_slug"},
                                      {"ACTIVE", "is_active"},
                                      {"EXPIRES", "expires_at"},
                                      {"LAST USED", "last_used_at"}};

std::string tenant_path(const std::string& slug) {
  return "/api/v1/admin/tenants/" + encode_component(slug);
}

std::string connector_path(const std::string& slug, const std::string& id) {
  return tenant_path(slug) + "/connectors/" + encode_component(id);
}

// Deletion is final: ask on a terminal, and refuse without --yes elsewhere.
bool confirmed(bool yes, const std::string& what) {
  return yes || confirm("Delete " + what + "?");
}

struct tenant_flags {
  std::string slug;
  std::string name;
  std::string description;
  std::string email;
  int rate_limit = -1;
  bool yes = false;
};

void add_tenant_fields(CLI::App* cmd, tenant_flags& f) {
  cmd->add_option("--name", f.name, "Display name (create: default the slug)");
  cmd->add_option("--description", f.description, "Description");
  cmd->add_option("--email", f.email, "Contact e-mail address");
  cmd->add_option("--rate-limit", f.rate_limit, "Requests per minute (0: none)");
}

json::object tenant_body(const tenant_flags& f, json::object body) {
  if (!f.name.empty()) {
    body["name"] = f.name;
  }
  if (!f.description.empty()) {
    body["description"] = f.description;
  }
  if (!f.email.empty()) {
    body["contact_email"] = f.email;
  }
  if (f.rate_limit >= 0) {
    body["rate_limit_rpm"] = f.rate_limit;
  }
  return body;
}

void add_tenant(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("tenant", "Manage tenants (platform admin)");
  group->require_subcommand(1);
  examples(group, "sagemcp tenant list\nsagemcp tenant create acme --name \"Acme Corp\"\n"
                  "sagemcp tenant delete acme --yes");
  auto f = std::make_shared<tenant_flags>();
  auto* list = group->add_subcommand("list", "List tenants");
  examples(list, "sagemcp tenant list\nsagemcp tenant list --format json");
  on_run(list, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/admin/tenants"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, tenant_columns);
                  });
  });
  auto* get = group->add_subcommand("get", "Show a tenant");
  get->add_option("slug", f->slug, "Tenant slug")->required();
  examples(get, "sagemcp tenant get acme");
  on_run(get, state, [f](session& s) {
    return finish(s, s.api().get(tenant_path(f->slug)),
                  [](const printer& out, const json::value& v) {
                    out.object(v);
                  });
  });
  auto* create = group->add_subcommand("create", "Create a tenant");
  create->add_option("slug", f->slug, "Tenant slug: lower case letters, digits and dashes")
    ->required();
  add_tenant_fields(create, *f);
  examples(create, "sagemcp tenant create acme --name \"Acme Corp\" --email ops@acme.example");
  on_run(create, state, [f](session& s) {
    auto body = tenant_body(*f, {{"slug", f->slug}, {"name", f->slug}});
    return finish(s, s.api().post("/api/v1/admin/tenants", body),
                  [](const printer& out, const json::value& v) {
                    out.object(v);
                  });
  });
  auto* update = group->add_subcommand("update", "Change a tenant's fields");
  update->add_option("slug", f->slug, "Tenant slug")->required();
  add_tenant_fields(update, *f);
  examples(update, "sagemcp tenant update acme --description \"Production\" --rate-limit 600");
  on_run(update, state, [f](session& s) {
    // PUT replaces the fields; start from the stored ones so unnamed fields keep their values.
    auto current = s.api().get(tenant_path(f->slug));
    if (!current.ok()) {
      return fail(current);
    }
    json::object base;
    for (const char* key : {"name", "description", "contact_email", "rate_limit_rpm"}) {
      if (const auto* v = member_at(current.body, key); v != nullptr && !v->is_null()) {
        base[key] = *v;
      }
    }
    return finish(s, s.api().put(tenant_path(f->slug), tenant_body(*f, std::move(base))),
                  [](const printer& out, const json::value& v) {
                    out.object(v);
                  });
  });
  auto* del = group->add_subcommand("delete",
                                    "Delete a tenant with its connectors, keys and credentials");
  del->add_option("slug", f->slug, "Tenant slug")->required();
  del->add_flag("--yes,-y", f->yes, "Do not ask for confirmation");
  examples(del, "sagemcp tenant delete acme\nsagemcp tenant delete acme --yes");
  on_run(del, state, [f](session& s) {
    if (!confirmed(f->yes, "tenant '" + f->slug + "' and everything in it")) {
      return fail(2, "not deleted: confirm with --yes");
    }
    return finish(s, s.api().del(tenant_path(f->slug)),
                  [f](const printer& out, const json::value&) {
                    out.value(json::object{{"deleted", f->slug}}, "Deleted tenant " + f->slug);
                  });
  });
}

struct connector_flags {
  std::string tenant;
  std::string id;
  std::string type;
  std::string name;
  std::string description;
  std::vector<std::string> config;
  std::string config_file;
  std::string runtime;
  std::string command;
  std::vector<std::string> env;
  std::vector<std::string> headers;
  std::string package_path;
  bool yes = false;
};

void add_connector_fields(CLI::App* cmd, connector_flags& f) {
  cmd->add_option("--name", f.name, "Display name (create: default the type)");
  cmd->add_option("--description", f.description, "Description");
  cmd->add_option("--config", f.config, "A configuration value key=value (repeatable)");
  cmd->add_option("--config-file", f.config_file, "A JSON file with the configuration object")
    ->check(CLI::ExistingFile);
  cmd->add_option("--runtime", f.runtime,
                  "native, external_nodejs, external_python, external_go, "
                  "external_custom or external_remote");
  cmd->add_option("--command", f.command,
                  R"(Command of an external server, a JSON array: '["npx","pkg"]')");
  cmd->add_option("--env", f.env, "Environment variable of an external server K=V (repeatable)");
  cmd->add_option("--header", f.headers, "HTTP header of a remote server K=V (repeatable)");
  cmd->add_option("--package-path", f.package_path,
                  "Absolute directory an external server runs in");
}

// Builds the create or update body; returns an error message or an empty string.
std::string connector_body(const connector_flags& f, json::object& body) {
  if (!f.type.empty()) {
    body["connector_type"] = f.type;
  }
  for (auto [key, value] : {std::pair{"name", &f.name},
                            {"description", &f.description},
                            {"runtime_type", &f.runtime},
                            {"package_path", &f.package_path}}) {
    if (!value->empty()) {
      body[key] = *value;
    }
  }
  if (!f.command.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(f.command, ec);
    body["runtime_command"] = ec ? json::value{json::string{f.command}} : parsed;
  }
  json::object configuration;
  if (!f.config_file.empty()) {
    std::ifstream in{f.config_file};
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto parsed = json::parse(text.str(), ec);
    if (ec || !parsed.is_object()) {
      return f.config_file + " holds no JSON object";
    }
    configuration = std::move(parsed.as_object());
  }
  std::string key;
  std::string value;
  for (const auto& pair : f.config) {
    if (!split_pair(pair, key, value)) {
      return "--config '" + pair + "' is no key=value pair";
    }
    configuration[key] = value;
  }
  if (!configuration.empty()) {
    body["configuration"] = std::move(configuration);
  }
  json::object env;
  for (const auto* list : {&f.env, &f.headers}) {
    for (const auto& pair : *list) {
      if (!split_pair(pair, key, value)) {
        return "'" + pair + "' is no K=V pair";
      }
      env[key] = value;
    }
  }
  if (!env.empty()) {
    body["runtime_env"] = std::move(env);
  }
  return {};
}

// Enables or disables a connector: the API only flips, so flip only when it differs.
int set_enabled(session& s, const connector_flags& f, bool on) {
  auto path = connector_path(f.tenant, f.id);
  auto current = s.api().get(path);
  if (!current.ok()) {
    return fail(current);
  }
  const auto* enabled = member_at(current.body, "is_enabled");
  if (enabled != nullptr && enabled->is_bool() && enabled->as_bool() == on) {
    s.out().object(current.body);
    return 0;
  }
  return finish(s, s.api().patch(path + "/toggle", json::object{}),
                [](const printer& out, const json::value& v) {
                  out.object(v);
                });
}

void add_connector_crud(CLI::App* group, cli_state& state,
                        const std::shared_ptr<connector_flags>& f) {
  auto* create = group->add_subcommand("create", "Add a connector to a tenant");
  create->add_option("tenant", f->tenant, "Tenant slug")->required();
  create->add_option("--type", f->type, "Connector type (sagemcp connector types)");
  add_connector_fields(create, *f);
  examples(create,
           "sagemcp connector create acme --type everything --name Test\n"
           "sagemcp connector create acme --type github --config token=ghp_…\n"
           "sagemcp connector create acme --runtime external_nodejs --name fs \\\n"
           "    --command '[\"npx\",\"-y\",\"@modelcontextprotocol/server-filesystem\",\"/srv\"]' "
           "--env NODE_ENV=production\n"
           "sagemcp connector create acme --runtime external_remote --name remote \\\n"
           "    --config url=https://mcp.example.com/mcp --header \"Authorization=Bearer …\"");
  on_run(create, state, [f](session& s) {
    json::object body;
    if (auto err = connector_body(*f, body); !err.empty()) {
      return fail(2, err);
    }
    if (!body.contains("name")) {
      body["name"] = f->type.empty() ? std::string{"custom"} : f->type;
    }
    return finish(s, s.api().post(tenant_path(f->tenant) + "/connectors", body),
                  [](const printer& out, const json::value& v) {
                    out.object(v);
                  });
  });
  auto* update = group->add_subcommand("update", "Change a connector's fields");
  update->add_option("tenant", f->tenant, "Tenant slug")->required();
  update->add_option("connector", f->id, "Connector id")->required();
  add_connector_fields(update, *f);
  examples(update,
           "sagemcp connector update acme 3f2c… --name \"GitHub (ops)\" --config token=ghp_…");
  on_run(update, state, [f](session& s) {
    json::object body;
    if (auto err = connector_body(*f, body); !err.empty()) {
      return fail(2, err);
    }
    return finish(s, s.api().put(connector_path(f->tenant, f->id), body),
                  [](const printer& out, const json::value& v) {
                    out.object(v);
                  });
  });
}

void add_connector(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("connector", "Manage a tenant's connectors");
  group->require_subcommand(1);
  examples(group, "sagemcp connector list acme\nsagemcp connector create acme --type everything\n"
                  "sagemcp connector disable acme 3f2c…");
  auto f = std::make_shared<connector_flags>();
  auto* types = group->add_subcommand("types", "List the connector types the server knows");
  examples(types, "sagemcp connector types");
  on_run(types, state, [](session& s) {
    return finish(
      s, s.api().get("/api/v1/admin/connector-types"),
      [](const printer& out, const json::value& v) {
        out.list(v, {{"TYPE", "type"}, {"NAME", "display_name"}, {"DESCRIPTION", "description"}});
      });
  });
  auto* list = group->add_subcommand("list", "List a tenant's connectors");
  list->add_option("tenant", f->tenant, "Tenant slug")->required();
  examples(list, "sagemcp connector list acme");
  on_run(list, state, [f](session& s) {
    return finish(s, s.api().get(tenant_path(f->tenant) + "/connectors"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, connector_columns);
                  });
  });
  add_connector_crud(group, state, f);
  struct verb {
    const char* name;
    const char* help;
  };
  for (auto [name, help] :
       {verb{"get", "Show a connector"}, verb{"delete", "Delete a connector"},
        verb{"enable", "Enable a connector"}, verb{"disable", "Disable a connector"}}) {
    auto* cmd = group->add_subcommand(name, help);
    cmd->add_option("tenant", f->tenant, "Tenant slug")->required();
    cmd->add_option("connector", f->id, "Connector id")->required();
    examples(cmd, std::string{"sagemcp connector "} + name + " acme 3f2c…");
    std::string verb_name = name;
    if (verb_name == "delete") {
      cmd->add_flag("--yes,-y", f->yes, "Do not ask for confirmation");
    }
    on_run(cmd, state, [f, verb_name](session& s) {
      if (verb_name == "enable" || verb_name == "disable") {
        return set_enabled(s, *f, verb_name == "enable");
      }
      if (verb_name == "get") {
        return finish(s, s.api().get(connector_path(f->tenant, f->id)),
                      [](const printer& out, const json::value& v) {
                        out.object(v);
                      });
      }
      if (!confirmed(f->yes, "connector " + f->id)) {
        return fail(2, "not deleted: confirm with --yes");
      }
      return finish(s, s.api().del(connector_path(f->tenant, f->id)),
                    [f](const printer& out, const json::value&) {
                      out.value(json::object{{"deleted", f->id}}, "Deleted connector " + f->id);
                    });
    });
  }
}

struct key_flags {
  std::string id;
  std::string name;
  std::string scope = "tenant_user";
  std::string tenant;
  std::string expires;
};

void add_key(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("key", "Manage API keys (platform admin)");
  group->require_subcommand(1);
  examples(group, "sagemcp key create --name laptop --scope tenant_user --tenant acme\n"
                  "sagemcp key list\nsagemcp key revoke 3e94…");
  auto f = std::make_shared<key_flags>();
  auto* create = group->add_subcommand("create", "Create an API key; the key is shown once");
  create->add_option("--name", f->name, "What the key is for")->required();
  create->add_option("--scope", f->scope, "platform_admin, tenant_admin or tenant_user")
    ->check(CLI::IsMember({"platform_admin", "tenant_admin", "tenant_user"}));
  create->add_option("--tenant", f->tenant, "Tenant slug of a tenant key");
  create->add_option("--expires-at", f->expires, "Expiry, ISO 8601 (2027-01-01T00:00:00Z)");
  examples(create, "sagemcp key create --name laptop --scope tenant_user --tenant acme\n"
                   "sagemcp key create --name ci --scope platform_admin --format json");
  on_run(create, state, [f](session& s) {
    json::object body{{"name", f->name}, {"scope", f->scope}};
    if (!f->tenant.empty()) {
      body["tenant_id"] = f->tenant;
    }
    if (!f->expires.empty()) {
      body["expires_at"] = f->expires;
    }
    return finish(
      s, s.api().post("/api/v1/auth/keys", body), [](const printer& out, const json::value& v) {
        const auto* key = member_at(v, "key");
        out.value(v, "Key (shown once, store it now):\n" + (key != nullptr ? cell_text(*key) : "-")
                       + "\nid " + cell_text(*member_at(v, "id")) + ", scope "
                       + cell_text(*member_at(v, "scope")));
      });
  });
  auto* list = group->add_subcommand("list", "List API keys (never the keys themselves)");
  examples(list, "sagemcp key list");
  on_run(list, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/auth/keys"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, key_columns);
                  });
  });
  auto* revoke = group->add_subcommand("revoke", "Revoke an API key");
  revoke->add_option("id", f->id, "Key id (from key list)")->required();
  examples(revoke, "sagemcp key revoke 3e94cf56-243d-4632-b267-5665770f84ca");
  on_run(revoke, state, [f](session& s) {
    return finish(s, s.api().del("/api/v1/auth/keys/" + encode_component(f->id)),
                  [f](const printer& out, const json::value&) {
                    out.value(json::object{{"revoked", f->id}}, "Revoked key " + f->id);
                  });
  });
}

} // namespace

void add_admin_commands(CLI::App& app, cli_state& state) {
  add_tenant(app, state);
  add_connector(app, state);
  add_key(app, state);
}

} // namespace sagemcp::cli
