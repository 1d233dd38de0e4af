#include "messages/session_directory.hpp"

#include "messages/errc.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sagemcp {
namespace {

mcp_envelope request_for(std::string session_id, std::string tenant = "acme",
                         std::string connector = "c1", std::string key = "k1",
                         bool stateless = false) {
  mcp_envelope env;
  env.session_id = std::move(session_id);
  env.tenant = std::move(tenant);
  env.connector_id = std::move(connector);
  env.caller.key_id = std::move(key);
  env.request.stateless = stateless;
  return env;
}

session_binding bound() {
  return {"acme", "c1", "k1", false};
}

TEST(SessionDirectoryTest, FindsASessionOnlyForTheIdentityItIsBoundTo) {
  session_directory dir;
  dir.add("s1", {}, bound());
  EXPECT_TRUE(dir.find(request_for("s1")));
  EXPECT_FALSE(dir.find(request_for("s2")));
  EXPECT_FALSE(dir.find(request_for("s1", "other")));
  EXPECT_FALSE(dir.find(request_for("s1", "acme", "c2")));
  EXPECT_FALSE(dir.find(request_for("s1", "acme", "")));
  EXPECT_FALSE(dir.find(request_for("s1", "acme", "c1", "k2")));
  EXPECT_FALSE(dir.find(request_for("s1", "acme", "c1", "k1", true)));
  dir.remove("s1");
  EXPECT_FALSE(dir.find(request_for("s1")));
  EXPECT_EQ(code_of(session_not_found()), errc::session_not_found);
}

TEST(SessionDirectoryTest, HandsTheUsesToThePoolOnceEachLeastRecentFirst) {
  session_directory dir;
  dir.add("a", {}, bound());
  dir.add("b", {}, bound());
  dir.add("c", {}, bound());
  auto before = session_directory::clock::now();
  ASSERT_TRUE(dir.find(request_for("b")));
  ASSERT_TRUE(dir.find(request_for("a")));
  ASSERT_TRUE(dir.find(request_for("b")));
  auto uses = dir.take_used();
  ASSERT_EQ(uses.size(), 2U);
  EXPECT_EQ(uses[0].id, "a");
  EXPECT_EQ(uses[1].id, "b");
  EXPECT_LE(uses[0].at, uses[1].at);
  EXPECT_GE(uses[0].at, before);
  EXPECT_TRUE(dir.take_used().empty());
  // A use after the collection is collected next time.
  ASSERT_TRUE(dir.find(request_for("c")));
  uses = dir.take_used();
  ASSERT_EQ(uses.size(), 1U);
  EXPECT_EQ(uses[0].id, "c");
}

TEST(SessionDirectoryTest, ForgetsTheUsesOfSessionsThatEnded) {
  session_directory dir;
  dir.add("a", {}, bound());
  dir.add("b", {}, bound());
  ASSERT_TRUE(dir.find(request_for("a")));
  ASSERT_TRUE(dir.find(request_for("b")));
  dir.remove("a");
  auto uses = dir.take_used();
  ASSERT_EQ(uses.size(), 1U);
  EXPECT_EQ(uses[0].id, "b");
  dir.clear();
  EXPECT_FALSE(dir.find(request_for("b")));
  EXPECT_TRUE(dir.take_used().empty());
}

TEST(SessionDirectoryTest, LosesNoUseWhileThePoolCollects) {
  session_directory dir;
  dir.add("a", {}, bound());
  std::jthread user{[&dir](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      dir.find(request_for("a"));
    }
  }};
  for (int i = 0; i < 1000; ++i) {
    dir.take_used();
  }
  user.request_stop();
  user.join();
  dir.take_used();
  // Nothing was left marked as listed without being in the list: the next use is listed.
  ASSERT_TRUE(dir.find(request_for("a")));
  auto uses = dir.take_used();
  ASSERT_EQ(uses.size(), 1U);
}

} // namespace
} // namespace sagemcp
