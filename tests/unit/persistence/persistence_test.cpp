#include "persistence/persistence.hpp"

#include "messages/errc.hpp"
#include "messages/type_ids.hpp"
#include "persistence/ids.hpp"
#include "persistence/migrations.hpp"
#include "persistence/sqlite_store.hpp"
#include "tests/support/store_helpers.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sagemcp::persistence {
namespace {

using test::failure_of;
using test::make_tenant;
using test::value_of;

struct test_config : caf::actor_system_config {
  test_config() {
    sagemcp::add_message_types(*this);
  }
};

connector_row make_connector(const std::string& tenant_id, std::string name) {
  connector_row row;
  row.tenant_id = tenant_id;
  row.connector_type = "github";
  row.name = std::move(name);
  return row;
}

class PersistenceTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = open_sqlite_store(":memory:");
    ASSERT_TRUE(opened) << message_of(opened.error());
    std::shared_ptr<store> db = std::move(*opened);
    auto err = db->migrate();
    ASSERT_FALSE(err) << message_of(err);
    actor_ = spawn_persistence(sys_, std::move(db));
  }

  void TearDown() override {
    self_->send_exit(actor_, caf::exit_reason::user_shutdown);
  }

  /// Sends a request and waits for its reply.
  template <class T, class... Ts>
  caf::expected<T> call(Ts... xs) {
    caf::expected<T> result = make_error(errc::internal_error, "no reply");
    self_->request(actor_, caf::infinite, std::move(xs)...)
      .receive(
        [&](T& x) {
          result = std::move(x);
        },
        [&](caf::error& err) {
          result = std::move(err);
        });
    return result;
  }

  /// Replies to atom::status, parsed.
  boost::json::object status() {
    auto text = value_of(call<std::string>(atom::status_v));
    return boost::json::parse(text).as_object();
  }

  test_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::scoped_actor self_{sys_};
  persistence_actor actor_;
};

TEST_F(PersistenceTest, CreatesAndGetsTenant) {
  auto created = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  EXPECT_EQ(created.id.size(), 36U);
  auto read = value_of(call<tenant_row>(atom::get_v, atom::tenant_v, std::string{"acme"}));
  EXPECT_EQ(read.id, created.id);
  EXPECT_EQ(read.name, "Tenant acme");
}

TEST_F(PersistenceTest, DuplicateSlugRepliesConflict) {
  value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto again = call<tenant_row>(atom::create_v, make_tenant("acme"));
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::conflict);
  EXPECT_EQ(message_of(again.error()), "tenant slug 'acme' already exists");
}

TEST_F(PersistenceTest, MissingTenantRepliesNotFound) {
  auto got = call<tenant_row>(atom::get_v, atom::tenant_v, std::string{"acme"});
  EXPECT_EQ(failure_of(got), errc::not_found);
  auto loaded = call<tenant_snapshot>(atom::load_v, std::string{"acme"});
  EXPECT_EQ(failure_of(loaded), errc::not_found);
}

TEST_F(PersistenceTest, UpdatesAndListsTenants) {
  value_of(call<tenant_row>(atom::create_v, make_tenant("globex")));
  value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto change = make_tenant("acme");
  change.name = "Acme Corp";
  EXPECT_EQ(value_of(call<tenant_row>(atom::update_v, change)).name, "Acme Corp");
  auto tenants = value_of(call<std::vector<tenant_row>>(atom::list_v, atom::tenant_v));
  ASSERT_EQ(tenants.size(), 2U);
  EXPECT_EQ(tenants[0].slug, "acme");
  EXPECT_EQ(tenants[0].name, "Acme Corp");
  EXPECT_EQ(tenants[1].slug, "globex");
}

TEST_F(PersistenceTest, LoadsTenantSnapshotWithConnectors) {
  auto tenant = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto first = value_of(call<connector_row>(atom::create_v, make_connector(tenant.id, "a")));
  auto second = value_of(call<connector_row>(atom::create_v, make_connector(tenant.id, "b")));
  auto snapshot = value_of(call<tenant_snapshot>(atom::load_v, std::string{"acme"}));
  EXPECT_EQ(snapshot.tenant.id, tenant.id);
  ASSERT_EQ(snapshot.connectors.size(), 2U);
  EXPECT_EQ(snapshot.connectors[0].id, first.id);
  EXPECT_EQ(snapshot.connectors[1].id, second.id);
}

TEST_F(PersistenceTest, UpdatesConnectorOnlyWithinItsTenant) {
  auto acme = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto globex = value_of(call<tenant_row>(atom::create_v, make_tenant("globex")));
  auto connector = value_of(call<connector_row>(atom::create_v, make_connector(acme.id, "gh")));
  connector.is_enabled = false;
  EXPECT_FALSE(value_of(call<connector_row>(atom::update_v, connector)).is_enabled);
  auto hijack = connector;
  hijack.tenant_id = globex.id;
  EXPECT_EQ(failure_of(call<connector_row>(atom::update_v, hijack)), errc::not_found);
}

TEST_F(PersistenceTest, ErasesConnectorAndTenant) {
  auto tenant = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto connector = value_of(call<connector_row>(atom::create_v, make_connector(tenant.id, "gh")));
  EXPECT_TRUE(call<atom::ok>(atom::erase_v, atom::connector_v, tenant.id, connector.id));
  EXPECT_EQ(failure_of(call<atom::ok>(atom::erase_v, atom::connector_v, tenant.id, connector.id)),
            errc::not_found);
  EXPECT_TRUE(call<atom::ok>(atom::erase_v, atom::tenant_v, std::string{"acme"}));
  EXPECT_EQ(failure_of(call<tenant_row>(atom::get_v, atom::tenant_v, std::string{"acme"})),
            errc::not_found);
}

TEST_F(PersistenceTest, CreatesListsAndRevokesApiKeys) {
  auto tenant = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  api_key_row key;
  key.name = "ci";
  key.key_prefix = "smcp_tu_";
  key.key_hash = "hash";
  key.role = scope::tenant_user;
  key.tenant_id = tenant.id;
  auto created = value_of(call<api_key_row>(atom::create_v, key));
  EXPECT_EQ(created.tenant_slug, "acme");
  EXPECT_EQ(failure_of(call<api_key_row>(atom::create_v, key)), errc::conflict);
  auto revoked = value_of(call<api_key_row>(atom::revoke_v, created.id));
  EXPECT_FALSE(revoked.is_active);
  auto keys = value_of(call<std::vector<api_key_row>>(atom::list_v, atom::key_v));
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].id, created.id);
  EXPECT_FALSE(keys[0].is_active);
  EXPECT_EQ(keys[0].tenant_slug, "acme");
}

TEST_F(PersistenceTest, PingRepliesOk) {
  EXPECT_TRUE(call<atom::ok>(atom::ping_v));
}

TEST_F(PersistenceTest, StatusCountsWritesReadsAndFailures) {
  value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  value_of(call<tenant_row>(atom::get_v, atom::tenant_v, std::string{"acme"}));
  EXPECT_FALSE(call<tenant_row>(atom::create_v, make_tenant("acme")));
  auto json = status();
  EXPECT_EQ(json.at("writes").to_number<int>(), 1);
  EXPECT_EQ(json.at("reads").to_number<int>(), 1);
  EXPECT_EQ(json.at("failures").to_number<int>(), 1);
  EXPECT_EQ(json.at("schema_version").to_number<int>(), latest_version(dialect::sqlite));
}

TEST_F(PersistenceTest, ProcessesRequestsInMailboxOrder) {
  auto change = make_tenant("acme");
  change.name = "Renamed";
  // All three are in the mailbox before the first reply arrives.
  auto created = self_->request(actor_, caf::infinite, atom::create_v, make_tenant("acme"));
  auto updated = self_->request(actor_, caf::infinite, atom::update_v, change);
  auto got = self_->request(actor_, caf::infinite, atom::get_v, atom::tenant_v,
                            std::string{"acme"});
  std::vector<std::string> names;
  auto on_error = [&](caf::error& err) {
    names.push_back("error: " + message_of(err));
  };
  created.receive(
    [&](tenant_row& x) {
      names.push_back(x.name);
    },
    on_error);
  updated.receive(
    [&](tenant_row& x) {
      names.push_back(x.name);
    },
    on_error);
  got.receive(
    [&](tenant_row& x) {
      names.push_back(x.name);
    },
    on_error);
  EXPECT_EQ(names, (std::vector<std::string>{"Tenant acme", "Renamed", "Renamed"}));
}

TEST_F(PersistenceTest, ServesOAuthCredentialsAndApps) {
  auto tenant = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  oauth_credential_row credential;
  credential.tenant_id = tenant.id;
  credential.provider = "github";
  credential.access_token = "enc:a1";
  auto stored = value_of(call<oauth_credential_row>(atom::create_v, credential));
  auto github = std::string{"github"};
  auto read = value_of(
    call<oauth_credential_row>(atom::get_v, atom::credential_v, tenant.id, github, std::string{}));
  EXPECT_EQ(read.id, stored.id);
  auto after = read;
  after.access_token = "enc:a2";
  EXPECT_TRUE(value_of(call<bool>(atom::update_v, atom::credential_v, read, after)));
  EXPECT_FALSE(value_of(call<bool>(atom::update_v, atom::credential_v, read, after)));
  auto all = value_of(
    call<std::vector<oauth_credential_row>>(atom::list_v, atom::credential_v, tenant.id));
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].access_token, "enc:a2");
  auto deleted = value_of(call<oauth_credential_row>(atom::erase_v, atom::credential_v, tenant.id,
                                                     github, std::string{}));
  EXPECT_EQ(deleted.access_token, "enc:a2");
  oauth_config_row app;
  app.tenant_id = tenant.id;
  app.provider = github;
  app.client_id = "id";
  app.client_secret = "enc:s";
  value_of(call<oauth_config_row>(atom::create_v, app));
  EXPECT_EQ(
    value_of(call<oauth_config_row>(atom::get_v, atom::oauth_app_v, tenant.id, github)).client_id,
    "id");
  EXPECT_EQ(
    value_of(call<std::vector<oauth_config_row>>(atom::list_v, atom::oauth_app_v, tenant.id)).size(),
    1U);
  EXPECT_TRUE(call<atom::ok>(atom::erase_v, atom::oauth_app_v, tenant.id, github));
  EXPECT_EQ(failure_of(call<atom::ok>(atom::erase_v, atom::oauth_app_v, tenant.id, github)),
            errc::not_found);
}

TEST_F(PersistenceTest, ServesOAuthFlows) {
  auto tenant = value_of(call<tenant_row>(atom::create_v, make_tenant("acme")));
  oauth_flow_row flow;
  flow.id = make_uuid();
  flow.tenant_id = tenant.id;
  flow.provider = "github";
  flow.initiator = "key1";
  flow.redirect_uri = "https://mcp.example.com/callback";
  flow.expires_at = to_iso8601(std::chrono::system_clock::now() + std::chrono::minutes{10});
  value_of(call<oauth_flow_row>(atom::create_v, flow));
  EXPECT_EQ(value_of(call<oauth_flow_row>(atom::open_v, atom::flow_v, flow.id)).outcome,
            "exchanging");
  EXPECT_EQ(failure_of(call<oauth_flow_row>(atom::open_v, atom::flow_v, flow.id)), errc::not_found);
  EXPECT_TRUE(call<atom::ok>(atom::close_v, atom::flow_v, flow.id, std::string{"connected"}));
  EXPECT_EQ(value_of(call<oauth_flow_row>(atom::get_v, atom::flow_v, flow.id)).outcome,
            "connected");
}

TEST_F(PersistenceTest, RepliesStorageFailureBeforeMigrate) {
  auto opened = open_sqlite_store(":memory:");
  ASSERT_TRUE(opened) << message_of(opened.error());
  auto unmigrated = spawn_persistence(sys_, std::shared_ptr<store>{std::move(*opened)});
  std::optional<errc> code;
  self_->request(unmigrated, caf::infinite, atom::create_v, make_tenant("acme"))
    .receive(
      [&](tenant_row&) {
        code = std::nullopt;
      },
      [&](caf::error& err) {
        code = code_of(err);
      });
  EXPECT_EQ(code, errc::storage_failure);
  self_->send_exit(unmigrated, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace sagemcp::persistence

namespace sagemcp::persistence {
namespace {

/// A store in front of another that can lose its database: while `down`, every call fails with
/// storage_unavailable and reaches nothing.
class flaky_store final : public store {
public:
  explicit flaky_store(std::shared_ptr<store> inner) : inner_(std::move(inner)) {
    // nop
  }

  std::atomic<bool> down{false};

  caf::error migrate() override {
    return gate() ? gate() : inner_->migrate();
  }
  caf::expected<int> schema_version() override {
    return pass([&] {
      return inner_->schema_version();
    });
  }
  caf::error ping() override {
    return gate() ? gate() : inner_->ping();
  }
  caf::expected<tenant_row> create_tenant(tenant_row row) override {
    return pass([&] {
      return inner_->create_tenant(row);
    });
  }
  caf::expected<tenant_row> update_tenant(const tenant_row& row) override {
    return pass([&] {
      return inner_->update_tenant(row);
    });
  }
  caf::error delete_tenant(const std::string& slug) override {
    return gate() ? gate() : inner_->delete_tenant(slug);
  }
  caf::expected<tenant_row> get_tenant(const std::string& slug) override {
    return pass([&] {
      return inner_->get_tenant(slug);
    });
  }
  caf::expected<std::vector<tenant_row>> list_tenants() override {
    return pass([&] {
      return inner_->list_tenants();
    });
  }
  caf::expected<std::vector<connector_row>> list_connectors(const std::string& id) override {
    return pass([&] {
      return inner_->list_connectors(id);
    });
  }
  caf::expected<connector_row> create_connector(connector_row row) override {
    return pass([&] {
      return inner_->create_connector(row);
    });
  }
  caf::expected<connector_row> update_connector(const connector_row& row) override {
    return pass([&] {
      return inner_->update_connector(row);
    });
  }
  caf::error delete_connector(const std::string& tenant_id, const std::string& id) override {
    return gate() ? gate() : inner_->delete_connector(tenant_id, id);
  }
  caf::expected<api_key_row> create_api_key(api_key_row row) override {
    return pass([&] {
      return inner_->create_api_key(row);
    });
  }
  caf::expected<std::vector<api_key_row>> list_api_keys() override {
    return pass([&] {
      return inner_->list_api_keys();
    });
  }
  caf::expected<api_key_row> revoke_api_key(const std::string& id) override {
    return pass([&] {
      return inner_->revoke_api_key(id);
    });
  }
  caf::expected<std::vector<tool_state_row>> list_tool_states(const std::string& id) override {
    return pass([&] {
      return inner_->list_tool_states(id);
    });
  }
  caf::expected<std::vector<tool_state_row>>
  change_tool_states(const std::string& id, const std::vector<tool_state_row>& states,
                     const std::vector<std::string>& removed) override {
    return pass([&] {
      return inner_->change_tool_states(id, states, removed);
    });
  }
  caf::expected<std::vector<tool_state_row>> list_disabled_tools(const std::string& id) override {
    return pass([&] {
      return inner_->list_disabled_tools(id);
    });
  }
  caf::error touch_api_keys(const std::vector<api_key_row>& uses) override {
    return gate() ? gate() : inner_->touch_api_keys(uses);
  }
  caf::expected<bool> rewrite_connector_secrets(const connector_row& before,
                                                const std::string& configuration,
                                                const std::string& runtime_env) override {
    if (auto err = gate()) {
      return err;
    }
    return inner_->rewrite_connector_secrets(before, configuration, runtime_env);
  }
  caf::error add_usage(const std::vector<usage_row>& rows) override {
    return gate() ? gate() : inner_->add_usage(rows);
  }
  caf::expected<std::vector<usage_row>> list_usage(const std::string& slug,
                                                   const std::string& since) override {
    return pass([&] {
      return inner_->list_usage(slug, since);
    });
  }
  caf::expected<audit_row> append_audit(audit_row row) override {
    return pass([&] {
      return inner_->append_audit(row);
    });
  }
  caf::expected<std::vector<audit_row>> list_audit(const std::string& slug,
                                                   int64_t limit) override {
    return pass([&] {
      return inner_->list_audit(slug, limit);
    });
  }

  caf::expected<oauth_credential_row> upsert_oauth_credential(oauth_credential_row row) override {
    return pass([&] {
      return inner_->upsert_oauth_credential(row);
    });
  }
  caf::expected<oauth_credential_row> get_oauth_credential(const std::string& tenant_id,
                                                           const std::string& provider,
                                                           const std::string& owner) override {
    return pass([&] {
      return inner_->get_oauth_credential(tenant_id, provider, owner);
    });
  }
  caf::expected<std::vector<oauth_credential_row>>
  list_oauth_credentials(const std::string& tenant_id) override {
    return pass([&] {
      return inner_->list_oauth_credentials(tenant_id);
    });
  }
  caf::expected<oauth_credential_row> delete_oauth_credential(const std::string& tenant_id,
                                                              const std::string& provider,
                                                              const std::string& owner) override {
    return pass([&] {
      return inner_->delete_oauth_credential(tenant_id, provider, owner);
    });
  }
  caf::expected<bool> replace_oauth_tokens(const oauth_credential_row& before,
                                           const oauth_credential_row& after) override {
    return pass([&] {
      return inner_->replace_oauth_tokens(before, after);
    });
  }
  caf::expected<oauth_config_row> upsert_oauth_config(oauth_config_row row) override {
    return pass([&] {
      return inner_->upsert_oauth_config(row);
    });
  }
  caf::expected<oauth_config_row> get_oauth_config(const std::string& tenant_id,
                                                   const std::string& provider) override {
    return pass([&] {
      return inner_->get_oauth_config(tenant_id, provider);
    });
  }
  caf::expected<std::vector<oauth_config_row>>
  list_oauth_configs(const std::string& tenant_id) override {
    return pass([&] {
      return inner_->list_oauth_configs(tenant_id);
    });
  }
  caf::error delete_oauth_config(const std::string& tenant_id,
                                 const std::string& provider) override {
    return gate() ? gate() : inner_->delete_oauth_config(tenant_id, provider);
  }
  caf::expected<bool> replace_oauth_config_secret(const oauth_config_row& before,
                                                  const std::string& client_secret) override {
    return pass([&] {
      return inner_->replace_oauth_config_secret(before, client_secret);
    });
  }
  caf::expected<oauth_flow_row> create_oauth_flow(oauth_flow_row row) override {
    return pass([&] {
      return inner_->create_oauth_flow(row);
    });
  }
  caf::expected<oauth_flow_row> claim_oauth_flow(const std::string& id) override {
    return pass([&] {
      return inner_->claim_oauth_flow(id);
    });
  }
  caf::error finish_oauth_flow(const std::string& id, const std::string& outcome) override {
    return gate() ? gate() : inner_->finish_oauth_flow(id, outcome);
  }
  caf::expected<oauth_flow_row> get_oauth_flow(const std::string& id) override {
    return pass([&] {
      return inner_->get_oauth_flow(id);
    });
  }

private:
  caf::error gate() const {
    if (down) {
      return make_error(errc::storage_unavailable, "connection refused");
    }
    return {};
  }

  template <class F>
  auto pass(F f) -> decltype(f()) {
    if (auto err = gate()) {
      return err;
    }
    return f();
  }

  std::shared_ptr<store> inner_;
};

class OutageTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto opened = open_sqlite_store(":memory:");
    ASSERT_TRUE(opened);
    std::shared_ptr<store> inner = std::move(*opened);
    ASSERT_FALSE(inner->migrate());
    db_ = std::make_shared<flaky_store>(inner);
  }

  void TearDown() override {
    self_->send_exit(actor_, caf::exit_reason::user_shutdown);
  }

  void start(persistence_options options) {
    options.retry_delay = std::chrono::milliseconds{10};
    options.max_retry_delay = std::chrono::milliseconds{20};
    actor_ = spawn_persistence(sys_, db_, options);
  }

  /// Sends a create without waiting; its reply arrives in order (see `outcome`).
  void create(const std::string& slug) {
    self_->send(actor_, atom::create_v, make_tenant(slug));
  }

  /// The next reply: nothing for a success, else the errc.
  std::optional<errc> outcome() {
    std::optional<errc> result = errc::internal_error;
    self_->receive(
      [&](tenant_row&) {
        result = std::nullopt;
      },
      [&](caf::error& err) {
        result = code_of(err);
      });
    return result;
  }

  std::optional<errc> ping() {
    std::optional<errc> result;
    self_->request(actor_, caf::infinite, atom::ping_v)
      .receive(
        [&](atom::ok) {
          result = std::nullopt;
        },
        [&](caf::error& err) {
          result = code_of(err);
        });
    return result;
  }

  test_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::scoped_actor self_{sys_};
  std::shared_ptr<flaky_store> db_;
  persistence_actor actor_;
};

TEST_F(OutageTest, WritesWaitInOrderAndLandWhenTheDatabaseReturns) {
  start({});
  db_->down = true;
  create("first");
  create("second");
  create("first");
  // Readiness knows at once; the writes wait.
  EXPECT_EQ(ping(), errc::storage_unavailable);
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  db_->down = false;
  EXPECT_EQ(outcome(), std::nullopt);
  EXPECT_EQ(outcome(), std::nullopt);
  // Applied in order: the third repeats the first slug.
  EXPECT_EQ(outcome(), errc::conflict);
  EXPECT_EQ(ping(), std::nullopt);
  EXPECT_EQ(value_of(db_->list_tenants()).size(), 2U);
}

TEST_F(OutageTest, AWriteThatWaitedTooLongFailsAndIsNeverApplied) {
  persistence_options options;
  options.max_wait = std::chrono::milliseconds{50};
  start(options);
  db_->down = true;
  create("late");
  EXPECT_EQ(outcome(), errc::storage_unavailable);
  db_->down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  EXPECT_TRUE(value_of(db_->list_tenants()).empty());
}

TEST_F(OutageTest, AFullQueueRefusesAtOnce) {
  persistence_options options;
  options.max_waiting = 1;
  start(options);
  db_->down = true;
  create("one");
  create("two");
  EXPECT_EQ(outcome(), errc::storage_unavailable);
  db_->down = false;
  EXPECT_EQ(outcome(), std::nullopt);
  EXPECT_EQ(value_of(db_->list_tenants()).size(), 1U);
}

} // namespace
} // namespace sagemcp::persistence

namespace sagemcp::persistence {
namespace {

TEST(PersistenceReaderTest, ReadsGoToTheReaderAndSeeAcknowledgedWrites) {
  auto dir = std::filesystem::temp_directory_path() / ("sagemcp-reader-test-" + make_uuid());
  auto path = (dir / "sagemcp.db").string();
  auto writer = open_sqlite_store(path);
  ASSERT_TRUE(writer);
  ASSERT_FALSE((*writer)->migrate());
  auto reader = open_sqlite_store(path);
  ASSERT_TRUE(reader);
  {
    test_config cfg;
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    auto actor = spawn_persistence(sys, std::shared_ptr<store>{std::move(*writer)}, {},
                                   std::shared_ptr<store>{std::move(*reader)});
    std::optional<std::string> created_id;
    self->request(actor, caf::infinite, atom::create_v, make_tenant("acme"))
      .receive(
        [&](tenant_row& row) {
          created_id = row.id;
        },
        [](caf::error&) {});
    ASSERT_TRUE(created_id);
    std::optional<std::string> read_id;
    self->request(actor, caf::infinite, atom::get_v, atom::tenant_v, std::string{"acme"})
      .receive(
        [&](tenant_row& row) {
          read_id = row.id;
        },
        [](caf::error&) {});
    EXPECT_EQ(read_id, created_id);
    std::string status;
    self->request(actor, caf::infinite, atom::status_v)
      .receive(
        [&](std::string& text) {
          status = text;
        },
        [](caf::error&) {});
    EXPECT_NE(status.find(R"("reads_delegated":1)"), std::string::npos) << status;
    self->send_exit(actor, caf::exit_reason::user_shutdown);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

} // namespace
} // namespace sagemcp::persistence
