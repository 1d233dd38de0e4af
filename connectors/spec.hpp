#pragma once

#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

/// Executes one tool: parsed arguments in, a CallToolResult JSON object out. Failures a model can
/// act on are errors with errc::invalid_tool_arguments or errc::tool_failed; they surface as
/// results with `isError: true`.
using tool_handler = caf::expected<boost::json::object> (*)(const boost::json::object& args);

/// A notification a tool emits while it runs, `after` the previous one (or the call's start).
struct tool_notification {
  std::chrono::milliseconds after;
  /// `notifications/message` or `notifications/progress` (the runtime adds the progress token).
  std::string method;
  boost::json::object params;
};

/// Builds a tool's result from the client's answer to its request (or the failure to get one).
using answer_handler
  = caf::expected<boost::json::object> (*)(const caf::expected<boost::json::value>& answer);

/// What a tool that reports while it runs does: notifications over time, then its result, or a
/// request to the client (sampling, elicitation, roots) whose answer makes the result.
struct tool_script {
  std::vector<tool_notification> notifications;
  boost::json::object result;
  /// A request to the client after the notifications; empty when the result needs none.
  std::string ask_method;
  boost::json::object ask_params;
  /// Makes the result from the client's answer; set together with `ask_method`.
  answer_handler answer = nullptr;
};

/// Plans a tool call that reports while it runs.
using script_handler = caf::expected<tool_script> (*)(const boost::json::object& args);

/// One tool of a connector type, as data.
struct tool_spec {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  /// JSON Schema of the arguments (JSON text, an object schema).
  std::string_view input_schema;
  /// MCP tool annotations (JSON text), empty when the tool has none.
  std::string_view annotations;
  /// Runs the tool at once; nullptr for tools that use `script`.
  tool_handler handler;
  /// Plans a call that emits notifications before its result; nullptr for immediate tools.
  script_handler script = nullptr;
  /// JSON Schema of the tool's structuredContent (JSON text), empty when it has none.
  std::string_view output_schema = {};
  /// MCP icons (a JSON array text), empty when the tool has none.
  std::string_view icons = {};
};

/// Reads a resource: its URI in, a ReadResourceResult JSON object out.
using resource_reader = caf::expected<boost::json::object> (*)(std::string_view uri);

/// One concrete resource of a connector type.
struct resource_spec {
  std::string_view uri;
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::string_view mime_type;
  resource_reader read;
};

/// A family of resources addressed by an RFC 6570 level-1 URI template (`{name}` variables that
/// match one or more characters other than '/').
struct resource_template_spec {
  std::string_view uri_template;
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::string_view mime_type;
  resource_reader read;
};

/// One argument of a prompt.
struct prompt_argument {
  std::string_view name;
  std::string_view description;
  bool required;
};

/// Renders a prompt: its arguments (strings) in, a GetPromptResult JSON object out.
using prompt_handler = caf::expected<boost::json::object> (*)(const boost::json::object& args);

/// One prompt of a connector type.
struct prompt_spec {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::span<const prompt_argument> arguments;
  prompt_handler render;
};

/// Suggests values for an argument: the argument's name and the value typed so far in, at most
/// 100 suggestions out.
using completion_handler = std::vector<std::string> (*)(std::string_view argument,
                                                        std::string_view prefix);

/// One connector type, as data.
struct connector_spec {
  std::string_view type;
  std::string_view display_name;
  std::string_view description;
  std::span<const tool_spec> tools;
  std::span<const resource_spec> resources = {};
  std::span<const resource_template_spec> resource_templates = {};
  std::span<const prompt_spec> prompts = {};
  /// Argument completion for prompts and resource templates; nullptr when unsupported.
  completion_handler complete = nullptr;
};

/// Every connector type this build knows, in display order.
std::span<const connector_spec* const> connector_types();

/// Looks up a connector type by its wire name; nullptr when unknown.
const connector_spec* find_connector_type(std::string_view type);

/// Looks up a tool of a connector type by name; nullptr when unknown.
const tool_spec* find_tool(const connector_spec& spec, std::string_view name);

/// Serializes the `tools` array of a connector type for `tools/list`.
std::string serialize_tools(const connector_spec& spec);

/// How many items one page of a list result holds.
inline constexpr size_t page_size = 100;

/// Splits a list into serialized result pages of at most page_size items, each
/// `{"<member>":[…]}` plus `"nextCursor"` on every page but the last. An empty list is one page.
std::vector<std::string> paginate(std::string_view member, const boost::json::array& items);

/// The page a cursor names (an empty cursor is the first page); errc::invalid_params for a
/// cursor this server did not issue for a list of `pages` pages.
caf::expected<size_t> page_of(std::string_view cursor, size_t pages);

/// The serialized `tools/list` result pages of a connector type.
std::vector<std::string> tool_pages(const connector_spec& spec);

/// Runs a tool with raw JSON arguments (empty means none). Replies with the serialized
/// CallToolResult; errors carry errc::invalid_tool_arguments or errc::tool_failed.
caf::expected<std::string> call_tool(const tool_spec& tool, std::string_view raw_arguments);

/// Plans a call of a tool that has a script, with raw JSON arguments (empty means none).
caf::expected<tool_script> plan_tool(const tool_spec& tool, std::string_view raw_arguments);

/// A CallToolResult with one text content block.
boost::json::object text_result(std::string_view text);

/// The server capabilities a connector type offers, as a JSON object text for `initialize`.
std::string capabilities(const connector_spec& spec);

/// Serves the connector-level MCP methods: resources/list, resources/templates/list,
/// resources/read, prompts/list, prompts/get and completion/complete. `params` is raw JSON text
/// (empty when absent). Replies with the raw JSON result; errors are errc::method_not_found,
/// errc::invalid_params and errc::resource_not_found (with data {"uri"}).
caf::expected<std::string> serve(const connector_spec& spec, std::string_view method,
                                 std::string_view params);

/// Whether `method` is one that serve() answers.
bool is_served_method(std::string_view method);

} // namespace sagemcp::connectors
