#include "connectors/everything/everything.hpp"

#include "connectors/everything/interactive.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace sagemcp::connectors::everything {

namespace {

namespace json = boost::json;

// A 1x1 red PNG and a minimal WAV file, as the conformance suite's reference server uses.
constexpr std::string_view test_image_base64
  = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJg"
    "gg==";
constexpr std::string_view test_audio_base64
  = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

constexpr std::string_view no_arguments = R"({"type":"object","properties":{}})";

json::object block(std::string_view type) {
  json::object result;
  result["type"] = type;
  return result;
}

json::object image_block() {
  auto result = block("image");
  result["data"] = test_image_base64;
  result["mimeType"] = "image/png";
  return result;
}

json::object resource_block(std::string_view uri, std::string_view mime, std::string_view text) {
  json::object resource;
  resource["uri"] = uri;
  resource["mimeType"] = mime;
  resource["text"] = text;
  auto result = block("resource");
  result["resource"] = std::move(resource);
  return result;
}

json::object content_result(json::array content) {
  json::object result;
  result["content"] = std::move(content);
  return result;
}

caf::expected<json::object> echo(const json::object& args) {
  const auto* message = args.if_contains("message");
  if (message == nullptr || !message->is_string()) {
    return invalid_argument("message", "is required and must be a string");
  }
  std::string text = "Echo: ";
  text += message->as_string();
  return text_result(text);
}

// Mirrors its arguments into Mcp-Param headers (SEP-2243) and reports what it was given.
caf::expected<json::object> header_params(const json::object& args) {
  const auto* region = args.if_contains("region");
  if (region == nullptr || !region->is_string()) {
    return invalid_argument("region", "is required and must be a string");
  }
  std::string text = "region=";
  text += region->as_string();
  if (const auto* priority = args.if_contains("priority"); priority != nullptr) {
    if (!priority->is_int64() && !priority->is_uint64()) {
      return invalid_argument("priority", "must be an integer");
    }
    text += ", priority=" + json::serialize(*priority);
  }
  if (const auto* dry_run = args.if_contains("dry_run"); dry_run != nullptr) {
    if (!dry_run->is_bool()) {
      return invalid_argument("dry_run", "must be a boolean");
    }
    text += dry_run->as_bool() ? ", dry_run=true" : ", dry_run=false";
  }
  return text_result(text);
}

std::string format_number(double x) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return std::string{buf.data(), end};
}

caf::expected<json::object> add(const json::object& args) {
  const auto* a = args.if_contains("a");
  const auto* b = args.if_contains("b");
  if (a == nullptr || !a->is_number()) {
    return invalid_argument("a", "is required and must be a number");
  }
  if (b == nullptr || !b->is_number()) {
    return invalid_argument("b", "is required and must be a number");
  }
  // The sum as text for every client, and as structuredContent for clients that use the
  // output schema.
  if (a->is_int64() && b->is_int64()) {
    long long sum = 0;
    if (!__builtin_add_overflow(a->as_int64(), b->as_int64(), &sum)) {
      auto result = text_result(std::to_string(sum));
      result["structuredContent"] = json::object{{"sum", sum}};
      return result;
    }
  }
  auto sum = a->to_number<double>() + b->to_number<double>();
  auto result = text_result(format_number(sum));
  result["structuredContent"] = json::object{{"sum", sum}};
  return result;
}

caf::expected<json::object> simple_text(const json::object&) {
  return text_result("This is a simple text response for testing.");
}

caf::expected<json::object> image_content(const json::object&) {
  return content_result(json::array{image_block()});
}

caf::expected<json::object> audio_content(const json::object&) {
  auto audio = block("audio");
  audio["data"] = test_audio_base64;
  audio["mimeType"] = "audio/wav";
  return content_result(json::array{std::move(audio)});
}

caf::expected<json::object> embedded_resource(const json::object&) {
  return content_result(json::array{resource_block("test://embedded-resource", "text/plain",
                                                   "This is an embedded resource content.")});
}

caf::expected<json::object> multiple_content_types(const json::object&) {
  auto text = block("text");
  text["text"] = "Multiple content types test:";
  return content_result(
    json::array{std::move(text), image_block(),
                resource_block("test://mixed-content-resource", "application/json",
                               R"({"test":"data","value":123})")});
}

caf::expected<json::object> error_handling(const json::object&) {
  return make_error(errc::tool_failed, "This tool intentionally returns an error for testing");
}

// Three log messages 50 ms apart, then the result.
caf::expected<tool_script> tool_with_logging(const json::object&) {
  using std::chrono::milliseconds;
  tool_script script;
  for (auto [after, text] :
       {std::pair{0, "Tool execution started"}, std::pair{50, "Tool processing data"},
        std::pair{50, "Tool execution completed"}}) {
    script.notifications.push_back(
      {milliseconds{after}, "notifications/message",
       json::object{{"level", "info"}, {"logger", "everything"}, {"data", text}}});
  }
  script.result = text_result("Tool with logging executed successfully");
  return script;
}

// One log message, then the result: a 2026-07-28 client sees the message only when it asked for
// a log level.
caf::expected<tool_script> logging_tool(const json::object&) {
  tool_script script;
  script.notifications.push_back({std::chrono::milliseconds{0}, "notifications/message",
                                  json::object{{"level", "info"},
                                               {"logger", "everything"},
                                               {"data", "Diagnostic trace logging activated"}}});
  script.result = text_result("Logging evaluated");
  return script;
}

// Reports that a list of the endpoint changed: subscribers of every session on it hear of it.
tool_script change(std::string_view method) {
  tool_script script;
  script.notifications.push_back({std::chrono::milliseconds{0}, std::string{method}, {}});
  script.result = text_result("Mutation triggered");
  return script;
}

caf::expected<tool_script> trigger_tool_change(const json::object&) {
  return change("notifications/tools/list_changed");
}

caf::expected<tool_script> trigger_prompt_change(const json::object&) {
  return change("notifications/prompts/list_changed");
}

// Progress 0, 50 and 100 of 100, 50 ms apart, then the result.
caf::expected<tool_script> tool_with_progress(const json::object&) {
  using std::chrono::milliseconds;
  tool_script script;
  for (auto [after, step] : {std::pair{0, 0}, std::pair{50, 50}, std::pair{50, 100}}) {
    std::string message = "Completed step " + std::to_string(step) + " of 100";
    script.notifications.push_back(
      {milliseconds{after}, "notifications/progress",
       json::object{{"progress", step}, {"total", 100}, {"message", message}}});
  }
  script.result = text_result("Tool with progress executed successfully");
  return script;
}

// Ends the connection of its event stream mid-call (SEP-1699), then answers 100 ms later: the
// client gets the result after it resumed the stream with Last-Event-ID.
caf::expected<tool_script> reconnection(const json::object&) {
  tool_script script;
  script.notifications.push_back({std::chrono::milliseconds{0}, std::string{end_connection}, {}});
  script.result_after = std::chrono::milliseconds{100};
  script.result = text_result("Reconnection test completed successfully. If you received this, "
                              "the client properly reconnected after stream closure.");
  return script;
}

// Reports progress in `steps` equal steps over `duration` seconds, then answers.
caf::expected<tool_script> long_running_operation(const json::object& args) {
  auto number = [&args](std::string_view key, double fallback) {
    const auto* value = args.if_contains(key);
    return value != nullptr && value->is_number() ? value->to_number<double>() : fallback;
  };
  auto duration = number("duration", 10);
  auto steps = number("steps", 5);
  if (!(duration >= 0 && duration <= 300)) {
    return make_error(errc::invalid_tool_arguments,
                      "'duration' must be a number of seconds from 0 to 300");
  }
  if (!(steps >= 1 && steps <= 1000) || steps != static_cast<double>(static_cast<int>(steps))) {
    return make_error(errc::invalid_tool_arguments, "'steps' must be an integer from 1 to 1000");
  }
  auto count = static_cast<int>(steps);
  auto interval = std::chrono::milliseconds{static_cast<int64_t>(duration * 1000 / count)};
  tool_script script;
  for (int step = 1; step <= count; ++step) {
    script.notifications.push_back(
      {interval, "notifications/progress", json::object{{"progress", step}, {"total", count}}});
  }
  std::ostringstream text;
  text << "Long running operation completed. Duration: " << duration << " seconds, Steps: " << count
       << ".";
  script.result = text_result(text.str());
  return script;
}

// Reports a change of a resource to the sessions subscribed to it.
caf::expected<tool_script> trigger_resource_update(const json::object& args) {
  std::string uri = "test://watched-resource";
  if (const auto* given = args.if_contains("uri"); given != nullptr) {
    if (!given->is_string()) {
      return make_error(errc::invalid_tool_arguments, "'uri' must be a string");
    }
    uri = std::string{given->as_string()};
  }
  tool_script script;
  script.notifications.push_back(
    {std::chrono::milliseconds{0}, "notifications/resources/updated", json::object{{"uri", uri}}});
  script.result = text_result("Update of " + uri + " reported");
  return script;
}

caf::expected<json::object> json_schema_tool(const json::object& args) {
  return text_result("JSON Schema 2020-12 tool called with: " + json::serialize(args));
}

// -- resources ------------------------------------------------------------------------------------

json::object contents(json::object item) {
  return json::object{{"contents", json::array{std::move(item)}}};
}

json::object text_contents(std::string_view uri, std::string_view mime, std::string_view text) {
  return contents(json::object{{"uri", uri}, {"mimeType", mime}, {"text", text}});
}

caf::expected<json::object> read_static_text(std::string_view uri) {
  return text_contents(uri, "text/plain", "This is the content of the static text resource.");
}

caf::expected<json::object> read_static_binary(std::string_view uri) {
  return contents(
    json::object{{"uri", uri}, {"mimeType", "image/png"}, {"blob", test_image_base64}});
}

caf::expected<json::object> read_watched(std::string_view uri) {
  return text_contents(uri, "text/plain", "Watched resource content");
}

// Reads test://template/{id}/data; the URI already matched the template.
caf::expected<json::object> read_template(std::string_view uri) {
  constexpr std::string_view prefix = "test://template/";
  auto id = uri.substr(prefix.size());
  id = id.substr(0, id.find('/'));
  std::string data = "Data for ID: ";
  data += id;
  json::object body{{"id", id}, {"templateTest", true}, {"data", data}};
  return text_contents(uri, "application/json", json::serialize(body));
}

constexpr std::array resources{
  resource_spec{"test://static-text", "static-text", "Static Text Resource",
                "A static text resource for testing", "text/plain", read_static_text},
  resource_spec{"test://static-binary", "static-binary", "Static Binary Resource",
                "A static binary resource (image) for testing", "image/png", read_static_binary},
  resource_spec{"test://watched-resource", "watched-resource", "Watched Resource",
                "A resource clients can subscribe to", "text/plain", read_watched},
};

constexpr std::array resource_templates{
  resource_template_spec{"test://template/{id}/data", "template", "Resource Template",
                         "A resource template with parameter substitution", "application/json",
                         read_template},
};

// -- prompts --------------------------------------------------------------------------------------

json::object message(json::object content) {
  return json::object{{"role", "user"}, {"content", std::move(content)}};
}

json::object text_block(std::string_view text) {
  return json::object{{"type", "text"}, {"text", text}};
}

json::object prompt_result(json::array messages) {
  return json::object{{"messages", std::move(messages)}};
}

std::string_view string_arg(const json::object& args, std::string_view name) {
  const auto* value = args.if_contains(name);
  return value != nullptr && value->is_string() ? std::string_view{value->as_string()}
                                                : std::string_view{};
}

caf::expected<json::object> simple_prompt(const json::object&) {
  return prompt_result(json::array{message(text_block("This is a simple prompt for testing."))});
}

caf::expected<json::object> prompt_with_arguments(const json::object& args) {
  std::string text = "Prompt with arguments: arg1='";
  text += string_arg(args, "arg1");
  text += "', arg2='";
  text += string_arg(args, "arg2");
  text += "'";
  return prompt_result(json::array{message(text_block(text))});
}

caf::expected<json::object> prompt_with_embedded_resource(const json::object& args) {
  auto resource = resource_block(string_arg(args, "resourceUri"), "text/plain",
                                 "Embedded resource content for testing.");
  return prompt_result(
    json::array{message(std::move(resource)),
                message(text_block("Please process the embedded resource above."))});
}

caf::expected<json::object> prompt_with_image(const json::object&) {
  return prompt_result(
    json::array{message(image_block()), message(text_block("Please analyze the image above."))});
}

constexpr std::array two_arguments{
  prompt_argument{"arg1", "First test argument", true},
  prompt_argument{"arg2", "Second test argument", true},
};

constexpr std::array resource_uri_argument{
  prompt_argument{"resourceUri", "URI of the resource to embed", true},
};

constexpr std::array prompts{
  prompt_spec{"test_simple_prompt",
              "Simple Test Prompt",
              "A simple prompt without arguments",
              {},
              simple_prompt},
  prompt_spec{"test_prompt_with_arguments", "Prompt With Arguments",
              "A prompt with required arguments", two_arguments, prompt_with_arguments},
  prompt_spec{"test_prompt_with_embedded_resource", "Prompt With Embedded Resource",
              "A prompt that includes an embedded resource", resource_uri_argument,
              prompt_with_embedded_resource},
  prompt_spec{"test_prompt_with_image",
              "Prompt With Image",
              "A prompt that includes image content",
              {},
              prompt_with_image},
  prompt_spec{"test_input_required_result_prompt",
              "",
              "MRTR: prompt that requires elicitation input",
              {},
              nullptr,
              interactive::mrtr_prompt},
};

// Suggests words from a fixed vocabulary that start with what was typed so far.
std::vector<std::string> complete(std::string_view, std::string_view prefix) {
  static constexpr std::array<std::string_view, 8> vocabulary{
    "paragraph", "parameter", "paris", "park", "party", "test", "testing", "text"};
  std::vector<std::string> result;
  for (auto word : vocabulary) {
    if (word.starts_with(prefix)) {
      result.emplace_back(word);
    }
  }
  return result;
}

constexpr std::array tools{
  tool_spec{
    "echo", "Echo", "Echoes back the message it is given.",
    R"({"type":"object","properties":{"message":{"type":"string","description":"Text to echo back"}},"required":["message"],"additionalProperties":false})",
    R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})",
    echo},
  tool_spec{
    "add", "Add", "Adds two numbers; returns the sum as text and as structured content.",
    R"({"type":"object","properties":{"a":{"type":"number","description":"First addend"},"b":{"type":"number","description":"Second addend"}},"required":["a","b"],"additionalProperties":false})",
    R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})",
    add, nullptr,
    R"({"type":"object","properties":{"sum":{"type":"number","description":"a + b"}},"required":["sum"]})",
    R"([{"src":"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PHBhdGggZD0iTTcgMmgydjVoNXYySDl2NUg3VjlIMlY3aDV6Ii8+PC9zdmc+","mimeType":"image/svg+xml","sizes":["any"]}])"},
  tool_spec{"test_simple_text", "", "Tests simple text content response", no_arguments, "",
            simple_text},
  tool_spec{"test_image_content", "", "Tests image content response", no_arguments, "",
            image_content},
  tool_spec{"test_audio_content", "", "Tests audio content response", no_arguments, "",
            audio_content},
  tool_spec{"test_embedded_resource", "", "Tests embedded resource content response", no_arguments,
            "", embedded_resource},
  tool_spec{"test_multiple_content_types", "",
            "Tests response with multiple content types (text, image, resource)", no_arguments, "",
            multiple_content_types},
  tool_spec{"test_error_handling", "", "Tests error response handling", no_arguments, "",
            error_handling},
  tool_spec{
    "test_sampling",
    "",
    "Tests server-initiated sampling (LLM completion request)",
    R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]})",
    "",
    nullptr,
    nullptr,
    {},
    {},
    interactive::sampling},
  tool_spec{
    "test_elicitation",
    "",
    "Tests server-initiated elicitation (user input request)",
    R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]})",
    "",
    nullptr,
    nullptr,
    {},
    {},
    interactive::elicitation},
  tool_spec{
    "test_url_elicitation",
    "",
    "Tests URL-mode elicitation (SEP-1036): asks the user to open a page out of band",
    R"({"type":"object","properties":{"url":{"type":"string","description":"The https:// page to open, by default the elicitation spec"}}})",
    "",
    nullptr,
    nullptr,
    {},
    {},
    interactive::url_elicitation},
  tool_spec{"test_elicitation_sep1034_defaults",
            "",
            "Tests elicitation with default values per SEP-1034",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::elicitation_defaults},
  tool_spec{"test_elicitation_sep1330_enums",
            "",
            "Tests elicitation with enum schema improvements per SEP-1330",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::elicitation_enums},
  tool_spec{"test_missing_capability",
            "",
            "Test tool requiring sampling",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::missing_capability},
  tool_spec{"test_streaming_elicitation",
            "",
            "Asks the user to confirm: on the call's stream for 2025 sessions, as an "
            "input_required result for 2026-07-28 clients",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::streaming_elicitation},
  tool_spec{"test_logging_tool", "", "Emits one info log message, then answers", no_arguments, "",
            nullptr, logging_tool},
  tool_spec{"test_trigger_tool_change", "",
            "Reports a change of the tool list to the endpoint's subscribers", no_arguments, "",
            nullptr, trigger_tool_change},
  tool_spec{"test_trigger_prompt_change", "",
            "Reports a change of the prompt list to the endpoint's subscribers", no_arguments, "",
            nullptr, trigger_prompt_change},
  tool_spec{"test_input_required_result_elicitation",
            "",
            "MRTR: returns InputRequiredResult with elicitation request",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_elicitation},
  tool_spec{"test_input_required_result_sampling",
            "",
            "MRTR: returns InputRequiredResult with sampling request",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_sampling},
  tool_spec{"test_input_required_result_list_roots",
            "",
            "MRTR: returns InputRequiredResult with roots/list request",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_list_roots},
  tool_spec{"test_input_required_result_request_state",
            "",
            "MRTR: returns InputRequiredResult with requestState",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_request_state},
  tool_spec{"test_input_required_result_multiple_inputs",
            "",
            "MRTR: returns InputRequiredResult with multiple input requests",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_multiple_inputs},
  tool_spec{"test_input_required_result_multi_round",
            "",
            "MRTR: multi-round InputRequiredResult workflow",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_multi_round},
  tool_spec{"test_input_required_result_tampered_state",
            "",
            "MRTR: integrity-protected requestState",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_tampered_state},
  tool_spec{"test_input_required_result_capabilities",
            "",
            "MRTR: respects client capabilities in inputRequests",
            no_arguments,
            "",
            nullptr,
            nullptr,
            {},
            {},
            interactive::mrtr_capabilities},
  tool_spec{"test_tool_with_logging", "", "Tests tool that emits log messages during execution",
            no_arguments, "", nullptr, tool_with_logging},
  tool_spec{"test_tool_with_progress", "", "Tests tool that reports progress notifications",
            no_arguments, "", nullptr, tool_with_progress},
  tool_spec{"test_reconnection", "",
            "Tests SSE stream disconnection and client reconnection (SEP-1699): the server ends "
            "the connection mid-call and sends the result after the client resumed",
            no_arguments, "", nullptr, reconnection},
  tool_spec{
    "long_running_operation", "", "Reports progress in equal steps over a duration, then answers",
    R"({"type":"object","properties":{"duration":{"type":"number","default":10,"description":"Duration of the operation in seconds, 0 to 300"},"steps":{"type":"integer","default":5,"description":"Number of progress steps, 1 to 1000"}}})",
    "", nullptr, long_running_operation},
  tool_spec{
    "test_trigger_resource_update", "",
    "Reports an update of a resource to the sessions subscribed to it",
    R"({"type":"object","properties":{"uri":{"type":"string","default":"test://watched-resource","description":"The updated resource"}}})",
    "", nullptr, trigger_resource_update},
  tool_spec{
    "json_schema_2020_12_tool", "",
    "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)",
    R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false})",
    "", json_schema_tool},
  tool_spec{
    "test_header_params", "Header parameters",
    "Tests arguments mirrored into Mcp-Param headers (SEP-2243): region, priority and dry_run",
    R"({"type":"object","properties":{"region":{"type":"string","description":"Region to act in","x-mcp-header":"Region"},"priority":{"type":"integer","description":"Priority, 0 to 9","x-mcp-header":"Priority"},"dry_run":{"type":"boolean","description":"Only report what would happen","x-mcp-header":"Dry-Run"},"note":{"type":"string","description":"Free text, not mirrored"}},"required":["region"]})",
    R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})",
    header_params},
};

} // namespace

const connector_spec spec{
  "everything",
  "Everything (test)",
  "Built-in test connector: echo, add and the MCP conformance fixtures.",
  tools,
  resources,
  resource_templates,
  prompts,
  complete,
};

} // namespace sagemcp::connectors::everything
