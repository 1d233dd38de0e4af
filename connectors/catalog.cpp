#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

namespace sagemcp::connectors {

namespace {

namespace json = boost::json;

constexpr size_t max_completions = 100;

// Adds the optional descriptive members shared by resources, templates and prompts.
void describe(json::object& out, std::string_view title, std::string_view description,
              std::string_view mime_type) {
  if (!title.empty()) {
    out["title"] = title;
  }
  if (!description.empty()) {
    out["description"] = description;
  }
  if (!mime_type.empty()) {
    out["mimeType"] = mime_type;
  }
}

json::array list_resources(const connector_spec& spec) {
  json::array items;
  for (const auto& r : spec.resources) {
    json::object item{{"uri", r.uri}, {"name", r.name}};
    describe(item, r.title, r.description, r.mime_type);
    items.emplace_back(std::move(item));
  }
  return items;
}

json::array list_templates(const connector_spec& spec) {
  json::array items;
  for (const auto& t : spec.resource_templates) {
    json::object item{{"uriTemplate", t.uri_template}, {"name", t.name}};
    describe(item, t.title, t.description, t.mime_type);
    items.emplace_back(std::move(item));
  }
  return items;
}

json::array list_prompts(const connector_spec& spec) {
  json::array items;
  for (const auto& p : spec.prompts) {
    json::object item{{"name", p.name}};
    describe(item, p.title, p.description, {});
    json::array arguments;
    for (const auto& a : p.arguments) {
      json::object arg{{"name", a.name}, {"required", a.required}};
      if (!a.description.empty()) {
        arg["description"] = a.description;
      }
      arguments.emplace_back(std::move(arg));
    }
    item["arguments"] = std::move(arguments);
    items.emplace_back(std::move(item));
  }
  return items;
}

// One page of a list result, by the request's `cursor`.
caf::expected<std::string> list_page(std::string_view member, const json::array& items,
                                     const json::object& params) {
  std::string_view cursor;
  if (const auto* given = params.if_contains("cursor"); given != nullptr && !given->is_null()) {
    if (!given->is_string()) {
      return invalid_params("'cursor' must be a string");
    }
    cursor = given->as_string();
  }
  auto pages = paginate(member, items);
  auto index = page_of(cursor, pages.size());
  if (!index) {
    return std::move(index.error());
  }
  return std::move(pages[*index]);
}

// Matches a URI against an RFC 6570 level-1 template whose variables stand for one or more
// characters other than '/'.
bool matches_template(std::string_view tmpl, std::string_view uri) {
  while (!tmpl.empty()) {
    auto open = tmpl.find('{');
    auto literal = tmpl.substr(0, open);
    if (!uri.starts_with(literal)) {
      return false;
    }
    uri.remove_prefix(literal.size());
    if (open == std::string_view::npos) {
      return uri.empty();
    }
    auto close = tmpl.find('}', open);
    if (close == std::string_view::npos) {
      return false;
    }
    tmpl.remove_prefix(close + 1);
    auto next = tmpl.substr(0, tmpl.find('{'));
    auto end = next.empty() ? uri.find('/') : uri.find(next);
    auto value = uri.substr(0, end);
    if (value.empty() || value.find('/') != std::string_view::npos) {
      return false;
    }
    uri.remove_prefix(value.size());
  }
  return uri.empty();
}

caf::expected<std::string> read_resource(const connector_spec& spec, const json::object& params) {
  const auto* uri = string_member(params, "uri");
  if (uri == nullptr) {
    return invalid_params("'uri' must be a string");
  }
  std::string_view wanted{*uri};
  resource_reader reader = nullptr;
  for (const auto& r : spec.resources) {
    if (r.uri == wanted) {
      reader = r.read;
    }
  }
  for (const auto& t : spec.resource_templates) {
    if (reader == nullptr && matches_template(t.uri_template, wanted)) {
      reader = t.read;
    }
  }
  if (reader == nullptr) {
    return make_error(errc::resource_not_found, "Resource not found: " + std::string{wanted},
                      json::serialize(json::object{{"uri", wanted}}));
  }
  auto result = reader(wanted);
  if (!result) {
    return std::move(result.error());
  }
  return json::serialize(*result);
}

const prompt_spec* find_prompt(const connector_spec& spec, std::string_view name) {
  auto i = std::find_if(spec.prompts.begin(), spec.prompts.end(), [&](const auto& p) {
    return p.name == name;
  });
  return i == spec.prompts.end() ? nullptr : &*i;
}

caf::expected<std::string> get_prompt(const connector_spec& spec, const json::object& params,
                                      const round_context& round) {
  const auto* name = string_member(params, "name");
  if (name == nullptr) {
    return invalid_params("'name' must be a string");
  }
  const auto* prompt = find_prompt(spec, *name);
  if (prompt == nullptr) {
    return invalid_params("Unknown prompt: " + std::string{*name});
  }
  json::object args;
  if (const auto* given = params.if_contains("arguments"); given != nullptr && !given->is_null()) {
    if (!given->is_object()) {
      return invalid_params("'arguments' must be an object");
    }
    args = given->as_object();
  }
  for (const auto& a : prompt->arguments) {
    const auto* value = args.if_contains(a.name);
    if (value != nullptr && !value->is_string()) {
      return invalid_params("argument '" + std::string{a.name} + "' must be a string");
    }
    if (a.required && value == nullptr) {
      return invalid_params("missing required argument '" + std::string{a.name} + "' for prompt '"
                            + std::string{prompt->name} + "'");
    }
  }
  if (prompt->interactive == nullptr) {
    auto result = prompt->render(args);
    if (!result) {
      return std::move(result.error());
    }
    return json::serialize(*result);
  }
  auto result = run_round(prompt->interactive, args, round);
  if (!result) {
    return std::move(result.error());
  }
  if (!round.stateless && is_input_required(*result)) {
    return invalid_params("prompt '" + std::string{prompt->name}
                          + "' needs input from the client, which protocol version 2026-07-28 "
                            "or later provides");
  }
  return json::serialize(*result);
}

// Checks that a completion reference names a prompt or resource of this connector.
caf::error check_reference(const connector_spec& spec, const json::object& ref) {
  const auto* type = string_member(ref, "type");
  if (type != nullptr && *type == "ref/prompt") {
    const auto* name = string_member(ref, "name");
    if (name == nullptr || find_prompt(spec, *name) == nullptr) {
      return invalid_params("'ref.name' must name a prompt of this server");
    }
    return {};
  }
  if (type != nullptr && *type == "ref/resource") {
    const auto* uri = string_member(ref, "uri");
    bool known = uri != nullptr
                 && std::any_of(spec.resource_templates.begin(), spec.resource_templates.end(),
                                [&](const auto& t) {
                                  return t.uri_template == *uri;
                                });
    if (!known) {
      return invalid_params("'ref.uri' must name a resource template of this server");
    }
    return {};
  }
  return invalid_params("'ref.type' must be ref/prompt or ref/resource");
}

caf::expected<std::string> complete(const connector_spec& spec, const json::object& params) {
  if (spec.complete == nullptr) {
    return make_error(errc::method_not_found, "Method not found: completion/complete");
  }
  const auto* ref = params.if_contains("ref");
  if (ref == nullptr || !ref->is_object()) {
    return invalid_params("'ref' must be an object");
  }
  if (auto err = check_reference(spec, ref->as_object())) {
    return err;
  }
  const auto* argument = params.if_contains("argument");
  const auto* arg = argument != nullptr && argument->is_object() ? &argument->as_object() : nullptr;
  const auto* name = arg != nullptr ? string_member(*arg, "name") : nullptr;
  const auto* value = arg != nullptr ? string_member(*arg, "value") : nullptr;
  if (name == nullptr || value == nullptr) {
    return invalid_params("'argument' must have string members 'name' and 'value'");
  }
  auto suggestions = spec.complete(*name, *value);
  auto total = suggestions.size();
  suggestions.resize(std::min(total, max_completions));
  json::array values;
  for (auto& x : suggestions) {
    values.emplace_back(std::move(x));
  }
  json::object completion{
    {"values", std::move(values)}, {"total", total}, {"hasMore", total > max_completions}};
  return json::serialize(json::object{{"completion", std::move(completion)}});
}

constexpr std::array<std::string_view, 6> served_methods{
  "resources/list", "resources/templates/list", "resources/read", "prompts/list",
  "prompts/get",    "completion/complete"};

} // namespace

const json::string* string_member(const json::object& obj, std::string_view key) {
  const auto* value = obj.if_contains(key);
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

caf::error invalid_params(std::string_view message) {
  return make_error(errc::invalid_params, "Invalid params: " + std::string{message});
}

bool is_served_method(std::string_view method) {
  return std::find(served_methods.begin(), served_methods.end(), method) != served_methods.end();
}

caf::expected<std::string> serialize_items(const connector_spec& spec, std::string_view member) {
  if (member == "tools") {
    return serialize_tools(spec);
  }
  if (member == "prompts") {
    return json::serialize(list_prompts(spec));
  }
  if (member == "resources") {
    return json::serialize(list_resources(spec));
  }
  if (member == "resourceTemplates") {
    return json::serialize(list_templates(spec));
  }
  return invalid_params("no list named '" + std::string{member} + "'");
}

namespace {

// The capabilities of an endpoint whose members offer what `specs` offer; `tools` whatever the
// members have, as the tenant-wide endpoint always lists tools.
std::string capabilities_of(std::span<const connector_spec* const> specs, bool always_tools) {
  auto any = [specs](auto pred) {
    return std::any_of(specs.begin(), specs.end(), [&pred](const connector_spec* spec) {
      return pred(*spec);
    });
  };
  json::object caps;
  if (always_tools || any([](const connector_spec& s) {
        return !s.tools.empty();
      })) {
    caps["tools"] = json::object{{"listChanged", false}};
  }
  if (any([](const connector_spec& s) {
        return !s.resources.empty() || !s.resource_templates.empty();
      })) {
    caps["resources"] = json::object{{"subscribe", true}, {"listChanged", false}};
  }
  if (any([](const connector_spec& s) {
        return !s.prompts.empty();
      })) {
    caps["prompts"] = json::object{{"listChanged", false}};
  }
  if (any([](const connector_spec& s) {
        return s.complete != nullptr;
      })) {
    caps["completions"] = json::object{};
  }
  caps["logging"] = json::object{};
  return json::serialize(caps);
}

} // namespace

std::string capabilities(const connector_spec& spec) {
  const connector_spec* const one[] = {&spec};
  return capabilities_of(one, false);
}

std::string capabilities(std::span<const connector_spec* const> specs) {
  return capabilities_of(specs, true);
}

caf::expected<std::string> serve(const connector_spec& spec, std::string_view method,
                                 std::string_view params, const round_context& round) {
  json::object args;
  if (!params.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(params, ec);
    if (ec || !parsed.is_object()) {
      return invalid_params("'params' must be an object");
    }
    args = std::move(parsed.as_object());
  }
  if (method == "resources/list") {
    return list_page("resources", list_resources(spec), args);
  }
  if (method == "resources/templates/list") {
    return list_page("resourceTemplates", list_templates(spec), args);
  }
  if (method == "resources/read") {
    return read_resource(spec, args);
  }
  if (method == "prompts/list") {
    return list_page("prompts", list_prompts(spec), args);
  }
  if (method == "prompts/get") {
    return get_prompt(spec, args, round);
  }
  if (method == "completion/complete") {
    return complete(spec, args);
  }
  return make_error(errc::method_not_found, "Method not found: " + std::string{method});
}

} // namespace sagemcp::connectors
