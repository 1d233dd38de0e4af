#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace sagemcp::connectors {
namespace {

namespace json = boost::json;

// Asks for whatever `ask` (a JSON object of input requests) names in its first round, and
// reports the answers and state it got in the next.
caf::expected<json::object> echo_round(const request_input& in) {
  if (in.responses != nullptr) {
    return text_result(json::serialize(*in.responses) + "|" + std::string{in.state});
  }
  return input_required(in.args.at("ask").as_object(), "state-1");
}

caf::expected<json::object> run(std::string_view ask, std::string_view capabilities,
                                std::string_view responses = {}, std::string_view state = {}) {
  auto args = json::object{{"ask", json::parse(ask)}};
  round_context round{capabilities, responses, state, true};
  return run_round(echo_round, args, round);
}

constexpr std::string_view sampling
  = R"({"s":{"method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}})";
constexpr std::string_view url_elicitation
  = R"({"u":{"method":"elicitation/create","params":{"mode":"url","url":"https://example.com/link","message":"Link your account","elicitationId":"e1"}}})";

TEST(RoundsTest, AsksForInputTheClientCanGive) {
  auto result = run(sampling, R"({"sampling":{}})");
  ASSERT_TRUE(result);
  EXPECT_TRUE(is_input_required(*result));
  EXPECT_EQ(result->at("requestState"), "state-1");
}

TEST(RoundsTest, RefusesCapabilitiesTheClientDidNotDeclare) {
  auto result = run(sampling, "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), errc::missing_client_capability);
  EXPECT_EQ(data_of(result.error()), R"({"requiredCapabilities":{"sampling":{}}})");
  auto unknown = run(R"({"x":{"method":"tools/call"}})", R"({"sampling":{}})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(code_of(unknown.error()), errc::missing_client_capability);
}

TEST(RoundsTest, UrlModeElicitationNeedsTheUrlCapability) {
  auto form_only = run(url_elicitation, R"({"elicitation":{}})");
  ASSERT_FALSE(form_only);
  EXPECT_EQ(data_of(form_only.error()), R"({"requiredCapabilities":{"elicitation":{"url":{}}}})");
  auto with_url = run(url_elicitation, R"({"elicitation":{"form":{},"url":{}}})");
  ASSERT_TRUE(with_url);
  EXPECT_TRUE(is_input_required(*with_url));
}

TEST(RoundsTest, HandsAnswersAndStateToTheNextRound) {
  auto result = run(sampling, R"({"sampling":{}})", R"({"s":{"content":{"text":"hi"}}})",
                    "state-1");
  ASSERT_TRUE(result);
  EXPECT_FALSE(is_input_required(*result));
  EXPECT_EQ(result->at("content").at(0).at("text"), R"({"s":{"content":{"text":"hi"}}}|state-1)");
}

TEST(RoundsTest, AnswersMustBeAnObjectOfObjects) {
  for (const auto* bad : {"null", "[]", "7", R"({"s":12345})", R"({"s":null})"}) {
    auto result = run(sampling, R"({"sampling":{}})", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(code_of(result.error()), errc::invalid_params) << bad;
  }
}

} // namespace
} // namespace sagemcp::connectors
