#include "actors/credential_vault.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

#include "security/sealed_json.hpp"

namespace sagemcp {

namespace {

using vault_pointer = credential_vault_actor::stateful_pointer<credential_vault_state>;
using entry = credential_vault_state::entry;
using phase = entry::phase;

constexpr char separator = '\x1f';

std::string key_of(const std::string& tenant_id, const std::string& provider,
                   const std::string& owner) {
  return tenant_id + separator + provider + separator + owner;
}

std::string display_name(const std::string& provider) {
  const auto* p = connectors::oauth::find_provider(provider);
  return p != nullptr ? std::string{p->display_name} : provider;
}

std::string whose(const entry& e) {
  return e.owner.empty() ? "the tenant's " + display_name(e.provider) + " connection"
                         : "your " + display_name(e.provider) + " connection";
}

// Whether a stored expiry lies within `margin` from now; never for a token without one.
bool expires_within(const oauth_credential_row& row, std::chrono::seconds margin) {
  return !row.expires_at.empty()
         && row.expires_at <= to_iso8601(std::chrono::system_clock::now() + margin);
}

void settle(entry& e, const caf::expected<std::string>& outcome) {
  auto waiting = std::move(e.waiting);
  e.waiting.clear();
  e.now = phase::idle;
  for (auto& promise : waiting) {
    if (outcome) {
      promise.deliver(*outcome);
    } else {
      promise.deliver(outcome.error());
    }
  }
}

entry* find_entry(vault_pointer self, const std::string& key) {
  auto i = self->state.entries.find(key);
  return i == self->state.entries.end() ? nullptr : &i->second;
}

void load(vault_pointer self, const std::string& key);

// Asks the provider for a new access token with the credential's refresh token.
void start_refresh(vault_pointer self, const std::string& key, const connectors::oauth::app& app) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  const auto& opts = self->state.options;
  const auto* p = connectors::oauth::find_provider(e->provider);
  auto context = security::column_context("oauth_credentials.refresh_token", e->tenant_id);
  auto refresh_token = opts.keys->open(e->row.refresh_token, context);
  if (!refresh_token) {
    settle(*e, make_error(errc::secret_unreadable,
                          "The refresh token of " + whose(*e)
                            + " cannot be decrypted; connect the account again."));
    return;
  }
  auto request = connectors::oauth::refresh_request(*p, opts.oauth->endpoints_of(*p), app,
                                                    *refresh_token);
  auto handle = caf::actor_cast<credential_vault_actor>(self);
  const auto* keys = opts.keys;
  opts.client->fetch(std::move(request), [handle, key, p, keys,
                                          before = e->row](connectors::fetch_result result) {
    auto fail = [&](caf::error err) {
      caf::anon_send(handle, atom::update_v, atom::credential_v, key, std::move(err));
    };
    if (auto* failure = std::get_if<connectors::fetch_error>(&result)) {
      fail(make_error(errc::upstream_failure,
                      std::string{p->display_name}
                        + " could not be reached to refresh the token: " + failure->message));
      return;
    }
    auto granted = connectors::oauth::read_grant(*p, std::get<connectors::http_response>(result),
                                                 true);
    if (!granted) {
      fail(std::move(granted.error()));
      return;
    }
    auto after = before;
    after.access_token
      = keys->seal(granted->access_token,
                   security::column_context("oauth_credentials.access_token", before.tenant_id));
    if (!granted->refresh_token.empty()) {
      after.refresh_token
        = keys->seal(granted->refresh_token,
                     security::column_context("oauth_credentials.refresh_token", before.tenant_id));
    }
    after.token_type = granted->token_type;
    if (!granted->scopes.empty()) {
      after.scopes = granted->scopes;
    }
    after.expires_at = granted->expires_in
                         ? to_iso8601(std::chrono::system_clock::now()
                                      + std::chrono::seconds{*granted->expires_in})
                         : std::string{};
    caf::anon_send(handle, atom::update_v, atom::credential_v, key, std::move(after));
  });
}

// Refreshes the loaded credential: finds the OAuth app (the tenant's, else the operator's)
// first.
void refresh(vault_pointer self, const std::string& key) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  e->now = phase::refreshing;
  ++self->state.refreshes;
  const auto* p = connectors::oauth::find_provider(e->provider);
  if (p == nullptr) {
    settle(*e, make_error(errc::tool_failed, "Unknown OAuth provider '" + e->provider + "'."));
    return;
  }
  const auto& opts = self->state.options;
  self->request(opts.db, opts.db_timeout, atom::get_v, atom::oauth_app_v, e->tenant_id, e->provider)
    .then(
      [self, key](oauth_config_row& config) {
        auto* found = find_entry(self, key);
        if (found == nullptr) {
          return;
        }
        auto secret = self->state.options.keys->open(
          config.client_secret,
          security::column_context("oauth_configs.client_secret", found->tenant_id));
        if (!secret) {
          settle(*found, make_error(errc::secret_unreadable,
                                    "The tenant's OAuth app secret cannot be decrypted; an "
                                    "administrator must enter it again."));
          return;
        }
        start_refresh(self, key, connectors::oauth::app{config.client_id, *secret});
      },
      [self, key, p](caf::error& err) {
        auto* found = find_entry(self, key);
        if (found == nullptr) {
          return;
        }
        if (code_of(err) != errc::not_found) {
          settle(*found, err);
          return;
        }
        auto app = self->state.options.oauth->operator_app(*p);
        if (!app) {
          settle(*found, make_error(errc::tool_failed,
                                    "No OAuth app is configured for " + std::string{p->display_name}
                                      + ", so " + whose(*found) + " cannot be refreshed."));
          return;
        }
        start_refresh(self, key, *app);
      });
}

// Uses a freshly loaded row: hands its token out, or refreshes it first. A row that a refresh
// just produced is handed out while it has not expired, even when the provider grants tokens
// shorter-lived than the refresh margin.
void use_row(vault_pointer self, const std::string& key, oauth_credential_row row,
             bool refreshed_now = false) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  const auto& opts = self->state.options;
  auto token = opts.keys->open(
    row.access_token, security::column_context("oauth_credentials.access_token", row.tenant_id));
  if (!token) {
    settle(*e, make_error(errc::secret_unreadable, "The access token of " + whose(*e)
                                                     + " cannot be decrypted; connect the account "
                                                       "again."));
    return;
  }
  bool gave_up = refreshed_now
                 || (!e->failed_refresh_of.empty() && e->failed_refresh_of == row.access_token);
  e->row = std::move(row);
  e->access_token = std::move(*token);
  e->loaded = true;
  e->loaded_at = std::chrono::steady_clock::now();
  if (!expires_within(e->row, opts.refresh_margin)) {
    e->failed_refresh_of.clear();
    settle(*e, e->access_token);
    return;
  }
  bool expired = expires_within(e->row, std::chrono::seconds{0});
  if (e->row.refresh_token.empty() || gave_up) {
    if (!expired) {
      settle(*e, e->access_token);
      return;
    }
    e->loaded = false;
    settle(*e, make_error(errc::tool_failed,
                          whose(*e)
                            + " expired and cannot be refreshed; connect the account "
                              "again."));
    return;
  }
  refresh(self, key);
}

void load(vault_pointer self, const std::string& key) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  e->now = phase::loading;
  ++self->state.loads;
  const auto& opts = self->state.options;
  self
    ->request(opts.db, opts.db_timeout, atom::get_v, atom::credential_v, e->tenant_id, e->provider,
              e->owner)
    .then(
      [self, key](oauth_credential_row& row) {
        use_row(self, key, std::move(row));
      },
      [self, key](caf::error& err) {
        auto* found = find_entry(self, key);
        if (found == nullptr) {
          return;
        }
        found->loaded = false;
        if (code_of(err) == errc::not_found) {
          settle(*found,
                 make_error(errc::not_found,
                            whose(*found) + " is not set up: "
                              + (found->owner.empty() ? "a tenant administrator must connect it."
                                                      : "connect your account first.")));
          return;
        }
        settle(*found, err);
      });
}

caf::result<std::string> get(vault_pointer self, const std::string& tenant_id,
                             const std::string& provider, const std::string& owner) {
  auto& st = self->state;
  auto key = key_of(tenant_id, provider, owner);
  auto& e = st.entries[key];
  if (e.now == phase::idle && e.loaded
      && std::chrono::steady_clock::now() - e.loaded_at < st.options.cache_ttl
      && !expires_within(e.row, st.options.refresh_margin)) {
    ++st.hits;
    return e.access_token;
  }
  e.tenant_id = tenant_id;
  e.provider = provider;
  e.owner = owner;
  auto promise = self->make_response_promise<std::string>();
  e.waiting.push_back(promise);
  if (e.now == phase::idle) {
    load(self, key);
  }
  return promise;
}

void refreshed(vault_pointer self, const std::string& key, const oauth_credential_row& after) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  const auto& opts = self->state.options;
  auto before = e->row;
  self->request(opts.db, opts.db_timeout, atom::update_v, atom::credential_v, before, after)
    .then(
      [self, key, after](bool stored) {
        if (stored) {
          use_row(self, key, after, true);
        } else {
          // Changed meanwhile (another node refreshed it, or it was connected again): use what
          // the database holds now.
          load(self, key);
        }
      },
      [self, key](caf::error& err) {
        if (auto* found = find_entry(self, key)) {
          found->loaded = false;
          settle(*found, err);
        }
      });
}

void refresh_failed(vault_pointer self, const std::string& key, const caf::error& err) {
  auto* e = find_entry(self, key);
  if (e == nullptr) {
    return;
  }
  ++self->state.refresh_failures;
  observability::log(observability::log_level::warn, "an OAuth token refresh failed",
                     {{"provider", e->provider}, {"error", message_of(err)}});
  if (e->failed_refresh_of.empty()) {
    // Another node may have refreshed it with the same refresh token first: look again once.
    e->failed_refresh_of = e->row.access_token;
    load(self, key);
    return;
  }
  e->loaded = false;
  settle(*e, make_error(errc::tool_failed, "Refreshing " + whose(*e) + " failed (" + message_of(err)
                                             + "); connect the account again."));
}

} // namespace

credential_vault_actor::behavior_type
credential_vault(credential_vault_actor::stateful_pointer<credential_vault_state> self,
                 credential_vault_options options) {
  self->state.options = std::move(options);
  return {
    [self](atom::get, atom::credential, const std::string& tenant_id, const std::string& provider,
           const std::string& owner) -> caf::result<std::string> {
      return get(self, tenant_id, provider, owner);
    },
    [self](atom::evict, atom::credential, const std::string& tenant_id,
           const std::string& provider) {
      auto prefix = tenant_id + separator + provider + separator;
      auto& entries = self->state.entries;
      for (auto i = entries.begin(); i != entries.end();) {
        if (!i->first.starts_with(prefix)) {
          ++i;
        } else if (i->second.now == phase::idle) {
          i = entries.erase(i);
        } else {
          // Busy: whatever it settles with, the next call reads the database again.
          i->second.loaded_at = {};
          ++i;
        }
      }
    },
    [self](atom::update, atom::credential, const std::string& key, oauth_credential_row& after) {
      refreshed(self, key, after);
    },
    [self](atom::update, atom::credential, const std::string& key, const caf::error& err) {
      refresh_failed(self, key, err);
    },
    [self](atom::status) {
      const auto& st = self->state;
      return boost::json::serialize(boost::json::object{{"credentials", st.entries.size()},
                                                        {"hits", st.hits},
                                                        {"loads", st.loads},
                                                        {"refreshes", st.refreshes},
                                                        {"refresh_failures", st.refresh_failures}});
    },
  };
}

} // namespace sagemcp
