#include "transport/router.hpp"

#include "messages/errc.hpp"
#include "transport/admin_api.hpp"

#include <gtest/gtest.h>

namespace sagemcp::transport {
namespace {

TEST(RouterTest, MatchesPatternsAndDecodesParameters) {
  auto match = match_route("POST", "/api/v1/acme/connectors/c%2D1/mcp");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->entry->id, route_id::mcp_post);
  EXPECT_EQ(match->param("tenant"), "acme");
  EXPECT_EQ(match->param("connector"), "c-1");
}

TEST(RouterTest, ToleratesATrailingSlash) {
  auto match = match_route("GET", "/api/v1/admin/tenants/");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->entry->id, route_id::tenants_list);
}

TEST(RouterTest, UnknownPathsAreNotFound) {
  for (auto path : {"/nope", "/api/v1", "/api/v1/acme/connectors//mcp", "",
                    "/api/v1/acme/connectors/c1/mcp/extra"}) {
    auto match = match_route("GET", path);
    ASSERT_FALSE(match) << path;
    EXPECT_EQ(code_of(match.error()), errc::not_found) << path;
  }
}

TEST(RouterTest, WrongMethodsAreNotAllowedWithTheAllowList) {
  auto match = match_route("PUT", "/api/v1/acme/connectors/c1/mcp");
  ASSERT_FALSE(match);
  EXPECT_EQ(code_of(match.error()), errc::method_not_allowed);
  EXPECT_EQ(message_of(match.error()), "GET, POST, DELETE");
}

TEST(RouterTest, EveryRouteIsReachable) {
  for (const auto& entry : routes()) {
    std::string path;
    std::string_view pattern = entry.pattern;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] == '{') {
        path += "x";
        i = pattern.find('}', i);
      } else {
        path += pattern[i];
      }
    }
    auto match = match_route(entry.method, path);
    ASSERT_TRUE(match) << entry.pattern;
    EXPECT_EQ(match->entry, &entry) << entry.pattern;
  }
}

TEST(RouterTest, WalksEveryRouteWithEveryScopeAndAForeignTenant) {
  principal platform{"k", scope::platform_admin, "", ""};
  principal admin{"k", scope::tenant_admin, "t1", "acme"};
  principal user{"k", scope::tenant_user, "t1", "acme"};
  for (const auto& entry : routes()) {
    SCOPED_TRACE(entry.pattern);
    if (!entry.need) {
      EXPECT_TRUE(is_authorized(entry, principal{}, "acme"));
      continue;
    }
    EXPECT_TRUE(is_authorized(entry, platform, "acme"));
    EXPECT_TRUE(is_authorized(entry, platform, "other"));
    for (const auto& caller : {admin, user}) {
      bool scope_ok = caller.role >= *entry.need;
      EXPECT_EQ(is_authorized(entry, caller, "acme"), scope_ok);
      EXPECT_EQ(is_authorized(entry, caller, "other"), scope_ok && !entry.tenant_bound);
    }
  }
}

TEST(RouterTest, TenantKeysWithoutATenantAreRefusedOnTenantRoutes) {
  principal unbound{"k", scope::tenant_admin, "", ""};
  auto match = match_route("POST", "/api/v1/acme/connectors/c1/mcp");
  ASSERT_TRUE(match);
  EXPECT_FALSE(is_authorized(*match->entry, unbound, "acme"));
}

TEST(RouterTest, ValidatesSlugs) {
  EXPECT_TRUE(is_valid_slug("acme"));
  EXPECT_TRUE(is_valid_slug("a-1"));
  EXPECT_TRUE(is_valid_slug(std::string(50, 'a')));
  for (auto slug : {"", "-a", "a-", "Acme", "a b", "admin", "a_b", "ä"}) {
    EXPECT_FALSE(is_valid_slug(slug)) << slug;
  }
  EXPECT_FALSE(is_valid_slug(std::string(51, 'a')));
}

} // namespace
} // namespace sagemcp::transport
