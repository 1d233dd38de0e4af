#include "transport/oauth_api.hpp"

#include "connectors/oauth.hpp"
#include "messages/errc.hpp"
#include "transport/admin_api.hpp"
#include "transport/bridge.hpp"
#include "transport/json_body.hpp"

#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <array>
#include <chrono>
#include <memory>

#include "security/crypto.hpp"
#include "security/sealed_json.hpp"

namespace sagemcp::transport {

namespace {

namespace json = boost::json;
namespace oauth = connectors::oauth;

// How long an authorization may take from start to callback.
constexpr auto flow_lifetime = std::chrono::minutes{10};

constexpr std::string_view access_column = "oauth_credentials.access_token";
constexpr std::string_view refresh_column = "oauth_credentials.refresh_token";
constexpr std::string_view secret_column = "oauth_configs.client_secret";
constexpr std::string_view verifier_column = "oauth_flows.code_verifier";

// Percent-decoded query parameters of a request.
std::string query_value(const http_request& req, std::string_view name) {
  auto parsed = boost::urls::parse_query(req.query);
  if (!parsed) {
    return {};
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (auto param : *parsed) {
    if (param.key.decode(form) == name) {
      return param.value.decode(form);
    }
  }
  return {};
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The page the user's browser shows at the end of an authorization.
http_response page(unsigned status, std::string_view title, std::string_view text) {
  http_response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = R"(<!doctype html><html lang="en"><head><meta charset="utf-8"><title>)"
                  + html_escape(title) + "</title></head><body><h1>" + html_escape(title)
                  + "</h1><p>" + html_escape(text) + "</p></body></html>\n";
  return response;
}

const oauth::provider* provider_param(const route_match& match, responder& reply) {
  auto name = match.param("provider");
  const auto* p = oauth::find_provider(name);
  if (p == nullptr) {
    reply(error_response(404, "not_found",
                         "Unknown OAuth provider '" + std::string{name}
                           + "'; GET /api/v1/oauth/providers lists them"));
  }
  return p;
}

// The base URL the provider sends the browser back to.
std::string public_base(const transport_context& ctx, const http_request& req) {
  if (!ctx.public_url.empty()) {
    return ctx.public_url;
  }
  auto proto = req.header("x-forwarded-proto");
  auto host = req.header("x-forwarded-host");
  if (host.empty()) {
    host = req.header("host");
  }
  std::string scheme = proto == "https" ? "https" : "http";
  return scheme + "://" + std::string{host};
}

std::string callback_path(std::string_view slug, const oauth::provider& p) {
  return "/api/v1/oauth/" + std::string{slug} + "/callback/" + std::string{p.id};
}

// Finds the OAuth app for a tenant's provider: the tenant's own, else the operator's.
template <class OnApp>
void with_app(transport_context& ctx, const std::string& tenant_id, const oauth::provider& p,
              responder reply, OnApp on_app) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, tenant_id, on_app](oauth_config_row& config) mutable {
      auto secret = ctx.secrets.open(config.client_secret,
                                     security::column_context(secret_column, tenant_id));
      if (!secret) {
        reply(error_response(500, "secret_unreadable",
                             "The tenant's OAuth app secret cannot be decrypted; enter it again"));
        return;
      }
      on_app(oauth::app{config.client_id, std::move(*secret)});
    },
    [&ctx, reply, &p, on_app](caf::error& err) mutable {
      if (code_of(err) != errc::not_found) {
        reply(error_of(err));
        return;
      }
      auto app = ctx.oauth != nullptr ? ctx.oauth->operator_app(p) : std::nullopt;
      if (!app) {
        reply(error_response(400, "invalid_argument",
                             "No OAuth app is configured for " + std::string{p.display_name}
                               + ": set " + std::string{p.env_prefix} + "_CLIENT_ID and "
                               + std::string{p.env_prefix}
                               + "_CLIENT_SECRET on the server, or POST the tenant's app to "
                                 "/api/v1/oauth/{tenant}/config"));
        return;
      }
      on_app(std::move(*app));
    },
    atom::get_v, atom::oauth_app_v, tenant_id, std::string{p.id});
}

// Runs `f(tenant)` for the path's tenant, or answers its failure.
template <class F>
void with_tenant(transport_context& ctx, const route_match& match, responder reply, F f) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply, f = std::move(f)](tenant_row& tenant) mutable {
      f(tenant, std::move(reply));
    },
    fail(reply), atom::get_v, atom::tenant_v, std::string{match.param("tenant")});
}

// Whether the caller is an API key that can own personal connections; answers the failure if not.
bool has_personal_owner(const principal& caller, responder& reply) {
  if (caller.key_id.empty() || caller.key_id == anonymous_key_id) {
    reply(error_response(400, "invalid_argument",
                         "Personal connections belong to the API key that makes the request, and "
                         "this request has none: the server runs without authentication"));
    return false;
  }
  return true;
}

bool wants_json(const http_request& req) {
  auto accept = req.header("accept");
  return accept.find("application/json") != std::string_view::npos
         && accept.find("text/html") == std::string_view::npos;
}

// Starts an authorization whose credential `owner` will hold: empty for the tenant's, else the
// API key id of a personal one.
void start_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                 const principal& caller, const std::string& owner, responder respond) {
  const auto* p = provider_param(match, respond);
  if (p == nullptr) {
    return;
  }
  if (ctx.outbound == nullptr) {
    respond(error_response(503, "shutting_down", "This node cannot reach OAuth providers"));
    return;
  }
  std::vector<std::string> scopes;
  auto asked = query_value(req, "scope");
  for (size_t at = 0; at < asked.size();) {
    auto end = asked.find_first_of(" ,", at);
    if (end == std::string::npos) {
      end = asked.size();
    }
    if (end > at) {
      scopes.push_back(asked.substr(at, end - at));
    }
    at = end + 1;
  }
  auto redirect_base = public_base(ctx, req);
  bool json_answer = wants_json(req);
  auto slug = std::string{match.param("tenant")};
  with_tenant(
    ctx, match, std::move(respond),
    [&ctx, p, scopes, redirect_base, json_answer, slug, owner,
     initiator = caller.key_id](tenant_row& tenant, responder reply) {
      with_app(ctx, tenant.id, *p, reply, [=, &ctx](const oauth::app& app) {
        oauth_flow_row flow;
        flow.id = security::random_token(24);
        flow.tenant_id = tenant.id;
        flow.provider = std::string{p->id};
        flow.owner = owner;
        flow.initiator = initiator;
        flow.redirect_uri = redirect_base + callback_path(slug, *p);
        flow.expires_at = to_iso8601(std::chrono::system_clock::now() + flow_lifetime);
        std::string challenge;
        if (p->pkce) {
          std::array<uint8_t, 32> random{};
          security::random_bytes(random);
          auto pair = oauth::make_pkce(random);
          challenge = pair.challenge;
          flow.code_verifier
            = ctx.secrets.seal(pair.verifier, security::column_context(verifier_column, tenant.id));
        }
        auto url = oauth::authorize_url(*p, ctx.oauth->endpoints_of(*p), app, flow.redirect_uri,
                                        oauth_state(ctx, flow.id, slug, p->id), scopes, challenge);
        ask(
          ctx.sys, ctx.db, ctx.options.admin_timeout,
          [reply, url, slug, json_answer](oauth_flow_row& created) {
            if (!json_answer) {
              http_response response;
              response.status = 302;
              response.content_type.clear();
              response.headers.emplace_back("Location", url);
              reply(std::move(response));
              return;
            }
            json::object out{{"authorization_url", url},
                             {"flow_id", created.id},
                             {"provider", created.provider},
                             {"expires_at", created.expires_at},
                             {"status_url", "/api/v1/oauth/" + slug + "/flows/" + created.id}};
            reply(json_response(200, json::serialize(out)));
          },
          fail(reply), atom::create_v, std::move(flow));
      });
    });
}

// Ends a claimed flow with an outcome and answers the browser with a page.
void finish(transport_context& ctx, const std::string& flow_id, std::string outcome,
            responder reply, const http_response& shown) {
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [reply, shown](atom::ok) {
      reply(shown);
    },
    [reply, shown](caf::error&) {
      reply(shown);
    },
    atom::close_v, atom::flow_v, flow_id, std::move(outcome));
}

void fail_flow(transport_context& ctx, const std::string& flow_id, unsigned status,
               const std::string& why, responder reply) {
  finish(ctx, flow_id, "failed: " + why, std::move(reply),
         page(status, "Authorization failed", why));
}

// Stores the credential a code exchange granted, then ends the flow.
void store_grant(transport_context& ctx, const oauth_flow_row& flow, const oauth::provider& p,
                 const oauth::grant& g, responder reply) {
  oauth_credential_row row;
  row.tenant_id = flow.tenant_id;
  row.provider = std::string{p.id};
  row.owner = flow.owner;
  row.provider_user_id = g.account_id;
  row.provider_username = g.account_name;
  row.access_token = ctx.secrets.seal(g.access_token,
                                      security::column_context(access_column, flow.tenant_id));
  if (!g.refresh_token.empty()) {
    row.refresh_token = ctx.secrets.seal(g.refresh_token,
                                         security::column_context(refresh_column, flow.tenant_id));
  }
  row.token_type = g.token_type;
  row.scopes = g.scopes;
  if (g.expires_in) {
    row.expires_at
      = to_iso8601(std::chrono::system_clock::now() + std::chrono::seconds{*g.expires_in});
  }
  auto flow_id = flow.id;
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, flow_id, &p](oauth_credential_row& stored) {
      caf::anon_send(ctx.vault, atom::evict_v, atom::credential_v, stored.tenant_id,
                     stored.provider);
      std::string who = stored.provider_username.empty() ? stored.provider_user_id
                                                         : stored.provider_username;
      finish(ctx, flow_id, "connected", reply,
             page(200, std::string{p.display_name} + " connected",
                  "The " + std::string{p.display_name} + " account " + who + " is connected"
                    + (stored.owner.empty() ? " for the tenant" : " for your API key")
                    + ". You can close this window."));
    },
    [&ctx, reply, flow_id](caf::error& err) {
      fail_flow(ctx, flow_id, 503, "the credential could not be stored: " + message_of(err), reply);
    },
    atom::create_v, std::move(row));
}

// Exchanges the code of a claimed flow, asks who the account is, and stores the credential.
void exchange(transport_context& ctx, const oauth_flow_row& flow, const oauth::provider& p,
              const std::string& code, const oauth::app& app, responder reply) {
  std::string verifier;
  if (!flow.code_verifier.empty()) {
    auto opened = ctx.secrets.open(flow.code_verifier,
                                   security::column_context(verifier_column, flow.tenant_id));
    if (!opened) {
      fail_flow(ctx, flow.id, 500, "the flow's PKCE verifier cannot be decrypted", reply);
      return;
    }
    verifier = std::move(*opened);
  }
  auto urls = ctx.oauth->endpoints_of(p);
  auto request = oauth::code_request(p, urls, app, code, flow.redirect_uri, verifier);
  ctx.outbound->fetch(std::move(request), [&ctx, flow, &p, urls,
                                           reply](connectors::fetch_result result) {
    if (auto* failure = std::get_if<connectors::fetch_error>(&result)) {
      fail_flow(ctx, flow.id, 502,
                std::string{p.display_name} + " could not be reached: " + failure->message, reply);
      return;
    }
    auto granted = oauth::read_grant(p, std::get<connectors::http_response>(result), false);
    if (!granted) {
      fail_flow(ctx, flow.id, 502, message_of(granted.error()), reply);
      return;
    }
    auto profile = oauth::profile_request(p, urls, granted->access_token);
    if (!profile) {
      store_grant(ctx, flow, p, *granted, reply);
      return;
    }
    auto g = std::make_shared<oauth::grant>(std::move(*granted));
    ctx.outbound->fetch(std::move(*profile), [&ctx, flow, &p, g,
                                              reply](connectors::fetch_result answer) {
      if (auto* failure = std::get_if<connectors::fetch_error>(&answer)) {
        fail_flow(ctx, flow.id, 502,
                  std::string{p.display_name} + " could not be reached: " + failure->message,
                  reply);
        return;
      }
      if (auto err = oauth::read_profile(p, std::get<connectors::http_response>(answer), *g)) {
        fail_flow(ctx, flow.id, 502, message_of(err), reply);
        return;
      }
      store_grant(ctx, flow, p, *g, reply);
    });
  });
}

json::object to_json(const oauth_credential_row& row) {
  const auto* p = oauth::find_provider(row.provider);
  return json::object{{"id", row.id},
                      {"provider", row.provider},
                      {"provider_name",
                       p != nullptr ? json::value(p->display_name) : json::value(row.provider)},
                      {"kind", row.owner.empty() ? "tenant" : "personal"},
                      {"owner_key_id", optional_text(row.owner)},
                      {"provider_user_id", optional_text(row.provider_user_id)},
                      {"provider_username", optional_text(row.provider_username)},
                      {"token_type", row.token_type},
                      {"scopes", optional_text(row.scopes)},
                      {"expires_at", optional_text(row.expires_at)},
                      {"refreshable", !row.refresh_token.empty()},
                      {"created_at", row.created_at},
                      {"updated_at", row.updated_at}};
}

json::object to_json(const oauth_config_row& row) {
  return json::object{{"id", row.id},
                      {"provider", row.provider},
                      {"client_id", row.client_id},
                      {"client_secret_set", !row.client_secret.empty()},
                      {"created_at", row.created_at},
                      {"updated_at", row.updated_at}};
}

// Revokes a deleted credential's grant at the provider, then answers.
void revoke_at_provider(transport_context& ctx, const oauth_credential_row& row,
                        const oauth::provider& p, responder reply) {
  json::object out{{"deleted", true}, {"provider", row.provider}};
  auto answer = [reply](const json::object& body) {
    reply(json_response(200, json::serialize(body)));
  };
  auto urls = ctx.oauth->endpoints_of(p);
  if (p.revoke == oauth::revoke_style::none || urls.revoke.empty() || ctx.outbound == nullptr) {
    out["revoked_at_provider"] = false;
    out["detail"] = std::string{p.display_name}
                    + " has no revocation endpoint; remove the app's access in the account's "
                      "settings there";
    answer(out);
    return;
  }
  bool use_refresh = !row.refresh_token.empty() && p.revoke == oauth::revoke_style::rfc7009;
  auto token = ctx.secrets.open(
    use_refresh ? row.refresh_token : row.access_token,
    security::column_context(use_refresh ? refresh_column : access_column, row.tenant_id));
  if (!token) {
    out["revoked_at_provider"] = false;
    out["detail"] = "the stored token cannot be decrypted, so it was not revoked at the provider";
    answer(out);
    return;
  }
  auto on_app = [&ctx, &p, urls, token = *token, use_refresh, out,
                 answer](const oauth::app& app) mutable {
    auto request = oauth::revoke_request(p, urls, app, token, use_refresh);
    if (!request) {
      out["revoked_at_provider"] = false;
      answer(out);
      return;
    }
    ctx.outbound->fetch(std::move(*request), [out, answer,
                                              &p](connectors::fetch_result result) mutable {
      auto* response = std::get_if<connectors::http_response>(&result);
      // 404 and 401: the grant is gone already.
      bool ok = response != nullptr
                && ((response->status >= 200 && response->status < 300) || response->status == 404
                    || response->status == 401);
      out["revoked_at_provider"] = ok;
      if (!ok) {
        out["detail"] = std::string{p.display_name} + " did not confirm the revocation ("
                        + (response != nullptr ? "HTTP " + std::to_string(response->status)
                                               : std::get<connectors::fetch_error>(result).message)
                        + "); remove the app's access in the account's settings there";
      }
      answer(out);
    });
  };
  // Without an app the grant cannot be revoked, but the local credential is gone anyway.
  auto fallback = [out, answer](const http_response&) mutable {
    out["revoked_at_provider"] = false;
    out["detail"] = "no OAuth app is configured, so the grant was not revoked at the provider";
    answer(out);
  };
  with_app(ctx, row.tenant_id, p, fallback, on_app);
}

void revoke_oauth(transport_context& ctx, const route_match& match, const std::string& owner,
                  responder respond) {
  const auto* p = provider_param(match, respond);
  if (p == nullptr) {
    return;
  }
  with_tenant(
    ctx, match, std::move(respond), [&ctx, p, owner](tenant_row& tenant, responder reply) {
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [&ctx, p, reply](oauth_credential_row& deleted) {
          caf::anon_send(ctx.vault, atom::evict_v, atom::credential_v, deleted.tenant_id,
                         deleted.provider);
          revoke_at_provider(ctx, deleted, *p, reply);
        },
        fail(reply), atom::erase_v, atom::credential_v, tenant.id, std::string{p->id}, owner);
    });
}

} // namespace

std::string oauth_state(const transport_context& ctx, std::string_view flow_id,
                        std::string_view tenant_slug, std::string_view provider) {
  std::string signed_text = "oauth-state\n";
  signed_text += flow_id;
  signed_text += '\n';
  signed_text += tenant_slug;
  signed_text += '\n';
  signed_text += provider;
  auto mac = security::hmac_sha256(ctx.oauth_state_key, signed_text);
  return std::string{flow_id} + "." + security::base64url_encode(mac);
}

std::string verify_oauth_state(const transport_context& ctx, std::string_view state,
                               std::string_view tenant_slug, std::string_view provider) {
  auto dot = state.find('.');
  if (dot == std::string_view::npos || dot == 0 || state.size() > 256) {
    return {};
  }
  auto flow_id = state.substr(0, dot);
  if (!security::constant_time_equal(oauth_state(ctx, flow_id, tenant_slug, provider), state)) {
    return {};
  }
  return std::string{flow_id};
}

void list_oauth_providers(transport_context& ctx, const http_request&, const route_match&,
                          const principal&, responder reply) {
  json::array out;
  for (const auto& p : oauth::providers()) {
    json::array scopes;
    for (auto scope : p.scopes) {
      scopes.emplace_back(scope);
    }
    json::array types;
    for (auto type : p.connector_types) {
      types.emplace_back(type);
    }
    auto urls = ctx.oauth != nullptr ? ctx.oauth->endpoints_of(p) : oauth::endpoints{};
    out.emplace_back(
      json::object{{"id", p.id},
                   {"name", p.display_name},
                   {"scopes", std::move(scopes)},
                   {"connector_types", std::move(types)},
                   {"configured", ctx.oauth != nullptr && ctx.oauth->operator_app(p).has_value()},
                   {"pkce", p.pkce},
                   {"revocable", p.revoke != oauth::revoke_style::none},
                   {"auth_url", urls.authorize}});
  }
  reply(json_response(200, json::serialize(out)));
}

void start_tenant_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply) {
  start_oauth(ctx, req, match, caller, {}, std::move(reply));
}

void start_personal_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                          const principal& caller, responder reply) {
  if (!has_personal_owner(caller, reply)) {
    return;
  }
  start_oauth(ctx, req, match, caller, caller.key_id, std::move(reply));
}

void oauth_callback(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal&, responder reply) {
  auto slug = std::string{match.param("tenant")};
  const auto* p = oauth::find_provider(match.param("provider"));
  if (p == nullptr || p->id != match.param("provider")) {
    reply(page(404, "Authorization failed", "Unknown OAuth provider."));
    return;
  }
  auto flow_id = verify_oauth_state(ctx, query_value(req, "state"), slug, p->id);
  if (flow_id.empty()) {
    reply(page(400, "Authorization failed",
               "The authorization's state is missing or invalid. Start the connection again from "
               "SageMCP."));
    return;
  }
  if (ctx.outbound == nullptr) {
    reply(page(503, "Authorization failed", "This node cannot reach OAuth providers."));
    return;
  }
  auto code = query_value(req, "code");
  auto denied = query_value(req, "error");
  auto denied_text = query_value(req, "error_description");
  ask(
    ctx.sys, ctx.db, ctx.options.admin_timeout,
    [&ctx, reply, p, code, denied, denied_text](oauth_flow_row& flow) {
      if (flow.provider != p->id) {
        fail_flow(ctx, flow.id, 400, "the authorization was started for another provider", reply);
        return;
      }
      if (!denied.empty()) {
        auto why = std::string{p->display_name} + " did not grant access: " + denied
                   + (denied_text.empty() ? "" : " (" + denied_text + ")");
        if (why.size() > 300) {
          why.resize(300);
        }
        fail_flow(ctx, flow.id, 400, why, reply);
        return;
      }
      if (code.empty() || code.size() > 4096) {
        fail_flow(ctx, flow.id, 400, "the provider sent no authorization code", reply);
        return;
      }
      with_app(
        ctx, flow.tenant_id, *p,
        [&ctx, reply, id = flow.id](const http_response& problem) {
          fail_flow(ctx, id, problem.status, "no OAuth app is configured for the provider", reply);
        },
        [&ctx, reply, flow, p, code](const oauth::app& app) {
          exchange(ctx, flow, *p, code, app, reply);
        });
    },
    [reply](caf::error& err) {
      if (code_of(err) == errc::not_found) {
        reply(page(400, "Authorization failed",
                   "This authorization is unknown, was already used, or expired. Start the "
                   "connection again from SageMCP."));
        return;
      }
      reply(page(503, "Authorization failed", message_of(err)));
    },
    atom::open_v, atom::flow_v, flow_id);
}

void get_oauth_flow(transport_context& ctx, const http_request&, const route_match& match,
                    const principal& caller, responder respond) {
  auto id = std::string{match.param("flow")};
  with_tenant(
    ctx, match, std::move(respond), [&ctx, id, caller](tenant_row& tenant, responder reply) {
      ask(
        ctx.sys, ctx.db, ctx.options.admin_timeout,
        [reply, tenant, caller](oauth_flow_row& flow) {
          // Only the key that started a flow (or a platform administrator) may follow it.
          if (flow.tenant_id != tenant.id
              || (flow.initiator != caller.key_id && caller.role != scope::platform_admin)) {
            reply(error_response(404, "not_found", "Authorization flow not found"));
            return;
          }
          std::string status = "pending";
          std::string error;
          if (flow.outcome == "connected") {
            status = "connected";
          } else if (flow.outcome.starts_with("failed: ")) {
            status = "failed";
            error = flow.outcome.substr(8);
          } else if (flow.outcome == "exchanging") {
            status = "exchanging";
          } else if (flow.expires_at <= to_iso8601(std::chrono::system_clock::now())) {
            status = "expired";
          }
          json::object out{{"id", flow.id},
                           {"provider", flow.provider},
                           {"kind", flow.owner.empty() ? "tenant" : "personal"},
                           {"status", status},
                           {"error", optional_text(error)},
                           {"expires_at", flow.expires_at},
                           {"completed_at", optional_text(flow.completed_at)}};
          reply(json_response(200, json::serialize(out)));
        },
        fail(reply), atom::get_v, atom::flow_v, id);
    });
}

void list_oauth_credentials(transport_context& ctx, const http_request&, const route_match& match,
                            const principal& caller, responder respond) {
  with_tenant(ctx, match, std::move(respond), [&ctx, caller](tenant_row& tenant, responder reply) {
    ask(
      ctx.sys, ctx.db, ctx.options.admin_timeout,
      [reply, caller](std::vector<oauth_credential_row>& rows) {
        json::array out;
        for (const auto& row : rows) {
          // Users see the tenant's credentials and their own; administrators see all.
          if (row.owner.empty() || row.owner == caller.key_id
              || caller.role >= scope::tenant_admin) {
            out.emplace_back(to_json(row));
          }
        }
        reply(json_response(200, json::serialize(out)));
      },
      fail(reply), atom::list_v, atom::credential_v, tenant.id);
  });
}

void revoke_tenant_oauth(transport_context& ctx, const http_request& req, const route_match& match,
                         const principal&, responder reply) {
  // `?owner=<key id>` removes a user's personal connection instead of the tenant's.
  auto owner = query_value(req, "owner");
  if (owner.size() > 64) {
    reply(error_response(400, "invalid_argument", "'owner' must be an API key id"));
    return;
  }
  revoke_oauth(ctx, match, owner, std::move(reply));
}

void revoke_personal_oauth(transport_context& ctx, const http_request&, const route_match& match,
                           const principal& caller, responder reply) {
  if (!has_personal_owner(caller, reply)) {
    return;
  }
  revoke_oauth(ctx, match, caller.key_id, std::move(reply));
}

void list_oauth_apps(transport_context& ctx, const http_request&, const route_match& match,
                     const principal&, responder respond) {
  with_tenant(ctx, match, std::move(respond), [&ctx](tenant_row& tenant, responder reply) {
    ask(
      ctx.sys, ctx.db, ctx.options.admin_timeout,
      [reply](std::vector<oauth_config_row>& rows) {
        json::array out;
        for (const auto& row : rows) {
          out.emplace_back(to_json(row));
        }
        reply(json_response(200, json::serialize(out)));
      },
      fail(reply), atom::list_v, atom::oauth_app_v, tenant.id);
  });
}

void set_oauth_app(transport_context& ctx, const http_request& req, const route_match& match,
                   const principal&, responder respond) {
  auto body = json_body::parse(req.body);
  if (!body) {
    respond(error_of(body.error()));
    return;
  }
  auto provider = body->required_string("provider", 50);
  auto client_id = body->required_string("client_id", 255);
  auto client_secret = body->required_string("client_secret", 1024);
  for (const auto* field : {&provider, &client_id, &client_secret}) {
    if (!*field) {
      respond(error_of(field->error()));
      return;
    }
  }
  const auto* p = oauth::find_provider(*provider);
  if (p == nullptr) {
    respond(error_response(400, "invalid_argument",
                           "'provider' must be an OAuth provider; GET /api/v1/oauth/providers "
                           "lists them"));
    return;
  }
  with_tenant(ctx, match, std::move(respond),
              [&ctx, p, client_id = *client_id, client_secret = *client_secret](tenant_row& tenant,
                                                                                responder reply) {
                oauth_config_row row;
                row.tenant_id = tenant.id;
                row.provider = std::string{p->id};
                row.client_id = client_id;
                row.client_secret = ctx.secrets.seal(
                  client_secret, security::column_context(secret_column, tenant.id));
                ask(
                  ctx.sys, ctx.db, ctx.options.admin_timeout,
                  [&ctx, reply](oauth_config_row& stored) {
                    caf::anon_send(ctx.vault, atom::evict_v, atom::credential_v, stored.tenant_id,
                                   stored.provider);
                    reply(json_response(200, json::serialize(to_json(stored))));
                  },
                  fail(reply), atom::create_v, std::move(row));
              });
}

void delete_oauth_app(transport_context& ctx, const http_request&, const route_match& match,
                      const principal&, responder respond) {
  const auto* p = provider_param(match, respond);
  if (p == nullptr) {
    return;
  }
  with_tenant(ctx, match, std::move(respond), [&ctx, p](tenant_row& tenant, responder reply) {
    ask(
      ctx.sys, ctx.db, ctx.options.admin_timeout,
      [&ctx, reply, tenant_id = tenant.id, p](atom::ok) {
        caf::anon_send(ctx.vault, atom::evict_v, atom::credential_v, tenant_id, std::string{p->id});
        reply(empty_response(204));
      },
      fail(reply), atom::erase_v, atom::oauth_app_v, tenant.id, std::string{p->id});
  });
}

} // namespace sagemcp::transport
