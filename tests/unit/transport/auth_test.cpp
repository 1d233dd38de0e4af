#include "transport/auth.hpp"

#include <gtest/gtest.h>

namespace sagemcp::transport {
namespace {

api_key_row key_row(const key_cache& cache, const std::string& key, scope role) {
  api_key_row row;
  row.id = "id-" + key.substr(key.size() - 4);
  row.role = role;
  row.key_hash = cache.hash(key);
  row.key_prefix = display_prefix(key);
  row.tenant_id = role == scope::platform_admin ? "" : "t1";
  row.tenant_slug = role == scope::platform_admin ? "" : "acme";
  return row;
}

TEST(AuthTest, GeneratesKeysInSageMcpsFormatWithAKeyId) {
  auto key = generate_api_key(scope::tenant_user);
  EXPECT_EQ(key.substr(0, 8), "smcp_tu_");
  EXPECT_EQ(key.size(), 64u);
  auto id = key_id_of(key);
  ASSERT_EQ(id.size(), key_id_length);
  EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos);
  EXPECT_EQ(key[20], '_');
  EXPECT_EQ(
    key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 21),
    std::string::npos);
  EXPECT_EQ(display_prefix(key), key.substr(0, 20));
  EXPECT_NE(generate_api_key(scope::tenant_user), key);
  EXPECT_EQ(generate_api_key(scope::platform_admin).substr(0, 8), "smcp_pa_");
  // Keys of another shape have no key id; their display prefix is the first 8 characters.
  EXPECT_TRUE(key_id_of("smcp_pa_" + std::string(43, 'a')).empty());
  EXPECT_EQ(display_prefix("a-bootstrap-key-of-any-shape"), "a-bootst");
}

TEST(AuthTest, HashesAreKeyedBySecret) {
  key_cache a{"secret-one-0123456789"};
  key_cache b{"secret-two-0123456789"};
  EXPECT_EQ(a.hash("k"), a.hash("k"));
  EXPECT_NE(a.hash("k"), b.hash("k"));
  EXPECT_EQ(a.hash("k").size(), 64u);
}

TEST(AuthTest, FindsActiveKeysOnly) {
  key_cache cache{"secret-0123456789abcdef"};
  auto key = generate_api_key(scope::tenant_admin);
  cache.put(key_row(cache, key, scope::tenant_admin));
  auto who = cache.find(key);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->role, scope::tenant_admin);
  EXPECT_EQ(who->tenant_slug, "acme");
  EXPECT_FALSE(cache.find(key + "x"));
  EXPECT_FALSE(cache.find(""));
  cache.erase(who->key_id);
  EXPECT_FALSE(cache.find(key));
}

TEST(AuthTest, IgnoresRevokedAndExpiredKeys) {
  key_cache cache{"secret-0123456789abcdef"};
  auto revoked = generate_api_key(scope::tenant_user);
  auto row = key_row(cache, revoked, scope::tenant_user);
  row.is_active = false;
  cache.put(row);
  EXPECT_FALSE(cache.find(revoked));
  auto expired = generate_api_key(scope::tenant_user);
  row = key_row(cache, expired, scope::tenant_user);
  row.expires_at = "2020-01-01T00:00:00.000000Z";
  cache.put(row);
  EXPECT_FALSE(cache.find(expired));
  auto future = generate_api_key(scope::tenant_user);
  row = key_row(cache, future, scope::tenant_user);
  row.expires_at = "2999-01-01T00:00:00Z";
  cache.put(row);
  EXPECT_TRUE(cache.find(future));
}

TEST(AuthTest, DropsEveryKeyOfADeletedTenant) {
  key_cache cache{"secret-0123456789abcdef"};
  auto user = generate_api_key(scope::tenant_user);
  auto platform = generate_api_key(scope::platform_admin);
  cache.put(key_row(cache, user, scope::tenant_user));
  cache.put(key_row(cache, platform, scope::platform_admin));
  cache.erase_tenant("t1");
  EXPECT_FALSE(cache.find(user));
  EXPECT_TRUE(cache.find(platform));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AuthTest, FindsKeysByKeyIdAndComparesTheirHashes) {
  key_cache cache{"secret-0123456789abcdef"};
  auto key = generate_api_key(scope::tenant_user);
  cache.put(key_row(cache, key, scope::tenant_user));
  ASSERT_TRUE(cache.find(key));
  // The same key id with another secret is refused.
  auto forged = key.substr(0, 21) + std::string(43, 'A');
  EXPECT_FALSE(cache.find(forged));
  // An unknown key id is refused the same way.
  auto unknown = generate_api_key(scope::tenant_user);
  EXPECT_FALSE(cache.find(unknown));
}

TEST(AuthTest, FindsKeysWithoutAKeyIdByHash) {
  key_cache cache{"secret-0123456789abcdef"};
  std::string key = "an-operator-chosen-bootstrap-key";
  api_key_row row = key_row(cache, key, scope::platform_admin);
  cache.put(row);
  auto who = cache.find(key);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->role, scope::platform_admin);
  EXPECT_FALSE(cache.find(key + "!"));
}

TEST(AuthTest, RecordsUsesOnceUntilUsedAgain) {
  key_cache cache{"secret-0123456789abcdef"};
  auto key = generate_api_key(scope::tenant_admin);
  auto row = key_row(cache, key, scope::tenant_admin);
  cache.put(row);
  EXPECT_TRUE(cache.take_uses().empty());
  ASSERT_TRUE(cache.find(key));
  auto uses = cache.take_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].id, row.id);
  EXPECT_TRUE(parse_timestamp(uses[0].last_used_at));
  EXPECT_TRUE(uses[0].key_hash.empty());
  EXPECT_TRUE(cache.take_uses().empty());
  // A failed write puts the use back.
  cache.restore_uses(uses);
  EXPECT_EQ(cache.take_uses().size(), 1u);
}

TEST(AuthTest, AcceptsKeysHashedUnderThePreviousSecretAndReHashesThem) {
  key_cache old_cache{"old-secret-0123456789"};
  auto key = generate_api_key(scope::tenant_user);
  auto row = key_row(old_cache, key, scope::tenant_user);
  key_cache cache{"new-secret-0123456789", "old-secret-0123456789"};
  cache.put(row);
  ASSERT_TRUE(cache.find(key));
  auto uses = cache.take_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].key_hash, cache.hash(key));
  EXPECT_NE(uses[0].key_hash, row.key_hash);
  // Under the new hash alone the key still works.
  key_cache fresh{"new-secret-0123456789"};
  row.key_hash = uses[0].key_hash;
  fresh.put(row);
  EXPECT_TRUE(fresh.find(key));
  // Without the previous secret the old hash does not match.
  key_cache without{"new-secret-0123456789"};
  without.put(key_row(old_cache, key, scope::tenant_user));
  EXPECT_FALSE(without.find(key));
}

TEST(AuthTest, ParsesTimestamps) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:10Z"), 10);
  EXPECT_EQ(parse_timestamp("2026-11-21T12:00:00.123456Z"), 1795262400);
  EXPECT_FALSE(parse_timestamp("yesterday"));
  EXPECT_EQ(format_timestamp(1795262400), "2026-11-21T12:00:00.000000Z");
}

} // namespace
} // namespace sagemcp::transport
