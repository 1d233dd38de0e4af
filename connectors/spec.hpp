#pragma once

#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>

namespace sagemcp::connectors {

/// Executes one tool: parsed arguments in, a CallToolResult JSON object out. Failures a model can
/// act on are errors with errc::invalid_tool_arguments or errc::tool_failed; they surface as
/// results with `isError: true`.
using tool_handler = caf::expected<boost::json::object> (*)(const boost::json::object& args);

/// One tool of a connector type, as data.
struct tool_spec {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  /// JSON Schema of the arguments (JSON text, an object schema).
  std::string_view input_schema;
  /// MCP tool annotations (JSON text), empty when the tool has none.
  std::string_view annotations;
  tool_handler handler;
};

/// One connector type, as data.
struct connector_spec {
  std::string_view type;
  std::string_view display_name;
  std::string_view description;
  std::span<const tool_spec> tools;
};

/// Every connector type this build knows, in display order.
std::span<const connector_spec* const> connector_types();

/// Looks up a connector type by its wire name; nullptr when unknown.
const connector_spec* find_connector_type(std::string_view type);

/// Looks up a tool of a connector type by name; nullptr when unknown.
const tool_spec* find_tool(const connector_spec& spec, std::string_view name);

/// Serializes the `tools` array of a connector type for `tools/list`.
std::string serialize_tools(const connector_spec& spec);

/// Runs a tool with raw JSON arguments (empty means none). Replies with the serialized
/// CallToolResult; errors carry errc::invalid_tool_arguments or errc::tool_failed.
caf::expected<std::string> call_tool(const tool_spec& tool, std::string_view raw_arguments);

/// A CallToolResult with one text content block.
boost::json::object text_result(std::string_view text);

} // namespace sagemcp::connectors
