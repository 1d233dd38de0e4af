#include "cli/commands.hpp"
#include "cli/spinner.hpp"

#include <boost/json.hpp>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace sagemcp::cli {

namespace json = boost::json;

namespace {

struct oauth_flags {
  std::string tenant;
  std::string provider;
  std::string scope;
  std::string client_id;
  std::string client_secret;
  bool personal = false;
  bool browser = false;
  int timeout = 300;
};

std::string auth_path(const oauth_flags& f) {
  return "/api/v1/oauth/" + encode_component(f.tenant) + (f.personal ? "/me/auth/" : "/auth/")
         + encode_component(f.provider);
}

const auto print_object = [](const printer& out, const json::value& v) {
  out.object(v);
};

// Opens the URL with xdg-open when there is one; the URL is printed either way.
void open_browser(const std::string& url) {
  if (::access("/usr/bin/xdg-open", X_OK) != 0) {
    std::cerr << "sagemcp: xdg-open not found; open the URL yourself\n";
    return;
  }
  if (::fork() == 0) {
    ::execl("/usr/bin/xdg-open", "xdg-open", url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

int authorize(session& s, const oauth_flags& f) {
  auto path = auth_path(f);
  if (!f.scope.empty()) {
    path += "?scope=" + encode_component(f.scope);
  }
  auto started = s.api().get(path);
  if (!started.ok()) {
    return fail(started);
  }
  const auto* url = member_at(started.body, "authorization_url");
  const auto* status_url = member_at(started.body, "status_url");
  if (url == nullptr || status_url == nullptr) {
    return fail(1, "the server did not start an authorization flow");
  }
  std::cerr << "Open this URL in a browser to authorize " << f.provider << ":\n";
  std::cout << cell_text(*url) << '\n' << std::flush;
  if (f.browser) {
    open_browser(cell_text(*url));
  }
  spinner wait{"waiting for the authorization"};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{f.timeout};
  while (std::chrono::steady_clock::now() < deadline) {
    auto flow = s.api().get(cell_text(*status_url));
    if (!flow.ok()) {
      wait.stop();
      return fail(flow);
    }
    auto state = cell_text(*member_at(flow.body, "status"));
    if (state == "connected") {
      wait.stop();
      s.out().value(flow.body, "Connected " + f.provider + " for tenant " + f.tenant);
      return 0;
    }
    if (state == "failed" || state == "expired") {
      wait.stop();
      const auto* why = member_at(flow.body, "error");
      return fail(1, "authorization " + state
                       + (why != nullptr && !why->is_null() ? ": " + cell_text(*why) : ""));
    }
    std::this_thread::sleep_for(std::chrono::seconds{2});
  }
  wait.stop();
  return fail(1, "gave up waiting for the authorization after " + std::to_string(f.timeout) + " s");
}

void add_tenant_provider(CLI::App* cmd, oauth_flags& f) {
  cmd->add_option("tenant", f.tenant, "Tenant slug")->required();
  cmd->add_option("provider", f.provider, "Provider id (sagemcp oauth providers)")->required();
}

void add_credentials(CLI::App* group, cli_state& state, const std::shared_ptr<oauth_flags>& f) {
  auto* status = group->add_subcommand("status", "List a tenant's OAuth connections");
  status->add_option("tenant", f->tenant, "Tenant slug")->required();
  examples(status, "sagemcp oauth status acme");
  on_run(status, state, [f](session& s) {
    return finish(s, s.api().get("/api/v1/oauth/" + encode_component(f->tenant) + "/auth"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, {{"PROVIDER", "provider"},
                                 {"KIND", "kind"},
                                 {"ACCOUNT", "provider_username"},
                                 {"EXPIRES", "expires_at"},
                                 {"REFRESHABLE", "refreshable"}});
                  });
  });
  auto* authorize_cmd = group->add_subcommand(
    "authorize", "Connect a provider account: prints the URL to open, then waits until done");
  add_tenant_provider(authorize_cmd, *f);
  authorize_cmd->add_flag("--personal", f->personal, "Connect your own account, not the tenant's");
  authorize_cmd->add_option("--scope", f->scope, "Scopes to ask for, comma-separated");
  authorize_cmd->add_flag("--browser", f->browser, "Open the URL with xdg-open");
  authorize_cmd->add_option("--timeout", f->timeout, "Seconds to wait for the authorization")
    ->check(CLI::Range(1, 3600));
  examples(authorize_cmd, "sagemcp oauth authorize acme github\n"
                          "sagemcp oauth authorize acme slack --personal --browser");
  on_run(authorize_cmd, state, [f](session& s) {
    return authorize(s, *f);
  });
  auto* revoke = group->add_subcommand("revoke", "Disconnect a provider account");
  add_tenant_provider(revoke, *f);
  revoke->add_flag("--personal", f->personal, "Your own account, not the tenant's");
  examples(revoke, "sagemcp oauth revoke acme github");
  on_run(revoke, state, [f](session& s) {
    return finish(s, s.api().del(auth_path(*f)), print_object);
  });
}

void add_apps(CLI::App* group, cli_state& state, const std::shared_ptr<oauth_flags>& f) {
  auto* set = group->add_subcommand("config-set", "Set a tenant's own OAuth app for a provider");
  add_tenant_provider(set, *f);
  set->add_option("--client-id", f->client_id, "OAuth client id")->required();
  set
    ->add_option("--client-secret", f->client_secret,
                 "OAuth client secret (env SAGEMCP_OAUTH_CLIENT_SECRET)")
    ->envname("SAGEMCP_OAUTH_CLIENT_SECRET")
    ->required();
  examples(set, "sagemcp oauth config-set acme github --client-id Iv1.… --client-secret …");
  on_run(set, state, [f](session& s) {
    json::object body{
      {"provider", f->provider}, {"client_id", f->client_id}, {"client_secret", f->client_secret}};
    return finish(s, s.api().post("/api/v1/oauth/" + encode_component(f->tenant) + "/config", body),
                  print_object);
  });
  auto* list = group->add_subcommand("config-list", "List a tenant's own OAuth apps");
  list->add_option("tenant", f->tenant, "Tenant slug")->required();
  examples(list, "sagemcp oauth config-list acme");
  on_run(list, state, [f](session& s) {
    return finish(s, s.api().get("/api/v1/oauth/" + encode_component(f->tenant) + "/config"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, {{"PROVIDER", "provider"},
                                 {"CLIENT ID", "client_id"},
                                 {"SECRET SET", "client_secret_set"},
                                 {"UPDATED", "updated_at"}});
                  });
  });
  auto* del = group->add_subcommand("config-delete", "Delete a tenant's own OAuth app");
  add_tenant_provider(del, *f);
  examples(del, "sagemcp oauth config-delete acme github");
  on_run(del, state, [f](session& s) {
    return finish(s,
                  s.api().del("/api/v1/oauth/" + encode_component(f->tenant) + "/config/"
                              + encode_component(f->provider)),
                  [f](const printer& out, const json::value& v) {
                    out.value(v.is_null() ? json::value{json::object{{"deleted", f->provider}}} : v,
                              "Deleted the OAuth app of " + f->provider);
                  });
  });
}

} // namespace

void add_oauth_commands(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("oauth", "OAuth providers, connections and apps");
  group->require_subcommand(1);
  examples(group, "sagemcp oauth providers\nsagemcp oauth authorize acme github\n"
                  "sagemcp oauth config-set acme github --client-id … --client-secret …");
  auto f = std::make_shared<oauth_flags>();
  auto* providers = group->add_subcommand("providers", "List the OAuth providers");
  examples(providers, "sagemcp oauth providers");
  on_run(providers, state, [](session& s) {
    return finish(s, s.api().get("/api/v1/oauth/providers"),
                  [](const printer& out, const json::value& v) {
                    out.list(v, {{"ID", "id"},
                                 {"NAME", "name"},
                                 {"CONFIGURED", "configured"},
                                 {"CONNECTOR TYPES", "connector_types"}});
                  });
  });
  add_credentials(group, state, f);
  add_apps(group, state, f);
}

} // namespace sagemcp::cli
