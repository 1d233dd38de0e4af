#include "actors/node/rotate.hpp"

#include "messages/errc.hpp"
#include "persistence/postgres_store.hpp"
#include "persistence/sqlite_store.hpp"
#include "transport/connector_secrets.hpp"

#include <boost/json/parse.hpp>

#include <iostream>

#include "security/sealed_json.hpp"

namespace sagemcp::node {

namespace {

// Rounds over the rows changed meanwhile before giving up on them.
constexpr int max_passes = 5;

enum class outcome { unchanged, rewritten, unreadable };

// The plaintext of one stored value: it opens, or it is a JSON object stored before encryption.
caf::expected<std::string> plaintext_of(const security::keyring& keys, const std::string& stored,
                                        const std::string& context) {
  if (security::keyring::is_sealed(stored) || security::keyring::is_fernet(stored)) {
    return keys.open(stored, context);
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(stored, ec);
  if (ec || !parsed.is_object()) {
    return make_error(errc::secret_unreadable, "a stored value is neither encrypted nor JSON");
  }
  return stored;
}

// The value a stored secret should hold under the current key, and what changed.
outcome rotate_value(const security::keyring& keys, const std::string& stored,
                     const std::string& context, std::string& result, std::string& problem) {
  result = stored;
  if (transport::holds_nothing(stored) || keys.is_current(stored)) {
    return outcome::unchanged;
  }
  auto plaintext = plaintext_of(keys, stored, context);
  if (!plaintext) {
    problem = message_of(plaintext.error());
    return outcome::unreadable;
  }
  result = keys.seal(*plaintext, context);
  return outcome::rewritten;
}

// A sealed token or client secret under the current key: the value to store, and what changed.
outcome rotate_sealed(const security::keyring& keys, const std::string& stored,
                      const std::string& context, std::string& result, std::string& problem) {
  result = stored;
  if (stored.empty() || keys.is_current(stored)) {
    return outcome::unchanged;
  }
  auto plaintext = keys.open(stored, context);
  if (!plaintext) {
    problem = message_of(plaintext.error());
    return outcome::unreadable;
  }
  result = keys.seal(*plaintext, context);
  return outcome::rewritten;
}

size_t count(outcome a, outcome b, outcome x) {
  return (a == x ? 1 : 0) + (b == x ? 1 : 0);
}

// Re-encrypts the OAuth tokens and OAuth app secrets of a tenant.
caf::error rotate_oauth(persistence::store& db, const security::keyring& keys,
                        const tenant_row& tenant, rotate_report& report, std::ostream& out) {
  for (int pass = 0; pass < max_passes; ++pass) {
    auto rows = db.list_oauth_credentials(tenant.id);
    if (!rows) {
      return std::move(rows.error());
    }
    bool raced = false;
    for (const auto& row : *rows) {
      auto after = row;
      std::string problem;
      auto a = rotate_sealed(keys, row.access_token,
                             security::column_context("oauth_credentials.access_token", tenant.id),
                             after.access_token, problem);
      auto b = rotate_sealed(keys, row.refresh_token,
                             security::column_context("oauth_credentials.refresh_token", tenant.id),
                             after.refresh_token, problem);
      if (pass == 0) {
        report.examined += 1 + (row.refresh_token.empty() ? 0 : 1);
      }
      if (auto bad = count(a, b, outcome::unreadable); bad > 0) {
        report.unreadable += bad;
        out << "OAuth credential " << row.id << " of tenant " << tenant.slug << ": " << problem
            << '\n';
      }
      if (a != outcome::rewritten && b != outcome::rewritten) {
        continue;
      }
      auto written = db.replace_oauth_tokens(row, after);
      if (!written) {
        return std::move(written.error());
      }
      if (!*written) {
        raced = true;
        continue;
      }
      report.rewritten += count(a, b, outcome::rewritten);
    }
    auto apps = db.list_oauth_configs(tenant.id);
    if (!apps) {
      return std::move(apps.error());
    }
    for (const auto& app : *apps) {
      std::string secret;
      std::string problem;
      auto a = rotate_sealed(keys, app.client_secret,
                             security::column_context("oauth_configs.client_secret", tenant.id),
                             secret, problem);
      if (pass == 0) {
        report.examined += 1;
      }
      if (a == outcome::unreadable) {
        report.unreadable += 1;
        out << "OAuth app " << app.provider << " of tenant " << tenant.slug << ": " << problem
            << '\n';
      }
      if (a != outcome::rewritten) {
        continue;
      }
      auto written = db.replace_oauth_config_secret(app, secret);
      if (!written) {
        return std::move(written.error());
      }
      if (!*written) {
        raced = true;
        continue;
      }
      report.rewritten += 1;
    }
    if (!raced) {
      return {};
    }
  }
  out << "tenant " << tenant.slug << ": OAuth credentials kept changing; run the command again\n";
  report.unreadable += 1;
  return {};
}

} // namespace

caf::expected<rotate_report> rotate_secrets(persistence::store& db, const security::keyring& keys,
                                            std::ostream& out) {
  rotate_report report;
  auto tenants = db.list_tenants();
  if (!tenants) {
    return std::move(tenants.error());
  }
  for (const auto& tenant : *tenants) {
    for (int pass = 0; pass < max_passes; ++pass) {
      auto rows = db.list_connectors(tenant.id);
      if (!rows) {
        return std::move(rows.error());
      }
      bool raced = false;
      for (const auto& row : *rows) {
        std::string configuration;
        std::string env;
        std::string problem;
        auto a = rotate_value(keys, row.configuration, transport::configuration_context(tenant.id),
                              configuration, problem);
        auto b = rotate_value(keys, row.runtime_env, transport::runtime_env_context(tenant.id), env,
                              problem);
        if (pass == 0) {
          report.examined += (transport::holds_nothing(row.configuration) ? 0 : 1)
                             + (transport::holds_nothing(row.runtime_env) ? 0 : 1);
        }
        if (a == outcome::unreadable || b == outcome::unreadable) {
          report.unreadable += (a == outcome::unreadable ? 1 : 0)
                               + (b == outcome::unreadable ? 1 : 0);
          out << "connector " << row.id << " of tenant " << tenant.slug << ": " << problem << '\n';
        }
        if (a != outcome::rewritten && b != outcome::rewritten) {
          continue;
        }
        auto written = db.rewrite_connector_secrets(row, configuration, env);
        if (!written) {
          return std::move(written.error());
        }
        if (!*written) {
          raced = true;
          continue;
        }
        report.rewritten += (a == outcome::rewritten ? 1 : 0) + (b == outcome::rewritten ? 1 : 0);
      }
      if (!raced) {
        break;
      }
      if (pass + 1 == max_passes) {
        out << "tenant " << tenant.slug << ": connectors kept changing; run the command again\n";
        report.unreadable += 1;
      }
    }
    if (auto err = rotate_oauth(db, keys, tenant, report, out)) {
      return err;
    }
  }
  return report;
}

int rotate_keys_command(const node_config& cfg) {
  auto opened = cfg.database_url.empty() ? persistence::open_sqlite_store(cfg.database_path)
                                         : persistence::open_postgres_store(cfg.database_url, {});
  if (!opened) {
    std::cerr << "sagemcp: cannot open the database: " << message_of(opened.error()) << '\n';
    return 1;
  }
  auto& db = **opened;
  if (auto err = db.migrate()) {
    std::cerr << "sagemcp: migration failed: " << message_of(err) << '\n';
    return 1;
  }
  security::keyring keys{cfg.secret_key, cfg.previous_secret_key};
  auto report = rotate_secrets(db, keys, std::cerr);
  if (!report) {
    std::cerr << "sagemcp: rotation failed: " << message_of(report.error()) << '\n';
    return 1;
  }
  std::cout << "secrets examined:   " << report->examined << '\n'
            << "re-encrypted:       " << report->rewritten << '\n'
            << "unreadable:         " << report->unreadable << '\n'
            << "current key id:     " << keys.current_key_id() << '\n';
  if (!cfg.previous_secret_key.empty()) {
    std::cout << "API keys are re-hashed under SECRET_KEY when next used; a key not used while "
                 "SECRET_KEY_PREVIOUS is set stops working once it is removed.\n";
  }
  return report->unreadable == 0 ? 0 : 1;
}

} // namespace sagemcp::node
