#include "connectors/spec.hpp"
#include "connectors/text.hpp"
#include "messages/errc.hpp"
#include "messages/mirrored_header.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace sagemcp::connectors {

namespace {

namespace json = boost::json;

// How deep a chain of `properties` keys may go before the walk stops.
constexpr size_t max_depth = 16;

// Collects the `x-mcp-header` properties reachable from `schema` through `properties` only.
void collect(const json::object& schema, std::vector<std::string>& path,
             std::vector<mirrored_argument>& out) {
  const auto* props = schema.if_contains("properties");
  if (props == nullptr || !props->is_object() || path.size() >= max_depth) {
    return;
  }
  for (const auto& [key, value] : props->as_object()) {
    const auto* sub = value.if_object();
    if (sub == nullptr) {
      continue;
    }
    path.emplace_back(key);
    if (const auto* header = sub->if_contains("x-mcp-header");
        header != nullptr && header->is_string() && !header->as_string().empty()) {
      out.push_back({std::string{header->as_string()}, path});
    }
    collect(*sub, path, out);
    path.pop_back();
  }
}

// Whether a header value holds only what a field value may: visible ASCII, space and tab.
bool is_field_value(std::string_view x) {
  return std::all_of(x.begin(), x.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7F);
  });
}

// Whether a decoded header value stands for the argument: strings exactly, booleans as
// true/false, numbers numerically (42.0 equals 42).
bool stands_for(const json::value& argument, std::string_view decoded) {
  if (argument.is_string()) {
    return argument.as_string() == decoded;
  }
  if (argument.is_bool()) {
    return decoded == (argument.as_bool() ? "true" : "false");
  }
  if (argument.is_number()) {
    double number = 0;
    auto [end, ec] = std::from_chars(decoded.data(), decoded.data() + decoded.size(), number);
    return ec == std::errc{} && end == decoded.data() + decoded.size()
           && number == argument.to_number<double>();
  }
  return false;
}

// What the body holds for the argument, as a mismatch error shows it.
std::string shown(const json::value* argument) {
  if (argument == nullptr) {
    return "(absent)";
  }
  return argument->is_string() ? std::string{argument->as_string()} : json::serialize(*argument);
}

} // namespace

std::vector<mirrored_argument> mirrored_arguments(std::string_view input_schema) {
  std::vector<mirrored_argument> result;
  boost::system::error_code ec;
  auto schema = json::parse(input_schema, ec);
  if (!ec && schema.is_object()) {
    std::vector<std::string> path;
    collect(schema.as_object(), path, result);
  }
  return result;
}

caf::error check_param_headers(std::span<const mirrored_argument> mirrored,
                               std::string_view raw_arguments, std::string_view raw_headers) {
  if (mirrored.empty()) {
    return {};
  }
  boost::system::error_code ec;
  json::object args;
  if (!raw_arguments.empty()) {
    auto parsed = json::parse(raw_arguments, ec);
    if (!ec && parsed.is_object()) {
      args = std::move(parsed.as_object());
    }
  }
  json::object headers;
  if (!raw_headers.empty()) {
    auto parsed = json::parse(raw_headers, ec);
    if (!ec && parsed.is_object()) {
      headers = std::move(parsed.as_object());
    }
  }
  for (const auto& entry : mirrored) {
    auto display = "Mcp-Param-" + entry.header;
    const auto* argument = value_at(args, entry.path);
    if (argument != nullptr && argument->is_null()) {
      argument = nullptr;
    }
    const auto* sent = headers.if_contains(lower(entry.header));
    if (sent == nullptr) {
      if (argument != nullptr) {
        return header_mismatch(display, {}, shown(argument));
      }
      continue;
    }
    if (!sent->is_string()) {
      return make_error(errc::header_mismatch,
                        "Header mismatch: " + display + " was sent more than once");
    }
    std::string_view raw = sent->as_string();
    if (argument == nullptr) {
      return header_mismatch(display, raw, shown(argument));
    }
    auto decoded = is_field_value(raw) ? decode_header_value(raw) : std::nullopt;
    if (!decoded) {
      return make_error(errc::header_mismatch, "Header mismatch: " + display
                                                 + " is not a valid header value (bad "
                                                   "characters or Base64)");
    }
    if (!stands_for(*argument, *decoded)) {
      return header_mismatch(display, raw, shown(argument));
    }
  }
  return {};
}

} // namespace sagemcp::connectors
