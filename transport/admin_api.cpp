#include "transport/admin_api.hpp"

#include "connectors/external.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"
#include "transport/bridge.hpp"
#include "transport/connector_secrets.hpp"
#include "transport/json_body.hpp"

#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <ctime>
#include <limits>

namespace sagemcp::transport {

namespace {

namespace json = boost::json;

json::object to_json(const tenant_row& row) {
  return json::object{{"id", row.id},
                      {"slug", row.slug},
                      {"name", row.name},
                      {"description", optional_text(row.description)},
                      {"contact_email", optional_text(row.contact_email)},
                      {"is_active", row.is_active},
                      {"rate_limit_rpm",
                       row.rate_limit_rpm < 0 ? json::value{} : json::value(row.rate_limit_rpm)},
                      {"created_at", row.created_at},
                      {"updated_at", row.updated_at}};
}

// A stored runtime command as the array it is; null when there is none.
json::value runtime_command_json(const std::string& stored) {
  auto argv = connectors::parse_command(stored);
  if (stored.empty() || !argv) {
    return nullptr;
  }
  json::array out;
  for (auto& arg : *argv) {
    out.emplace_back(arg);
  }
  return out;
}

json::object to_json(const connector_row& row, const security::keyring& secrets) {
  json::object out{{"id", row.id},
                   {"tenant_id", row.tenant_id},
                   {"connector_type", row.connector_type},
                   {"name", row.name},
                   {"description", optional_text(row.description)},
                   {"is_enabled", row.is_enabled},
                   {"runtime_type", row.runtime_type},
                   {"runtime_command", runtime_command_json(row.runtime_command)},
                   {"package_path", optional_text(row.package_path)},
                   {"created_at", row.created_at},
                   {"updated_at", row.updated_at}};
  for (auto& [name, value] : present_connector(row, secrets)) {
    out[name] = std::move(value);
  }
  return out;
}

std::string to_json_array(const std::vector<connector_row>& rows,
                          const security::keyring& secrets) {
  json::array result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    result.emplace_back(to_json(row, secrets));
  }
  return json::serialize(result);
}

json::object to_json(const api_key_row& row) {
  return json::object{{"id", row.id},
                      {"name", row.name},
                      {"key_prefix", row.key_prefix},
                      {"scope", to_string(row.role)},
                      {"tenant_id", optional_text(row.tenant_id)},
                      {"tenant_slug", optional_text(row.tenant_slug)},
                      {"is_active", row.is_active},
                      {"expires_at", optional_text(row.expires_at)},
                      {"last_used_at", optional_text(row.last_used_at)},
                      {"created_at", row.created_at}};
}

template <class Rows>
std::string to_json_array(const Rows& rows) {
  json::array result;
  result.reserve(rows.size());
  for (const auto& row : rows) {
    result.emplace_back(to_json(row));
  }
  return json::serialize(result);
}

void evict(transport_context& ctx, std::string slug, std::string connector_id) {
  caf::anon_send(ctx.pool, atom::evict_v, std::move(slug), std::move(connector_id));
}

// Reads the optional tenant fields shared by create and update.
caf::error read_tenant_fields(const json_body& body, tenant_row& row) {
  auto name = body.required_string("name", 100);
  if (!name) {
    return std::move(name.error());
  }
  row.name = std::move(*name);
  auto description = body.string("description");
  if (!description) {
    return std::move(description.error());
  }
  row.description = description->value_or("");
  auto email = body.string("contact_email");
  if (!email) {
    return std::move(email.error());
  }
  if (*email && ((*email)->size() > 255 || (*email)->find('@') == std::string::npos)) {
    return make_error(errc::invalid_argument, "'contact_email' must be an e-mail address");
  }
  row.contact_email = email->value_or("");
  auto rpm = body.integer("rate_limit_rpm", 0, 1'000'000'000);
  if (!rpm) {
    return std::move(rpm.error());
  }
  // Absent keeps the current limit (the caller's row holds it); null returns to the default.
  if (*rpm) {
    row.rate_limit_rpm = static_cast<int32_t>(**rpm);
  } else if (body.contains("rate_limit_rpm")) {
    row.rate_limit_rpm = -1;
  }
  return {};
}

// Runs `f(snapshot, row)` for the path's connector, or answers 404.
template <class F>
void with_connector(transport_context& ctx, const route_match& match, responder reply, F f) {
  auto id = std::string{match.param("connector")};
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply, id, f = std::move(f)](tenant_snapshot& snapshot) mutable {
      auto& rows = snapshot.connectors;
      auto i = std::find_if(rows.begin(), rows.end(), [&](const auto& x) {
        return x.id == id;
      });
      if (i == rows.end()) {
        reply(error_response(404, "connector_not_found", "Connector '" + id + "' not found"));
        return;
      }
      f(snapshot, *i, std::move(reply));
    },
    fail(reply), atom::load_v, std::string{match.param("tenant")});
}

// The configuration and environment objects of a create or update body, applied once the row
// knows its tenant, which binds its secrets.
struct secret_fields {
  std::optional<json::object> configuration;
  std::optional<json::object> runtime_env;
};

// Reads the connector fields of create and update into `row`, and its secrets into `secrets`.
caf::error read_connector_fields(const json_body& body, connector_row& row, bool creating,
                                 secret_fields& secrets) {
  auto name = body.string("name");
  auto description = body.string("description");
  auto configuration = body.object("configuration");
  auto runtime_env = body.object("runtime_env");
  auto package_path = body.string("package_path");
  if (auto err = first_error(name, description, configuration, runtime_env, package_path)) {
    return err;
  }
  if (const auto* command = body.find("runtime_command"); command != nullptr) {
    if (command->is_null()) {
      row.runtime_command.clear();
    } else {
      auto argv = connectors::parse_command(command->is_string() ? std::string{command->as_string()}
                                                                 : json::serialize(*command));
      if (!argv) {
        return std::move(argv.error());
      }
      json::array stored;
      for (auto& arg : *argv) {
        stored.emplace_back(arg);
      }
      row.runtime_command = json::serialize(stored);
    }
  }
  if (*package_path && !(*package_path)->empty() && (*package_path)->front() != '/') {
    return make_error(errc::invalid_argument, "'package_path' must be an absolute directory path");
  }
  if (*name || creating) {
    if (!*name || (*name)->empty() || (*name)->size() > 100) {
      return make_error(errc::invalid_argument, "'name' is required (1 to 100 characters)");
    }
    row.name = std::move(**name);
  }
  if (*description || creating) {
    row.description = description->value_or("");
  }
  if (*package_path || creating) {
    row.package_path = package_path->value_or("");
  }
  if (*configuration != nullptr) {
    secrets.configuration = **configuration;
  }
  if (*runtime_env != nullptr) {
    secrets.runtime_env = **runtime_env;
  }
  return {};
}

} // namespace

http_response error_of(const caf::error& err) {
  const auto& row = info(code_of(err));
  // Protocol-level codes answered inside HTTP 200 on MCP routes are client errors here.
  unsigned status = row.http_status == 200 ? 400 : row.http_status;
  return error_response(status, row.name, message_of(err));
}

bool is_valid_slug(std::string_view slug) {
  static constexpr std::array<std::string_view, 8> reserved{
    "admin", "api", "auth", "health", "metrics", "oauth", "registry", "static"};
  if (slug.empty() || slug.size() > 50 || slug.front() == '-' || slug.back() == '-') {
    return false;
  }
  if (std::find(reserved.begin(), reserved.end(), slug) != reserved.end()) {
    return false;
  }
  return std::all_of(slug.begin(), slug.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

void list_tenants(transport_context& ctx, const http_request&, const route_match&, const principal&,
                  responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply](std::vector<tenant_row>& rows) {
      reply(json_response(200, to_json_array(rows)));
    },
    fail(reply), atom::list_v, atom::tenant_v);
}

void create_tenant(transport_context& ctx, const http_request& req, const route_match&,
                   const principal&, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto slug = body->required_string("slug", 50);
  if (!slug) {
    reply(error_of(slug.error()));
    return;
  }
  if (!is_valid_slug(*slug)) {
    reply(error_response(400, "invalid_argument",
                         "'slug' must be 1-50 characters of a-z, 0-9 and '-', must not start or "
                         "end with '-', and must not be a reserved word"));
    return;
  }
  tenant_row row;
  row.slug = std::move(*slug);
  if (auto err = read_tenant_fields(*body, row)) {
    reply(error_of(err));
    return;
  }
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply](tenant_row& created) {
      ctx.limits.set_tenant(created.slug, created.rate_limit_rpm);
      reply(json_response(201, json::serialize(to_json(created))));
    },
    fail(reply), atom::create_v, std::move(row));
}

void get_tenant(transport_context& ctx, const http_request&, const route_match& match,
                const principal&, responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply](tenant_row& row) {
      reply(json_response(200, json::serialize(to_json(row))));
    },
    fail(reply), atom::get_v, atom::tenant_v, std::string{match.param("tenant")});
}

void update_tenant(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal&, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto parsed = std::make_shared<json_body>(std::move(*body));
  // Read first: fields the body leaves out keep their values.
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, parsed](tenant_row& row) {
      if (auto err = read_tenant_fields(*parsed, row)) {
        reply(error_of(err));
        return;
      }
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [&ctx, reply](tenant_row& updated) {
          ctx.limits.set_tenant(updated.slug, updated.rate_limit_rpm);
          evict(ctx, updated.slug, {});
          reply(json_response(200, json::serialize(to_json(updated))));
        },
        fail(reply), atom::update_v, std::move(row));
    },
    fail(reply), atom::get_v, atom::tenant_v, std::string{match.param("tenant")});
}

void delete_tenant(transport_context& ctx, const http_request&, const route_match& match,
                   const principal&, responder reply) {
  auto slug = std::string{match.param("tenant")};
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, slug](tenant_row& row) {
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [&ctx, reply, slug, id = row.id](atom::ok) {
          ctx.keys.erase_tenant(id);
          ctx.limits.erase_tenant(slug);
          evict(ctx, slug, {});
          reply(empty_response(204));
        },
        fail(reply), atom::erase_v, atom::tenant_v, slug);
    },
    fail(reply), atom::get_v, atom::tenant_v, slug);
}

void list_connectors(transport_context& ctx, const http_request&, const route_match& match,
                     const principal&, responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply](tenant_snapshot& snapshot) {
      reply(json_response(200, to_json_array(snapshot.connectors, ctx.secrets)));
    },
    fail(reply), atom::load_v, std::string{match.param("tenant")});
}

void create_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto runtime = body->string("runtime_type");
  if (!runtime) {
    reply(error_of(runtime.error()));
    return;
  }
  std::string runtime_type = *runtime ? **runtime : std::string{"native"};
  bool external = connectors::is_external_runtime(runtime_type);
  if (!external && runtime_type != "native") {
    reply(
      error_response(400, "invalid_argument",
                     "'runtime_type' must be " + std::string{connectors::runtime_types_text()}));
    return;
  }
  bool remote = runtime_type == connectors::remote_runtime;
  if (external && !remote && caller.role != scope::platform_admin) {
    reply(error_response(403, "forbidden",
                         "Only a platform administrator may add an external MCP server: it runs "
                         "a command on the server"));
    return;
  }
  if (remote && (body->contains("runtime_command") || body->contains("package_path"))) {
    reply(error_response(400, "invalid_argument",
                         "A remote MCP server runs no command: its URL goes in configuration "
                         "'url', its headers in 'runtime_env'"));
    return;
  }
  // An external server is no type of the catalog: "custom" unless named otherwise.
  auto type = external && !body->contains("connector_type")
                ? caf::expected<std::string>{std::string{"custom"}}
                : body->required_string("connector_type", 50);
  if (!type) {
    reply(error_of(type.error()));
    return;
  }
  if (!external && connectors::find_connector_type(*type) == nullptr) {
    std::string known;
    for (const auto* spec : connectors::connector_types()) {
      known += known.empty() ? "" : ", ";
      known += spec->type;
    }
    reply(error_response(400, "invalid_argument",
                         "Unknown connector_type '" + *type + "'; available: " + known));
    return;
  }
  connector_row row;
  row.connector_type = std::move(*type);
  row.runtime_type = runtime_type;
  secret_fields secrets;
  if (auto err = read_connector_fields(*body, row, true, secrets)) {
    reply(error_of(err));
    return;
  }
  if (external && !remote && row.runtime_command.empty()) {
    reply(error_response(400, "invalid_argument",
                         "An external MCP server needs a 'runtime_command', such as [\"npx\", "
                         "\"@modelcontextprotocol/server-everything\"]"));
    return;
  }
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, row, secrets](tenant_row& tenant) mutable {
      row.tenant_id = tenant.id;
      if (auto err = apply_connector_secrets(ctx.secrets, row, std::move(secrets.configuration),
                                             std::move(secrets.runtime_env), true)) {
        reply(error_of(err));
        return;
      }
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [&ctx, reply, slug = tenant.slug](connector_row& created) {
          // The tenant's cached snapshot does not know the new connector yet.
          evict(ctx, slug, created.id);
          reply(json_response(201, json::serialize(to_json(created, ctx.secrets))));
        },
        fail(reply), atom::create_v, std::move(row));
    },
    fail(reply), atom::get_v, atom::tenant_v, std::string{match.param("tenant")});
}

void get_connector(transport_context& ctx, const http_request&, const route_match& match,
                   const principal&, responder reply) {
  with_connector(ctx, match, std::move(reply),
                 [&ctx](tenant_snapshot&, connector_row& row, responder done) {
                   done(json_response(200, json::serialize(to_json(row, ctx.secrets))));
                 });
}

// Stores a changed connector row, evicts what the pool cached for it, and answers with it.
void store_connector(transport_context& ctx, const std::string& slug, connector_row row,
                     responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, slug](connector_row& updated) {
      evict(ctx, slug, updated.id);
      reply(json_response(200, json::serialize(to_json(updated, ctx.secrets))));
    },
    fail(reply), atom::update_v, std::move(row));
}

void update_connector(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto parsed = std::make_shared<json_body>(std::move(*body));
  bool platform = caller.role == scope::platform_admin;
  with_connector(
    ctx, match, std::move(reply),
    [&ctx, parsed, platform](tenant_snapshot& snapshot, connector_row& row, responder done) {
      // What an external server runs and with what environment is the platform's
      // to say: a tenant could otherwise run anything on the server.
      if (connectors::runs_process(row.runtime_type) && !platform
          && (parsed->contains("runtime_command") || parsed->contains("runtime_env")
              || parsed->contains("package_path"))) {
        done(error_response(403, "forbidden",
                            "Only a platform administrator may change what an "
                            "external MCP server runs"));
        return;
      }
      if (!connectors::runs_process(row.runtime_type)
          && (parsed->contains("runtime_command")
              || (row.runtime_type == connectors::remote_runtime
                  && parsed->contains("package_path")))) {
        done(error_response(400, "invalid_argument",
                            "'runtime_command' and 'package_path' belong to external MCP servers "
                            "that run as a process"));
        return;
      }
      secret_fields secrets;
      if (auto err = read_connector_fields(*parsed, row, false, secrets)) {
        done(error_of(err));
        return;
      }
      if (auto err = apply_connector_secrets(ctx.secrets, row, std::move(secrets.configuration),
                                             std::move(secrets.runtime_env), false)) {
        done(error_of(err));
        return;
      }
      store_connector(ctx, snapshot.tenant.slug, std::move(row), std::move(done));
    });
}

void toggle_connector(transport_context& ctx, const http_request&, const route_match& match,
                      const principal&, responder reply) {
  with_connector(ctx, match, std::move(reply),
                 [&ctx](tenant_snapshot& snapshot, connector_row& row, responder done) {
                   row.is_enabled = !row.is_enabled;
                   store_connector(ctx, snapshot.tenant.slug, std::move(row), std::move(done));
                 });
}

void delete_connector(transport_context& ctx, const http_request&, const route_match& match,
                      const principal&, responder reply) {
  with_connector(ctx, match, std::move(reply),
                 [&ctx](tenant_snapshot& snapshot, connector_row& row, responder done) {
                   ask(
                     ctx.sys, ctx.db, ctx.options.admin_timeout,
                     [&ctx, done, slug = snapshot.tenant.slug, id = row.id](atom::ok) {
                       evict(ctx, slug, id);
                       done(empty_response(204));
                     },
                     fail(done), atom::erase_v, atom::connector_v, row.tenant_id, row.id);
                 });
}

void list_connector_types(transport_context&, const http_request&, const route_match&,
                          const principal&, responder reply) {
  json::array result;
  for (const auto* spec : connectors::connector_types()) {
    json::array tools;
    for (const auto& tool : spec->tools) {
      tools.emplace_back(tool.name);
    }
    json::array fields;
    for (const auto& field : spec->configuration) {
      fields.emplace_back(json::object{{"name", field.name},
                                       {"title", field.title},
                                       {"description", field.description},
                                       {"secret", field.secret},
                                       {"required", field.required}});
    }
    result.emplace_back(json::object{{"type", spec->type},
                                     {"display_name", spec->display_name},
                                     {"description", spec->description},
                                     {"configuration", std::move(fields)},
                                     {"tools", std::move(tools)}});
  }
  reply(json_response(200, json::serialize(result)));
}

void list_keys(transport_context& ctx, const http_request&, const route_match&, const principal&,
               responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply](std::vector<api_key_row>& rows) {
      reply(json_response(200, to_json_array(rows)));
    },
    fail(reply), atom::list_v, atom::key_v);
}

namespace {

void insert_key(transport_context& ctx, api_key_row row, const std::string& key, responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, key](api_key_row& created) {
      ctx.keys.put(created);
      auto body = to_json(created);
      body["key"] = key;
      reply(json_response(201, json::serialize(body)));
    },
    fail(reply), atom::create_v, std::move(row));
}

} // namespace

void create_key(transport_context& ctx, const http_request& req, const route_match&,
                const principal&, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto name = body->required_string("name", 255);
  auto scope_name = body->required_string("scope", 32);
  auto tenant = body->string("tenant_id");
  auto expires = body->string("expires_at");
  if (auto err = first_error(name, scope_name, tenant, expires)) {
    reply(error_of(err));
    return;
  }
  auto role = parse_scope(*scope_name);
  if (!role) {
    reply(error_response(400, "invalid_argument",
                         "'scope' must be platform_admin, tenant_admin or tenant_user"));
    return;
  }
  if (*expires && !parse_timestamp(**expires)) {
    reply(
      error_response(400, "invalid_argument", "'expires_at' must be an ISO-8601 UTC timestamp"));
    return;
  }
  api_key_row row;
  row.name = std::move(*name);
  row.role = *role;
  row.expires_at = expires->value_or("");
  auto key = generate_api_key(*role);
  row.key_prefix = display_prefix(key);
  row.key_hash = ctx.keys.hash(key);
  if (*role == scope::platform_admin) {
    if (*tenant) {
      reply(error_response(400, "invalid_argument",
                           "platform_admin keys are not bound to a tenant; omit 'tenant_id'"));
      return;
    }
    insert_key(ctx, std::move(row), key, std::move(reply));
    return;
  }
  if (!*tenant || (*tenant)->empty()) {
    reply(error_response(400, "invalid_argument",
                         "'tenant_id' (the tenant's id or slug) is required for tenant keys"));
    return;
  }
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, row, key, wanted = **tenant](std::vector<tenant_row>& tenants) mutable {
      auto i = std::find_if(tenants.begin(), tenants.end(), [&](const auto& t) {
        return t.id == wanted || t.slug == wanted;
      });
      if (i == tenants.end()) {
        reply(error_response(400, "invalid_argument", "Tenant '" + wanted + "' does not exist"));
        return;
      }
      row.tenant_id = i->id;
      row.tenant_slug = i->slug;
      insert_key(ctx, std::move(row), key, std::move(reply));
    },
    fail(reply), atom::list_v, atom::tenant_v);
}

void revoke_key(transport_context& ctx, const http_request&, const route_match& match,
                const principal&, responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply](api_key_row& row) {
      ctx.keys.erase(row.id);
      reply(empty_response(204));
    },
    fail(reply), atom::revoke_v, std::string{match.param("key")});
}

void verify_key(transport_context&, const http_request&, const route_match&,
                const principal& caller, responder reply) {
  json::object body{{"valid", true},
                    {"key_id", caller.key_id},
                    {"scope", to_string(caller.role)},
                    {"tenant_id", optional_text(caller.tenant_id)},
                    {"tenant_slug", optional_text(caller.tenant_slug)}};
  reply(json_response(200, json::serialize(body)));
}

namespace {

// A tool a connector has, for its policy.
struct catalog_tool {
  std::string name;
  std::string description;
};

// Every tool of a connector: what its type declares, or what its external server lists.
using tool_catalog = std::vector<catalog_tool>;

const catalog_tool* find_tool(const tool_catalog& catalog, std::string_view name) {
  auto i = std::find_if(catalog.begin(), catalog.end(), [name](const catalog_tool& tool) {
    return tool.name == name;
  });
  return i == catalog.end() ? nullptr : &*i;
}

// The tool policy of a connector: every tool it has, with its state (a tool without a row is
// enabled).
json::object policy_json(const tool_catalog& catalog, const std::string& connector_id,
                         const std::vector<tool_state_row>& states) {
  json::array tools;
  size_t enabled = 0;
  for (const auto& tool : catalog) {
    auto i = std::find_if(states.begin(), states.end(), [&](const auto& x) {
      return x.tool_name == tool.name;
    });
    bool on = i == states.end() || i->is_enabled;
    enabled += on ? 1 : 0;
    tools.emplace_back(json::object{
      {"tool_name", tool.name}, {"description", tool.description}, {"is_enabled", on}});
  }
  auto total = catalog.size();
  return json::object{
    {"connector_id", connector_id},
    {"tools", std::move(tools)},
    {"summary",
     json::object{{"total", total}, {"enabled", enabled}, {"disabled", total - enabled}}}};
}

// The catalog of an external connector, from the tool list its server answers now.
caf::expected<tool_catalog> catalog_of(const std::string& listed) {
  json::error_code ec;
  auto parsed = json::parse(listed, ec);
  if (ec || !parsed.is_array()) {
    return make_error(errc::upstream_failure, "The MCP server's tool list cannot be read");
  }
  tool_catalog catalog;
  for (const auto& item : parsed.as_array()) {
    const auto& tool = item.as_object();
    catalog.push_back(
      {std::string{tool.at("name").as_string()}, std::string{tool.at("description").as_string()}});
  }
  return catalog;
}

// Runs `f(catalog, row, tenant slug, reply)` for the path's connector and the tools it has: its
// type's, or for an external server, the ones its instance lists (started if need be).
template <class F>
void with_tool_catalog(transport_context& ctx, const route_match& match, const principal& caller,
                       responder reply, F f) {
  with_connector(
    ctx, match, std::move(reply),
    [&ctx, key_id = caller.key_id, f = std::move(f)](tenant_snapshot& snapshot, connector_row& row,
                                                     responder done) mutable {
      if (!connectors::is_external_runtime(row.runtime_type)) {
        const auto* spec = connectors::find_connector_type(row.connector_type);
        if (spec == nullptr) {
          done(error_response(409, "conflict",
                              "Connector type '" + row.connector_type
                                + "' is not available on this server"));
          return;
        }
        auto catalog = std::make_shared<tool_catalog>();
        for (const auto& tool : spec->tools) {
          catalog->push_back({std::string{tool.name}, std::string{tool.description}});
        }
        f(std::shared_ptr<const tool_catalog>{std::move(catalog)}, row, snapshot.tenant.slug,
          std::move(done));
        return;
      }
      auto on_error = [done](caf::error& err) {
        done(error_response(502, "upstream_failure",
                            "The tools of the external MCP server cannot be listed: "
                              + message_of(err)));
      };
      ask(
        ctx.sys, ctx.pool, ctx.options.admin_timeout,
        [&ctx, f, row, slug = snapshot.tenant.slug, done,
         on_error](caf::strong_actor_ptr& instance) mutable {
          ask(
            ctx.sys, caf::actor_cast<connector_actor>(instance), ctx.options.admin_timeout,
            [f, row, slug, done](std::string& listed) mutable {
              auto catalog = catalog_of(listed);
              if (!catalog) {
                done(error_response(502, "upstream_failure", message_of(catalog.error())));
                return;
              }
              f(std::make_shared<const tool_catalog>(std::move(*catalog)), row, slug,
                std::move(done));
            },
            on_error, atom::get_v, atom::tool_v);
        },
        on_error, atom::open_v, atom::instance_v, snapshot.tenant.slug, row.id, key_id);
    });
}

// Stores policy changes, then makes every instance and session of the connector follow them;
// `answer` builds the response from the connector's rows afterwards.
template <class Answer>
void store_policy(transport_context& ctx, const std::string& slug, const std::string& connector_id,
                  std::vector<tool_state_row> states, std::vector<std::string> removed,
                  responder reply, Answer answer) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, slug, connector_id, answer](std::vector<tool_state_row>& rows) {
      caf::anon_send(ctx.pool, atom::update_v, atom::tool_v, slug, connector_id);
      reply(answer(rows));
    },
    fail(reply), atom::update_v, atom::tool_v, connector_id, std::move(states), std::move(removed));
}

// Every tool of a connector set to one state.
void set_all_tools(transport_context& ctx, const route_match& match, const principal& caller,
                   responder reply, bool on) {
  with_tool_catalog(ctx, match, caller, std::move(reply),
                    [&ctx, on](const std::shared_ptr<const tool_catalog>& catalog,
                               connector_row& row, const std::string& slug, responder done) {
                      std::vector<tool_state_row> states;
                      for (const auto& tool : *catalog) {
                        states.push_back(tool_state_row{row.id, tool.name, on, {}});
                      }
                      store_policy(ctx, slug, row.id, std::move(states), {}, std::move(done),
                                   [catalog, id = row.id](const std::vector<tool_state_row>& rows) {
                                     return json_response(
                                       200, json::serialize(policy_json(*catalog, id, rows)));
                                   });
                    });
}

caf::error unknown_tool(const std::string& name) {
  return make_error(errc::not_found, "Tool '" + name + "' is not a tool of this connector");
}

} // namespace

void list_tool_policy(transport_context& ctx, const http_request&, const route_match& match,
                      const principal& caller, responder reply) {
  with_tool_catalog(ctx, match, caller, std::move(reply),
                    [&ctx](const std::shared_ptr<const tool_catalog>& catalog, connector_row& row,
                           const std::string&, responder done) {
                      ask(
                        ctx.sys, ctx.db, ctx.options.admin_timeout,
                        [catalog, done, id = row.id](std::vector<tool_state_row>& rows) {
                          done(
                            json_response(200, json::serialize(policy_json(*catalog, id, rows))));
                        },
                        fail(done), atom::list_v, atom::tool_v, row.id);
                    });
}

void update_tool_policy(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  auto on = body->boolean("is_enabled");
  if (!on || !*on) {
    reply(error_of(on ? make_error(errc::invalid_argument, "'is_enabled' (a boolean) is required")
                      : on.error()));
    return;
  }
  auto name = std::string{match.param("tool")};
  with_tool_catalog(
    ctx, match, caller, std::move(reply),
    [&ctx, name, enabled = **on](const std::shared_ptr<const tool_catalog>& catalog,
                                 connector_row& row, const std::string& slug, responder done) {
      const auto* tool = find_tool(*catalog, name);
      if (tool == nullptr) {
        done(error_of(unknown_tool(name)));
        return;
      }
      store_policy(ctx, slug, row.id, {tool_state_row{row.id, name, enabled, {}}}, {},
                   std::move(done), [found = *tool, enabled](const std::vector<tool_state_row>&) {
                     json::object result{{"tool_name", found.name},
                                         {"description", found.description},
                                         {"is_enabled", enabled}};
                     return json_response(200, json::serialize(result));
                   });
    });
}

void bulk_update_tool_policy(transport_context& ctx, const http_request& req,
                             const route_match& match, const principal& caller, responder reply) {
  auto body = json_body::parse(req.body);
  if (!body) {
    reply(error_of(body.error()));
    return;
  }
  const auto* updates = body->find("updates");
  if (updates == nullptr || !updates->is_array() || updates->as_array().empty()
      || updates->as_array().size() > 1000) {
    reply(error_response(400, "invalid_argument",
                         "'updates' must be an array of 1 to 1000 {tool_name, is_enabled} "
                         "objects"));
    return;
  }
  std::vector<std::pair<std::string, bool>> wanted;
  for (const auto& entry : updates->as_array()) {
    const auto* obj = entry.if_object();
    const auto* name = obj != nullptr ? obj->if_contains("tool_name") : nullptr;
    const auto* on = obj != nullptr ? obj->if_contains("is_enabled") : nullptr;
    if (name == nullptr || !name->is_string() || on == nullptr || !on->is_bool()) {
      reply(error_response(400, "invalid_argument",
                           "every update needs 'tool_name' (a string) and 'is_enabled' "
                           "(a boolean)"));
      return;
    }
    wanted.emplace_back(std::string{name->as_string()}, on->as_bool());
  }
  with_tool_catalog(ctx, match, caller, std::move(reply),
                    [&ctx, wanted](const std::shared_ptr<const tool_catalog>& catalog,
                                   connector_row& row, const std::string& slug, responder done) {
                      std::vector<tool_state_row> states;
                      for (const auto& [name, on] : wanted) {
                        if (find_tool(*catalog, name) == nullptr) {
                          // Nothing is written when one name is wrong.
                          done(error_of(unknown_tool(name)));
                          return;
                        }
                        states.push_back(tool_state_row{row.id, name, on, {}});
                      }
                      store_policy(ctx, slug, row.id, std::move(states), {}, std::move(done),
                                   [catalog, id = row.id](const std::vector<tool_state_row>& rows) {
                                     return json_response(
                                       200, json::serialize(policy_json(*catalog, id, rows)));
                                   });
                    });
}

void enable_all_tools(transport_context& ctx, const http_request&, const route_match& match,
                      const principal& caller, responder reply) {
  set_all_tools(ctx, match, caller, std::move(reply), true);
}

void disable_all_tools(transport_context& ctx, const http_request&, const route_match& match,
                       const principal& caller, responder reply) {
  set_all_tools(ctx, match, caller, std::move(reply), false);
}

void sync_tool_policy(transport_context& ctx, const http_request&, const route_match& match,
                      const principal& caller, responder reply) {
  with_tool_catalog(ctx, match, caller, std::move(reply),
                    [&ctx](const std::shared_ptr<const tool_catalog>& catalog, connector_row& row,
                           const std::string& slug, responder done) {
                      ask(
                        ctx.sys, ctx.db, ctx.options.admin_timeout,
                        [&ctx, catalog, done, slug,
                         id = row.id](std::vector<tool_state_row>& rows) {
                          // Rows for tools the connector no longer has go; tools without a row get
                          // one.
                          std::vector<std::string> removed;
                          for (const auto& state : rows) {
                            if (find_tool(*catalog, state.tool_name) == nullptr) {
                              removed.push_back(state.tool_name);
                            }
                          }
                          std::vector<tool_state_row> added;
                          for (const auto& tool : *catalog) {
                            if (std::none_of(rows.begin(), rows.end(), [&](const auto& x) {
                                  return x.tool_name == tool.name;
                                })) {
                              added.push_back(tool_state_row{id, tool.name, true, {}});
                            }
                          }
                          json::array added_names;
                          for (const auto& state : added) {
                            added_names.emplace_back(state.tool_name);
                          }
                          json::array removed_names(removed.begin(), removed.end());
                          auto unchanged = rows.size() - removed.size();
                          auto body = json::object{{"added", std::move(added_names)},
                                                   {"removed", std::move(removed_names)},
                                                   {"unchanged", unchanged}};
                          store_policy(ctx, slug, id, std::move(added), std::move(removed), done,
                                       [body](const std::vector<tool_state_row>&) {
                                         return json_response(200, json::serialize(body));
                                       });
                        },
                        fail(done), atom::list_v, atom::tool_v, row.id);
                    });
}

namespace {

// Answers with the raw JSON a pool query returns.
template <class... Ts>
void ask_pool(transport_context& ctx, responder reply, Ts&&... xs) {
  ask(
    ctx.sys, ctx.pool, ctx.options.admin_timeout,
    [reply](std::string& body) {
      reply(json_response(200, std::move(body)));
    },
    fail(reply), std::forward<Ts>(xs)...);
}

// The optional `tenant_slug` query parameter of the pool and session listings.
// An integer query parameter from `min` to `max`; `fallback` when absent.
caf::expected<int64_t> integer_param(const http_request& req, std::string_view name,
                                     int64_t fallback, int64_t min, int64_t max) {
  auto text = query_param(req.query, name);
  if (text.empty()) {
    return fallback;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return make_error(errc::invalid_argument, "'" + std::string{name} + "' must be an integer from "
                                                + std::to_string(min) + " to "
                                                + std::to_string(max));
  }
  return value;
}

json::value parsed_or_empty(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  return ec ? json::value(json::object{}) : value;
}

// Answers with the audit entries of `slug` (all for an empty one), newest first.
void reply_audit(transport_context& ctx, const http_request& req, std::string slug,
                 responder reply) {
  auto limit = integer_param(req, "limit", 100, 1, 1000);
  if (!limit) {
    reply(error_of(limit.error()));
    return;
  }
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply](std::vector<audit_row>& rows) {
      json::array entries;
      for (const auto& row : rows) {
        entries.emplace_back(json::object{
          {"id", row.id},
          {"at", row.at},
          {"actor_key_id", row.actor_key_id},
          {"actor_scope", row.actor_scope},
          {"tenant_slug", row.tenant_slug.empty() ? json::value() : json::value(row.tenant_slug)},
          {"action", row.action},
          {"target", parsed_or_empty(row.target)},
          {"detail", parsed_or_empty(row.detail)}});
      }
      reply(json_response(200, json::serialize(entries)));
    },
    fail(reply), atom::list_v, atom::audit_v, std::move(slug), *limit);
}

caf::expected<std::string> tenant_filter(const http_request& req) {
  auto slug = std::string{query_param(req.query, "tenant_slug")};
  if (!slug.empty() && !is_valid_slug(slug)) {
    return make_error(errc::invalid_argument, "'tenant_slug' is not a tenant slug");
  }
  return slug;
}

} // namespace

void list_pool(transport_context& ctx, const http_request& req, const route_match&,
               const principal&, responder reply) {
  auto slug = tenant_filter(req);
  if (!slug) {
    reply(error_of(slug.error()));
    return;
  }
  ask_pool(ctx, std::move(reply), atom::list_v, atom::instance_v, std::move(*slug));
}

void pool_summary(transport_context& ctx, const http_request&, const route_match&, const principal&,
                  responder reply) {
  ask_pool(ctx, std::move(reply), atom::status_v);
}

namespace {

// Runs `f` for an external connector of the path, or answers why there is none.
template <class F>
void with_external(transport_context& ctx, const route_match& match, responder reply, F f) {
  with_connector(ctx, match, std::move(reply),
                 [f = std::move(f)](tenant_snapshot& snapshot, connector_row& row,
                                    responder done) mutable {
                   if (!connectors::is_external_runtime(row.runtime_type)) {
                     done(error_response(400, "invalid_argument",
                                         "Connector '" + row.id
                                           + "' is native: only external MCP servers run as "
                                             "processes"));
                     return;
                   }
                   f(snapshot.tenant.slug, row, std::move(done));
                 });
}

} // namespace

namespace {

// Asks the pool about the processes of the path's external connector: `message` after the
// connector's tenant slug and id, whose `Answer` `on_answer` turns into the response.
template <class Answer, class OnAnswer, class... Message>
void ask_processes(transport_context& ctx, const route_match& match, responder reply,
                   OnAnswer on_answer, Message... message) {
  with_external(ctx, match, std::move(reply),
                [&ctx, on_answer, message...](const std::string& slug, const connector_row& row,
                                              responder done) {
                  ask(
                    ctx.sys, ctx.pool, ctx.options.admin_timeout,
                    [done, on_answer, row](Answer& answer) {
                      done(on_answer(row, answer));
                    },
                    fail(done), message..., slug, row.id);
                });
}

} // namespace

void get_process(transport_context& ctx, const http_request&, const route_match& match,
                 const principal&, responder reply) {
  ask_processes<std::string>(
    ctx, match, std::move(reply),
    [](const connector_row& row, const std::string& processes) {
      json::error_code ec;
      json::object out{{"connector_id", row.id},
                       {"runtime_type", row.runtime_type},
                       {"processes", json::parse(processes, ec)}};
      return json_response(200, json::serialize(out));
    },
    atom::get_v, atom::instance_v);
}

void restart_process(transport_context& ctx, const http_request&, const route_match& match,
                     const principal&, responder reply) {
  ask_processes<atom::ok>(
    ctx, match, std::move(reply),
    [](const connector_row&, atom::ok) {
      return json_response(202, R"({"restarting":true})");
    },
    atom::restart_v);
}

void stop_process(transport_context& ctx, const http_request&, const route_match& match,
                  const principal&, responder reply) {
  ask_processes<atom::ok>(
    ctx, match, std::move(reply),
    [](const connector_row&, atom::ok) {
      return empty_response(204);
    },
    atom::evict_v, atom::instance_v);
}

void evict_pool_entry(transport_context& ctx, const http_request&, const route_match& match,
                      const principal&, responder reply) {
  ask(
    ctx.sys, ctx.pool, ctx.options.admin_timeout,
    [reply](atom::ok) {
      reply(empty_response(204));
    },
    fail(reply), atom::evict_v, atom::instance_v, std::string{match.param("tenant")},
    std::string{match.param("connector")});
}

void evict_idle_pool_entries(transport_context& ctx, const http_request& req, const route_match&,
                             const principal&, responder reply) {
  auto idle = integer_param(req, "idle_seconds", 600, 0, std::numeric_limits<int64_t>::max());
  if (!idle) {
    reply(error_of(idle.error()));
    return;
  }
  ask(
    ctx.sys, ctx.pool, ctx.options.admin_timeout,
    [reply, idle = *idle](uint64_t evicted) {
      json::object body{{"evicted", evicted}, {"idle_seconds", idle}};
      reply(json_response(200, json::serialize(body)));
    },
    fail(reply), atom::evict_v, atom::instance_v, *idle);
}

void list_sessions(transport_context& ctx, const http_request& req, const route_match&,
                   const principal&, responder reply) {
  auto slug = tenant_filter(req);
  if (!slug) {
    reply(error_of(slug.error()));
    return;
  }
  ask_pool(ctx, std::move(reply), atom::list_v, atom::session_v, std::move(*slug));
}

void get_session(transport_context& ctx, const http_request&, const route_match& match,
                 const principal&, responder reply) {
  ask_pool(ctx, std::move(reply), atom::get_v, atom::session_v,
           std::string{match.param("session")});
}

void terminate_session(transport_context& ctx, const http_request&, const route_match& match,
                       const principal&, responder reply) {
  ask(
    ctx.sys, ctx.pool, ctx.options.admin_timeout,
    [reply](atom::ok) {
      reply(empty_response(204));
    },
    fail(reply), atom::close_v, atom::session_v, std::string{match.param("session")});
}

void list_audit(transport_context& ctx, const http_request& req, const route_match&,
                const principal&, responder reply) {
  auto slug = tenant_filter(req);
  if (!slug) {
    reply(error_of(slug.error()));
    return;
  }
  reply_audit(ctx, req, std::move(*slug), std::move(reply));
}

void list_tenant_audit(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal&, responder reply) {
  reply_audit(ctx, req, std::string{match.param("tenant")}, std::move(reply));
}

json::value usage_json(const usage_row& row) {
  return json::object{{"day", row.day},
                      {"tenant_slug", row.tenant_slug},
                      {"connector_id", row.connector_id},
                      {"tool_name", row.tool_name},
                      {"calls", row.calls},
                      {"errors", row.errors}};
}

void list_usage(transport_context& ctx, const http_request& req, const route_match&,
                const principal&, responder reply) {
  auto slug = tenant_filter(req);
  if (!slug) {
    reply(error_of(slug.error()));
    return;
  }
  auto days = integer_param(req, "days", 7, 1, 366);
  if (!days) {
    reply(error_of(days.error()));
    return;
  }
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply](std::vector<usage_row>& rows) {
      json::array result;
      for (const auto& row : rows) {
        result.push_back(usage_json(row));
      }
      reply(json_response(200, json::serialize(result)));
    },
    fail(reply), atom::list_v, atom::usage_v, std::move(*slug), utc_day(*days - 1));
}

void platform_stats(transport_context& ctx, const http_request&, const route_match&,
                    const principal&, responder reply) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply](std::vector<tenant_row>& tenants) {
      auto count = tenants.size();
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [&ctx, reply, count](std::vector<usage_row>& today) {
          json::object usage{{"day", utc_day(0)}, {"calls", 0}, {"errors", 0}};
          json::object by_tenant;
          int64_t calls = 0;
          int64_t errors = 0;
          for (const auto& row : today) {
            calls += row.calls;
            errors += row.errors;
            auto& entry = by_tenant[row.tenant_slug];
            auto before = entry.is_int64() ? entry.as_int64() : 0;
            entry = before + row.calls;
          }
          usage["calls"] = calls;
          usage["errors"] = errors;
          usage["calls_by_tenant"] = std::move(by_tenant);
          ask(
            ctx.sys, ctx.pool, ctx.options.admin_timeout,
            [reply, count, usage = std::move(usage)](std::string& pool_status) {
              boost::system::error_code ec;
              auto pool = json::parse(pool_status, ec);
              const auto* obj = ec ? nullptr : pool.if_object();
              auto field = [obj](std::string_view key) {
                const auto* value = obj != nullptr ? obj->if_contains(key) : nullptr;
                return value != nullptr ? *value : json::value{};
              };
              json::object body{
                {"tenants", count},
                {"active_instances", field("instances")},
                {"active_sessions", field("sessions")},
                {"pool_hits", field("hits")},
                {"pool_misses", field("misses")},
                {"tool_calls_since_start",
                 static_cast<uint64_t>(observability::metrics::global().tool_calls())},
                {"usage_today", usage},
                {"timestamp", format_timestamp(std::chrono::system_clock::to_time_t(
                                std::chrono::system_clock::now()))}};
              reply(json_response(200, json::serialize(body)));
            },
            fail(reply), atom::status_v);
        },
        fail(reply), atom::list_v, atom::usage_v, std::string{}, utc_day(0));
    },
    fail(reply), atom::list_v, atom::tenant_v);
}

void platform_settings(transport_context& ctx, const http_request&, const route_match&,
                       const principal&, responder reply) {
  reply(json_response(200, ctx.settings));
}

} // namespace sagemcp::transport
