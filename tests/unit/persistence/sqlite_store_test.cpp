#include "persistence/sqlite_store.hpp"

#include "messages/errc.hpp"
#include "persistence/ids.hpp"
#include "persistence/migrations.hpp"
#include "tests/support/store_helpers.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sagemcp::persistence {
namespace {

using test::failure_of;
using test::make_tenant;
using test::value_of;

/// Runs `sql` on a connection of its own and returns the first column of its first row.
std::string query_raw(const std::string& path, const std::string& sql) {
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

class SqliteStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sagemcp-store-test-" + make_uuid());
    path_ = (dir_ / "sagemcp.db").string();
    auto opened = open_sqlite_store(path_);
    ASSERT_TRUE(opened) << message_of(opened.error());
    db_ = std::move(*opened);
    auto err = db_->migrate();
    ASSERT_FALSE(err) << message_of(err);
  }

  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<store> db_;
};

TEST_F(SqliteStoreTest, MigrateIsIdempotent) {
  EXPECT_EQ(value_of(db_->schema_version()), latest_version(dialect::sqlite));
  auto err = db_->migrate();
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_EQ(value_of(db_->schema_version()), latest_version(dialect::sqlite));
  EXPECT_EQ(query_raw(path_, "SELECT count(*) FROM schema_version"),
            std::to_string(latest_version(dialect::sqlite)));
  EXPECT_EQ(query_raw(path_, "SELECT count(*) FROM sqlite_master WHERE name = 'tenants'"), "1");
}

TEST_F(SqliteStoreTest, EmbedsTheSqliteMigrations) {
  auto all = migrations(dialect::sqlite);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().version, 1);
  EXPECT_EQ(all.front().name, "initial");
  EXPECT_NE(all.front().sql.find("CREATE TABLE api_keys"), std::string_view::npos);
  EXPECT_EQ(latest_version(dialect::sqlite), all.back().version);
}

TEST_F(SqliteStoreTest, UnmigratedDatabaseHasVersionZeroAndRefusesData) {
  auto opened = open_sqlite_store(":memory:");
  ASSERT_TRUE(opened) << message_of(opened.error());
  auto& fresh = *opened;
  EXPECT_EQ(value_of(fresh->schema_version()), 0);
  auto created = fresh->create_tenant(make_tenant("acme"));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::storage_failure);
  auto err = fresh->migrate();
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(fresh->create_tenant(make_tenant("acme")));
}

TEST_F(SqliteStoreTest, OpenEnablesWriteAheadLogging) {
  EXPECT_EQ(query_raw(path_, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, OpenFailsWithStorageFailureOnADirectory) {
  auto opened = open_sqlite_store(dir_.string());
  ASSERT_FALSE(opened);
  EXPECT_EQ(code_of(opened.error()), errc::storage_failure);
}

TEST_F(SqliteStoreTest, ReopenedDatabaseServesRowsWithoutMigrating) {
  value_of(db_->create_tenant(make_tenant("acme")));
  db_.reset();
  auto opened = open_sqlite_store(path_);
  ASSERT_TRUE(opened) << message_of(opened.error());
  db_ = std::move(*opened);
  EXPECT_EQ(value_of(db_->get_tenant("acme")).name, "Tenant acme");
}

TEST_F(SqliteStoreTest, PingSucceeds) {
  auto err = db_->ping();
  EXPECT_FALSE(err) << message_of(err);
}

TEST_F(SqliteStoreTest, CreatesAndReadsTenant) {
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

TEST_F(SqliteStoreTest, DuplicateSlugIsConflict) {
  value_of(db_->create_tenant(make_tenant("acme")));
  auto again = db_->create_tenant(make_tenant("acme"));
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::conflict);
  EXPECT_EQ(message_of(again.error()), "tenant slug 'acme' already exists");
}

TEST_F(SqliteStoreTest, TenantWithoutSlugIsInvalidArgument) {
  auto created = db_->create_tenant(make_tenant(""));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::invalid_argument);
}

TEST_F(SqliteStoreTest, MissingTenantIsNotFound) {
  auto got = db_->get_tenant("acme");
  ASSERT_FALSE(got);
  EXPECT_EQ(code_of(got.error()), errc::not_found);
  EXPECT_EQ(message_of(got.error()), "tenant 'acme' not found");
  auto updated = db_->update_tenant(make_tenant("acme"));
  ASSERT_FALSE(updated);
  EXPECT_EQ(code_of(updated.error()), errc::not_found);
  EXPECT_EQ(code_of(db_->delete_tenant("acme")), errc::not_found);
}

TEST_F(SqliteStoreTest, UpdatesTenantBySlug) {
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

TEST_F(SqliteStoreTest, ListsTenantsOrderedBySlug) {
  for (const auto* slug : {"globex", "acme", "initech"}) {
    value_of(db_->create_tenant(make_tenant(slug)));
  }
  auto tenants = value_of(db_->list_tenants());
  ASSERT_EQ(tenants.size(), 3U);
  EXPECT_EQ(tenants[0].slug, "acme");
  EXPECT_EQ(tenants[1].slug, "globex");
  EXPECT_EQ(tenants[2].slug, "initech");
}

TEST_F(SqliteStoreTest, DeletesTenant) {
  value_of(db_->create_tenant(make_tenant("acme")));
  auto err = db_->delete_tenant("acme");
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_EQ(failure_of(db_->get_tenant("acme")), errc::not_found);
  EXPECT_TRUE(value_of(db_->list_tenants()).empty());
}

TEST_F(SqliteStoreTest, CreatesAndListsConnectorsInCreationOrder) {
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

TEST_F(SqliteStoreTest, ConnectorOfUnknownTenantIsNotFound) {
  auto created = db_->create_connector(make_connector(make_uuid(), "orphan"));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::not_found);
}

TEST_F(SqliteStoreTest, UpdatesConnector) {
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

TEST_F(SqliteStoreTest, UpdateOfAnotherTenantsConnectorIsNotFound) {
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

TEST_F(SqliteStoreTest, DeletesConnector) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  auto err = db_->delete_connector(tenant.id, connector.id);
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(value_of(db_->list_connectors(tenant.id)).empty());
  EXPECT_EQ(code_of(db_->delete_connector(tenant.id, connector.id)), errc::not_found);
}

TEST_F(SqliteStoreTest, DeletingTenantCascadesConnectorsToolStatesAndKeys) {
  auto tenant = value_of(db_->create_tenant(make_tenant("acme")));
  auto connector = value_of(db_->create_connector(make_connector(tenant.id, "gh")));
  value_of(db_->create_api_key(make_key("tenant-hash", scope::tenant_admin, tenant.id)));
  value_of(db_->create_api_key(make_key("platform-hash", scope::platform_admin, "")));
  ASSERT_EQ(query_raw(path_, "INSERT INTO connector_tool_states (id, connector_id, tool_name, "
                             "is_enabled, created_at, updated_at) VALUES ('s1', '"
                               + connector.id + "', 'github_list_issues', 0, 'x', 'x')"),
            "<done>");
  auto err = db_->delete_tenant("acme");
  ASSERT_FALSE(err) << message_of(err);
  EXPECT_TRUE(value_of(db_->list_connectors(tenant.id)).empty());
  EXPECT_EQ(query_raw(path_, "SELECT count(*) FROM connector_tool_states"), "0");
  auto keys = value_of(db_->list_api_keys());
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].key_hash, "platform-hash");
}

TEST_F(SqliteStoreTest, ListsApiKeysNewestFirstWithTenantSlug) {
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
  EXPECT_EQ(query_raw(path_, "SELECT scope FROM api_keys WHERE key_hash = 'h1'"), "platform_admin");
}

TEST_F(SqliteStoreTest, RevokesApiKey) {
  auto key = value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto revoked = value_of(db_->revoke_api_key(key.id));
  EXPECT_EQ(revoked.id, key.id);
  EXPECT_FALSE(revoked.is_active);
  EXPECT_FALSE(value_of(db_->list_api_keys()).at(0).is_active);
  auto missing = db_->revoke_api_key(make_uuid());
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
}

TEST_F(SqliteStoreTest, DuplicateKeyHashIsConflict) {
  value_of(db_->create_api_key(make_key("h1", scope::platform_admin, "")));
  auto again = db_->create_api_key(make_key("h1", scope::platform_admin, ""));
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::conflict);
  EXPECT_EQ(value_of(db_->list_api_keys()).size(), 1U);
}

TEST_F(SqliteStoreTest, TenantScopedKeyWithoutTenantIsInvalidArgument) {
  auto created = db_->create_api_key(make_key("h1", scope::tenant_admin, ""));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::invalid_argument);
}

TEST_F(SqliteStoreTest, KeyOfUnknownTenantIsNotFound) {
  auto created = db_->create_api_key(make_key("h1", scope::tenant_user, make_uuid()));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), errc::not_found);
}

} // namespace
} // namespace sagemcp::persistence

namespace sagemcp::persistence {
namespace {

TEST(SqliteStorePolicyTest, StoresTenantRateLimits) {
  auto dir = std::filesystem::temp_directory_path() / ("sagemcp-store-test-" + make_uuid());
  auto opened = open_sqlite_store((dir / "sagemcp.db").string());
  ASSERT_TRUE(opened);
  auto& db = **opened;
  ASSERT_FALSE(db.migrate());
  auto row = test::make_tenant("acme");
  auto created = value_of(db.create_tenant(row));
  EXPECT_EQ(created.rate_limit_rpm, -1);
  EXPECT_EQ(value_of(db.get_tenant("acme")).rate_limit_rpm, -1);
  created.rate_limit_rpm = 0;
  EXPECT_EQ(value_of(db.update_tenant(created)).rate_limit_rpm, 0);
  created.rate_limit_rpm = 250;
  EXPECT_EQ(value_of(db.update_tenant(created)).rate_limit_rpm, 250);
  EXPECT_EQ(value_of(db.list_tenants()).front().rate_limit_rpm, 250);
  created.rate_limit_rpm = -1;
  EXPECT_EQ(value_of(db.update_tenant(created)).rate_limit_rpm, -1);
  opened->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_F(SqliteStoreTest, ChangesToolStatesInOneTransaction) {
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

} // namespace
} // namespace sagemcp::persistence
