#pragma once

#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

struct http_tool;
struct http_api;

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

/// A tool_notification method that sends nothing: at that point the platform ends the connection
/// carrying the call's event stream, and the client resumes the stream with `Last-Event-ID`
/// (SEP-1699 polling). Calls without a resumable stream ignore it.
inline constexpr std::string_view end_connection = "$/endConnection";

/// What a tool that reports while it runs does: notifications over time, then its result.
struct tool_script {
  std::vector<tool_notification> notifications;
  boost::json::object result;
  /// The time between the last notification and the result.
  std::chrono::milliseconds result_after{0};
};

/// Plans a tool call that reports while it runs.
using script_handler = caf::expected<tool_script> (*)(const boost::json::object& args);

/// What one round of a request that may need input from the client sees (SEP-2322 multi
/// round-trip requests). The first round has no responses and no state.
struct request_input {
  const boost::json::object& args;
  /// The client's answers by the keys of the previous round's input requests; nullptr on the
  /// first round. Every value is an object.
  const boost::json::object* responses;
  /// The state the handler returned with its previous round, verified by the platform; empty on
  /// the first round.
  std::string_view state;
  /// The capabilities the client declared.
  const boost::json::object& client_capabilities;
};

/// Runs one round of a tool or prompt that may need input from the client: its complete result,
/// or an input_required() result asking for what is missing.
using interactive_handler = caf::expected<boost::json::object> (*)(const request_input& in);

/// A result that asks the client for input: `requests` maps keys of the handler's choosing to
/// {"method": "elicitation/create" | "sampling/createMessage" | "roots/list", "params": {…}}.
/// `state` (opaque to the client, integrity-protected by the platform) comes back with the
/// answers.
boost::json::object input_required(boost::json::object requests, std::string_view state = {});

/// Whether a result is an input_required() result.
bool is_input_required(const boost::json::object& result);

/// The client capability a server-to-client request method needs (`sampling`, `elicitation`,
/// `roots`); empty for methods clients do not serve.
std::string_view client_capability_for(std::string_view method);

/// A request's context beyond its params, for methods that may take several rounds.
struct round_context {
  /// Raw JSON of the capabilities the client declared; empty means none.
  std::string_view client_capabilities;
  /// Raw JSON of the client's answers to the previous round (params.inputResponses); empty
  /// when absent.
  std::string_view input_responses;
  /// The verified state of the previous round; empty when absent.
  std::string_view request_state;
  /// Whether input_required results may go back to the client (2026-07-28).
  bool stateless = false;
};

/// Runs one round of an interactive handler. Validates the client's answers (an object of
/// objects: errc::invalid_params otherwise) and, when the handler asks for input, that the
/// client declared every capability the requests need (errc::missing_client_capability with
/// data {"requiredCapabilities": {…}} otherwise).
caf::expected<boost::json::object>
run_round(interactive_handler handler, const boost::json::object& args, const round_context& round);

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
  /// Runs a tool that may need input from the client (elicitation, sampling, roots) over one
  /// or more rounds; nullptr for the other kinds.
  interactive_handler interactive = nullptr;
  /// The upstream REST call(s) of a native connector's tool; nullptr for the other kinds.
  const http_tool* http = nullptr;
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
  /// Renders the prompt; nullptr when `interactive` does.
  prompt_handler render;
  /// Renders a prompt that may need input from the client first (2026-07-28 clients only).
  interactive_handler interactive = nullptr;
};

/// Suggests values for an argument: the argument's name and the value typed so far in, at most
/// 100 suggestions out.
using completion_handler = std::vector<std::string> (*)(std::string_view argument,
                                                        std::string_view prefix);

/// One configuration field of a connector type.
struct config_field {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  /// A secret (API key, token, password): encrypted at rest and never returned by the API.
  bool secret = false;
  bool required = false;
};

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
  /// The configuration fields it declares. Undeclared fields are allowed; they count as secrets
  /// when their names look like one (see is_secret_field).
  std::span<const config_field> configuration = {};
  /// The upstream API of a native connector whose tools are REST calls; nullptr otherwise.
  const http_api* api = nullptr;
};

/// Every connector type this build knows, in display order.
std::span<const connector_spec* const> connector_types();

/// Looks up a connector type by its wire name; nullptr when unknown.
const connector_spec* find_connector_type(std::string_view type);

/// Whether configuration field `name` of a connector type holds a secret: as the type declares
/// it, else when the name contains key, secret, token, password, passwd, credential, auth,
/// private, cookie or session (case-insensitive). `spec` may be nullptr.
bool is_secret_field(const connector_spec* spec, std::string_view name);

/// Looks up a tool of a connector type by name; nullptr when unknown.
const tool_spec* find_tool(const connector_spec& spec, std::string_view name);

/// Whether a tool policy's sorted list of disabled tools names `tool`.
bool is_disabled(std::span<const std::string> disabled, std::string_view tool);

/// Serializes the `tools` array of a connector type for `tools/list`, without the tools a
/// policy disables (sorted names).
std::string serialize_tools(const connector_spec& spec, std::span<const std::string> disabled = {});

/// How many items one page of a list result holds.
inline constexpr size_t page_size = 100;

/// Splits a list into serialized result pages of at most page_size items, each
/// `{"<member>":[…]}` plus `"nextCursor"` on every page but the last. An empty list is one page.
std::vector<std::string> paginate(std::string_view member, const boost::json::array& items);

/// The page a cursor names (an empty cursor is the first page); errc::invalid_params for a
/// cursor this server did not issue for a list of `pages` pages.
caf::expected<size_t> page_of(std::string_view cursor, size_t pages);

/// The serialized `tools/list` result pages of a connector type, without the tools a policy
/// disables (sorted names).
std::vector<std::string> tool_pages(const connector_spec& spec,
                                    std::span<const std::string> disabled = {});

/// Runs a tool with raw JSON arguments (empty means none). Replies with the serialized
/// CallToolResult; errors carry errc::invalid_tool_arguments or errc::tool_failed.
caf::expected<std::string> call_tool(const tool_spec& tool, std::string_view raw_arguments);

/// Parses raw JSON arguments (empty means none) into `storage` and checks them against the
/// tool's input schema: errc::invalid_tool_arguments naming the offending field.
caf::expected<boost::json::object> checked_arguments(const tool_spec& tool,
                                                     std::string_view raw_arguments,
                                                     const boost::json::storage_ptr& storage = {});

/// Plans a call of a tool that has a script, with raw JSON arguments (empty means none).
caf::expected<tool_script> plan_tool(const tool_spec& tool, std::string_view raw_arguments);

/// Runs one round of a tool that has an interactive handler, with raw JSON arguments.
caf::expected<boost::json::object>
call_interactive(const tool_spec& tool, std::string_view raw_arguments, const round_context& round);

/// The string member `key` of `obj`; nullptr when it is missing or no string.
const boost::json::string* string_member(const boost::json::object& obj, std::string_view key);

/// The errc::invalid_params error "Invalid params: <message>".
caf::error invalid_params(std::string_view message);

/// The value at a chain of object keys below `obj`; nullptr when a key is missing or a step is
/// no object.
template <class Path>
const boost::json::value* value_at(const boost::json::object& obj, const Path& path) {
  const boost::json::value* at = nullptr;
  const boost::json::object* current = &obj;
  for (const auto& key : path) {
    if (current == nullptr) {
      return nullptr;
    }
    at = current->if_contains(key);
    if (at == nullptr) {
      return nullptr;
    }
    current = at->if_object();
  }
  return at;
}

/// A tool argument mirrored into an `Mcp-Param-{header}` HTTP header (SEP-2243).
struct mirrored_argument {
  std::string header;
  /// The chain of `properties` keys that leads to the argument.
  std::vector<std::string> path;
};

/// The arguments a tool's input schema mirrors into headers: every property that declares
/// `x-mcp-header`, reached through a chain of `properties` keys only.
std::vector<mirrored_argument> mirrored_arguments(std::string_view input_schema);

/// Checks the Mcp-Param-{Name} headers of a 2026-07-28 tools/call against its arguments
/// (SEP-2243): each mirrored argument's header must be present exactly when the argument is
/// (null counts as absent), sent once, of valid characters, and, once decoded from the Base64
/// sentinel, equal to the argument (integers numerically, booleans as true/false).
/// `raw_headers` is a JSON object of header values by lower-case name, with an array for a
/// header sent more than once. errc::header_mismatch (400, -32020) when a check fails.
caf::error check_param_headers(std::span<const mirrored_argument> mirrored,
                               std::string_view raw_arguments, std::string_view raw_headers);

/// The error for a tool argument a model got wrong: "Invalid arguments: '<field>' <expectation>"
/// (errc::invalid_tool_arguments, surfaced as an `isError` result).
caf::error invalid_argument(std::string_view field, std::string_view expectation);

/// A CallToolResult with one text content block.
boost::json::object text_result(std::string_view text);

/// The serialized JSON array of every item of a list of a connector type: `member` is the list
/// result's member (`tools`, `prompts`, `resources` or `resourceTemplates`); errc::invalid_params
/// for other names.
caf::expected<std::string> serialize_items(const connector_spec& spec, std::string_view member);

/// The server capabilities a connector type offers, as a JSON object text for `initialize`.
std::string capabilities(const connector_spec& spec);

/// The server capabilities of an endpoint that serves several connector types at once (the
/// tenant-wide endpoint): tools and logging always, the others where any member offers them.
std::string capabilities(std::span<const connector_spec* const> specs);

/// Serves the connector-level MCP methods: resources/list, resources/templates/list,
/// resources/read, prompts/list, prompts/get and completion/complete. `params` is raw JSON text
/// (empty when absent). Replies with the raw JSON result; errors are errc::method_not_found,
/// errc::invalid_params and errc::resource_not_found (with data {"uri"}).
caf::expected<std::string> serve(const connector_spec& spec, std::string_view method,
                                 std::string_view params, const round_context& round = {});

/// Whether `method` is one that serve() answers.
bool is_served_method(std::string_view method);

} // namespace sagemcp::connectors
