#include "transport/json_body.hpp"

#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sagemcp::transport {

namespace {

caf::error bad_field(std::string_view key, std::string_view expectation) {
  std::string msg = "'";
  msg += key;
  msg += "' ";
  msg += expectation;
  return make_error(errc::invalid_argument, std::move(msg));
}

} // namespace

caf::expected<json_body> json_body::parse(std::string_view body) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(body, ec);
  if (ec) {
    return make_error(errc::invalid_argument, "request body is not valid JSON");
  }
  if (!doc.is_object()) {
    return make_error(errc::invalid_argument, "request body must be a JSON object");
  }
  return json_body{std::move(doc)};
}

const boost::json::value* json_body::member(std::string_view key) const {
  const auto* value = doc_.as_object().if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

caf::expected<std::optional<std::string>> json_body::string(std::string_view key) const {
  const auto* value = member(key);
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  if (!value->is_string()) {
    return bad_field(key, "must be a string");
  }
  return std::optional<std::string>{std::string{value->as_string()}};
}

caf::expected<std::string> json_body::required_string(std::string_view key, size_t max_size) const {
  auto value = string(key);
  if (!value) {
    return std::move(value.error());
  }
  if (!*value || (*value)->empty()) {
    return bad_field(key, "is required");
  }
  if ((*value)->size() > max_size) {
    return bad_field(key, "must be at most " + std::to_string(max_size) + " characters");
  }
  return std::move(**value);
}

caf::expected<std::optional<bool>> json_body::boolean(std::string_view key) const {
  const auto* value = member(key);
  if (value == nullptr) {
    return std::optional<bool>{};
  }
  if (!value->is_bool()) {
    return bad_field(key, "must be a boolean");
  }
  return std::optional<bool>{value->as_bool()};
}

caf::expected<const boost::json::object*> json_body::object(std::string_view key) const {
  const auto* value = member(key);
  if (value == nullptr) {
    return static_cast<const boost::json::object*>(nullptr);
  }
  if (!value->is_object()) {
    return bad_field(key, "must be an object");
  }
  return &value->as_object();
}

caf::expected<std::optional<std::string>> json_body::array(std::string_view key) const {
  const auto* value = member(key);
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  if (!value->is_array()) {
    return bad_field(key, "must be an array");
  }
  return std::optional<std::string>{boost::json::serialize(*value)};
}

caf::expected<std::optional<int64_t>> json_body::integer(std::string_view key, int64_t min,
                                                         int64_t max) const {
  const auto* value = member(key);
  if (value == nullptr) {
    return std::optional<int64_t>{};
  }
  auto range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value->is_int64() && !value->is_uint64()) {
    return bad_field(key, range);
  }
  if (value->is_uint64() && value->as_uint64() > static_cast<uint64_t>(max)) {
    return bad_field(key, range);
  }
  auto x = value->is_int64() ? value->as_int64() : static_cast<int64_t>(value->as_uint64());
  if (x < min || x > max) {
    return bad_field(key, range);
  }
  return std::optional<int64_t>{x};
}

bool json_body::contains(std::string_view key) const {
  return doc_.as_object().contains(key);
}

} // namespace sagemcp::transport
