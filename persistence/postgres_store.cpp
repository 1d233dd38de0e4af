#include "persistence/postgres_store.hpp"

#include "messages/errc.hpp"
#include "persistence/ids.hpp"
#include "persistence/migrations.hpp"
#include "persistence/postgres_statements.hpp"
#include "persistence/rows.hpp"

#include <caf/unit.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <pqxx/pqxx>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace sagemcp::persistence {

namespace {

using postgres::stmt;

std::string name_of(stmt id) {
  return "s" + std::to_string(static_cast<int>(id));
}

/// The parameters of one execution, 1-based as in the SQL; unset ones are NULL.
class params {
public:
  void bind_text(int index, std::string_view value) {
    at(index) = std::string{value};
  }

  void bind_text_or_null(int index, std::string_view value) {
    if (value.empty()) {
      at(index).reset();
    } else {
      at(index) = std::string{value};
    }
  }

  void bind_bool(int index, bool value) {
    at(index) = value ? "true" : "false";
  }

  void bind_int(int index, int64_t value) {
    at(index) = std::to_string(value);
  }

  void bind_int_or_null(int index, int64_t value) {
    if (value < 0) {
      at(index).reset();
    } else {
      at(index) = std::to_string(value);
    }
  }

  /// The values as libpq takes them: nullptr for NULL.
  std::vector<const char*> pointers() const {
    std::vector<const char*> result;
    result.reserve(values_.size());
    for (const auto& value : values_) {
      result.push_back(value ? value->c_str() : nullptr);
    }
    return result;
  }

private:
  std::optional<std::string>& at(int index) {
    auto i = static_cast<size_t>(index);
    if (values_.size() < i) {
      values_.resize(i);
    }
    return values_[i - 1];
  }

  std::vector<std::optional<std::string>> values_;
};

/// A result row as the readers of rows.hpp read it.
class pg_row {
public:
  explicit pg_row(const pqxx::row& row) : row_(row) {
    // nop
  }

  std::string text(int column) const {
    auto field = row_[column];
    return field.is_null() ? std::string{} : std::string{field.c_str()};
  }

  bool boolean(int column) const {
    auto field = row_[column];
    return !field.is_null() && field.as<bool>();
  }

  int64_t integer_or(int column, int64_t if_null) const {
    auto field = row_[column];
    return field.is_null() ? if_null : field.as<int64_t>();
  }

private:
  const pqxx::row& row_;
};

template <class Reader>
auto all_rows(const pqxx::result& result, Reader read) {
  std::vector<decltype(read(std::declval<pg_row>()))> rows;
  rows.reserve(result.size());
  for (const auto& row : result) {
    rows.push_back(read(pg_row{row}));
  }
  return rows;
}

template <class Reader>
auto single_row(const pqxx::result& result, Reader read, std::string missing)
  -> caf::expected<decltype(read(std::declval<pg_row>()))> {
  if (result.empty()) {
    return make_error(errc::not_found, std::move(missing));
  }
  return read(pg_row{result[0]});
}

caf::error no_value(const caf::expected<caf::unit_t>& x) {
  if (!x) {
    return x.error();
  }
  return {};
}

/// Whether an SQLSTATE says the connection or the server went away: class 08 (connection
/// exception) and 57P01-57P03 (the server is shutting down or not accepting connections).
bool lost_connection(const std::string& sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02"
         || sqlstate == "57P03";
}

class postgres_store final : public store {
public:
  postgres_store(const std::string& url, std::string node_id)
    : url_(with_connection_defaults(url)),
      node_id_(std::move(node_id)) {
    // nop
  }

  /// Connects, creates schema_version, and tells whether the data statements can run.
  caf::error open() {
    auto created = attempt<caf::unit_t>(
      [this](pqxx::work& txn) -> caf::expected<caf::unit_t> {
        exec(txn, stmt::migration_lock);
        exec(txn, stmt::create_schema_version);
        return caf::unit;
      },
      false);
    if (!created) {
      return created.error();
    }
    auto version = schema_version();
    if (!version) {
      return std::move(version.error());
    }
    data_ready_ = *version >= latest_version(dialect::postgres);
    return {};
  }

  caf::error migrate() override {
    auto latest = latest_version(dialect::postgres);
    auto done = attempt<caf::unit_t>(
      [this, latest](pqxx::work& txn) -> caf::expected<caf::unit_t> {
        // One transaction under an advisory lock: processes migrating at once take turns, and a
        // failed migration leaves nothing behind.
        exec(txn, stmt::migration_lock);
        exec(txn, stmt::create_schema_version);
        auto version = exec(txn, stmt::select_schema_version)[0][0].as<int>();
        if (version > latest) {
          return make_error(errc::storage_failure, "database schema version "
                                                     + std::to_string(version)
                                                     + " is newer than this build supports ("
                                                     + std::to_string(latest) + ")");
        }
        for (const auto& m : migrations(dialect::postgres)) {
          if (m.version <= version) {
            continue;
          }
          txn.exec(std::string{m.sql}, "migration " + std::to_string(m.version));
          params p;
          p.bind_int(1, m.version);
          p.bind_text(2, now_iso8601());
          exec(txn, stmt::insert_schema_version, p);
        }
        return caf::unit;
      },
      false);
    if (!done) {
      return done.error();
    }
    data_ready_ = true;
    return {};
  }

  caf::expected<int> schema_version() override {
    return attempt<int>(
      [this](pqxx::work& txn) -> caf::expected<int> {
        return exec(txn, stmt::select_schema_version)[0][0].as<int>();
      },
      false);
  }

  caf::error ping() override {
    return no_value(attempt<caf::unit_t>(
      [this](pqxx::work& txn) -> caf::expected<caf::unit_t> {
        exec(txn, stmt::ping);
        return caf::unit;
      },
      false));
  }

  caf::expected<tenant_row> create_tenant(tenant_row row) override {
    if (auto err = prepare_new_tenant(row)) {
      return err;
    }
    return attempt<tenant_row>(
      [this, &row](pqxx::work& txn) -> caf::expected<tenant_row> {
        params p;
        bind_new_tenant(p, row);
        exec(txn, stmt::insert_tenant, p);
        notify(txn, tenant_change(row, false));
        return row;
      },
      true, "tenant slug '" + row.slug + "' already exists");
  }

  caf::expected<tenant_row> update_tenant(const tenant_row& row) override {
    if (auto err = check_tenant_update(row)) {
      return err;
    }
    return attempt<tenant_row>([this, &row](pqxx::work& txn) -> caf::expected<tenant_row> {
      params p;
      bind_tenant_update(p, row, now_iso8601());
      auto updated = single_row(exec(txn, stmt::update_tenant, p), read_tenant<pg_row>,
                                "tenant '" + row.slug + "' not found");
      if (updated) {
        notify(txn, tenant_change(*updated, false));
      }
      return updated;
    });
  }

  caf::error delete_tenant(const std::string& slug) override {
    return no_value(
      attempt<caf::unit_t>([this, &slug](pqxx::work& txn) -> caf::expected<caf::unit_t> {
        params p;
        p.bind_text(1, slug);
        auto result = exec(txn, stmt::delete_tenant, p);
        if (result.empty()) {
          return make_error(errc::not_found, "tenant '" + slug + "' not found");
        }
        tenant_row gone;
        gone.id = pg_row{result[0]}.text(0);
        gone.slug = slug;
        notify(txn, tenant_change(gone, true));
        return caf::unit;
      }));
  }

  caf::expected<tenant_row> get_tenant(const std::string& slug) override {
    return attempt<tenant_row>([this, &slug](pqxx::work& txn) -> caf::expected<tenant_row> {
      params p;
      p.bind_text(1, slug);
      return single_row(exec(txn, stmt::select_tenant, p), read_tenant<pg_row>,
                        "tenant '" + slug + "' not found");
    });
  }

  caf::expected<std::vector<tenant_row>> list_tenants() override {
    return attempt<std::vector<tenant_row>>(
      [this](pqxx::work& txn) -> caf::expected<std::vector<tenant_row>> {
        return all_rows(exec(txn, stmt::list_tenants), read_tenant<pg_row>);
      });
  }

  caf::expected<std::vector<connector_row>> list_connectors(const std::string& tenant_id) override {
    return attempt<std::vector<connector_row>>(
      [this, &tenant_id](pqxx::work& txn) -> caf::expected<std::vector<connector_row>> {
        params p;
        p.bind_text(1, tenant_id);
        return all_rows(exec(txn, stmt::list_connectors, p), read_connector<pg_row>);
      });
  }

  caf::expected<connector_row> create_connector(connector_row row) override {
    if (auto err = prepare_new_connector(row)) {
      return err;
    }
    return attempt<connector_row>(
      [this, &row](pqxx::work& txn) -> caf::expected<connector_row> {
        params p;
        bind_new_connector(p, row);
        exec(txn, stmt::insert_connector, p);
        notify_connector(txn, "connector", row.id);
        return row;
      },
      true, "connector '" + row.id + "' already exists",
      "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<connector_row> update_connector(const connector_row& row) override {
    if (auto err = check_connector_update(row)) {
      return err;
    }
    return attempt<connector_row>([this, &row](pqxx::work& txn) -> caf::expected<connector_row> {
      params p;
      bind_connector_update(p, row, now_iso8601());
      auto updated
        = single_row(exec(txn, stmt::update_connector, p), read_connector<pg_row>,
                     "connector '" + row.id + "' of tenant '" + row.tenant_id + "' not found");
      if (updated) {
        notify_connector(txn, "connector", row.id);
      }
      return updated;
    });
  }

  caf::error delete_connector(const std::string& tenant_id, const std::string& id) override {
    return no_value(
      attempt<caf::unit_t>([this, &tenant_id, &id](pqxx::work& txn) -> caf::expected<caf::unit_t> {
        // Read the slug while the connector still exists.
        auto slug = slug_of_connector(txn, id);
        params p;
        p.bind_text(1, id);
        p.bind_text(2, tenant_id);
        if (exec(txn, stmt::delete_connector, p).empty()) {
          return make_error(errc::not_found,
                            "connector '" + id + "' of tenant '" + tenant_id + "' not found");
        }
        notify(txn, connector_change("connector", slug, id));
        return caf::unit;
      }));
  }

  caf::expected<api_key_row> create_api_key(api_key_row row) override {
    if (auto err = check_new_api_key(row)) {
      return err;
    }
    return attempt<api_key_row>(
      [this, &row](pqxx::work& txn) -> caf::expected<api_key_row> {
        params p;
        bind_new_api_key(p, row, make_uuid(), now_iso8601());
        auto created = single_row(exec(txn, stmt::insert_api_key, p), read_api_key<pg_row>,
                                  "the API key was not stored");
        if (created) {
          notify(txn, key_change(*created));
        }
        return created;
      },
      true, "an API key with this hash already exists", "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<std::vector<api_key_row>> list_api_keys() override {
    return attempt<std::vector<api_key_row>>(
      [this](pqxx::work& txn) -> caf::expected<std::vector<api_key_row>> {
        return all_rows(exec(txn, stmt::list_api_keys), read_api_key<pg_row>);
      });
  }

  caf::expected<api_key_row> revoke_api_key(const std::string& id) override {
    return attempt<api_key_row>([this, &id](pqxx::work& txn) -> caf::expected<api_key_row> {
      params p;
      p.bind_text(1, id);
      auto revoked = single_row(exec(txn, stmt::revoke_api_key, p), read_api_key<pg_row>,
                                "API key '" + id + "' not found");
      if (revoked) {
        // Its personal OAuth connections go with it.
        params owner;
        owner.bind_text(1, id);
        exec(txn, stmt::delete_personal_oauth_credentials, owner);
        notify(txn, key_change(*revoked));
      }
      return revoked;
    });
  }

  caf::expected<std::vector<tool_state_row>>
  list_tool_states(const std::string& connector_id) override {
    return attempt<std::vector<tool_state_row>>(
      [this, &connector_id](pqxx::work& txn) -> caf::expected<std::vector<tool_state_row>> {
        return tool_states(txn, connector_id);
      });
  }

  caf::expected<std::vector<tool_state_row>>
  change_tool_states(const std::string& connector_id, const std::vector<tool_state_row>& states,
                     const std::vector<std::string>& removed) override {
    for (const auto& state : states) {
      if (auto err = check_tool_name(state.tool_name)) {
        return err;
      }
    }
    return attempt<std::vector<tool_state_row>>(
      [&](pqxx::work& txn) -> caf::expected<std::vector<tool_state_row>> {
        auto now = now_iso8601();
        for (const auto& state : states) {
          params p;
          bind_tool_state(p, make_uuid(), connector_id, state, now);
          exec(txn, stmt::upsert_tool_state, p);
        }
        for (const auto& name : removed) {
          params p;
          p.bind_text(1, connector_id);
          p.bind_text(2, name);
          exec(txn, stmt::delete_tool_state, p);
        }
        notify_connector(txn, "tools", connector_id);
        return tool_states(txn, connector_id);
      },
      true, {}, "connector '" + connector_id + "' not found");
  }

  caf::expected<std::vector<tool_state_row>>
  list_disabled_tools(const std::string& tenant_id) override {
    return attempt<std::vector<tool_state_row>>(
      [this, &tenant_id](pqxx::work& txn) -> caf::expected<std::vector<tool_state_row>> {
        params p;
        p.bind_text(1, tenant_id);
        return all_rows(exec(txn, stmt::list_disabled_tools, p), read_tool_state<pg_row>);
      });
  }

  caf::error touch_api_keys(const std::vector<api_key_row>& uses) override {
    return no_value(attempt<caf::unit_t>([&uses](pqxx::work& txn) -> caf::expected<caf::unit_t> {
      for (const auto& use : uses) {
        params p;
        bind_key_use(p, use);
        exec(txn, stmt::touch_api_key, p);
      }
      return caf::unit;
    }));
  }

  caf::expected<bool> rewrite_connector_secrets(const connector_row& before,
                                                const std::string& configuration,
                                                const std::string& runtime_env) override {
    return attempt<bool>([&](pqxx::work& txn) -> caf::expected<bool> {
      params p;
      bind_secret_rewrite(p, before, configuration, runtime_env);
      if (exec(txn, stmt::rewrite_connector_secrets, p).empty()) {
        return false;
      }
      notify_connector(txn, "connector", before.id);
      return true;
    });
  }

  caf::error add_usage(const std::vector<usage_row>& rows) override {
    return no_value(attempt<caf::unit_t>([&rows](pqxx::work& txn) -> caf::expected<caf::unit_t> {
      for (const auto& row : rows) {
        params p;
        bind_usage(p, row);
        exec(txn, stmt::add_usage, p);
      }
      return caf::unit;
    }));
  }

  caf::expected<std::vector<usage_row>> list_usage(const std::string& tenant_slug,
                                                   const std::string& since_day) override {
    return attempt<std::vector<usage_row>>(
      [&tenant_slug, &since_day](pqxx::work& txn) -> caf::expected<std::vector<usage_row>> {
        params p;
        p.bind_text(1, tenant_slug);
        p.bind_text(2, since_day);
        return all_rows(exec(txn, stmt::list_usage, p), read_usage<pg_row>);
      });
  }

  caf::expected<audit_row> append_audit(audit_row row) override {
    return attempt<audit_row>([&row](pqxx::work& txn) -> caf::expected<audit_row> {
      params p;
      bind_new_audit(p, row);
      exec(txn, stmt::insert_audit, p);
      return row;
    });
  }

  caf::expected<std::vector<audit_row>> list_audit(const std::string& tenant_slug,
                                                   int64_t limit) override {
    return attempt<std::vector<audit_row>>(
      [&tenant_slug, limit](pqxx::work& txn) -> caf::expected<std::vector<audit_row>> {
        params p;
        p.bind_text(1, tenant_slug);
        p.bind_int(2, limit);
        return all_rows(exec(txn, stmt::list_audit, p), read_audit<pg_row>);
      });
  }

  caf::expected<oauth_credential_row> upsert_oauth_credential(oauth_credential_row row) override {
    if (auto err = prepare_oauth_credential(row)) {
      return err;
    }
    return attempt<oauth_credential_row>(
      [&row](pqxx::work& txn) -> caf::expected<oauth_credential_row> {
        params p;
        bind_oauth_credential(p, row);
        return single_row(exec(txn, stmt::upsert_oauth_credential, p),
                          read_oauth_credential<pg_row>, "the OAuth credential was not stored");
      },
      true, {}, "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<oauth_credential_row> get_oauth_credential(const std::string& tenant_id,
                                                           const std::string& provider,
                                                           const std::string& owner) override {
    return attempt<oauth_credential_row>(
      [&](pqxx::work& txn) -> caf::expected<oauth_credential_row> {
        params p;
        bind_oauth_credential_key(p, tenant_id, provider, owner);
        return single_row(exec(txn, stmt::select_oauth_credential, p),
                          read_oauth_credential<pg_row>, credential_missing(provider, owner));
      });
  }

  caf::expected<std::vector<oauth_credential_row>>
  list_oauth_credentials(const std::string& tenant_id) override {
    return attempt<std::vector<oauth_credential_row>>(
      [&tenant_id](pqxx::work& txn) -> caf::expected<std::vector<oauth_credential_row>> {
        params p;
        p.bind_text(1, tenant_id);
        return all_rows(exec(txn, stmt::list_oauth_credentials, p), read_oauth_credential<pg_row>);
      });
  }

  caf::expected<oauth_credential_row> delete_oauth_credential(const std::string& tenant_id,
                                                              const std::string& provider,
                                                              const std::string& owner) override {
    return attempt<oauth_credential_row>(
      [&](pqxx::work& txn) -> caf::expected<oauth_credential_row> {
        params p;
        bind_oauth_credential_key(p, tenant_id, provider, owner);
        return single_row(exec(txn, stmt::delete_oauth_credential, p),
                          read_oauth_credential<pg_row>, credential_missing(provider, owner));
      });
  }

  caf::expected<bool> replace_oauth_tokens(const oauth_credential_row& before,
                                           const oauth_credential_row& after) override {
    return attempt<bool>([&](pqxx::work& txn) -> caf::expected<bool> {
      params p;
      bind_oauth_token_swap(p, before, after, now_iso8601());
      return !exec(txn, stmt::replace_oauth_tokens, p).empty();
    });
  }

  caf::expected<oauth_config_row> upsert_oauth_config(oauth_config_row row) override {
    if (auto err = prepare_oauth_config(row)) {
      return err;
    }
    return attempt<oauth_config_row>(
      [&row](pqxx::work& txn) -> caf::expected<oauth_config_row> {
        params p;
        bind_oauth_config(p, row);
        return single_row(exec(txn, stmt::upsert_oauth_config, p), read_oauth_config<pg_row>,
                          "the OAuth app was not stored");
      },
      true, {}, "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<oauth_config_row> get_oauth_config(const std::string& tenant_id,
                                                   const std::string& provider) override {
    return attempt<oauth_config_row>([&](pqxx::work& txn) -> caf::expected<oauth_config_row> {
      params p;
      p.bind_text(1, tenant_id);
      p.bind_text(2, provider);
      return single_row(exec(txn, stmt::select_oauth_config, p), read_oauth_config<pg_row>,
                        config_missing(provider));
    });
  }

  caf::expected<std::vector<oauth_config_row>>
  list_oauth_configs(const std::string& tenant_id) override {
    return attempt<std::vector<oauth_config_row>>(
      [&tenant_id](pqxx::work& txn) -> caf::expected<std::vector<oauth_config_row>> {
        params p;
        p.bind_text(1, tenant_id);
        return all_rows(exec(txn, stmt::list_oauth_configs, p), read_oauth_config<pg_row>);
      });
  }

  caf::error delete_oauth_config(const std::string& tenant_id,
                                 const std::string& provider) override {
    return no_value(attempt<caf::unit_t>([&](pqxx::work& txn) -> caf::expected<caf::unit_t> {
      params p;
      p.bind_text(1, tenant_id);
      p.bind_text(2, provider);
      if (exec(txn, stmt::delete_oauth_config, p).empty()) {
        return make_error(errc::not_found, config_missing(provider));
      }
      return caf::unit;
    }));
  }

  caf::expected<bool> replace_oauth_config_secret(const oauth_config_row& before,
                                                  const std::string& client_secret) override {
    return attempt<bool>([&](pqxx::work& txn) -> caf::expected<bool> {
      params p;
      bind_oauth_secret_swap(p, before, client_secret);
      return !exec(txn, stmt::replace_oauth_config_secret, p).empty();
    });
  }

  caf::expected<oauth_flow_row> create_oauth_flow(oauth_flow_row row) override {
    if (auto err = prepare_new_oauth_flow(row)) {
      return err;
    }
    return attempt<oauth_flow_row>(
      [&row](pqxx::work& txn) -> caf::expected<oauth_flow_row> {
        params purge;
        purge.bind_text(1, oauth_flow_purge_cutoff());
        exec(txn, stmt::purge_oauth_flows, purge);
        params p;
        bind_new_oauth_flow(p, row);
        exec(txn, stmt::insert_oauth_flow, p);
        return row;
      },
      true, "the OAuth flow id is taken", "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<oauth_flow_row> claim_oauth_flow(const std::string& id) override {
    return attempt<oauth_flow_row>([&id](pqxx::work& txn) -> caf::expected<oauth_flow_row> {
      params p;
      p.bind_text(1, id);
      p.bind_text(2, now_iso8601());
      return single_row(exec(txn, stmt::claim_oauth_flow, p), read_oauth_flow<pg_row>,
                        std::string{flow_unclaimable});
    });
  }

  caf::error finish_oauth_flow(const std::string& id, const std::string& outcome) override {
    return no_value(attempt<caf::unit_t>([&](pqxx::work& txn) -> caf::expected<caf::unit_t> {
      params p;
      p.bind_text(1, id);
      p.bind_text(2, outcome);
      if (exec(txn, stmt::finish_oauth_flow, p).empty()) {
        return make_error(errc::not_found, flow_missing());
      }
      return caf::unit;
    }));
  }

  caf::expected<oauth_flow_row> get_oauth_flow(const std::string& id) override {
    return attempt<oauth_flow_row>([&id](pqxx::work& txn) -> caf::expected<oauth_flow_row> {
      params p;
      p.bind_text(1, id);
      return single_row(exec(txn, stmt::select_oauth_flow, p), read_oauth_flow<pg_row>,
                        flow_missing());
    });
  }

private:
  static pqxx::result exec(pqxx::work& txn, stmt id, const params& p = {}) {
    auto values = p.pointers();
    return txn.exec_prepared(name_of(id), pqxx::prepare::make_dynamic_params(values));
  }

  static std::vector<tool_state_row> tool_states(pqxx::work& txn, const std::string& connector_id) {
    params p;
    p.bind_text(1, connector_id);
    return all_rows(exec(txn, stmt::list_tool_states, p), read_tool_state<pg_row>);
  }

  static std::string slug_of_connector(pqxx::work& txn, const std::string& connector_id) {
    params p;
    p.bind_text(1, connector_id);
    auto result = exec(txn, stmt::tenant_slug_of_connector, p);
    return result.empty() ? std::string{} : pg_row{result[0]}.text(0);
  }

  static boost::json::object tenant_change(const tenant_row& row, bool deleted) {
    return boost::json::object{{"kind", "tenant"},
                               {"tenant", row.slug},
                               {"tenant_id", row.id},
                               {"deleted", deleted},
                               {"rate_limit_rpm", row.rate_limit_rpm}};
  }

  static boost::json::object key_change(const api_key_row& row) {
    return boost::json::object{{"kind", "key"}, {"key", row.id}, {"tenant_id", row.tenant_id}};
  }

  static boost::json::object connector_change(std::string_view kind, const std::string& slug,
                                              const std::string& connector_id) {
    return boost::json::object{{"kind", kind}, {"tenant", slug}, {"connector", connector_id}};
  }

  void notify_connector(pqxx::work& txn, std::string_view kind, const std::string& connector_id) {
    notify(txn, connector_change(kind, slug_of_connector(txn, connector_id), connector_id));
  }

  /// Tells the other nodes about a change when the transaction commits.
  void notify(pqxx::work& txn, boost::json::object change) {
    change["node"] = node_id_;
    params p;
    p.bind_text(1, boost::json::serialize(change));
    exec(txn, stmt::notify, p);
  }

  /// Connects (again) when there is no open connection, and prepares every statement.
  caf::error connect() {
    if (conn_ && conn_->is_open()) {
      return {};
    }
    conn_.reset();
    try {
      auto conn = std::make_unique<pqxx::connection>(url_);
      for (const auto& def : postgres::statement_table) {
        conn->prepare(name_of(def.id), std::string{def.sql});
      }
      conn_ = std::move(conn);
    } catch (const std::exception& e) {
      return make_error(errc::storage_unavailable,
                        std::string{"cannot connect to PostgreSQL: "} + e.what());
    }
    return {};
  }

  /// Runs `body` in a transaction and commits it when it yields a value; maps exceptions to the
  /// store's errors. `needs_schema` refuses data statements before the schema is current.
  template <class T, class Body>
  caf::expected<T> attempt(Body body, bool needs_schema = true, std::string conflict = {},
                           std::string missing = {}) {
    if (needs_schema && !data_ready_) {
      return make_error(errc::storage_failure, "the database schema is not migrated yet");
    }
    if (auto err = connect()) {
      return err;
    }
    try {
      pqxx::work txn{*conn_};
      auto result = body(txn);
      if (result) {
        txn.commit();
      }
      return result;
    } catch (const pqxx::in_doubt_error& e) {
      conn_.reset();
      return make_error(errc::storage_failure,
                        std::string{"the connection to PostgreSQL was lost while committing; the "
                                    "change may or may not have been applied: "}
                          + e.what());
    } catch (const pqxx::broken_connection& e) {
      conn_.reset();
      return unavailable(e.what());
    } catch (const pqxx::unique_violation& e) {
      return conflict.empty() ? storage_failure(e.what())
                              : make_error(errc::conflict, std::move(conflict));
    } catch (const pqxx::foreign_key_violation& e) {
      return missing.empty() ? storage_failure(e.what())
                             : make_error(errc::not_found, std::move(missing));
    } catch (const pqxx::not_null_violation& e) {
      return make_error(errc::invalid_argument, e.what());
    } catch (const pqxx::check_violation& e) {
      return make_error(errc::invalid_argument, e.what());
    } catch (const pqxx::sql_error& e) {
      if (lost_connection(e.sqlstate()) || !conn_->is_open()) {
        conn_.reset();
        return unavailable(e.what());
      }
      return storage_failure(e.what());
    } catch (const std::exception& e) {
      if (conn_ && !conn_->is_open()) {
        conn_.reset();
        return unavailable(e.what());
      }
      return storage_failure(e.what());
    }
  }

  static caf::error unavailable(std::string_view what) {
    return make_error(errc::storage_unavailable,
                      "the connection to PostgreSQL was lost: " + std::string{what});
  }

  static caf::error storage_failure(std::string_view what) {
    return make_error(errc::storage_failure, "postgresql: " + std::string{what});
  }

  std::string url_;
  std::string node_id_;
  std::unique_ptr<pqxx::connection> conn_;
  bool data_ready_ = false;
};

/// Collects the payloads of one channel.
class receiver final : public pqxx::notification_receiver {
public:
  receiver(pqxx::connection_base& conn, std::vector<std::string>& sink)
    : pqxx::notification_receiver(conn, std::string{postgres::change_channel}),
      sink_(sink) {
    // nop
  }

  void operator()(const std::string& payload, int) override {
    sink_.push_back(payload);
  }

private:
  std::vector<std::string>& sink_;
};

class postgres_listener final : public change_listener {
public:
  explicit postgres_listener(const std::string& url) : url_(with_connection_defaults(url)) {
    // nop
  }

  caf::expected<std::vector<std::string>> wait(std::chrono::milliseconds timeout) override {
    std::vector<std::string> payloads;
    try {
      if (!conn_ || !conn_->is_open()) {
        receiver_.reset();
        conn_ = std::make_unique<pqxx::connection>(url_);
        receiver_ = std::make_unique<receiver>(*conn_, pending_);
      }
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
      conn_->await_notification(static_cast<long>(micros / 1'000'000),
                                static_cast<long>(micros % 1'000'000));
      if (!conn_->is_open()) {
        throw pqxx::broken_connection{"the listening connection closed"};
      }
    } catch (const std::exception& e) {
      receiver_.reset();
      conn_.reset();
      pending_.clear();
      return make_error(errc::storage_unavailable,
                        std::string{"cannot listen for changes on PostgreSQL: "} + e.what());
    }
    payloads.swap(pending_);
    return payloads;
  }

  ~postgres_listener() override {
    // The receiver unlistens through the connection, so it goes first.
    receiver_.reset();
  }

  postgres_listener(const postgres_listener&) = delete;
  postgres_listener& operator=(const postgres_listener&) = delete;
  postgres_listener(postgres_listener&&) = delete;
  postgres_listener& operator=(postgres_listener&&) = delete;

private:
  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::vector<std::string> pending_;
  std::unique_ptr<receiver> receiver_;
};

} // namespace

std::unique_ptr<change_listener> open_postgres_listener(const std::string& url) {
  return std::make_unique<postgres_listener>(url);
}

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string with_connection_defaults(const std::string& url) {
  auto result = url;
  auto add = [&result](std::string_view key, std::string_view value) {
    if (result.find(std::string{key} + "=") != std::string::npos) {
      return;
    }
    result += result.find('?') == std::string::npos ? '?' : '&';
    result += key;
    result += '=';
    result += value;
  };
  add("connect_timeout", "5");
  add("keepalives", "1");
  add("keepalives_idle", "5");
  add("keepalives_interval", "2");
  add("keepalives_count", "3");
  add("tcp_user_timeout", "10000");
  add("application_name", "sagemcp");
  return result;
}

caf::expected<std::unique_ptr<store>> open_postgres_store(const std::string& url,
                                                          std::string node_id) {
  auto result = std::make_unique<postgres_store>(url, std::move(node_id));
  if (auto err = result->open()) {
    return err;
  }
  return std::unique_ptr<store>{std::move(result)};
}

} // namespace sagemcp::persistence
