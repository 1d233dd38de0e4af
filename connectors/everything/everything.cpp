#include "connectors/everything/everything.hpp"

#include "messages/errc.hpp"

#include <array>
#include <charconv>
#include <string>

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

caf::error invalid(std::string_view field, std::string_view expectation) {
  std::string msg = "Invalid arguments: '";
  msg += field;
  msg += "' ";
  msg += expectation;
  return make_error(errc::invalid_tool_arguments, std::move(msg));
}

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
    return invalid("message", "is required and must be a string");
  }
  std::string text = "Echo: ";
  text += message->as_string();
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
    return invalid("a", "is required and must be a number");
  }
  if (b == nullptr || !b->is_number()) {
    return invalid("b", "is required and must be a number");
  }
  if (a->is_int64() && b->is_int64()) {
    long long sum = 0;
    if (!__builtin_add_overflow(a->as_int64(), b->as_int64(), &sum)) {
      return text_result(std::to_string(sum));
    }
  }
  return text_result(format_number(a->to_number<double>() + b->to_number<double>()));
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

constexpr std::array tools{
  tool_spec{
    "echo", "Echo", "Echoes back the message it is given.",
    R"({"type":"object","properties":{"message":{"type":"string","description":"Text to echo back"}},"required":["message"],"additionalProperties":false})",
    R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})",
    echo},
  tool_spec{
    "add", "Add", "Adds two numbers and returns the sum as text.",
    R"({"type":"object","properties":{"a":{"type":"number","description":"First addend"},"b":{"type":"number","description":"Second addend"}},"required":["a","b"],"additionalProperties":false})",
    R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})",
    add},
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
};

} // namespace

const connector_spec spec{
  "everything",
  "Everything (test)",
  "Built-in test connector: echo, add and the MCP conformance fixtures.",
  tools,
};

} // namespace sagemcp::connectors::everything
