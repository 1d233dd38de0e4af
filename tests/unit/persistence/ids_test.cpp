#include "persistence/ids.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>

namespace sagemcp::persistence {
namespace {

TEST(IdsTest, UuidIsCanonicalLowercaseVersion4) {
  static const std::regex canonical{
    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  for (int i = 0; i < 100; ++i) {
    auto id = make_uuid();
    EXPECT_TRUE(std::regex_match(id, canonical)) << id;
  }
}

TEST(IdsTest, UuidsDoNotRepeat) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.insert(make_uuid());
  }
  EXPECT_EQ(ids.size(), 1000U);
}

TEST(IdsTest, TimestampIsUtcIso8601WithMicroseconds) {
  static const std::regex iso{
    R"(^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}Z$)"};
  auto now = now_iso8601();
  EXPECT_TRUE(std::regex_match(now, iso)) << now;
}

TEST(IdsTest, FormatsTimePointWithZeroPaddedFields) {
  using namespace std::chrono;
  auto time = sys_days{year{2026} / 3 / 7} + hours{4} + minutes{5} + seconds{6} + microseconds{89};
  EXPECT_EQ(to_iso8601(time), "2026-03-07T04:05:06.000089Z");
}

TEST(IdsTest, TimestampsSortChronologicallyAsText) {
  using namespace std::chrono;
  auto base = sys_days{year{2026} / 11 / 21} + hours{12};
  EXPECT_LT(to_iso8601(base + seconds{9}), to_iso8601(base + seconds{10}));
  EXPECT_LT(to_iso8601(base + microseconds{999999}), to_iso8601(base + seconds{1}));
}

} // namespace
} // namespace sagemcp::persistence
