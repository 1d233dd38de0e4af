#include "connectors/everything/interactive.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <initializer_list>
#include <random>
#include <string>

namespace sagemcp::connectors::everything::interactive {

namespace {

namespace json = boost::json;

// -- building requests ----------------------------------------------------------------------------

json::object request(std::string_view method, json::object params) {
  return json::object{{"method", method}, {"params", std::move(params)}};
}

json::object elicit(std::string_view message, std::string_view schema) {
  return request("elicitation/create", json::object{{"mode", "form"},
                                                    {"message", message},
                                                    {"requestedSchema", json::parse(schema)}});
}

json::object sample(std::string_view prompt, int max_tokens) {
  json::object content{{"type", "text"}, {"text", prompt}};
  return request("sampling/createMessage",
                 json::object{{"messages", json::array{json::object{
                                             {"role", "user"}, {"content", std::move(content)}}}},
                              {"maxTokens", max_tokens}});
}

json::object list_roots() {
  return request("roots/list", json::object{});
}

json::object ask(std::string_view key, json::object request) {
  return input_required(json::object{{key, std::move(request)}});
}

// A form asking for one required string field.
json::object ask_string(std::string_view message, std::string_view field) {
  std::string schema = R"({"type":"object","properties":{")";
  schema += field;
  schema += R"(":{"type":"string"}},"required":[")";
  schema += field;
  schema += R"("]})";
  return elicit(message, schema);
}

json::object confirm_form() {
  return elicit("Please confirm",
                R"({"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]})");
}

// -- reading answers ------------------------------------------------------------------------------

const json::object* answer(const request_input& in, std::string_view key) {
  if (in.responses == nullptr) {
    return nullptr;
  }
  const auto* value = in.responses->if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::string text_of(const json::object& obj, std::initializer_list<std::string_view> path,
                    std::string_view fallback) {
  const auto* at = value_at(obj, path);
  return at != nullptr && at->is_string() ? std::string{at->as_string()} : std::string{fallback};
}

// The text a sampling answer carries (CreateMessageResult content, single or as an array).
std::string sampled_text(const json::object& result) {
  if (const auto* content = result.if_contains("content"); content != nullptr) {
    if (const auto* blocks = content->if_array(); blocks != nullptr && !blocks->empty()) {
      const auto* first = blocks->front().if_object();
      return first != nullptr ? text_of(*first, {"text"}, "") : std::string{};
    }
  }
  return text_of(result, {"content", "text"}, "");
}

std::string describe_elicitation(const json::object& answer) {
  std::string out = "action=";
  out += text_of(answer, {"action"}, "unknown");
  out += ", content=";
  const auto* content = answer.if_contains("content");
  out += content != nullptr ? json::serialize(*content) : std::string{"{}"};
  return out;
}

size_t root_count(const json::object& answer) {
  const auto* roots = answer.if_contains("roots");
  return roots != nullptr && roots->is_array() ? roots->as_array().size() : 0;
}

constexpr std::string_view default_elicitation_url
  = "https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation";

constexpr std::string_view response_schema
  = R"json({"type":"object","properties":{"response":{"type":"string","description":"User's response"}},"required":["response"]})json";

constexpr std::string_view defaults_schema
  = R"json({"type":"object","properties":{"name":{"type":"string","description":"User name","default":"John Doe"},"age":{"type":"integer","description":"User age","default":30},"score":{"type":"number","description":"User score","default":95.5},"status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},"verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]})json";

constexpr std::string_view enums_schema
  = R"json({"type":"object","properties":{"untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},"titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},"legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},"untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},"titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},"required":[]})json";

// Asks one form and reports the user's action and content after `lead`.
caf::expected<json::object> form(const request_input& in, std::string_view message,
                                 std::string_view schema, std::string_view lead) {
  if (const auto* given = answer(in, "form")) {
    return text_result(std::string{lead} + describe_elicitation(*given));
  }
  return ask("form", elicit(message, schema));
}

} // namespace

caf::expected<json::object> sampling(const request_input& in) {
  const auto* prompt = in.args.if_contains("prompt");
  if (prompt == nullptr || !prompt->is_string()) {
    return invalid_argument("prompt", "is required and must be a string");
  }
  if (const auto* given = answer(in, "completion")) {
    auto text = sampled_text(*given);
    return text_result("LLM response: " + (text.empty() ? std::string{"No response"} : text));
  }
  return ask("completion", sample(prompt->as_string(), 100));
}

caf::expected<json::object> elicitation(const request_input& in) {
  const auto* message = in.args.if_contains("message");
  if (message == nullptr || !message->is_string()) {
    return invalid_argument("message", "is required and must be a string");
  }
  return form(in, message->as_string(), response_schema, "User response: ");
}

caf::expected<json::object> url_elicitation(const request_input& in) {
  if (const auto* given = answer(in, "visit")) {
    return text_result("URL elicitation " + text_of(*given, {"action"}, "unknown"));
  }
  std::string url{default_elicitation_url};
  if (const auto* given = in.args.if_contains("url"); given != nullptr) {
    if (!given->is_string() || !given->as_string().starts_with("https://")) {
      return invalid_argument("url", "must be an https:// URL");
    }
    url = std::string{given->as_string()};
  }
  // Ties the user's visit to this request; unguessable, as the spec asks.
  std::random_device entropy;
  std::string id = "everything-";
  for (int i = 0; i < 4; ++i) {
    std::array<char, 9> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), entropy(), 16);
    id.append(buf.data(), end);
  }
  return ask("visit", request("elicitation/create",
                              json::object{{"mode", "url"},
                                           {"message", "Please open this page to continue"},
                                           {"url", url},
                                           {"elicitationId", id}}));
}

caf::expected<json::object> elicitation_defaults(const request_input& in) {
  return form(in, "Please review and update the form fields with defaults", defaults_schema,
              "Elicitation completed: ");
}

caf::expected<json::object> elicitation_enums(const request_input& in) {
  return form(in, "Please select options from the enum fields", enums_schema,
              "Elicitation completed: ");
}

caf::expected<json::object> missing_capability(const request_input& in) {
  if (const auto* given = answer(in, "completion")) {
    return text_result("Success: " + sampled_text(*given));
  }
  return ask("completion", sample("Reply with the word ok.", 10));
}

caf::expected<json::object> streaming_elicitation(const request_input& in) {
  if (const auto* given = answer(in, "confirm")) {
    return text_result("Streaming complete: " + describe_elicitation(*given));
  }
  return ask("confirm", confirm_form());
}

caf::expected<json::object> mrtr_elicitation(const request_input& in) {
  if (const auto* given = answer(in, "user_name")) {
    return text_result("Hello, " + text_of(*given, {"content", "name"}, "unknown") + "!");
  }
  return ask("user_name", ask_string("What is your name?", "name"));
}

caf::expected<json::object> mrtr_sampling(const request_input& in) {
  if (const auto* given = answer(in, "sample_request")) {
    auto text = sampled_text(*given);
    return text_result("Sampling result: " + (text.empty() ? std::string{"no response"} : text));
  }
  return ask("sample_request", sample("What is the capital of France?", 100));
}

caf::expected<json::object> mrtr_list_roots(const request_input& in) {
  if (const auto* given = answer(in, "roots_request")) {
    return text_result("Found " + std::to_string(root_count(*given)) + " root(s)");
  }
  return ask("roots_request", list_roots());
}

caf::expected<json::object> mrtr_request_state(const request_input& in) {
  const auto* given = answer(in, "confirm");
  if (given != nullptr && in.state == "request-state") {
    const auto* ok = value_at(*given, std::initializer_list<std::string_view>{"content", "ok"});
    if (ok != nullptr && ok->is_bool() && ok->as_bool()) {
      return text_result("state-ok: requestState validated");
    }
  }
  return input_required(json::object{{"confirm", confirm_form()}}, "request-state");
}

caf::expected<json::object> mrtr_multiple_inputs(const request_input& in) {
  const auto* name = answer(in, "user_name");
  const auto* greeting = answer(in, "greeting");
  const auto* roots = answer(in, "client_roots");
  if (name != nullptr && greeting != nullptr && roots != nullptr && in.state == "multiple-inputs") {
    auto text = sampled_text(*greeting);
    return text_result("Name: " + text_of(*name, {"content", "name"}, "unknown")
                       + "; Greeting: " + (text.empty() ? std::string{"Hello there!"} : text)
                       + "; Roots: " + std::to_string(root_count(*roots)));
  }
  return input_required(json::object{{"user_name", ask_string("What is your name?", "name")},
                                     {"greeting", sample("Generate a greeting", 50)},
                                     {"client_roots", list_roots()}},
                        "multiple-inputs");
}

caf::expected<json::object> mrtr_multi_round(const request_input& in) {
  auto first_round = [] {
    return input_required(json::object{{"step1", ask_string("Step 1: What is your name?", "name")}},
                          "round-1");
  };
  if (in.state == "round-1") {
    if (const auto* given = answer(in, "step1")) {
      auto state = json::serialize(
        json::object{{"round", 2}, {"name", text_of(*given, {"content", "name"}, "friend")}});
      return input_required(
        json::object{{"step2", ask_string("Step 2: What is your favorite color?", "color")}},
        state);
    }
    return first_round();
  }
  if (!in.state.empty()) {
    boost::system::error_code ec;
    auto state = json::parse(in.state, ec);
    const auto* obj = ec ? nullptr : state.if_object();
    const auto* given = answer(in, "step2");
    if (obj != nullptr && given != nullptr) {
      return text_result("Multi-round complete for " + text_of(*obj, {"name"}, "friend")
                         + " who likes " + text_of(*given, {"content", "color"}, "unknown"));
    }
  }
  return first_round();
}

caf::expected<json::object> mrtr_tampered_state(const request_input& in) {
  if (answer(in, "confirm") != nullptr && in.state == "tamper-test") {
    return text_result("integrity-ok: state verified");
  }
  return input_required(json::object{{"confirm", confirm_form()}}, "tamper-test");
}

caf::expected<json::object> mrtr_capabilities(const request_input& in) {
  if (in.responses != nullptr && !in.responses->empty()) {
    std::string keys;
    for (const auto& [key, ignored] : *in.responses) {
      keys += keys.empty() ? "" : ",";
      keys += key;
    }
    return text_result("capabilities-ok: received " + keys);
  }
  json::object requests;
  if (in.client_capabilities.contains("elicitation")) {
    requests["elicit_input"] = ask_string("Elicitation input", "value");
  }
  if (in.client_capabilities.contains("sampling")) {
    requests["sample_input"] = sample("Sample request", 50);
  }
  if (requests.empty()) {
    return text_result("No supported capabilities declared");
  }
  return input_required(std::move(requests), "capabilities-test");
}

caf::expected<json::object> mrtr_prompt(const request_input& in) {
  if (const auto* given = answer(in, "user_context")) {
    json::object content{
      {"type", "text"},
      {"text", "Prompt with context: " + text_of(*given, {"content", "context"}, "unknown")}};
    return json::object{
      {"messages", json::array{json::object{{"role", "user"}, {"content", std::move(content)}}}}};
  }
  return ask("user_context", ask_string("What context should the prompt use?", "context"));
}

} // namespace sagemcp::connectors::everything::interactive
