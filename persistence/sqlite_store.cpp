#include "persistence/sqlite_store.hpp"

#include "messages/errc.hpp"
#include "persistence/ids.hpp"
#include "persistence/migrations.hpp"
#include "persistence/rows.hpp"
#include "persistence/sqlite_statement.hpp"
#include "persistence/sqlite_statements.hpp"

#include <caf/unit.hpp>

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <utility>

namespace sagemcp::persistence {

namespace {

using sqlite::phase;
using sqlite::statement_def;
using sqlite::statement_table;
using sqlite::stmt;

class sqlite_store final : public store {
public:
  explicit sqlite_store(connection_ptr db) : db_(std::move(db)) {
    // nop
  }

  /// Prepares the setup and bootstrap statements, runs the setup ones, and prepares the data
  /// statements if the schema is current.
  caf::error open() {
    for (const auto& def : statement_table) {
      if (def.when == phase::data) {
        continue;
      }
      if (auto err = prepare(def)) {
        return err;
      }
      if (def.when == phase::setup) {
        if (auto err = run(def.id)) {
          return err;
        }
      }
    }
    auto version = schema_version();
    if (!version) {
      return std::move(version.error());
    }
    if (*version >= latest_version(dialect::sqlite)) {
      return prepare_data();
    }
    return {};
  }

  caf::error migrate() override {
    auto version = schema_version();
    if (!version) {
      return std::move(version.error());
    }
    auto latest = latest_version(dialect::sqlite);
    if (*version > latest) {
      return make_error(errc::storage_failure, "database schema version " + std::to_string(*version)
                                                 + " is newer than this build supports ("
                                                 + std::to_string(latest) + ")");
    }
    for (const auto& m : migrations(dialect::sqlite)) {
      if (m.version <= *version) {
        continue;
      }
      if (auto err = apply(m)) {
        return err;
      }
    }
    return prepare_data();
  }

  caf::expected<int> schema_version() override {
    query q{get(stmt::select_schema_version)};
    if (auto rc = q.step(); rc != SQLITE_ROW) {
      return failure(rc);
    }
    return static_cast<int>(q.integer(0));
  }

  caf::error ping() override {
    query q{get(stmt::ping)};
    if (auto rc = q.step(); rc != SQLITE_ROW) {
      return failure(rc);
    }
    return {};
  }

  caf::expected<tenant_row> create_tenant(tenant_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = prepare_new_tenant(row)) {
      return err;
    }
    query q{get(stmt::insert_tenant)};
    bind_new_tenant(q, row);
    if (auto rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc, "tenant slug '" + row.slug + "' already exists");
    }
    return row;
  }

  caf::expected<tenant_row> update_tenant(const tenant_row& row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = check_tenant_update(row)) {
      return err;
    }
    query q{get(stmt::update_tenant)};
    bind_tenant_update(q, row, now_iso8601());
    return single_row(q, read_tenant<query>, "tenant '" + row.slug + "' not found");
  }

  caf::error delete_tenant(const std::string& slug) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::delete_tenant)};
    q.bind_text(1, slug);
    return no_value(single_row(q, read_nothing, "tenant '" + slug + "' not found"));
  }

  caf::expected<tenant_row> get_tenant(const std::string& slug) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::select_tenant)};
    q.bind_text(1, slug);
    return single_row(q, read_tenant<query>, "tenant '" + slug + "' not found");
  }

  caf::expected<std::vector<tenant_row>> list_tenants() override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_tenants)};
    return all_rows(q, read_tenant<query>);
  }

  caf::expected<std::vector<connector_row>> list_connectors(const std::string& tenant_id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_connectors)};
    q.bind_text(1, tenant_id);
    return all_rows(q, read_connector<query>);
  }

  caf::expected<connector_row> create_connector(connector_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = prepare_new_connector(row)) {
      return err;
    }
    query q{get(stmt::insert_connector)};
    bind_new_connector(q, row);
    if (auto rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc, "connector '" + row.id + "' already exists",
                     "tenant '" + row.tenant_id + "' not found");
    }
    return row;
  }

  caf::expected<connector_row> update_connector(const connector_row& row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = check_connector_update(row)) {
      return err;
    }
    query q{get(stmt::update_connector)};
    bind_connector_update(q, row, now_iso8601());
    return single_row(q, read_connector<query>,
                      "connector '" + row.id + "' of tenant '" + row.tenant_id + "' not found");
  }

  caf::error delete_connector(const std::string& tenant_id, const std::string& id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::delete_connector)};
    q.bind_text(1, id);
    q.bind_text(2, tenant_id);
    return no_value(single_row(q, read_nothing,
                               "connector '" + id + "' of tenant '" + tenant_id + "' not found"));
  }

  caf::expected<api_key_row> create_api_key(api_key_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = check_new_api_key(row)) {
      return err;
    }
    query q{get(stmt::insert_api_key)};
    bind_new_api_key(q, row, make_uuid(), now_iso8601());
    auto rc = q.step();
    if (rc != SQLITE_ROW) {
      return failure(rc, "an API key with this hash already exists",
                     "tenant '" + row.tenant_id + "' not found");
    }
    auto result = read_api_key(q);
    if (rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc, "an API key with this hash already exists");
    }
    return result;
  }

  caf::expected<std::vector<api_key_row>> list_api_keys() override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_api_keys)};
    return all_rows(q, read_api_key<query>);
  }

  caf::expected<api_key_row> revoke_api_key(const std::string& id) override {
    if (auto err = require_schema()) {
      return err;
    }
    std::optional<api_key_row> revoked;
    auto err = in_transaction([&]() -> caf::error {
      query q{get(stmt::revoke_api_key)};
      q.bind_text(1, id);
      auto row = single_row(q, read_api_key<query>, "API key '" + id + "' not found");
      if (!row) {
        return std::move(row.error());
      }
      revoked = std::move(*row);
      // Its personal OAuth connections go with it.
      query personal{get(stmt::delete_personal_oauth_credentials)};
      personal.bind_text(1, id);
      if (auto rc = personal.step(); rc != SQLITE_DONE) {
        return failure(rc);
      }
      return {};
    });
    if (err) {
      return err;
    }
    return std::move(*revoked);
  }

  caf::error touch_api_keys(const std::vector<api_key_row>& uses) override {
    if (auto err = require_schema()) {
      return err;
    }
    return in_transaction([&]() -> caf::error {
      for (const auto& use : uses) {
        query q{get(stmt::touch_api_key)};
        bind_key_use(q, use);
        if (auto rc = q.step(); rc != SQLITE_DONE) {
          return failure(rc);
        }
      }
      return {};
    });
  }

  caf::expected<bool> rewrite_connector_secrets(const connector_row& before,
                                                const std::string& configuration,
                                                const std::string& runtime_env) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::rewrite_connector_secrets)};
    bind_secret_rewrite(q, before, configuration, runtime_env);
    auto rc = q.step();
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return failure(rc);
  }

  caf::expected<std::vector<tool_state_row>>
  list_tool_states(const std::string& connector_id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_tool_states)};
    q.bind_text(1, connector_id);
    return all_rows(q, read_tool_state<query>);
  }

  caf::expected<std::vector<tool_state_row>>
  change_tool_states(const std::string& connector_id, const std::vector<tool_state_row>& states,
                     const std::vector<std::string>& removed) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = in_transaction([&] {
          return write_tool_states(connector_id, states, removed);
        })) {
      return err;
    }
    return list_tool_states(connector_id);
  }

  caf::expected<std::vector<tool_state_row>>
  list_disabled_tools(const std::string& tenant_id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_disabled_tools)};
    q.bind_text(1, tenant_id);
    return all_rows(q, read_tool_state<query>);
  }

  caf::error add_usage(const std::vector<usage_row>& rows) override {
    if (auto err = require_schema()) {
      return err;
    }
    return in_transaction([&]() -> caf::error {
      for (const auto& row : rows) {
        query q{get(stmt::add_usage)};
        bind_usage(q, row);
        if (auto rc = q.step(); rc != SQLITE_DONE) {
          return failure(rc);
        }
      }
      return {};
    });
  }

  caf::expected<std::vector<usage_row>> list_usage(const std::string& tenant_slug,
                                                   const std::string& since_day) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_usage)};
    q.bind_text(1, tenant_slug);
    q.bind_text(2, since_day);
    return all_rows(q, read_usage<query>);
  }

  caf::expected<audit_row> append_audit(audit_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::insert_audit)};
    bind_new_audit(q, row);
    if (auto rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc);
    }
    return row;
  }

  caf::expected<std::vector<audit_row>> list_audit(const std::string& tenant_slug,
                                                   int64_t limit) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_audit)};
    q.bind_text(1, tenant_slug);
    q.bind_int(2, limit);
    return all_rows(q, read_audit<query>);
  }

  caf::expected<oauth_credential_row> upsert_oauth_credential(oauth_credential_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = prepare_oauth_credential(row)) {
      return err;
    }
    query q{get(stmt::upsert_oauth_credential)};
    bind_oauth_credential(q, row);
    return written_row(q, read_oauth_credential<query>, "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<oauth_credential_row> get_oauth_credential(const std::string& tenant_id,
                                                           const std::string& provider,
                                                           const std::string& owner) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::select_oauth_credential)};
    bind_oauth_credential_key(q, tenant_id, provider, owner);
    return single_row(q, read_oauth_credential<query>, credential_missing(provider, owner));
  }

  caf::expected<std::vector<oauth_credential_row>>
  list_oauth_credentials(const std::string& tenant_id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_oauth_credentials)};
    q.bind_text(1, tenant_id);
    return all_rows(q, read_oauth_credential<query>);
  }

  caf::expected<oauth_credential_row> delete_oauth_credential(const std::string& tenant_id,
                                                              const std::string& provider,
                                                              const std::string& owner) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::delete_oauth_credential)};
    bind_oauth_credential_key(q, tenant_id, provider, owner);
    return single_row(q, read_oauth_credential<query>, credential_missing(provider, owner));
  }

  caf::expected<bool> replace_oauth_tokens(const oauth_credential_row& before,
                                           const oauth_credential_row& after) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::replace_oauth_tokens)};
    bind_oauth_token_swap(q, before, after, now_iso8601());
    return matched(q);
  }

  caf::expected<oauth_config_row> upsert_oauth_config(oauth_config_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = prepare_oauth_config(row)) {
      return err;
    }
    query q{get(stmt::upsert_oauth_config)};
    bind_oauth_config(q, row);
    return written_row(q, read_oauth_config<query>, "tenant '" + row.tenant_id + "' not found");
  }

  caf::expected<oauth_config_row> get_oauth_config(const std::string& tenant_id,
                                                   const std::string& provider) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::select_oauth_config)};
    q.bind_text(1, tenant_id);
    q.bind_text(2, provider);
    return single_row(q, read_oauth_config<query>, config_missing(provider));
  }

  caf::expected<std::vector<oauth_config_row>>
  list_oauth_configs(const std::string& tenant_id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::list_oauth_configs)};
    q.bind_text(1, tenant_id);
    return all_rows(q, read_oauth_config<query>);
  }

  caf::error delete_oauth_config(const std::string& tenant_id,
                                 const std::string& provider) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::delete_oauth_config)};
    q.bind_text(1, tenant_id);
    q.bind_text(2, provider);
    return no_value(single_row(q, read_nothing, config_missing(provider)));
  }

  caf::expected<bool> replace_oauth_config_secret(const oauth_config_row& before,
                                                  const std::string& client_secret) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::replace_oauth_config_secret)};
    bind_oauth_secret_swap(q, before, client_secret);
    return matched(q);
  }

  caf::expected<oauth_flow_row> create_oauth_flow(oauth_flow_row row) override {
    if (auto err = require_schema()) {
      return err;
    }
    if (auto err = prepare_new_oauth_flow(row)) {
      return err;
    }
    auto err = in_transaction([&]() -> caf::error {
      query purge{get(stmt::purge_oauth_flows)};
      purge.bind_text(1, oauth_flow_purge_cutoff());
      if (auto rc = purge.step(); rc != SQLITE_DONE) {
        return failure(rc);
      }
      query q{get(stmt::insert_oauth_flow)};
      bind_new_oauth_flow(q, row);
      if (auto rc = q.step(); rc != SQLITE_DONE) {
        return failure(rc, "the OAuth flow id is taken",
                       "tenant '" + row.tenant_id + "' not found");
      }
      return {};
    });
    if (err) {
      return err;
    }
    return row;
  }

  caf::expected<oauth_flow_row> claim_oauth_flow(const std::string& id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::claim_oauth_flow)};
    q.bind_text(1, id);
    q.bind_text(2, now_iso8601());
    return single_row(q, read_oauth_flow<query>, std::string{flow_unclaimable});
  }

  caf::error finish_oauth_flow(const std::string& id, const std::string& outcome) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::finish_oauth_flow)};
    q.bind_text(1, id);
    q.bind_text(2, outcome);
    return no_value(single_row(q, read_nothing, flow_missing()));
  }

  caf::expected<oauth_flow_row> get_oauth_flow(const std::string& id) override {
    if (auto err = require_schema()) {
      return err;
    }
    query q{get(stmt::select_oauth_flow)};
    q.bind_text(1, id);
    return single_row(q, read_oauth_flow<query>, flow_missing());
  }

private:
  caf::error write_tool_states(const std::string& connector_id,
                               const std::vector<tool_state_row>& states,
                               const std::vector<std::string>& removed) {
    auto now = now_iso8601();
    for (const auto& state : states) {
      if (auto err = check_tool_name(state.tool_name)) {
        return err;
      }
      query q{get(stmt::upsert_tool_state)};
      bind_tool_state(q, make_uuid(), connector_id, state, now);
      if (auto rc = q.step(); rc != SQLITE_DONE) {
        return failure(rc, {}, "connector '" + connector_id + "' not found");
      }
    }
    for (const auto& name : removed) {
      query q{get(stmt::delete_tool_state)};
      q.bind_text(1, connector_id);
      q.bind_text(2, name);
      if (auto rc = q.step(); rc != SQLITE_DONE) {
        return failure(rc);
      }
    }
    return {};
  }

  static caf::unit_t read_nothing(const query&) {
    return caf::unit;
  }

  static caf::error no_value(const caf::expected<caf::unit_t>& x) {
    if (!x) {
      return x.error();
    }
    return {};
  }

  sqlite3_stmt* get(stmt id) const {
    return statements_[static_cast<size_t>(id)].get();
  }

  caf::error prepare(const statement_def& def) {
    sqlite3_stmt* raw = nullptr;
    auto rc = sqlite3_prepare_v3(db_.get(), def.sql.data(), static_cast<int>(def.sql.size()),
                                 SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    statements_[static_cast<size_t>(def.id)].reset(raw);
    if (rc != SQLITE_OK) {
      return make_error(errc::storage_failure, "cannot prepare '" + std::string{def.sql}
                                                 + "': " + sqlite3_errmsg(db_.get()));
    }
    return {};
  }

  caf::error prepare_data() {
    if (data_ready_) {
      return {};
    }
    for (const auto& def : statement_table) {
      if (def.when == phase::data) {
        if (auto err = prepare(def)) {
          return err;
        }
      }
    }
    data_ready_ = true;
    return {};
  }

  caf::error require_schema() const {
    if (data_ready_) {
      return {};
    }
    return make_error(errc::storage_failure, "the database schema is not migrated yet");
  }

  /// Steps a statement without parameters to its end.
  caf::error run(stmt id) {
    query q{get(id)};
    auto rc = q.step();
    while (rc == SQLITE_ROW) {
      rc = q.step();
    }
    if (rc != SQLITE_DONE) {
      return failure(rc);
    }
    return {};
  }

  /// Runs `body` in a write transaction: committed when it succeeds, rolled back otherwise.
  template <class Body>
  caf::error in_transaction(Body body) {
    if (auto err = run(stmt::begin)) {
      return err;
    }
    auto err = body();
    if (!err) {
      err = run(stmt::commit);
    }
    if (err) {
      // The original failure matters; a failed rollback leaves nothing more to report.
      static_cast<void>(run(stmt::rollback));
    }
    return err;
  }

  /// Applies one migration in its own transaction and records it in schema_version.
  caf::error apply(const migration& m) {
    return in_transaction([&] {
      return apply_in_transaction(m);
    });
  }

  caf::error apply_in_transaction(const migration& m) {
    // Another process may have applied it since we looked; the write lock is ours now.
    auto version = schema_version();
    if (!version) {
      return std::move(version.error());
    }
    if (*version >= m.version) {
      return {};
    }
    char* message = nullptr;
    auto script = std::string{m.sql};
    if (sqlite3_exec(db_.get(), script.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      auto text = std::string{message != nullptr ? message : "unknown error"};
      sqlite3_free(message);
      return make_error(errc::storage_failure, "migration " + std::to_string(m.version) + " ("
                                                 + std::string{m.name} + ") failed: " + text);
    }
    query q{get(stmt::insert_schema_version)};
    q.bind_int(1, m.version);
    q.bind_text(2, now_iso8601());
    if (auto rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc);
    }
    return {};
  }

  /// Maps a failed step: unique and primary-key violations to conflict, foreign-key violations
  /// to not_found (when the caller names what is missing), NOT NULL and CHECK violations to
  /// invalid_argument, and everything else to storage_failure.
  caf::error failure(int rc, std::string conflict = {}, std::string missing = {}) const {
    switch (rc) {
      case SQLITE_CONSTRAINT_UNIQUE:
      case SQLITE_CONSTRAINT_PRIMARYKEY:
        if (!conflict.empty()) {
          return make_error(errc::conflict, std::move(conflict));
        }
        break;
      case SQLITE_CONSTRAINT_FOREIGNKEY:
        if (!missing.empty()) {
          return make_error(errc::not_found, std::move(missing));
        }
        break;
      case SQLITE_CONSTRAINT_NOTNULL:
      case SQLITE_CONSTRAINT_CHECK:
        return make_error(errc::invalid_argument, sqlite3_errmsg(db_.get()));
      default:
        break;
    }
    return make_error(errc::storage_failure, std::string{"sqlite: "} + sqlite3_errmsg(db_.get()));
  }

  /// Reads the one row a statement yields and steps on to its end (which commits a write);
  /// no row is not_found with `missing`.
  template <class Reader>
  auto single_row(query& q, Reader read, std::string missing) -> caf::expected<decltype(read(q))> {
    auto rc = q.step();
    if (rc == SQLITE_DONE) {
      return make_error(errc::not_found, std::move(missing));
    }
    if (rc != SQLITE_ROW) {
      return failure(rc);
    }
    auto result = read(q);
    if (rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc);
    }
    return result;
  }

  /// Reads the one row an insert or upsert with RETURNING yields and steps on to its end; a
  /// foreign-key violation is not_found with `missing`.
  template <class Reader>
  auto written_row(query& q, Reader read, std::string missing) -> caf::expected<decltype(read(q))> {
    auto rc = q.step();
    if (rc == SQLITE_DONE) {
      return make_error(errc::storage_failure, "the row was not stored");
    }
    if (rc != SQLITE_ROW) {
      return failure(rc, {}, std::move(missing));
    }
    auto result = read(q);
    if (rc = q.step(); rc != SQLITE_DONE) {
      return failure(rc);
    }
    return result;
  }

  /// Steps a compare-and-set to its end: whether it matched a row.
  caf::expected<bool> matched(query& q) {
    auto rc = q.step();
    bool found = rc == SQLITE_ROW;
    while (rc == SQLITE_ROW) {
      rc = q.step();
    }
    if (rc != SQLITE_DONE) {
      return failure(rc);
    }
    return found;
  }

  template <class Reader>
  auto all_rows(query& q, Reader read) -> caf::expected<std::vector<decltype(read(q))>> {
    std::vector<decltype(read(q))> result;
    auto rc = q.step();
    while (rc == SQLITE_ROW) {
      result.push_back(read(q));
      rc = q.step();
    }
    if (rc != SQLITE_DONE) {
      return failure(rc);
    }
    return result;
  }

  // Declared before the statements so that they are finalized before the connection closes.
  connection_ptr db_;
  std::array<statement_ptr, statement_table.size()> statements_;
  bool data_ready_ = false;
};

} // namespace

caf::expected<std::unique_ptr<store>> open_sqlite_store(const std::string& path) {
  if (!path.empty() && path != ":memory:" && !path.starts_with("file:")) {
    std::error_code ec;
    auto parent = std::filesystem::path{path}.parent_path();
    if (!parent.empty()) {
      // A failure here surfaces as sqlite3_open_v2's error below.
      std::filesystem::create_directories(parent, ec);
    }
  }
  sqlite3* raw = nullptr;
  auto rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr);
  connection_ptr db{raw};
  if (rc != SQLITE_OK) {
    auto reason = std::string{raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)};
    return make_error(errc::storage_failure,
                      "cannot open SQLite database '" + path + "': " + reason);
  }
  sqlite3_extended_result_codes(raw, 1);
  auto result = std::make_unique<sqlite_store>(std::move(db));
  if (auto err = result->open()) {
    return err;
  }
  return std::unique_ptr<store>{std::move(result)};
}

} // namespace sagemcp::persistence
