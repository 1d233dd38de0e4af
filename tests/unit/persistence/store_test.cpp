#include "messages/errc.hpp"
#include "persistence/ids.hpp"
#include "persistence/migrations.hpp"
#include "persistence/postgres_store.hpp"
#include "persistence/sqlite_store.hpp"
#include "tests/support/store_helpers.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

// The store contract, run against both backends: SQLite always, PostgreSQL when
// SAGEMCP_TEST_DATABASE_URL names a server (`make test` starts one). Each PostgreSQL test gets a
// schema of its own, dropped afterwards.

namespace sagemcp::persistence {
namespace {

using test::failure_of;
using test::make_tenant;
using test::value_of;

/// Runs `sql` on a SQLite connection of its own and returns the first column of its first row.
std::string sqlite_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string result = "<error>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    auto rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      result = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    } else if (rc == SQLITE_DONE) {
      result = "<done>";
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return result;
}

/// Runs a script of several statements on a SQLite database; false when it fails.
bool sqlite_script(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  auto rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close_v2(db);
  return rc == SQLITE_OK;
}

/// Runs `sql` on PostgreSQL and returns the first column of its first row.
std::string postgres_raw(const std::string& url, const std::string& sql) {
  try {
    pqxx::connection conn{url};
    pqxx::work txn{conn};
    auto result = txn.exec(sql);
    txn.commit();
    if (result.empty() || result.columns() == 0) {
      return "<done>";
    }
    return result[0][0].is_null() ? "" : result[0][0].c_str();
  } catch (const std::exception& e) {
    return std::string{"<error> "} + e.what();
  }
}

connector_row make_connector(const std::string& tenant_id, std::string name) {
  connector_row row;
  row.tenant_id = tenant_id;
  row.connector_type = "github";
  row.name = std::move(name);
  row.configuration = R"({"org":"acme"})";
  row.runtime_command = R"(["node","server.js"])";
  return row;
}

api_key_row make_key(std::string hash, scope role, std::string tenant_id) {
  api_key_row row;
  row.name = "key " + hash;
  row.key_prefix = "smcp_ta_";
  row.key_hash = std::move(hash);
  row.role = role;
  row.tenant_id = std::move(tenant_id);
  return row;
}

oauth_credential_row make_credential(const std::string& tenant_id, std::string provider,
                                     std::string owner) {
  oauth_credential_row row;
  row.tenant_id = tenant_id;
  row.provider = std::move(provider);
  row.owner = std::move(owner);
  row.provider_user_id = "4242";
  row.provider_username = "octocat";
  row.access_token = "enc:access-1";
  row.refresh_token = "enc:refresh-1";
  row.scopes = "repo read:org";
  row.expires_at = "2026-11-21T13:00:00.000000Z";
  return row;
}

oauth_config_row make_oauth_app(const std::string& tenant_id, std::string provider) {
  oauth_config_row row;
  row.tenant_id = tenant_id;
  row.provider = std::move(provider);
  row.client_id = "client-1";
  row.client_secret = "enc:secret-1";
  return row;
}

/// A flow of `tenant_id` that expires `ttl` from now (in the past for a negative one).
oauth_flow_row make_flow(const std::string& tenant_id, std::chrono::seconds ttl) {
  oauth_flow_row row;
  row.id = make_uuid();
  row.tenant_id = tenant_id;
  row.provider = "github";
  row.initiator = "key1";
  row.code_verifier = "enc:verifier";
  row.redirect_uri = "https://mcp.example.com/api/v1/oauth/github/callback";
  row.expires_at = to_iso8601(std::chrono::system_clock::now() + ttl);
  return row;
}

/// The server the PostgreSQL runs use; empty when none is configured.
std::string test_database_url() {
  const char* url = std::getenv("SAGEMCP_TEST_DATABASE_URL"); // NOLINT(concurrency-mt-unsafe)
  return url == nullptr ? std::string{} : std::string{url};
}

/// The URL of `schema` in the database at `url`: its connections resolve names there.
std::string url_of_schema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D"
         + schema;
}

class StoreTest : public ::testing::TestWithParam<dialect> {
protected:
  void SetUp() override {
    if (GetParam() == dialect::postgres && test_database_url().empty()) {
      GTEST_SKIP() << "SAGEMCP_TEST_DATABASE_URL is not set";
    }
    dir_ = std::filesystem::temp_directory_path() / ("sagemcp-store-test-" + make_uuid());
    std::filesystem::create_directories(dir_);
    location_ = fresh_location();
    db_ = open_at(location_);
    ASSERT_TRUE(db_);
    auto err = db_->migrate();
    ASSERT_FALSE(err) << message_of(err);
  }

  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    for (const auto& schema : schemas_) {
      postgres_raw(test_database_url(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /// A new, empty database: a SQLite file, or a PostgreSQL schema.
  std::string fresh_location() {
    auto id = make_uuid();
    if (GetParam() == dialect::sqlite) {
      return (dir_ / (id + ".db")).string();
    }
    std::string schema = "t_";
    for (char c : id) {
      if (c != '-') {
        schema += c;
      }
    }
    schemas_.push_back(schema);
    EXPECT_EQ(postgres_raw(test_database_url(), "CREATE SCHEMA " + schema), "<done>");
    return url_of_schema(test_database_url(), schema);
  }

  std::unique_ptr<store> open_at(const std::string& location) {
    auto opened = GetParam() == dialect::sqlite ? open_sqlite_store(location)
                                                : open_postgres_store(location, "test-node");
    EXPECT_TRUE(opened) << message_of(opened.error());
    return opened ? std::move(*opened) : nullptr;
  }

  /// Runs raw SQL on the test's database; the first column of the first row.
  std::string raw(const std::string& sql) {
    return GetParam() == dialect::sqlite ? sqlite_raw(location_, sql)
                                         : postgres_raw(location_, sql);
  }

  /// Runs a script of several statements on the database at `location`.
  bool script(const std::string& location, const std::string& sql) {
    if (GetParam() == dialect::sqlite) {
      return sqlite_script(location, sql);
    }
    return postgres_raw(location, sql).rfind("<error>", 0) != 0;
  }

  std::filesystem::path dir_;
  std::string location_;
  std::vector<std::string> schemas_;
  std::unique_ptr<store> db_;
};

std::string dialect_name(const ::testing::TestParamInfo<dialect>& info) {
  return info.param == dialect::sqlite ? "Sqlite" : "Postgres";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(dialect::sqlite, dialect::postgres),
                         dialect_name);

TEST_P(StoreTest, MigrateIsIdempotent) {
  EXPECT_EQ(value_of(db_->schema_version()), latest_version(GetParam()));
  auto err = db_->migrate();
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_EQ(value_of(db_->schema_version()), latest_version(GetParam()));
  EXPECT_EQ(raw("SELECT count(*) FROM schema_version"), std::to_string(latest_version(GetParam())));
  EXPECT_EQ(raw("SELECT count(*) FROM tenants"), "0");
}

TEST_P(StoreTest, EmbedsTheMigrationsOfItsDialect) {
  auto all = migrations(GetParam());
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().version, 1);
  EXPECT_EQ(all.front().name, "initial");
  EXPECT_NE(all.front().sql.find("CREATE TABLE api_keys"), std::string_view::npos);
  EXPECT_EQ(latest_version(GetParam()), all.back().version);
  EXPECT_EQ(latest_version(GetParam()), latest_version(dialect::sqlite));
}

TEST_P(StoreTest, UnmigratedDatabaseHasVersionZeroAndRefusesData) {
  auto fresh = open_at(fresh_location());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(value_of(fresh->schema_version()), 0);
  auto created = fresh->create_tenant(make_tenant("acme"));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::storage_failure);
  auto err = fresh->migrate();
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(fresh->create_tenant(make_tenant("acme")));
}

TEST_P(StoreTest, UpgradesADatabaseCreatedAtTheFirstMigration) {
  auto location = fresh_location();
  const auto& first = migrations(GetParam()).front();
  ASSERT_TRUE(script(location, std::string{first.sql}
                                 + "; INSERT INTO schema_version (version, applied_at) VALUES "
                                   "(1, '2026-01-01T00:00:00.000000Z');"
                                   "INSERT INTO tenants (id, slug, name, created_at, updated_at) "
                                   "VALUES ('t1', 'old', 'Old', 'x', 'x');"));
  auto old = open_at(location);
  ASSERT_TRUE(old);
  EXPECT_EQ(value_of(old->schema_version()), 1);
  EXPECT_EQ(failure_of(old->get_tenant("old")), errc::storage_failure);
  auto err = old->migrate();
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_EQ(value_of(old->schema_version()), latest_version(GetParam()));
  auto tenant = value_of(old->get_tenant("old"));
  EXPECT_EQ(tenant.name, "Old");
  EXPECT_EQ(tenant.rate_limit_rpm, -1);
  tenant.rate_limit_rpm = 30;
  EXPECT_EQ(value_of(old->update_tenant(tenant)).rate_limit_rpm, 30);
  // Migrating again changes nothing.
  ASSERT_FALSE(old->migrate());
  EXPECT_EQ(value_of(old->get_tenant("old")).rate_limit_rpm, 30);
}

TEST_P(StoreTest, RefusesADatabaseNewerThanThisBuild) {
  ASSERT_EQ(raw("INSERT INTO schema_version (version, applied_at) VALUES (999, 'x')"), "<done>");
  auto err = db_->migrate();
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), errc::storage_failure);
  EXPECT_NE(message_of(err).find("newer than this build"), std::string::npos);
}

TEST_P(StoreTest, ReopenedDatabaseServesRowsWithoutMigrating) {
  value_of(db_->create_tenant(make_tenant("acme")));
  db_.reset();
  db_ = open_at(location_);
  ASSERT_TRUE(db_);
  EXPECT_EQ(value_of(db_->get_tenant("acme")).name, "Tenant acme");
}

TEST_P(StoreTest, PingSucceeds) {
  auto err = db_->ping();
  EXPECT_FALSE(err) << message_of(err);
}

TEST_P(StoreTest, CreatesAndReadsTenant) {
  auto created = value_of(db_->create_tenant(make_tenant("acme")));
  EXPECT_EQ(created.id.size(), 36U);
  EXPECT_EQ(created.created_at.size(), 27U);
  EXPECT_EQ(created.created_at, created.updated_at);
  auto read = value_of(db_->get_tenant("acme"));
  EXPECT_EQ(read.id, created.id);
  EXPECT_EQ(read.slug, "acme");
  EXPECT_EQ(read.name, "Tenant acme");
  EXPECT_EQ(read.description, "a tenant");
  EXPECT_EQ(read.contact_email, "ops@example.com");
  EXPECT_TRUE(read.is_active);
  EXPECT_EQ(read.created_at, created.created_at);
}

TEST_P(StoreTest, DuplicateSlugIsConflict) {
  value_of(db_->create_tenant(make_tenant("acme")));
  auto again = db_->create_tenant(make_tenant("acme"));
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::conflict);
  EXPECT_EQ(message_of(again.error()), "tenant slug 'acme' already exists");
}

TEST_P(StoreTest, TenantWithoutSlugIsInvalidArgument) {
  auto created = db_->create_tenant(make_tenant(""));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::invalid_argument);
}

TEST_P(StoreTest, MissingTenantIsNotFound) {
  auto got = db_->get_tenant("acme");
  ASSERT_FALSE(got);
  EXPECT_EQ(code_of(got.error()), errc::not_found);
  EXPECT_EQ(message_of(got.error()), "tenant 'acme' not found");
  auto updated = db_->update_tenant(make_tenant("acme"));
  ASSERT_FALSE(updated);
  EXPECT_EQ(code_of(updated.error()), errc::not_found);
  EXPECT_EQ(code_of(db_->delete_tenant("acme")), errc::not_found);
}

TEST_P(StoreTest, UpdatesTenantBySlug) {
  auto created = value_of(db_->create_tenant(make_tenant("acme")));
  auto change = make_tenant("acme");
  change.name = "Acme Corp";
  change.description = "";
  change.contact_email = "admin@acme.test";
  auto updated = value_of(db_->update_tenant(change));
  EXPECT_EQ(updated.id, created.id);
  EXPECT_EQ(updated.name, "Acme Corp");
  EXPECT_EQ(updated.description, "");
  EXPECT_EQ(updated.contact_email, "admin@acme.test");
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_GE(updated.updated_at, created.updated_at);
  EXPECT_EQ(value_of(db_->get_tenant("acme")).name, "Acme Corp");
}

TEST_P(StoreTest, ListsTenantsOrderedBySlug) {
  for (const auto* slug : {"globex", "acme", "initech"}) {
    value_of(db_->create_tenant(make_tenant(slug)));
  }
  auto tenants = value_of(db_->list_tenants());
  ASSERT_EQ(tenants.size(), 3U);
  EXPECT_EQ(tenants[0].slug, "acme");
  EXPECT_EQ(tenants[1].slug, "globex");
  EXPECT_EQ(tenants[2].slug, "initech");
}

TEST_P(StoreTest, DeletesTenant) {
  value_of(db_->create_tenant(make_tenant("acme")));
  auto err = db_->delete_tenant("acme");
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_EQ(failure_of(db_->get_tenant("acme")), errc::not_found);
  EXPECT_TRUE(value_of(db_->list_tenants()).empty());
}

TEST_P(StoreTest, CreatesAndListsConnectorsInCreationOrder) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto first = value_of(db_->create_connector(make_connector(tenant.id, "first")));
  auto second = value_of(db_->create_connector(make_connector(tenant.id, "second")));
  EXPECT_EQ(first.id.size(), 36U);
  EXPECT_NE(first.id, second.id);
  auto connectors = value_of(db_->list_connectors(tenant.id));
  ASSERT_EQ(connectors.size(), 2U);
  EXPECT_EQ(connectors[0].id, first.id);
  EXPECT_EQ(connectors[1].id, second.id);
  const auto& read = connectors[0];
  EXPECT_EQ(read.tenant_id, tenant.id);
  EXPECT_EQ(read.connector_type, "github");
  EXPECT_EQ(read.name, "first");
  EXPECT_TRUE(read.is_enabled);
  EXPECT_EQ(read.configuration, R"({"org":"acme"})");
  EXPECT_EQ(read.runtime_type, "native");
  EXPECT_EQ(read.runtime_command, R"(["node","server.js"])");
  EXPECT_EQ(read.runtime_env, "{}");
  EXPECT_EQ(read.package_path, "");
  EXPECT_EQ(read.created_at, first.created_at);
}

TEST_P(StoreTest, ConnectorOfUnknownTenantIsNotFound) {
  auto created = db_->create_connector(make_connector(make_uuid(), "orphan"));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::not_found);
}

TEST_P(StoreTest, UpdatesConnector) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  connector.name = "GitHub";
  connector.is_enabled = false;
  connector.configuration = R"({"org":"globex"})";
  connector.runtime_type = "external_nodejs";
  connector.package_path = "/opt/mcp";
  auto updated = value_of(db_->update_connector(connector));
  EXPECT_EQ(updated.name, "GitHub");
  EXPECT_FALSE(updated.is_enabled);
  EXPECT_EQ(updated.connector_type, "github");
  auto read = value_of(db_->list_connectors(tenant.id)).at(0);
  EXPECT_EQ(read.name, "GitHub");
  EXPECT_FALSE(read.is_enabled);
  EXPECT_EQ(read.configuration, R"({"org":"globex"})");
  EXPECT_EQ(read.runtime_type, "external_nodejs");
  EXPECT_EQ(read.package_path, "/opt/mcp");
}

TEST_P(StoreTest, UpdateOfAnotherTenantsConnectorIsNotFound) {
  auto acme = value_of(db_->create_tenant(make_tenant("acme")));
  auto globex = value_of(db_->create_tenant(make_tenant("globex")));
  auto connector = value_of(db_->create_connector(make_connector(acme.id, "gh")));
  auto hijack = connector;
  hijack.tenant_id = globex.id;
  hijack.name = "stolen";
  auto updated = db_->update_connector(hijack);
  ASSERT_FALSE(updated);
  EXPECT_EQ(code_of(updated.error()), errc::not_found);
  EXPECT_EQ(code_of(db_->delete_connector(globex.id, connector.id)), errc::not_found);
  auto connectors = value_of(db_->list_connectors(acme.id));
  ASSERT_EQ(connectors.size(), 1U);
  EXPECT_EQ(connectors[0].name, "gh");
}

TEST_P(StoreTest, DeletesConnector) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  auto err = db_->delete_connector(tenant.id, connector.id);
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(value_of(db_->list_connectors(tenant.id)).empty());
  EXPECT_EQ(code_of(db_->delete_connector(tenant.id, connector.id)), errc::not_found);
}

TEST_P(StoreTest, DeletingTenantCascadesConnectorsToolStatesAndKeys) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  value_of(db_->create_api_key(make_key("tenant-hash", scope::tenant_admin, tenant.id)));
  value_of(db_->create_api_key(make_key("platform-hash", scope::platform_admin, "")));
  ASSERT_EQ(raw("INSERT INTO connector_tool_states (id, connector_id, tool_name, "
                "is_enabled, created_at, updated_at) VALUES ('s1', '"
                + connector.id + "', 'github_list_issues', FALSE, 'x', 'x')"),
            "<done>");
  auto err = db_->delete_tenant("acme");
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(value_of(db_->list_connectors(tenant.id)).empty());
  EXPECT_EQ(raw("SELECT count(*) FROM connector_tool_states"), "0");
  auto keys = value_of(db_->list_api_keys());
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].key_hash, "platform-hash");
}

TEST_P(StoreTest, ListsApiKeysNewestFirstWithTenantSlug) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto platform = value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto user = value_of(db_->create_api_key(make_key("h2", scope::tenant_user, tenant.id)));
  EXPECT_EQ(user.tenant_slug, "acme");
  EXPECT_EQ(user.role, scope::tenant_user);
  EXPECT_TRUE(user.is_active);
  auto keys = value_of(db_->list_api_keys());
  ASSERT_EQ(keys.size(), 2U);
  EXPECT_EQ(keys[0].id, user.id);
  EXPECT_EQ(keys[0].tenant_slug, "acme");
  EXPECT_EQ(keys[0].tenant_id, tenant.id);
  EXPECT_EQ(keys[0].role, scope::tenant_user);
  EXPECT_EQ(keys[0].key_prefix, "smcp_ta_");
  EXPECT_EQ(keys[1].id, platform.id);
  EXPECT_EQ(keys[1].tenant_slug, "");
  EXPECT_EQ(keys[1].role, scope::platform_admin);
  EXPECT_EQ(raw("SELECT scope FROM api_keys WHERE key_hash = 'h1'"), "platform_admin");
}

TEST_P(StoreTest, RevokesApiKey) {
  auto key = value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto revoked = value_of(db_->revoke_api_key(key.id));
  EXPECT_EQ(revoked.id, key.id);
  EXPECT_FALSE(revoked.is_active);
  EXPECT_FALSE(value_of(db_->list_api_keys()).at(0).is_active);
  auto missing = db_->revoke_api_key(make_uuid());
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
}

TEST_P(StoreTest, RevokingAKeyDeletesItsPersonalOAuthCredentialsOnly) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto key = value_of(db_->create_api_key(make_key("h1", scope::tenant_user, tenant.id)));
  auto other = value_of(db_->create_api_key(make_key("h2", scope::tenant_user, tenant.id)));
  value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "")));
  value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", key.id)));
  value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "gitlab", key.id)));
  auto kept
    = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", other.id)));
  value_of(db_->revoke_api_key(key.id));
  auto left = value_of(db_->list_oauth_credentials(tenant.id));
  ASSERT_EQ(left.size(), 2U);
  EXPECT_EQ(left[0].owner, "");
  EXPECT_EQ(left[1].id, kept.id);
  // A failed revocation deletes nothing.
  EXPECT_EQ(failure_of(db_->revoke_api_key(make_uuid())), errc::not_found);
  EXPECT_EQ(value_of(db_->list_oauth_credentials(tenant.id)).size(), 2U);
}

TEST_P(StoreTest, RecordsKeyUsesWithoutMovingBackAndStoresNewHashes) {
  auto a = value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto b = value_of(db_->create_api_key(make_key("h2", scope::platform_admin, "")));
  api_key_row use_a;
  use_a.id = a.id;
  use_a.last_used_at = "2026-11-21T12:00:05.000000Z";
  api_key_row use_b;
  use_b.id = b.id;
  use_b.last_used_at = "2026-11-21T12:00:01.000000Z";
  use_b.key_hash = "h2-rehashed";
  api_key_row unknown;
  unknown.id = make_uuid();
  unknown.last_used_at = use_a.last_used_at;
  ASSERT_FALSE(db_->touch_api_keys({use_a, use_b, unknown}));
  // An older use reported later (by another node) does not move the time back.
  use_a.last_used_at = "2026-11-21T12:00:00.000000Z";
  ASSERT_FALSE(db_->touch_api_keys({use_a}));
  auto keys = value_of(db_->list_api_keys());
  ASSERT_EQ(keys.size(), 2u);
  for (const auto& key : keys) {
    if (key.id == a.id) {
      EXPECT_EQ(key.last_used_at, "2026-11-21T12:00:05.000000Z");
      EXPECT_EQ(key.key_hash, "h1");
    } else {
      EXPECT_EQ(key.last_used_at, "2026-11-21T12:00:01.000000Z");
      EXPECT_EQ(key.key_hash, "h2-rehashed");
    }
  }
}

TEST_P(StoreTest, RewritesConnectorSecretsOnlyIfUnchanged) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto created = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  EXPECT_TRUE(value_of(db_->rewrite_connector_secrets(created, "enc:new", "enc:env")));
  auto read = value_of(db_->list_connectors(tenant.id)).at(0);
  EXPECT_EQ(read.configuration, "enc:new");
  EXPECT_EQ(read.runtime_env, "enc:env");
  // The row changed since `created` was read: nothing is written.
  EXPECT_FALSE(value_of(db_->rewrite_connector_secrets(created, "enc:stale", "enc:stale")));
  EXPECT_EQ(value_of(db_->list_connectors(tenant.id)).at(0).configuration, "enc:new");
  auto other = value_of(db_->create_tenant(make_tenant("globex")));
  read.tenant_id = other.id;
  EXPECT_FALSE(value_of(db_->rewrite_connector_secrets(read, "x", "y")));
}

TEST_P(StoreTest, DuplicateKeyHashIsConflict) {
  value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto again = db_->create_api_key(make_key("h1", scope::platform_admin, ""));
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::conflict);
  EXPECT_EQ(value_of(db_->list_api_keys()).size(), 1U);
}

TEST_P(StoreTest, TenantScopedKeyWithoutTenantIsInvalidArgument) {
  auto created = db_->create_api_key(make_key("h1", scope::tenant_admin, ""));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::invalid_argument);
}

TEST_P(StoreTest, KeyOfUnknownTenantIsNotFound) {
  auto created = db_->create_api_key(make_key("h1", scope::tenant_user, make_uuid()));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::not_found);
}

TEST_P(StoreTest, StoresTenantRateLimits) {
  auto created = value_of(db_->create_tenant(make_tenant("acme")));
  EXPECT_EQ(created.rate_limit_rpm, -1);
  EXPECT_EQ(value_of(db_->get_tenant("acme")).rate_limit_rpm, -1);
  created.rate_limit_rpm = 0;
  EXPECT_EQ(value_of(db_->update_tenant(created)).rate_limit_rpm, 0);
  created.rate_limit_rpm = 250;
  EXPECT_EQ(value_of(db_->update_tenant(created)).rate_limit_rpm, 250);
  EXPECT_EQ(value_of(db_->list_tenants()).front().rate_limit_rpm, 250);
  created.rate_limit_rpm = -1;
  EXPECT_EQ(value_of(db_->update_tenant(created)).rate_limit_rpm, -1);
}

TEST_P(StoreTest, AppendsAndListsAuditEntriesNewestFirst) {
  for (const auto* slug : {"acme", "", "acme", "globex"}) {
    audit_row row;
    row.actor_key_id = "k1";
    row.actor_scope = "platform_admin";
    row.tenant_slug = slug;
    row.action = "POST /api/v1/admin/tenants";
    row.target = R"({"id":"t1"})";
    auto stored = value_of(db_->append_audit(row));
    EXPECT_EQ(stored.id.size(), 36U);
    EXPECT_EQ(stored.at.size(), 27U);
  }
  auto all = value_of(db_->list_audit("", 10));
  ASSERT_EQ(all.size(), 4U);
  EXPECT_EQ(all[0].tenant_slug, "globex");
  EXPECT_EQ(all[1].tenant_slug, "acme");
  EXPECT_EQ(all[2].tenant_slug, "");
  EXPECT_EQ(all[3].target, R"({"id":"t1"})");
  EXPECT_EQ(all[3].detail, "{}");
  EXPECT_EQ(all[3].actor_scope, "platform_admin");
  EXPECT_EQ(value_of(db_->list_audit("acme", 10)).size(), 2U);
  EXPECT_EQ(value_of(db_->list_audit("", 3)).size(), 3U);
  EXPECT_TRUE(value_of(db_->list_audit("initech", 10)).empty());
}

TEST_P(StoreTest, AddsUsageToDailyTotals) {
  std::vector<usage_row> batch{{"2026-11-20", "acme", "c1", "echo", 3, 1},
                               {"2026-11-21", "acme", "c1", "echo", 2, 0},
                               {"2026-11-21", "globex", "c2", "add", 5, 5}};
  ASSERT_FALSE(db_->add_usage(batch));
  ASSERT_FALSE(db_->add_usage({{"2026-11-21", "acme", "c1", "echo", 4, 2}}));
  auto all = value_of(db_->list_usage("", "2026-11-01"));
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].day, "2026-11-20");
  EXPECT_EQ(all[1].calls, 6);
  EXPECT_EQ(all[1].errors, 2);
  EXPECT_EQ(all[2].tenant_slug, "globex");
  auto acme = value_of(db_->list_usage("acme", "2026-11-21"));
  ASSERT_EQ(acme.size(), 1U);
  EXPECT_EQ(acme[0].tool_name, "echo");
  EXPECT_EQ(acme[0].calls, 6);
  // A batch with a bad row writes nothing.
  EXPECT_TRUE(db_->add_usage(
    {{"2026-11-22", "acme", "c1", "echo", 1, 0}, {"2026-11-22", "acme", "c1", "bad", -1, 0}}));
  EXPECT_TRUE(value_of(db_->list_usage("", "2026-11-22")).empty());
}

TEST_P(StoreTest, ChangesToolStatesInOneTransaction) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  EXPECT_TRUE(value_of(db_->list_tool_states(connector.id)).empty());
  std::vector<tool_state_row> states{{connector.id, "b_tool", false, {}},
                                     {connector.id, "a_tool", true, {}}};
  auto rows = value_of(db_->change_tool_states(connector.id, states, {}));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].tool_name, "a_tool");
  EXPECT_TRUE(rows[0].is_enabled);
  EXPECT_FALSE(rows[1].is_enabled);
  // Upserts flip existing rows; removals delete them.
  rows = value_of(
    db_->change_tool_states(connector.id, {{connector.id, "a_tool", false, {}}}, {"b_tool"}));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_FALSE(rows[0].is_enabled);
  auto disabled = value_of(db_->list_disabled_tools(tenant.id));
  ASSERT_EQ(disabled.size(), 1U);
  EXPECT_EQ(disabled[0].tool_name, "a_tool");
  // A bad name fails the whole change.
  auto failed = db_->change_tool_states(
    connector.id, {{connector.id, "c_tool", false, {}}, {connector.id, "", false, {}}}, {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(code_of(failed.error()), errc::invalid_argument);
  EXPECT_EQ(value_of(db_->list_tool_states(connector.id)).size(), 1U);
  // An unknown connector is not found; deleting the connector deletes its states.
  auto missing = db_->change_tool_states("nope", {{"nope", "x", false, {}}}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
  ASSERT_FALSE(db_->delete_connector(tenant.id, connector.id));
  EXPECT_TRUE(value_of(db_->list_disabled_tools(tenant.id)).empty());
}

TEST_P(StoreTest, UpsertsOAuthCredentialsPerTenantProviderAndOwner) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto stored = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "")));
  EXPECT_EQ(stored.id.size(), 36U);
  EXPECT_EQ(stored.created_at.size(), 27U);
  EXPECT_EQ(stored.created_at, stored.updated_at);
  EXPECT_EQ(stored.token_type, "bearer");
  EXPECT_EQ(stored.access_token, "enc:access-1");
  auto personal = make_credential(tenant.id, "github", "key1");
  personal.provider_username = "";
  personal.refresh_token = "";
  personal.scopes = "";
  personal.expires_at = "";
  personal.token_type = "Bearer";
  auto mine = value_of(db_->upsert_oauth_credential(personal));
  EXPECT_NE(mine.id, stored.id);
  value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "atlassian", "")));
  auto all = value_of(db_->list_oauth_credentials(tenant.id));
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].provider, "atlassian");
  EXPECT_EQ(all[1].id, stored.id);
  EXPECT_EQ(all[1].owner, "");
  EXPECT_EQ(all[1].provider_user_id, "4242");
  EXPECT_EQ(all[1].provider_username, "octocat");
  EXPECT_EQ(all[1].refresh_token, "enc:refresh-1");
  EXPECT_EQ(all[1].scopes, "repo read:org");
  EXPECT_EQ(all[1].expires_at, "2026-11-21T13:00:00.000000Z");
  EXPECT_EQ(all[2].id, mine.id);
  EXPECT_EQ(all[2].owner, "key1");
  EXPECT_EQ(all[2].token_type, "Bearer");
  // Empty optional values are stored as NULL and read back empty.
  EXPECT_EQ(all[2].provider_username, "");
  EXPECT_EQ(all[2].refresh_token, "");
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_credentials WHERE refresh_token IS NULL AND "
                "expires_at IS NULL AND scopes IS NULL AND provider_username IS NULL"),
            "1");
  auto read = value_of(db_->get_oauth_credential(tenant.id, "github", "key1"));
  EXPECT_EQ(read.id, mine.id);
  EXPECT_EQ(read.created_at, mine.created_at);
}

TEST_P(StoreTest, UpsertingAnOAuthCredentialAgainReplacesItKeepingIdAndCreationTime) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto first = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "")));
  auto again = make_credential(tenant.id, "github", "");
  again.provider_user_id = "99";
  again.provider_username = "hubot";
  again.access_token = "enc:access-2";
  again.refresh_token = "";
  again.scopes = "repo";
  again.expires_at = "";
  auto replaced = value_of(db_->upsert_oauth_credential(again));
  EXPECT_EQ(replaced.id, first.id);
  EXPECT_EQ(replaced.created_at, first.created_at);
  EXPECT_GE(replaced.updated_at, first.updated_at);
  EXPECT_EQ(replaced.access_token, "enc:access-2");
  auto read = value_of(db_->get_oauth_credential(tenant.id, "github", ""));
  EXPECT_EQ(read.id, first.id);
  EXPECT_EQ(read.created_at, first.created_at);
  EXPECT_EQ(read.updated_at, replaced.updated_at);
  EXPECT_EQ(read.provider_user_id, "99");
  EXPECT_EQ(read.provider_username, "hubot");
  EXPECT_EQ(read.access_token, "enc:access-2");
  EXPECT_EQ(read.refresh_token, "");
  EXPECT_EQ(read.scopes, "repo");
  EXPECT_EQ(read.expires_at, "");
  EXPECT_EQ(value_of(db_->list_oauth_credentials(tenant.id)).size(), 1U);
}

TEST_P(StoreTest, OAuthCredentialNeedsTenantProviderAndAccessToken) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto no_token = make_credential(tenant.id, "github", "");
  no_token.access_token = "";
  EXPECT_EQ(failure_of(db_->upsert_oauth_credential(no_token)), errc::invalid_argument);
  EXPECT_EQ(failure_of(db_->upsert_oauth_credential(make_credential(tenant.id, "", ""))),
            errc::invalid_argument);
  EXPECT_EQ(failure_of(db_->upsert_oauth_credential(make_credential("", "github", ""))),
            errc::invalid_argument);
  EXPECT_EQ(failure_of(db_->upsert_oauth_credential(make_credential(make_uuid(), "github", ""))),
            errc::not_found);
  EXPECT_TRUE(value_of(db_->list_oauth_credentials(tenant.id)).empty());
}

TEST_P(StoreTest, DeletesOAuthCredentialAndReturnsIt) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto shared = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "")));
  auto mine = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "key1")));
  auto deleted = value_of(db_->delete_oauth_credential(tenant.id, "github", ""));
  EXPECT_EQ(deleted.id, shared.id);
  EXPECT_EQ(deleted.access_token, "enc:access-1");
  EXPECT_EQ(deleted.refresh_token, "enc:refresh-1");
  EXPECT_EQ(failure_of(db_->delete_oauth_credential(tenant.id, "github", "")), errc::not_found);
  auto missing = db_->get_oauth_credential(tenant.id, "github", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
  EXPECT_EQ(message_of(missing.error()), "no 'github' OAuth credential of the tenant");
  // Another tenant's key does not reach it.
  auto other = value_of(db_->create_tenant(make_tenant("globex")));
  EXPECT_EQ(failure_of(db_->delete_oauth_credential(other.id, "github", "key1")), errc::not_found);
  auto left = value_of(db_->list_oauth_credentials(tenant.id));
  ASSERT_EQ(left.size(), 1U);
  EXPECT_EQ(left[0].id, mine.id);
}

TEST_P(StoreTest, ReplacesOAuthTokensOnlyIfUnchanged) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto before = value_of(db_->upsert_oauth_credential(make_credential(tenant.id, "github", "")));
  auto after = before;
  after.access_token = "enc:access-2";
  after.refresh_token = "";
  after.token_type = "";
  after.scopes = "repo";
  after.expires_at = "2026-11-21T14:00:00.000000Z";
  EXPECT_TRUE(value_of(db_->replace_oauth_tokens(before, after)));
  auto read = value_of(db_->get_oauth_credential(tenant.id, "github", ""));
  EXPECT_EQ(read.id, before.id);
  EXPECT_EQ(read.access_token, "enc:access-2");
  EXPECT_EQ(read.refresh_token, "");
  EXPECT_EQ(read.token_type, "bearer");
  EXPECT_EQ(read.scopes, "repo");
  EXPECT_EQ(read.expires_at, "2026-11-21T14:00:00.000000Z");
  EXPECT_EQ(read.created_at, before.created_at);
  EXPECT_GE(read.updated_at, before.updated_at);
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_credentials WHERE refresh_token IS NULL"), "1");
  // `before` is stale now: another refresh won the race.
  auto stale = before;
  stale.access_token = "enc:access-3";
  EXPECT_FALSE(value_of(db_->replace_oauth_tokens(before, stale)));
  EXPECT_EQ(value_of(db_->get_oauth_credential(tenant.id, "github", "")).access_token,
            "enc:access-2");
  // A stored NULL refresh token matches an empty one.
  auto next = read;
  next.access_token = "enc:access-4";
  next.refresh_token = "enc:refresh-4";
  EXPECT_TRUE(value_of(db_->replace_oauth_tokens(read, next)));
  EXPECT_EQ(value_of(db_->get_oauth_credential(tenant.id, "github", "")).refresh_token,
            "enc:refresh-4");
  // A different refresh token with the same access token does not match either.
  auto wrong_refresh = next;
  wrong_refresh.refresh_token = "enc:other";
  EXPECT_FALSE(value_of(db_->replace_oauth_tokens(wrong_refresh, after)));
  // Neither does a deleted credential.
  value_of(db_->delete_oauth_credential(tenant.id, "github", ""));
  EXPECT_FALSE(value_of(db_->replace_oauth_tokens(next, after)));
}

TEST_P(StoreTest, UpsertsListsAndDeletesOAuthApps) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto github = value_of(db_->upsert_oauth_config(make_oauth_app(tenant.id, "github")));
  EXPECT_EQ(github.id.size(), 36U);
  EXPECT_EQ(github.created_at, github.updated_at);
  value_of(db_->upsert_oauth_config(make_oauth_app(tenant.id, "atlassian")));
  auto change = make_oauth_app(tenant.id, "github");
  change.client_id = "client-2";
  change.client_secret = "enc:secret-2";
  auto replaced = value_of(db_->upsert_oauth_config(change));
  EXPECT_EQ(replaced.id, github.id);
  EXPECT_EQ(replaced.created_at, github.created_at);
  EXPECT_GE(replaced.updated_at, github.updated_at);
  auto read = value_of(db_->get_oauth_config(tenant.id, "github"));
  EXPECT_EQ(read.id, github.id);
  EXPECT_EQ(read.tenant_id, tenant.id);
  EXPECT_EQ(read.client_id, "client-2");
  EXPECT_EQ(read.client_secret, "enc:secret-2");
  auto all = value_of(db_->list_oauth_configs(tenant.id));
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].provider, "atlassian");
  EXPECT_EQ(all[1].provider, "github");
  ASSERT_FALSE(db_->delete_oauth_config(tenant.id, "github"));
  EXPECT_EQ(code_of(db_->delete_oauth_config(tenant.id, "github")), errc::not_found);
  auto missing = db_->get_oauth_config(tenant.id, "github");
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
  EXPECT_EQ(message_of(missing.error()), "no 'github' OAuth app of the tenant");
  EXPECT_EQ(value_of(db_->list_oauth_configs(tenant.id)).size(), 1U);
}

TEST_P(StoreTest, OAuthAppNeedsTenantProviderClientIdAndSecret) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto no_secret = make_oauth_app(tenant.id, "github");
  no_secret.client_secret = "";
  EXPECT_EQ(failure_of(db_->upsert_oauth_config(no_secret)), errc::invalid_argument);
  auto no_client = make_oauth_app(tenant.id, "github");
  no_client.client_id = "";
  EXPECT_EQ(failure_of(db_->upsert_oauth_config(no_client)), errc::invalid_argument);
  EXPECT_EQ(failure_of(db_->upsert_oauth_config(make_oauth_app(tenant.id, ""))),
            errc::invalid_argument);
  EXPECT_EQ(failure_of(db_->upsert_oauth_config(make_oauth_app(make_uuid(), "github"))),
            errc::not_found);
}

TEST_P(StoreTest, ReplacesOAuthAppSecretOnlyIfUnchanged) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto before = value_of(db_->upsert_oauth_config(make_oauth_app(tenant.id, "github")));
  EXPECT_TRUE(value_of(db_->replace_oauth_config_secret(before, "enc:rotated")));
  EXPECT_EQ(value_of(db_->get_oauth_config(tenant.id, "github")).client_secret, "enc:rotated");
  EXPECT_FALSE(value_of(db_->replace_oauth_config_secret(before, "enc:stale")));
  EXPECT_EQ(value_of(db_->get_oauth_config(tenant.id, "github")).client_secret, "enc:rotated");
}

TEST_P(StoreTest, ClaimsAnOAuthFlowOnce) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto flow = make_flow(tenant.id, std::chrono::minutes{10});
  flow.owner = "key1";
  auto created = value_of(db_->create_oauth_flow(flow));
  EXPECT_EQ(created.id, flow.id);
  EXPECT_EQ(created.created_at.size(), 27U);
  auto pending = value_of(db_->get_oauth_flow(flow.id));
  EXPECT_EQ(pending.owner, "key1");
  EXPECT_EQ(pending.initiator, "key1");
  EXPECT_EQ(pending.code_verifier, "enc:verifier");
  EXPECT_EQ(pending.redirect_uri, flow.redirect_uri);
  EXPECT_EQ(pending.expires_at, flow.expires_at);
  EXPECT_EQ(pending.created_at, created.created_at);
  EXPECT_EQ(pending.completed_at, "");
  EXPECT_EQ(pending.outcome, "");
  auto claimed = value_of(db_->claim_oauth_flow(flow.id));
  EXPECT_EQ(claimed.id, flow.id);
  EXPECT_EQ(claimed.tenant_id, tenant.id);
  EXPECT_EQ(claimed.code_verifier, "enc:verifier");
  EXPECT_EQ(claimed.outcome, "exchanging");
  EXPECT_EQ(claimed.completed_at.size(), 27U);
  auto again = db_->claim_oauth_flow(flow.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::not_found);
  EXPECT_EQ(message_of(again.error()), "the authorization is unknown, already used or expired");
  EXPECT_EQ(failure_of(db_->claim_oauth_flow(make_uuid())), errc::not_found);
}

TEST_P(StoreTest, ExpiredOAuthFlowCannotBeClaimed) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto flow = value_of(db_->create_oauth_flow(make_flow(tenant.id, std::chrono::seconds{-1})));
  EXPECT_EQ(failure_of(db_->claim_oauth_flow(flow.id)), errc::not_found);
  EXPECT_EQ(value_of(db_->get_oauth_flow(flow.id)).outcome, "");
}

TEST_P(StoreTest, FinishedOAuthFlowReadsItsOutcome) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto flow = make_flow(tenant.id, std::chrono::minutes{10});
  flow.code_verifier = "";
  value_of(db_->create_oauth_flow(flow));
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_flows WHERE code_verifier IS NULL"), "1");
  auto claimed = value_of(db_->claim_oauth_flow(flow.id));
  EXPECT_EQ(claimed.code_verifier, "");
  ASSERT_FALSE(db_->finish_oauth_flow(flow.id, "connected"));
  auto read = value_of(db_->get_oauth_flow(flow.id));
  EXPECT_EQ(read.outcome, "connected");
  EXPECT_EQ(read.completed_at, claimed.completed_at);
  ASSERT_FALSE(db_->finish_oauth_flow(flow.id, "failed: token exchange refused"));
  EXPECT_EQ(value_of(db_->get_oauth_flow(flow.id)).outcome, "failed: token exchange refused");
  auto unknown = make_uuid();
  EXPECT_EQ(code_of(db_->finish_oauth_flow(unknown, "connected")), errc::not_found);
  EXPECT_EQ(failure_of(db_->get_oauth_flow(unknown)), errc::not_found);
}

TEST_P(StoreTest, CreatingAnOAuthFlowForgetsFlowsExpiredOverAnHourAgo) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto old = value_of(db_->create_oauth_flow(make_flow(tenant.id, -std::chrono::hours{2})));
  auto recent = value_of(db_->create_oauth_flow(make_flow(tenant.id, -std::chrono::minutes{30})));
  auto fresh = value_of(db_->create_oauth_flow(make_flow(tenant.id, std::chrono::minutes{10})));
  EXPECT_EQ(failure_of(db_->get_oauth_flow(old.id)), errc::not_found);
  EXPECT_EQ(value_of(db_->get_oauth_flow(recent.id)).id, recent.id);
  EXPECT_EQ(value_of(db_->get_oauth_flow(fresh.id)).id, fresh.id);
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_flows"), "2");
}

TEST_P(StoreTest, OAuthFlowNeedsItsFieldsAndAFreshId) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto flow = make_flow(tenant.id, std::chrono::minutes{10});
  for (auto field :
       {&oauth_flow_row::id, &oauth_flow_row::tenant_id, &oauth_flow_row::provider,
        &oauth_flow_row::initiator, &oauth_flow_row::redirect_uri, &oauth_flow_row::expires_at}) {
    auto bad = flow;
    bad.*field = "";
    EXPECT_EQ(failure_of(db_->create_oauth_flow(bad)), errc::invalid_argument);
  }
  value_of(db_->create_oauth_flow(flow));
  EXPECT_EQ(failure_of(db_->create_oauth_flow(flow)), errc::conflict);
  EXPECT_EQ(failure_of(db_->create_oauth_flow(make_flow(make_uuid(), std::chrono::minutes{10}))),
            errc::not_found);
}

TEST_P(StoreTest, DeletingTenantDeletesItsOAuthRows) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto other = value_of(db_->create_tenant(make_tenant("globex")));
  for (const auto& id : {tenant.id, other.id}) {
    value_of(db_->upsert_oauth_credential(make_credential(id, "github", "")));
    value_of(db_->upsert_oauth_credential(make_credential(id, "github", "key1")));
    value_of(db_->upsert_oauth_config(make_oauth_app(id, "github")));
    value_of(db_->create_oauth_flow(make_flow(id, std::chrono::minutes{10})));
  }
  ASSERT_FALSE(db_->delete_tenant("acme"));
  EXPECT_TRUE(value_of(db_->list_oauth_credentials(tenant.id)).empty());
  EXPECT_TRUE(value_of(db_->list_oauth_configs(tenant.id)).empty());
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_flows WHERE tenant_id = '" + tenant.id + "'"), "0");
  EXPECT_EQ(value_of(db_->list_oauth_credentials(other.id)).size(), 2U);
  EXPECT_EQ(value_of(db_->list_oauth_configs(other.id)).size(), 1U);
  EXPECT_EQ(raw("SELECT count(*) FROM oauth_flows"), "1");
}

} // namespace
} // namespace sagemcp::persistence

namespace sagemcp::persistence {
namespace {

TEST(SqliteStoreTest, OpenEnablesWriteAheadLogging) {
  auto dir = std::filesystem::temp_directory_path() / ("sagemcp-store-test-" + make_uuid());
  auto path = (dir / "sagemcp.db").string();
  auto opened = open_sqlite_store(path);
  ASSERT_TRUE(opened) << message_of(opened.error());
  EXPECT_EQ(sqlite_raw(path, "PRAGMA journal_mode"), "wal");
  opened->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(SqliteStoreTest, OpenFailsWithStorageFailureOnADirectory) {
  auto opened = open_sqlite_store(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(opened);
  EXPECT_EQ(code_of(opened.error()), errc::storage_failure);
}

TEST(PostgresStoreTest, AnUnreachableServerIsUnavailable) {
  auto opened = open_postgres_store("postgresql://nobody@127.0.0.1:1/none", "n1");
  ASSERT_FALSE(opened);
  EXPECT_EQ(code_of(opened.error()), errc::storage_unavailable);
}

TEST(PostgresStoreTest, FillsInConnectionDefaultsWithoutOverridingTheUrl) {
  auto url = with_connection_defaults("postgresql://u@h/db?sslmode=require&connect_timeout=2");
  EXPECT_NE(url.find("sslmode=require"), std::string::npos);
  EXPECT_NE(url.find("connect_timeout=2"), std::string::npos);
  EXPECT_EQ(url.find("connect_timeout=5"), std::string::npos);
  EXPECT_NE(url.find("&tcp_user_timeout=10000"), std::string::npos);
  EXPECT_EQ(with_connection_defaults("postgresql://h/db").find("postgresql://h/db?connect_timeout"),
            0U);
  EXPECT_TRUE(is_postgres_url("postgres://h/db"));
  EXPECT_FALSE(is_postgres_url("sqlite:///data.db"));
}

// A PostgreSQL store on a schema of its own, for the tests that need the server itself.
class PostgresServerTest : public ::testing::Test {
protected:
  void SetUp() override {
    base_ = test_database_url();
    if (base_.empty()) {
      GTEST_SKIP() << "SAGEMCP_TEST_DATABASE_URL is not set";
    }
    schema_ = "p_" + std::to_string(std::hash<std::string>{}(make_uuid()));
    ASSERT_EQ(postgres_raw(base_, "CREATE SCHEMA " + schema_), "<done>");
    url_ = url_of_schema(base_, schema_) + "&application_name=" + schema_;
    auto opened = open_postgres_store(url_, schema_);
    ASSERT_TRUE(opened) << message_of(opened.error());
    db_ = std::move(*opened);
    ASSERT_FALSE(db_->migrate());
  }

  void TearDown() override {
    db_.reset();
    if (!base_.empty()) {
      postgres_raw(base_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
  }

  std::string base_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<store> db_;
};

TEST_F(PostgresServerTest, ALostConnectionFailsOneCallAndTheNextReconnects) {
  value_of(db_->create_tenant(make_tenant("acme")));
  ASSERT_EQ(postgres_raw(base_, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE application_name = '"
                                  + schema_ + "'"),
            "1");
  auto lost = db_->get_tenant("acme");
  ASSERT_FALSE(lost);
  EXPECT_EQ(code_of(lost.error()), errc::storage_unavailable);
  EXPECT_EQ(value_of(db_->get_tenant("acme")).slug, "acme");
}

TEST_F(PostgresServerTest, WritesNotifyListenersWhenTheyCommit) {
  auto listener = open_postgres_listener(url_);
  ASSERT_TRUE(listener->wait(std::chrono::milliseconds{1}));
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  value_of(db_->change_tool_states(connector.id, {{connector.id, "a_tool", false, {}}},
                                   std::vector<std::string>{}));
  // A failed write notifies nobody.
  EXPECT_FALSE(db_->create_tenant(make_tenant("acme")));
  std::vector<std::string> seen;
  for (int i = 0; i < 20 && seen.size() < 3; ++i) {
    auto got = listener->wait(std::chrono::milliseconds{100});
    ASSERT_TRUE(got) << message_of(got.error());
    // Tests running beside this one notify on the same channel.
    std::copy_if(got->begin(), got->end(), std::back_inserter(seen), [this](const auto& payload) {
      return payload.find(R"("node":")" + schema_ + '"') != std::string::npos;
    });
  }
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_NE(seen[0].find(R"("kind":"tenant","tenant":"acme")"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find(R"("kind":"connector","tenant":"acme","connector":")" + connector.id),
            std::string::npos)
    << seen[1];
  EXPECT_NE(seen[2].find(R"("kind":"tools")"), std::string::npos) << seen[2];
}

} // namespace
} // namespace sagemcp::persistence
