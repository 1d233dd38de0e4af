#include "connectors/json_schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string_view>

namespace sagemcp::connectors {

namespace {

namespace json = boost::json;

std::string quoted(const std::string& path) {
  return path.empty() ? std::string{"the arguments"} : "'" + path + "'";
}

std::string member_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) {
    return true;
  }
  return v.is_double() && std::isfinite(v.as_double())
         && std::floor(v.as_double()) == v.as_double();
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "string") {
    return v.is_string();
  }
  if (type == "number") {
    return v.is_number();
  }
  if (type == "integer") {
    return is_integer(v);
  }
  if (type == "boolean") {
    return v.is_bool();
  }
  if (type == "object") {
    return v.is_object();
  }
  if (type == "array") {
    return v.is_array();
  }
  return type == "null" && v.is_null();
}

std::string article(std::string_view type) {
  if (type == "integer" || type == "object" || type == "array") {
    return "an " + std::string{type};
  }
  if (type == "null") {
    return "null";
  }
  return "a " + std::string{type};
}

double number_of(const json::value& v) {
  return v.to_number<double>();
}

size_t code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// JSON equality with numbers compared by value (1 == 1.0).
bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    return number_of(a) == number_of(b);
  }
  return a == b;
}

const json::value* keyword(const json::object& schema, std::string_view name) {
  return schema.if_contains(name);
}

std::optional<std::string> check(const json::value& v, const json::value& schema_value,
                                 const std::string& path, int depth);

std::optional<std::string> check_object(const json::object& obj, const json::object& schema,
                                        const std::string& path, int depth) {
  const auto* properties = keyword(schema, "properties");
  const json::object* props = properties != nullptr ? properties->if_object() : nullptr;
  if (const auto* required = keyword(schema, "required"); required && required->is_array()) {
    for (const auto& name : required->as_array()) {
      if (name.is_string() && !obj.contains(name.as_string())) {
        return quoted(member_path(path, name.as_string())) + " is required";
      }
    }
  }
  for (const auto& [key, value] : obj) {
    const json::value* sub = props != nullptr ? props->if_contains(key) : nullptr;
    if (sub != nullptr) {
      if (auto err = check(value, *sub, member_path(path, key), depth + 1)) {
        return err;
      }
      continue;
    }
    if (const auto* extra = keyword(schema, "additionalProperties")) {
      if (extra->is_bool() && !extra->as_bool()) {
        return quoted(member_path(path, key)) + " is not a known "
               + (path.empty() ? "argument" : "field");
      }
      if (extra->is_object()) {
        if (auto err = check(value, *extra, member_path(path, key), depth + 1)) {
          return err;
        }
      }
    }
  }
  if (const auto* min = keyword(schema, "minProperties");
      min && min->is_number() && static_cast<double>(obj.size()) < number_of(*min)) {
    return quoted(path) + " needs at least " + json::serialize(*min) + " fields";
  }
  if (const auto* max = keyword(schema, "maxProperties");
      max && max->is_number() && static_cast<double>(obj.size()) > number_of(*max)) {
    return quoted(path) + " takes at most " + json::serialize(*max) + " fields";
  }
  return std::nullopt;
}

std::optional<std::string> check_array(const json::array& arr, const json::object& schema,
                                       const std::string& path, int depth) {
  if (const auto* min = keyword(schema, "minItems");
      min && min->is_number() && static_cast<double>(arr.size()) < number_of(*min)) {
    return quoted(path) + " needs at least " + json::serialize(*min) + " items";
  }
  if (const auto* max = keyword(schema, "maxItems");
      max && max->is_number() && static_cast<double>(arr.size()) > number_of(*max)) {
    return quoted(path) + " takes at most " + json::serialize(*max) + " items";
  }
  if (const auto* items = keyword(schema, "items"); items && items->is_object()) {
    for (size_t i = 0; i < arr.size(); ++i) {
      if (auto err = check(arr[i], *items, path + "[" + std::to_string(i) + "]", depth + 1)) {
        return err;
      }
    }
  }
  if (const auto* unique = keyword(schema, "uniqueItems");
      unique && unique->is_bool() && unique->as_bool()) {
    for (size_t i = 0; i < arr.size(); ++i) {
      for (size_t j = i + 1; j < arr.size(); ++j) {
        if (same(arr[i], arr[j])) {
          return quoted(path) + " must not repeat items";
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_string(std::string_view text, const json::object& schema,
                                        const std::string& path) {
  auto length = static_cast<double>(code_points(text));
  if (const auto* min = keyword(schema, "minLength");
      min && min->is_number() && length < number_of(*min)) {
    return quoted(path) + " needs at least " + json::serialize(*min) + " characters";
  }
  if (const auto* max = keyword(schema, "maxLength");
      max && max->is_number() && length > number_of(*max)) {
    return quoted(path) + " takes at most " + json::serialize(*max) + " characters";
  }
  if (const auto* pattern = keyword(schema, "pattern"); pattern && pattern->is_string()) {
    try {
      std::regex re{std::string{pattern->as_string()}, std::regex::ECMAScript};
      if (!std::regex_search(text.begin(), text.end(), re)) {
        return quoted(path) + " must match the pattern " + std::string{pattern->as_string()};
      }
    } catch (const std::regex_error&) {
      return quoted(path) + " has a schema pattern this server cannot use";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_number(double x, const json::object& schema,
                                        const std::string& path) {
  auto bound = [&](std::string_view name) -> const json::value* {
    const auto* v = keyword(schema, name);
    return v != nullptr && v->is_number() ? v : nullptr;
  };
  if (const auto* min = bound("minimum"); min && x < number_of(*min)) {
    return quoted(path) + " must be at least " + json::serialize(*min);
  }
  if (const auto* max = bound("maximum"); max && x > number_of(*max)) {
    return quoted(path) + " must be at most " + json::serialize(*max);
  }
  if (const auto* min = bound("exclusiveMinimum"); min && x <= number_of(*min)) {
    return quoted(path) + " must be greater than " + json::serialize(*min);
  }
  if (const auto* max = bound("exclusiveMaximum"); max && x >= number_of(*max)) {
    return quoted(path) + " must be less than " + json::serialize(*max);
  }
  if (const auto* step = bound("multipleOf"); step && number_of(*step) > 0) {
    double q = x / number_of(*step);
    if (std::fabs(q - std::round(q)) > 1e-9) {
      return quoted(path) + " must be a multiple of " + json::serialize(*step);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check(const json::value& v, const json::value& schema_value,
                                 const std::string& path, int depth) {
  if (schema_value.is_bool()) {
    if (schema_value.as_bool()) {
      return std::nullopt;
    }
    return quoted(path) + " is not allowed";
  }
  const auto* schema = schema_value.if_object();
  if (schema == nullptr || depth > 64) {
    return std::nullopt;
  }
  if (const auto* type = keyword(*schema, "type")) {
    if (type->is_string() && !has_type(v, type->as_string())) {
      return quoted(path) + " must be " + article(type->as_string());
    }
    if (type->is_array()) {
      bool any = false;
      std::string names;
      for (const auto& t : type->as_array()) {
        if (t.is_string()) {
          any = any || has_type(v, t.as_string());
          names += (names.empty() ? "" : " or ") + article(t.as_string());
        }
      }
      if (!any) {
        return quoted(path) + " must be " + names;
      }
    }
  }
  if (const auto* allowed = keyword(*schema, "enum"); allowed && allowed->is_array()) {
    bool found = false;
    for (const auto& option : allowed->as_array()) {
      found = found || same(v, option);
    }
    if (!found) {
      std::string options;
      for (const auto& option : allowed->as_array()) {
        options += (options.empty() ? "" : ", ") + json::serialize(option);
      }
      return quoted(path) + " must be one of " + options;
    }
  }
  if (const auto* constant = keyword(*schema, "const"); constant && !same(v, *constant)) {
    return quoted(path) + " must be " + json::serialize(*constant);
  }
  std::optional<std::string> err;
  if (v.is_object()) {
    err = check_object(v.as_object(), *schema, path, depth);
  } else if (v.is_array()) {
    err = check_array(v.as_array(), *schema, path, depth);
  } else if (v.is_string()) {
    err = check_string(v.as_string(), *schema, path);
  } else if (v.is_number()) {
    err = check_number(number_of(v), *schema, path);
  }
  if (err) {
    return err;
  }
  if (const auto* all = keyword(*schema, "allOf"); all && all->is_array()) {
    for (const auto& sub : all->as_array()) {
      if (auto e = check(v, sub, path, depth + 1)) {
        return e;
      }
    }
  }
  for (std::string_view name : {"anyOf", "oneOf"}) {
    const auto* options = keyword(*schema, name);
    if (options == nullptr || !options->is_array()) {
      continue;
    }
    size_t matches = 0;
    std::optional<std::string> first;
    for (const auto& sub : options->as_array()) {
      auto e = check(v, sub, path, depth + 1);
      matches += e ? 0 : 1;
      if (e && !first) {
        first = std::move(e);
      }
    }
    if (matches == 0) {
      return options->as_array().size() == 1 ? first
                                             : quoted(path) + " matches none of the allowed forms";
    }
    if (name == "oneOf" && matches > 1) {
      return quoted(path) + " matches more than one of the allowed forms";
    }
  }
  if (const auto* negated = keyword(*schema, "not");
      negated != nullptr && !check(v, *negated, path, depth + 1)) {
    return quoted(path) + " has a form that is not allowed";
  }
  return std::nullopt;
}

void check_schema_into(const json::value& schema_value, const std::string& path,
                       std::vector<std::string>& problems, int depth) {
  if (schema_value.is_bool() || depth > 64) {
    return;
  }
  const auto* schema = schema_value.if_object();
  if (schema == nullptr) {
    problems.push_back(path + ": a schema must be an object or a boolean");
    return;
  }
  auto where = [&](std::string_view key) {
    return path + "/" + std::string{key};
  };
  if (const auto* type = keyword(*schema, "type")) {
    auto known = [](const json::value& t) {
      static constexpr std::string_view types[] = {"string", "number", "integer", "boolean",
                                                   "object", "array",  "null"};
      return t.is_string()
             && std::find(std::begin(types), std::end(types), t.as_string()) != std::end(types);
    };
    bool ok = known(*type);
    if (type->is_array()) {
      ok = !type->as_array().empty();
      for (const auto& t : type->as_array()) {
        ok = ok && known(t);
      }
    }
    if (!ok) {
      problems.push_back(where("type") + ": not a JSON Schema type");
    }
  }
  const json::object* props = nullptr;
  if (const auto* properties = keyword(*schema, "properties")) {
    props = properties->if_object();
    if (props == nullptr) {
      problems.push_back(where("properties") + ": must be an object");
    } else {
      for (const auto& [key, sub] : *props) {
        check_schema_into(sub, where("properties") + "/" + std::string{key}, problems, depth + 1);
      }
    }
  }
  if (const auto* required = keyword(*schema, "required")) {
    if (!required->is_array()) {
      problems.push_back(where("required") + ": must be an array");
    } else {
      for (const auto& name : required->as_array()) {
        // A subschema without properties may require its parent's (in anyOf, say).
        if (!name.is_string() || (props != nullptr && !props->contains(name.as_string()))) {
          problems.push_back(where("required") + ": " + json::serialize(name) + " has no property");
        }
      }
    }
  }
  if (const auto* items = keyword(*schema, "items")) {
    check_schema_into(*items, where("items"), problems, depth + 1);
  }
  if (const auto* extra = keyword(*schema, "additionalProperties"); extra && !extra->is_bool()) {
    check_schema_into(*extra, where("additionalProperties"), problems, depth + 1);
  }
  for (std::string_view name : {"allOf", "anyOf", "oneOf"}) {
    if (const auto* list = keyword(*schema, name)) {
      if (!list->is_array() || list->as_array().empty()) {
        problems.push_back(where(name) + ": must be a non-empty array");
        continue;
      }
      for (size_t i = 0; i < list->as_array().size(); ++i) {
        check_schema_into(list->as_array()[i], where(name) + "/" + std::to_string(i), problems,
                          depth + 1);
      }
    }
  }
  if (const auto* e = keyword(*schema, "enum"); e && (!e->is_array() || e->as_array().empty())) {
    problems.push_back(where("enum") + ": must be a non-empty array");
  }
  for (std::string_view name :
       {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
        "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}) {
    if (const auto* n = keyword(*schema, name); n && !n->is_number()) {
      problems.push_back(where(name) + ": must be a number");
    }
  }
  if (const auto* pattern = keyword(*schema, "pattern")) {
    try {
      if (!pattern->is_string()) {
        throw std::regex_error{std::regex_constants::error_badrepeat};
      }
      std::regex re{std::string{pattern->as_string()}, std::regex::ECMAScript};
    } catch (const std::regex_error&) {
      problems.push_back(where("pattern") + ": not a usable regular expression");
    }
  }
}

} // namespace

std::optional<std::string> validate(const json::value& instance, const json::value& schema) {
  return check(instance, schema, {}, 0);
}

std::vector<std::string> check_schema(const json::value& schema) {
  std::vector<std::string> problems;
  check_schema_into(schema, "#", problems, 0);
  return problems;
}

} // namespace sagemcp::connectors
