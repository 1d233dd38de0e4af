#include "transport/dispatcher.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"
#include "observability/metrics.hpp"
#include "transport/admin_api.hpp"
#include "transport/bridge.hpp"
#include "transport/logs_api.hpp"
#include "transport/mcp/protocol.hpp"
#include "transport/mcp_endpoint.hpp"
#include "transport/oauth_api.hpp"
#include "transport/static_files.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

#include "security/crypto.hpp"

namespace sagemcp::transport {

namespace {

namespace json = boost::json;

using observability::log;
using observability::log_level;

void root(transport_context&, const http_request&, const route_match&, const principal&,
          responder reply) {
  boost::json::object endpoints{{"mcp", "/api/v1/{tenant}/connectors/{connector_id}/mcp"},
                                {"admin", "/api/v1/admin"},
                                {"keys", "/api/v1/auth/keys"},
                                {"health", "/health/ready"},
                                {"metrics", "/metrics"}};
  boost::json::object body{
    {"name", "sagemcp"}, {"version", SAGEMCP_VERSION}, {"endpoints", std::move(endpoints)}};
  reply(json_response(200, boost::json::serialize(body)));
}

void health(transport_context&, const http_request&, const route_match&, const principal&,
            responder reply) {
  reply(json_response(200, R"({"status":"healthy"})"));
}

void live(transport_context&, const http_request&, const route_match&, const principal&,
          responder reply) {
  reply(json_response(200, R"({"status":"alive"})"));
}

void startup(transport_context& ctx, const http_request&, const route_match&, const principal&,
             responder reply) {
  if (ctx.health.started) {
    reply(json_response(200, R"({"status":"started"})"));
  } else {
    reply(json_response(503, R"({"status":"starting"})"));
  }
}

void ready(transport_context& ctx, const http_request&, const route_match&, const principal&,
           responder reply) {
  if (!ctx.health.started || ctx.health.stopping) {
    reply(json_response(503, ctx.health.stopping ? R"({"status":"stopping"})"
                                                 : R"({"status":"starting"})"));
    return;
  }
  ask(
    ctx.sys, ctx.db, std::chrono::seconds{2},
    [reply](atom::ok) {
      reply(json_response(200, R"({"status":"ready","database":"ok"})"));
    },
    [reply](caf::error&) {
      reply(json_response(503, R"({"status":"not_ready","database":"unreachable"})"));
    },
    atom::ping_v);
}

void metrics(transport_context& ctx, const http_request&, const route_match&, const principal&,
             responder reply) {
  if (!ctx.options.metrics_enabled) {
    reply(error_response(404, "not_found", "Metrics are disabled (SAGEMCP_ENABLE_METRICS)"));
    return;
  }
  http_response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = observability::metrics::global().serialize();
  reply(std::move(response));
}

handler handler_of(route_id id) {
  switch (id) {
    using enum route_id;
    case root:
      return transport::root;
    case route_id::health:
      return transport::health;
    case health_live:
      return live;
    case health_ready:
      return ready;
    case health_startup:
      return startup;
    case route_id::metrics:
      return transport::metrics;
    case mcp_get:
      return handle_mcp_get;
    case mcp_post:
      return handle_mcp_post;
    case mcp_delete:
      return handle_mcp_delete;
    case mcp_sse:
      return handle_sse_open;
    case mcp_messages:
      return handle_sse_message;
    case tenants_list:
      return list_tenants;
    case tenant_create:
      return create_tenant;
    case tenant_get:
      return get_tenant;
    case tenant_update:
      return update_tenant;
    case tenant_delete:
      return delete_tenant;
    case connectors_list:
      return list_connectors;
    case connector_create:
      return create_connector;
    case connector_get:
      return get_connector;
    case connector_update:
      return update_connector;
    case connector_delete:
      return delete_connector;
    case connector_toggle:
      return toggle_connector;
    case route_id::connector_types:
      return list_connector_types;
    case keys_list:
      return list_keys;
    case key_create:
      return create_key;
    case key_revoke:
      return revoke_key;
    case key_verify:
      return verify_key;
    case tools_list:
      return list_tool_policy;
    case tool_update:
      return update_tool_policy;
    case tools_bulk_update:
      return bulk_update_tool_policy;
    case tools_enable_all:
      return enable_all_tools;
    case tools_disable_all:
      return disable_all_tools;
    case tools_sync:
      return sync_tool_policy;
    case pool_list:
      return list_pool;
    case route_id::pool_summary:
      return transport::pool_summary;
    case process_status:
      return get_process;
    case process_restart:
      return restart_process;
    case process_stop:
      return stop_process;
    case pool_evict:
      return evict_pool_entry;
    case pool_evict_idle:
      return evict_idle_pool_entries;
    case sessions_list:
      return list_sessions;
    case logs_stream:
      return stream_logs;
    case session_get:
      return get_session;
    case session_delete:
      return terminate_session;
    case stats:
      return platform_stats;
    case route_id::settings:
      return platform_settings;
    case audit_list:
      return list_audit;
    case tenant_audit:
      return list_tenant_audit;
    case route_id::usage:
      return list_usage;
    case oauth_providers:
      return list_oauth_providers;
    case oauth_credentials:
      return list_oauth_credentials;
    case oauth_start:
      return start_tenant_oauth;
    case oauth_revoke:
      return revoke_tenant_oauth;
    case oauth_start_personal:
      return start_personal_oauth;
    case oauth_revoke_personal:
      return revoke_personal_oauth;
    case route_id::oauth_callback:
      return transport::oauth_callback;
    case oauth_flow:
      return get_oauth_flow;
    case oauth_apps_list:
      return list_oauth_apps;
    case oauth_app_set:
      return set_oauth_app;
    case oauth_app_delete:
      return delete_oauth_app;
  }
  return transport::root;
}

bool is_mcp_route(const route& entry) {
  switch (entry.id) {
    case route_id::mcp_get:
    case route_id::mcp_post:
    case route_id::mcp_delete:
    case route_id::mcp_sse:
    case route_id::mcp_messages:
      return true;
    default:
      return false;
  }
}

// Whether a request changes what the admin API manages: every non-GET route but MCP traffic and
// key verification.
bool is_admin_change(const http_request& req, const route& entry) {
  return req.method != "GET" && !is_mcp_route(entry) && entry.id != route_id::key_verify;
}

// The names of the top-level fields of a JSON object body; never their values.
json::array field_names(std::string_view body) {
  json::array names;
  boost::system::error_code ec;
  auto parsed = json::parse(body.empty() ? std::string_view{"{}"} : body, ec);
  if (const auto* obj = ec ? nullptr : parsed.if_object()) {
    for (const auto& field : *obj) {
      names.emplace_back(field.key());
    }
  }
  return names;
}

// Records a successful admin change in the audit log once it was answered: who (the key and its
// scope), what (the route, its parameters, the id of what it created, the names of the fields it
// set) and when. A failed audit write is logged; the change itself stands.
responder audited(transport_context& ctx, const http_request& req, const route_match& match,
                  const principal& caller, responder done) {
  audit_row row;
  row.actor_key_id = caller.key_id.empty() ? std::string{anonymous_key_id} : caller.key_id;
  row.actor_scope = to_string(caller.role);
  row.tenant_slug = std::string{match.param("tenant")};
  row.action = req.method + " " + std::string{match.entry->pattern};
  json::object target;
  for (const auto& [name, value] : match.params) {
    target[name] = value;
  }
  json::object detail{{"request_id", req.request_id}, {"fields", field_names(req.body)}};
  return [&ctx, row = std::move(row), target = std::move(target), detail = std::move(detail),
          done = std::move(done)](http_response response) mutable {
    if (response.status >= 200 && response.status < 300) {
      boost::system::error_code ec;
      auto body = json::parse(
        response.body.empty() ? std::string_view{"{}"} : std::string_view{response.body}, ec);
      if (const auto* obj = ec ? nullptr : body.if_object()) {
        if (const auto* id = obj->if_contains("id"); id != nullptr && id->is_string()) {
          target["id"] = *id;
        }
        // A key names its tenant as `tenant_slug`, a tenant itself as `slug`.
        for (const auto* name : {"tenant_slug", "slug"}) {
          const auto* slug = obj->if_contains(name);
          if (row.tenant_slug.empty() && slug != nullptr && slug->is_string()) {
            row.tenant_slug = std::string{slug->as_string()};
          }
        }
      }
      detail["status"] = response.status;
      row.target = json::serialize(target);
      row.detail = json::serialize(detail);
      auto action = row.action;
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [](audit_row&) {
          // recorded
        },
        [action = std::move(action)](caf::error& err) {
          log(log_level::error, "an admin change was not recorded in the audit log",
              {{"action", action}, {"error", message_of(err)}});
        },
        atom::audit_v, std::move(row));
    }
    done(std::move(response));
  };
}

http_response deny(const route& entry, errc code) {
  auto err = make_error(code);
  http_response response = is_mcp_route(entry) ? jsonrpc_error_response(err)
                                               : error_response(info(code).http_status,
                                                                info(code).name, message_of(err));
  if (code == errc::unauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="sagemcp")");
  }
  return response;
}

std::optional<std::string_view> bearer_token(const http_request& req) {
  auto value = req.header("authorization");
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (ascii_lower(value[i]) != scheme[i]) {
      return std::nullopt;
    }
  }
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  return value.empty() ? std::nullopt : std::optional{value};
}

// 429 for a request over its tenant's rate limit, as a JSON-RPC error on the MCP routes.
http_response rate_limited(const http_request& req, const route_match& match,
                           std::chrono::seconds wait) {
  std::string_view transport = "http";
  if (match.entry->id == route_id::mcp_sse || match.entry->id == route_id::mcp_messages) {
    transport = "sse";
  } else if (mcp::is_websocket_upgrade(req.header("upgrade"))) {
    transport = "websocket";
  }
  observability::metrics::global().observe_rate_limited(transport);
  auto response = jsonrpc_error_response(rate_limit_error(wait));
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

// Authenticates and authorizes; nullopt with `denied` set when the caller may not proceed.
std::optional<principal> admit(transport_context& ctx, const http_request& req,
                               const route_match& match, std::optional<http_response>& denied) {
  const auto& entry = *match.entry;
  if (!entry.need) {
    return principal{};
  }
  if (!ctx.options.auth_enabled) {
    return principal{std::string{anonymous_key_id}, scope::platform_admin, {}, {}};
  }
  auto token = bearer_token(req);
  if (!token && mcp::is_websocket_upgrade(req.header("upgrade"))) {
    // Browsers cannot set headers on a WebSocket: they offer the key as a subprotocol.
    token = mcp::bearer_subprotocol(req.header("sec-websocket-protocol"));
  }
  auto caller = token ? ctx.keys.find(*token) : std::nullopt;
  if (!caller) {
    denied = deny(entry, errc::unauthenticated);
    return std::nullopt;
  }
  if (!is_authorized(entry, *caller, match.param("tenant"))) {
    denied = deny(entry, errc::forbidden);
    return std::nullopt;
  }
  return caller;
}

bool is_valid_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

// Wraps a responder so that every response is logged, measured and tagged with its request id.
responder instrument(const http_request& req, const route_match* match, responder reply,
                     std::string_view unmatched = "unmatched") {
  const route* entry = match != nullptr ? match->entry : nullptr;
  std::string tenant{match != nullptr ? match->param("tenant") : std::string_view{}};
  std::string connector{match != nullptr ? match->param("connector") : std::string_view{}};
  auto start = std::chrono::steady_clock::now();
  std::string_view route_name = entry != nullptr ? entry->pattern : unmatched;
  bool quiet = entry != nullptr
               && (entry->id == route_id::health_live || entry->id == route_id::health_ready
                   || entry->id == route_id::health_startup || entry->id == route_id::metrics);
  return [reply = std::move(reply), start, route_name, quiet, method = req.method,
          request_id = req.request_id, tenant = std::move(tenant),
          connector = std::move(connector)](http_response response) {
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    observability::metrics::global().observe_http(method, route_name, response.status,
                                                  elapsed.count());
    auto status = std::to_string(response.status);
    log(quiet ? log_level::debug : log_level::info, "request",
        {{"request_id", request_id},
         {"tenant", tenant},
         {"connector_id", connector},
         {"method", method},
         {"route", route_name},
         {"status", status}},
        "duration_us", std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    response.headers.emplace_back("X-Request-Id", request_id);
    reply(std::move(response));
  };
}

// Headers a browser may send and read across origins.
constexpr std::string_view cors_request_headers
  = "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, "
    "Mcp-Method, Mcp-Name, X-Request-Id";
constexpr std::string_view cors_exposed_headers
  = "Mcp-Session-Id, MCP-Protocol-Version, X-Request-Id, WWW-Authenticate";

// Adds CORS headers for an allowed Origin; no bearer cookies exist, so credentials stay off.
responder with_cors(const transport_context& ctx, const http_request& req, responder reply) {
  auto origin = req.header("origin");
  if (!mcp::is_cors_origin(origin, ctx.options.cors_origins)) {
    return reply;
  }
  return [reply = std::move(reply), origin = std::string{origin}](http_response response) {
    response.headers.emplace_back("Access-Control-Allow-Origin", origin);
    response.headers.emplace_back("Access-Control-Expose-Headers", cors_exposed_headers);
    response.headers.emplace_back("Vary", "Origin");
    reply(std::move(response));
  };
}

// Answers a CORS preflight: the route's methods for an allowed origin, 403 otherwise.
http_response preflight(const transport_context& ctx, const http_request& req) {
  if (!mcp::is_cors_origin(req.header("origin"), ctx.options.cors_origins)) {
    return error_response(403, "forbidden_origin", "Origin not allowed (CORS_ALLOWED_ORIGINS)");
  }
  auto match = match_route("OPTIONS", req.path);
  if (match || code_of(match.error()) != errc::method_not_allowed) {
    return error_response(404, "not_found", "Not Found");
  }
  auto response = empty_response(204);
  response.headers.emplace_back("Access-Control-Allow-Methods", message_of(match.error()));
  response.headers.emplace_back("Access-Control-Allow-Headers", cors_request_headers);
  response.headers.emplace_back("Access-Control-Max-Age", "600");
  return response;
}

// A request id: 16 base64url characters, unique in practice. It only tells log lines apart, so a
// generator per thread seeded from the CSPRNG serves, without a CSPRNG call per request.
std::string new_request_id() {
  thread_local std::mt19937_64 generator = [] {
    std::array<uint8_t, 8> seed{};
    security::random_bytes(seed);
    uint64_t value = 0;
    for (auto b : seed) {
      value = (value << 8) | b;
    }
    return std::mt19937_64{value};
  }();
  std::array<uint8_t, 12> bytes{};
  auto a = generator();
  auto b = generator();
  for (size_t i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(a >> (8 * i));
  }
  for (size_t i = 0; i < 4; ++i) {
    bytes[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  return security::base64url_encode(bytes);
}

} // namespace

void dispatch(transport_context& ctx, http_request req, responder reply) {
  if (!is_valid_request_id(req.header("x-request-id"))) {
    req.request_id = new_request_id();
  } else {
    req.request_id = std::string{req.header("x-request-id")};
  }
  reply = with_cors(ctx, req, std::move(reply));
  if (req.method == "OPTIONS" && req.has_header("access-control-request-method")) {
    instrument(req, nullptr, std::move(reply))(preflight(ctx, req));
    return;
  }
  auto match = match_route(req.method, req.path);
  bool page = match && match->entry->id == route_id::root && wants_html(req);
  if (!match || page) {
    if (auto file = serve_static(ctx.options.web_dir, req)) {
      instrument(req, nullptr, std::move(reply), "admin-ui")(std::move(*file));
      return;
    }
  }
  if (!match) {
    auto done = instrument(req, nullptr, std::move(reply));
    auto code = code_of(match.error());
    auto response = error_response(info(code).http_status, info(code).name,
                                   code == errc::method_not_allowed ? "Method Not Allowed"
                                                                    : "Not Found");
    if (code == errc::method_not_allowed) {
      response.headers.emplace_back("Allow", message_of(match.error()));
    }
    done(std::move(response));
    return;
  }
  auto done = instrument(req, &*match, std::move(reply));
  std::optional<http_response> denied;
  auto caller = admit(ctx, req, *match, denied);
  if (!caller) {
    done(std::move(*denied));
    return;
  }
  // After authentication: a caller that could not prove who it is never drains the bucket.
  if (is_mcp_route(*match->entry)) {
    if (auto wait = ctx.limits.take(match->param("tenant"))) {
      done(rate_limited(req, *match, *wait));
      return;
    }
  }
  if (is_admin_change(req, *match->entry)) {
    done = audited(ctx, req, *match, *caller, std::move(done));
  }
  handler_of(match->entry->id)(ctx, req, *match, *caller, std::move(done));
}

} // namespace sagemcp::transport
