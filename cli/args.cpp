#include "cli/args.hpp"

#include "cli/output.hpp"

#include <boost/json/parse.hpp>

#include <charconv>

namespace sagemcp::cli {

namespace json = boost::json;

std::string property_type(const json::value& schema, std::string_view name) {
  const auto* prop = member_at(schema, "properties");
  const auto* obj = prop != nullptr ? prop->if_object() : nullptr;
  const auto* entry = obj != nullptr ? obj->if_contains(name) : nullptr;
  const auto* type = entry != nullptr ? member_at(*entry, "type") : nullptr;
  if (type == nullptr) {
    return {};
  }
  if (type->is_string()) {
    return std::string{type->as_string()};
  }
  // A union such as ["string", "null"]: the first type that is not null decides.
  if (const auto* arr = type->if_array()) {
    for (const auto& t : *arr) {
      if (t.is_string() && t.as_string() != "null") {
        return std::string{t.as_string()};
      }
    }
  }
  return {};
}

bool typed_value(std::string_view type, std::string_view text, json::value& out,
                 std::string& error) {
  if (type.empty() || type == "string") {
    out = json::string{text};
    return true;
  }
  if (type == "integer") {
    int64_t n = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc{} || ptr != end) {
      error = "'" + std::string{text} + "' is no integer";
      return false;
    }
    out = n;
    return true;
  }
  if (type == "boolean") {
    if (text == "true" || text == "yes" || text == "1") {
      out = true;
    } else if (text == "false" || text == "no" || text == "0") {
      out = false;
    } else {
      error = "'" + std::string{text} + "' is no boolean (true or false)";
      return false;
    }
    return true;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  bool fits = !ec
              && ((type == "number" && parsed.is_number())
                  || (type == "object" && parsed.is_object())
                  || (type == "array" && parsed.is_array()) || type == "null");
  if (!fits) {
    error = "'" + std::string{text} + "' is no JSON " + std::string{type};
    return false;
  }
  out = std::move(parsed);
  return true;
}

bool split_pair(std::string_view pair, std::string& key, std::string& value) {
  auto eq = pair.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return false;
  }
  key = std::string{pair.substr(0, eq)};
  value = std::string{pair.substr(eq + 1)};
  return true;
}

bool arguments_from_pairs(const std::vector<std::string>& pairs, const json::value& schema,
                          json::object& out, std::string& error) {
  for (const auto& pair : pairs) {
    std::string key;
    std::string text;
    if (!split_pair(pair, key, text)) {
      error = "'" + pair + "' is no key=value pair";
      return false;
    }
    json::value value;
    if (!typed_value(property_type(schema, key), text, value, error)) {
      error.insert(0, key + ": ");
      return false;
    }
    out[key] = std::move(value);
  }
  return true;
}

} // namespace sagemcp::cli
