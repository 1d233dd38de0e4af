#include "connectors/bitbucket/bitbucket.hpp"
#include "connectors/everything/everything.hpp"
#include "connectors/github/github.hpp"
#include "connectors/gitlab/gitlab.hpp"
#include "connectors/json_schema.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

namespace sagemcp::connectors {

namespace {

// The registry of connector types: one line per type.
constexpr std::array<const connector_spec*, 4> registry{
  &everything::spec,
  &github::spec,
  &gitlab::spec,
  &bitbucket::spec,
};

} // namespace

std::span<const connector_spec* const> connector_types() {
  return registry;
}

const connector_spec* find_connector_type(std::string_view type) {
  for (const auto* spec : registry) {
    if (spec->type == type) {
      return spec;
    }
  }
  return nullptr;
}

bool is_secret_field(const connector_spec* spec, std::string_view name) {
  if (spec != nullptr) {
    for (const auto& field : spec->configuration) {
      if (field.name == name) {
        return field.secret;
      }
    }
  }
  std::string lower{name};
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  static constexpr std::array<std::string_view, 10> hints{"key",      "secret",  "token",
                                                          "password", "passwd",  "credential",
                                                          "auth",     "private", "cookie",
                                                          "session"};
  return std::any_of(hints.begin(), hints.end(), [&](std::string_view hint) {
    return lower.find(hint) != std::string::npos;
  });
}

const tool_spec* find_tool(const connector_spec& spec, std::string_view name) {
  for (const auto& tool : spec.tools) {
    if (tool.name == name) {
      return &tool;
    }
  }
  return nullptr;
}

namespace {

boost::json::array tool_array(const connector_spec& spec, std::span<const std::string> disabled) {
  boost::json::array tools;
  tools.reserve(spec.tools.size());
  for (const auto& tool : spec.tools) {
    if (is_disabled(disabled, tool.name)) {
      continue;
    }
    boost::json::object entry;
    entry["name"] = tool.name;
    if (!tool.title.empty()) {
      entry["title"] = tool.title;
    }
    entry["description"] = tool.description;
    entry["inputSchema"] = boost::json::parse(tool.input_schema);
    if (!tool.annotations.empty()) {
      entry["annotations"] = boost::json::parse(tool.annotations);
    }
    if (!tool.output_schema.empty()) {
      entry["outputSchema"] = boost::json::parse(tool.output_schema);
    }
    if (!tool.icons.empty()) {
      entry["icons"] = boost::json::parse(tool.icons);
    }
    tools.emplace_back(std::move(entry));
  }
  return tools;
}

} // namespace

bool is_disabled(std::span<const std::string> disabled, std::string_view tool) {
  return std::binary_search(disabled.begin(), disabled.end(), tool, std::less<>{});
}

std::string serialize_tools(const connector_spec& spec, std::span<const std::string> disabled) {
  return boost::json::serialize(tool_array(spec, disabled));
}

std::vector<std::string> tool_pages(const connector_spec& spec,
                                    std::span<const std::string> disabled) {
  return paginate("tools", tool_array(spec, disabled));
}

std::vector<std::string> paginate(std::string_view member, const boost::json::array& items) {
  std::vector<std::string> pages;
  size_t start = 0;
  do {
    auto end = std::min(items.size(), start + page_size);
    boost::json::array page(items.begin() + static_cast<std::ptrdiff_t>(start),
                            items.begin() + static_cast<std::ptrdiff_t>(end));
    boost::json::object result{{member, std::move(page)}};
    if (end < items.size()) {
      result["nextCursor"] = "p" + std::to_string(pages.size() + 1);
    }
    pages.push_back(boost::json::serialize(result));
    start = end;
  } while (start < items.size());
  return pages;
}

caf::expected<size_t> page_of(std::string_view cursor, size_t pages) {
  if (cursor.empty()) {
    return size_t{0};
  }
  size_t index = 0;
  auto digits = cursor.substr(1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (cursor.front() != 'p' || digits.empty() || ec != std::errc{}
      || end != digits.data() + digits.size() || index == 0 || index >= pages) {
    return make_error(errc::invalid_params, "Invalid params: unknown cursor");
  }
  return index;
}

namespace {

// The parsed input schema of a tool, parsed on first use.
const boost::json::value& input_schema_of(const tool_spec& tool) {
  static std::shared_mutex mtx;
  static std::unordered_map<const tool_spec*, boost::json::value> parsed;
  {
    std::shared_lock guard{mtx};
    if (auto i = parsed.find(&tool); i != parsed.end()) {
      return i->second;
    }
  }
  boost::system::error_code ec;
  auto schema = boost::json::parse(tool.input_schema, ec);
  std::unique_lock guard{mtx};
  return parsed.try_emplace(&tool, ec ? boost::json::value{} : std::move(schema)).first->second;
}

} // namespace

caf::expected<boost::json::object> checked_arguments(const tool_spec& tool,
                                                     std::string_view raw_arguments,
                                                     const boost::json::storage_ptr& storage) {
  boost::json::object args(storage);
  if (!raw_arguments.empty() && raw_arguments != "null") {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(raw_arguments, ec, storage);
    if (ec || !parsed.is_object()) {
      return make_error(errc::invalid_tool_arguments,
                        "Invalid arguments: 'arguments' must be a JSON object");
    }
    args = std::move(parsed.as_object());
  }
  boost::json::value instance(std::move(args));
  if (auto problem = validate(instance, input_schema_of(tool))) {
    return make_error(errc::invalid_tool_arguments, "Invalid arguments: " + *problem);
  }
  return std::move(instance.as_object());
}

caf::expected<tool_script> plan_tool(const tool_spec& tool, std::string_view raw_arguments) {
  auto args = checked_arguments(tool, raw_arguments);
  if (!args) {
    return std::move(args.error());
  }
  return tool.script(*args);
}

caf::expected<boost::json::object> call_interactive(const tool_spec& tool,
                                                    std::string_view raw_arguments,
                                                    const round_context& round) {
  auto args = checked_arguments(tool, raw_arguments);
  if (!args) {
    return std::move(args.error());
  }
  return run_round(tool.interactive, *args, round);
}

caf::expected<std::string> call_tool(const tool_spec& tool, std::string_view raw_arguments) {
  if (tool.handler == nullptr) {
    return make_error(errc::internal_error, "tool '" + std::string{tool.name}
                                              + "' reports while it runs; plan it instead");
  }
  // The arguments live for the call only: parsed into a buffer on the stack, which is usually
  // big enough for all of them.
  std::array<unsigned char, 1024> buffer{};
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  auto args = checked_arguments(tool, raw_arguments, &arena);
  if (!args) {
    return std::move(args.error());
  }
  auto result = tool.handler(*args);
  if (!result) {
    return std::move(result.error());
  }
  return boost::json::serialize(*result);
}

boost::json::object input_required(boost::json::object requests, std::string_view state) {
  boost::json::object result{{"resultType", "input_required"},
                             {"inputRequests", std::move(requests)}};
  if (!state.empty()) {
    result["requestState"] = state;
  }
  return result;
}

bool is_input_required(const boost::json::object& result) {
  const auto* type = result.if_contains("resultType");
  return type != nullptr && type->is_string() && type->as_string() == "input_required";
}

std::string_view client_capability_for(std::string_view method) {
  if (method == "sampling/createMessage") {
    return "sampling";
  }
  if (method == "elicitation/create") {
    return "elicitation";
  }
  if (method == "roots/list") {
    return "roots";
  }
  return {};
}

namespace {

caf::expected<boost::json::object> parse_object(std::string_view raw, std::string_view what) {
  if (raw.empty()) {
    return boost::json::object{};
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(raw, ec);
  if (ec || !parsed.is_object()) {
    return make_error(errc::invalid_params,
                      "Invalid params: '" + std::string{what} + "' must be an object");
  }
  return std::move(parsed.as_object());
}

bool is_url_mode(const boost::json::object& request) {
  const auto* params = request.if_contains("params");
  const auto* obj = params != nullptr ? params->if_object() : nullptr;
  const auto* mode = obj != nullptr ? obj->if_contains("mode") : nullptr;
  return mode != nullptr && mode->is_string() && mode->as_string() == "url";
}

bool declares_url_mode(const boost::json::value& elicitation) {
  const auto* obj = elicitation.if_object();
  return obj != nullptr && obj->contains("url");
}

// The capabilities the input requests of a result need that the client did not declare, as a
// ClientCapabilities object; empty when it declared them all.
boost::json::object missing_capabilities(const boost::json::object& result,
                                         const boost::json::object& declared) {
  boost::json::object missing;
  const auto* requests = result.if_contains("inputRequests");
  if (requests == nullptr || !requests->is_object()) {
    return missing;
  }
  for (const auto& [key, request] : requests->as_object()) {
    const auto* obj = request.if_object();
    const auto* method = obj != nullptr ? obj->if_contains("method") : nullptr;
    auto capability = method != nullptr && method->is_string()
                        ? client_capability_for(method->as_string())
                        : std::string_view{};
    if (capability.empty()) {
      missing["unknown"] = boost::json::object{};
    } else if (!declared.contains(capability)) {
      missing[capability] = boost::json::object{};
    } else if (capability == "elicitation" && is_url_mode(*obj)
               && !declares_url_mode(declared.at("elicitation"))) {
      // An empty elicitation capability means form mode only (2025-11-25).
      missing["elicitation"] = boost::json::object{{"url", boost::json::object{}}};
    }
  }
  return missing;
}

} // namespace

caf::expected<boost::json::object> run_round(interactive_handler handler,
                                             const boost::json::object& args,
                                             const round_context& round) {
  auto declared = parse_object(round.client_capabilities, "clientCapabilities");
  if (!declared) {
    return std::move(declared.error());
  }
  std::optional<boost::json::object> responses;
  if (!round.input_responses.empty()) {
    auto parsed = parse_object(round.input_responses, "inputResponses");
    if (!parsed) {
      return std::move(parsed.error());
    }
    for (const auto& [key, answer] : *parsed) {
      if (!answer.is_object()) {
        return make_error(errc::invalid_params, "Invalid params: inputResponses['"
                                                  + std::string{key} + "'] must be an object");
      }
    }
    responses = std::move(*parsed);
  }
  request_input in{args, responses ? &*responses : nullptr, round.request_state, *declared};
  auto result = handler(in);
  if (!result || !is_input_required(*result)) {
    return result;
  }
  if (auto missing = missing_capabilities(*result, *declared); !missing.empty()) {
    auto names = std::string{};
    for (const auto& [name, ignored] : missing) {
      names += names.empty() ? "" : ", ";
      names += name;
    }
    return make_error(
      errc::missing_client_capability, "Missing required client capability: " + names,
      boost::json::serialize(boost::json::object{{"requiredCapabilities", std::move(missing)}}));
  }
  return result;
}

caf::error invalid_argument(std::string_view field, std::string_view expectation) {
  std::string msg = "Invalid arguments: '";
  msg += field;
  msg += "' ";
  msg += expectation;
  return make_error(errc::invalid_tool_arguments, std::move(msg));
}

boost::json::object text_result(std::string_view text) {
  // Each table sized once, each value moved into place.
  boost::json::object block(2);
  block.emplace("type", "text");
  block.emplace("text", text);
  boost::json::array content;
  content.reserve(1);
  content.emplace_back(std::move(block));
  boost::json::object result(1);
  result.emplace("content", std::move(content));
  return result;
}

} // namespace sagemcp::connectors
