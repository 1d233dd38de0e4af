#include "transport/auth.hpp"

#include <gtest/gtest.h>

namespace sagemcp::transport {
namespace {

api_key_row key_row(const key_cache& cache, const std::string& key, scope role) {
  api_key_row row;
  row.id = "id-" + key.substr(key.size() - 4);
  row.role = role;
  row.key_hash = cache.hash(key);
  row.tenant_id = role == scope::platform_admin ? "" : "t1";
  row.tenant_slug = role == scope::platform_admin ? "" : "acme";
  return row;
}

TEST(AuthTest, GeneratesKeysInSageMcpsFormat) {
  auto key = generate_api_key(scope::tenant_user);
  EXPECT_EQ(key.substr(0, 8), "smcp_tu_");
  EXPECT_EQ(key.size(), 51u);
  EXPECT_EQ(
    key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 8),
    std::string::npos);
  EXPECT_NE(generate_api_key(scope::tenant_user), key);
  EXPECT_EQ(generate_api_key(scope::platform_admin).substr(0, 8), "smcp_pa_");
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

TEST(AuthTest, ParsesTimestamps) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:10Z"), 10);
  EXPECT_EQ(parse_timestamp("2026-11-21T12:00:00.123456Z"), 1795262400);
  EXPECT_FALSE(parse_timestamp("yesterday"));
}

} // namespace
} // namespace sagemcp::transport
