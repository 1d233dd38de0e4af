#include "connectors/json_schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace sagemcp::connectors {

namespace {

namespace json = boost::json;

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

// Where a value sits in the arguments: the root, a member of its parent or an item of it. Rendered
// only for a message, so that a valid call builds no paths.
struct location {
  const location* parent = nullptr;
  std::string_view key;
  size_t index = 0;
  bool item = false;

  location member(std::string_view name) const {
    return {this, name, 0, false};
  }

  location at(size_t i) const {
    return {this, {}, i, true};
  }

  /// `a.b[2]`; empty at the root.
  std::string path() const {
    if (parent == nullptr) {
      return {};
    }
    auto out = parent->path();
    if (item) {
      out += '[';
      out += std::to_string(index);
      out += ']';
    } else {
      if (!out.empty()) {
        out += '.';
      }
      out += key;
    }
    return out;
  }

  /// `'a.b[2]'`, or "the arguments" at the root.
  std::string quoted() const {
    auto text = path();
    return text.empty() ? std::string{"the arguments"} : "'" + text + "'";
  }
};

// The keywords of one schema object that validation reads, found in one pass over its members.
struct keywords {
  const json::value* type = nullptr;
  const json::value* enumeration = nullptr;
  const json::value* constant = nullptr;
  const json::value* properties = nullptr;
  const json::value* required = nullptr;
  const json::value* additional = nullptr;
  const json::value* min_properties = nullptr;
  const json::value* max_properties = nullptr;
  const json::value* items = nullptr;
  const json::value* min_items = nullptr;
  const json::value* max_items = nullptr;
  const json::value* unique_items = nullptr;
  const json::value* min_length = nullptr;
  const json::value* max_length = nullptr;
  const json::value* pattern = nullptr;
  const json::value* minimum = nullptr;
  const json::value* maximum = nullptr;
  const json::value* exclusive_minimum = nullptr;
  const json::value* exclusive_maximum = nullptr;
  const json::value* multiple_of = nullptr;
  const json::value* all_of = nullptr;
  const json::value* any_of = nullptr;
  const json::value* one_of = nullptr;
  const json::value* negated = nullptr;

  explicit keywords(const json::object& schema) {
    static constexpr std::pair<std::string_view, const json::value * keywords::*> names[] = {
      {"type", &keywords::type},
      {"enum", &keywords::enumeration},
      {"const", &keywords::constant},
      {"properties", &keywords::properties},
      {"required", &keywords::required},
      {"additionalProperties", &keywords::additional},
      {"minProperties", &keywords::min_properties},
      {"maxProperties", &keywords::max_properties},
      {"items", &keywords::items},
      {"minItems", &keywords::min_items},
      {"maxItems", &keywords::max_items},
      {"uniqueItems", &keywords::unique_items},
      {"minLength", &keywords::min_length},
      {"maxLength", &keywords::max_length},
      {"pattern", &keywords::pattern},
      {"minimum", &keywords::minimum},
      {"maximum", &keywords::maximum},
      {"exclusiveMinimum", &keywords::exclusive_minimum},
      {"exclusiveMaximum", &keywords::exclusive_maximum},
      {"multipleOf", &keywords::multiple_of},
      {"allOf", &keywords::all_of},
      {"anyOf", &keywords::any_of},
      {"oneOf", &keywords::one_of},
      {"not", &keywords::negated},
    };
    for (const auto& [key, value] : schema) {
      for (const auto& [name, field] : names) {
        if (key.size() == name.size() && std::string_view{key} == name) {
          this->*field = &value;
          break;
        }
      }
    }
  }
};

// A number keyword's value, or nullptr when it is absent or not a number.
const json::value* number_keyword(const json::value* v) {
  return v != nullptr && v->is_number() ? v : nullptr;
}

// The compiled form of a schema pattern, kept per thread: a pattern compiles once, not on every
// call. Throws std::regex_error for a pattern this server cannot use.
const std::regex& compiled_pattern(std::string_view pattern) {
  static constexpr size_t max_kept = 256;
  thread_local std::unordered_map<std::string, std::regex> kept;
  if (auto i = kept.find(std::string{pattern}); i != kept.end()) {
    return i->second;
  }
  std::regex re{std::string{pattern}, std::regex::ECMAScript};
  if (kept.size() >= max_kept) {
    kept.clear();
  }
  return kept.emplace(std::string{pattern}, std::move(re)).first->second;
}

std::optional<std::string> check(const json::value& v, const json::value& schema_value,
                                 const location& at, int depth);

std::optional<std::string> check_object(const json::object& obj, const keywords& k,
                                        const location& at, int depth) {
  const json::object* props = k.properties != nullptr ? k.properties->if_object() : nullptr;
  if (k.required != nullptr && k.required->is_array()) {
    for (const auto& name : k.required->as_array()) {
      if (name.is_string() && !obj.contains(name.as_string())) {
        return at.member(name.as_string()).quoted() + " is required";
      }
    }
  }
  for (const auto& [key, value] : obj) {
    const json::value* sub = props != nullptr ? props->if_contains(key) : nullptr;
    if (sub != nullptr) {
      if (auto err = check(value, *sub, at.member(key), depth + 1)) {
        return err;
      }
      continue;
    }
    if (const auto* extra = k.additional) {
      if (extra->is_bool() && !extra->as_bool()) {
        return at.member(key).quoted() + " is not a known "
               + (at.parent == nullptr ? "argument" : "field");
      }
      if (extra->is_object()) {
        if (auto err = check(value, *extra, at.member(key), depth + 1)) {
          return err;
        }
      }
    }
  }
  if (const auto* min = number_keyword(k.min_properties);
      min && static_cast<double>(obj.size()) < number_of(*min)) {
    return at.quoted() + " needs at least " + json::serialize(*min) + " fields";
  }
  if (const auto* max = number_keyword(k.max_properties);
      max && static_cast<double>(obj.size()) > number_of(*max)) {
    return at.quoted() + " takes at most " + json::serialize(*max) + " fields";
  }
  return std::nullopt;
}

std::optional<std::string> check_array(const json::array& arr, const keywords& k,
                                       const location& at, int depth) {
  if (const auto* min = number_keyword(k.min_items);
      min && static_cast<double>(arr.size()) < number_of(*min)) {
    return at.quoted() + " needs at least " + json::serialize(*min) + " items";
  }
  if (const auto* max = number_keyword(k.max_items);
      max && static_cast<double>(arr.size()) > number_of(*max)) {
    return at.quoted() + " takes at most " + json::serialize(*max) + " items";
  }
  if (const auto* items = k.items; items && items->is_object()) {
    for (size_t i = 0; i < arr.size(); ++i) {
      if (auto err = check(arr[i], *items, at.at(i), depth + 1)) {
        return err;
      }
    }
  }
  if (const auto* unique = k.unique_items; unique && unique->is_bool() && unique->as_bool()) {
    for (size_t i = 0; i < arr.size(); ++i) {
      for (size_t j = i + 1; j < arr.size(); ++j) {
        if (same(arr[i], arr[j])) {
          return at.quoted() + " must not repeat items";
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_string(std::string_view text, const keywords& k,
                                        const location& at) {
  if (k.min_length != nullptr || k.max_length != nullptr) {
    auto length = static_cast<double>(code_points(text));
    if (const auto* min = number_keyword(k.min_length); min && length < number_of(*min)) {
      return at.quoted() + " needs at least " + json::serialize(*min) + " characters";
    }
    if (const auto* max = number_keyword(k.max_length); max && length > number_of(*max)) {
      return at.quoted() + " takes at most " + json::serialize(*max) + " characters";
    }
  }
  if (const auto* pattern = k.pattern; pattern && pattern->is_string()) {
    try {
      const auto& re = compiled_pattern(pattern->as_string());
      if (!std::regex_search(text.begin(), text.end(), re)) {
        return at.quoted() + " must match the pattern " + std::string{pattern->as_string()};
      }
    } catch (const std::regex_error&) {
      return at.quoted() + " has a schema pattern this server cannot use";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_number(double x, const keywords& k, const location& at) {
  if (const auto* min = number_keyword(k.minimum); min && x < number_of(*min)) {
    return at.quoted() + " must be at least " + json::serialize(*min);
  }
  if (const auto* max = number_keyword(k.maximum); max && x > number_of(*max)) {
    return at.quoted() + " must be at most " + json::serialize(*max);
  }
  if (const auto* min = number_keyword(k.exclusive_minimum); min && x <= number_of(*min)) {
    return at.quoted() + " must be greater than " + json::serialize(*min);
  }
  if (const auto* max = number_keyword(k.exclusive_maximum); max && x >= number_of(*max)) {
    return at.quoted() + " must be less than " + json::serialize(*max);
  }
  if (const auto* step = number_keyword(k.multiple_of); step && number_of(*step) > 0) {
    double q = x / number_of(*step);
    if (std::fabs(q - std::round(q)) > 1e-9) {
      return at.quoted() + " must be a multiple of " + json::serialize(*step);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check(const json::value& v, const json::value& schema_value,
                                 const location& at, int depth) {
  if (schema_value.is_bool()) {
    if (schema_value.as_bool()) {
      return std::nullopt;
    }
    return at.quoted() + " is not allowed";
  }
  const auto* schema = schema_value.if_object();
  if (schema == nullptr || depth > 64) {
    return std::nullopt;
  }
  keywords k{*schema};
  if (const auto* type = k.type) {
    if (type->is_string() && !has_type(v, type->as_string())) {
      return at.quoted() + " must be " + article(type->as_string());
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
        return at.quoted() + " must be " + names;
      }
    }
  }
  if (const auto* allowed = k.enumeration; allowed && allowed->is_array()) {
    bool found = false;
    for (const auto& option : allowed->as_array()) {
      found = found || same(v, option);
    }
    if (!found) {
      std::string options;
      for (const auto& option : allowed->as_array()) {
        options += (options.empty() ? "" : ", ") + json::serialize(option);
      }
      return at.quoted() + " must be one of " + options;
    }
  }
  if (const auto* constant = k.constant; constant && !same(v, *constant)) {
    return at.quoted() + " must be " + json::serialize(*constant);
  }
  std::optional<std::string> err;
  if (v.is_object()) {
    err = check_object(v.as_object(), k, at, depth);
  } else if (v.is_array()) {
    err = check_array(v.as_array(), k, at, depth);
  } else if (v.is_string()) {
    err = check_string(v.as_string(), k, at);
  } else if (v.is_number()) {
    err = check_number(number_of(v), k, at);
  }
  if (err) {
    return err;
  }
  if (const auto* all = k.all_of; all && all->is_array()) {
    for (const auto& sub : all->as_array()) {
      if (auto e = check(v, sub, at, depth + 1)) {
        return e;
      }
    }
  }
  for (const auto* options : {k.any_of, k.one_of}) {
    if (options == nullptr || !options->is_array()) {
      continue;
    }
    size_t matches = 0;
    std::optional<std::string> first;
    for (const auto& sub : options->as_array()) {
      auto e = check(v, sub, at, depth + 1);
      matches += e ? 0 : 1;
      if (e && !first) {
        first = std::move(e);
      }
    }
    if (matches == 0) {
      return options->as_array().size() == 1 ? first
                                             : at.quoted() + " matches none of the allowed forms";
    }
    if (options == k.one_of && matches > 1) {
      return at.quoted() + " matches more than one of the allowed forms";
    }
  }
  if (const auto* negated = k.negated; negated != nullptr && !check(v, *negated, at, depth + 1)) {
    return at.quoted() + " has a form that is not allowed";
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
  return check(instance, schema, location{}, 0);
}

std::vector<std::string> check_schema(const json::value& schema) {
  std::vector<std::string> problems;
  check_schema_into(schema, "#", problems, 0);
  return problems;
}

} // namespace sagemcp::connectors
