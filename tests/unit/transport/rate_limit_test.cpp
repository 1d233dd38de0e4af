#include "transport/rate_limit.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sagemcp::transport {
namespace {

using std::chrono::seconds;

TEST(RateLimiterTest, AllowsABurstOfAMinutesWorthThenRefills) {
  rate_limiter limits{60};
  limits.set_tenant("acme", -1);
  rate_limiter::clock::time_point t0{};
  for (int i = 0; i < 60; ++i) {
    EXPECT_FALSE(limits.take("acme", t0)) << i;
  }
  auto wait = limits.take("acme", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds{1});
  // 60 per minute refill one token a second.
  EXPECT_FALSE(limits.take("acme", t0 + seconds{1}));
  EXPECT_TRUE(limits.take("acme", t0 + seconds{1}));
  // A long pause refills to the burst size, not beyond.
  auto later = t0 + seconds{3600};
  for (int i = 0; i < 60; ++i) {
    EXPECT_FALSE(limits.take("acme", later)) << i;
  }
  EXPECT_TRUE(limits.take("acme", later));
}

TEST(RateLimiterTest, TellsTheSecondsUntilTheNextToken) {
  rate_limiter limits{6};
  limits.set_tenant("acme", -1);
  rate_limiter::clock::time_point t0{};
  for (int i = 0; i < 6; ++i) {
    ASSERT_FALSE(limits.take("acme", t0));
  }
  // Six a minute: one token every ten seconds.
  EXPECT_EQ(limits.take("acme", t0), seconds{10});
  EXPECT_EQ(limits.take("acme", t0 + seconds{4}), seconds{6});
  EXPECT_FALSE(limits.take("acme", t0 + seconds{10}));
}

TEST(RateLimiterTest, TenantsHaveTheirOwnBucketsAndLimits) {
  rate_limiter limits{1};
  limits.set_tenant("a", -1);
  limits.set_tenant("b", 2);
  limits.set_tenant("c", 0);
  rate_limiter::clock::time_point t0{};
  EXPECT_FALSE(limits.take("a", t0));
  EXPECT_TRUE(limits.take("a", t0));
  EXPECT_FALSE(limits.take("b", t0));
  EXPECT_FALSE(limits.take("b", t0));
  EXPECT_TRUE(limits.take("b", t0));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(limits.take("c", t0));
  }
  EXPECT_EQ(limits.limit_of("a"), 1U);
  EXPECT_EQ(limits.limit_of("b"), 2U);
  EXPECT_EQ(limits.limit_of("c"), 0U);
  // A changed limit starts with a full bucket.
  limits.set_tenant("a", 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limits.take("a", t0)) << i;
  }
  EXPECT_TRUE(limits.take("a", t0));
}

TEST(RateLimiterTest, NeverCreatesBucketsForUnknownTenants) {
  rate_limiter limits{1};
  rate_limiter::clock::time_point t0{};
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(limits.take("ghost-" + std::to_string(i), t0));
  }
  EXPECT_FALSE(limits.limit_of("ghost-0"));
  limits.set_tenant("gone", -1);
  EXPECT_FALSE(limits.take("gone", t0));
  EXPECT_TRUE(limits.take("gone", t0));
  limits.erase_tenant("gone");
  EXPECT_FALSE(limits.limit_of("gone"));
}

TEST(RateLimiterTest, ZeroDefaultTurnsLimitingOff) {
  rate_limiter limits{0};
  limits.set_tenant("acme", -1);
  rate_limiter::clock::time_point t0{};
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(limits.take("acme", t0));
  }
  limits.set_tenant("acme", 1);
  EXPECT_FALSE(limits.take("acme", t0));
  EXPECT_TRUE(limits.take("acme", t0));
}

} // namespace
} // namespace sagemcp::transport
