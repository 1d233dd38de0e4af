#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sagemcp::transport {

/// The fields of a small JSON object request body (admin API). Every accessor validates the
/// member's type and reports the first problem as errc::invalid_argument naming the field.
class json_body {
public:
  /// Parses `body`, which must be a JSON object.
  static caf::expected<json_body> parse(std::string_view body);

  /// A string member; nullopt when absent or null.
  caf::expected<std::optional<std::string>> string(std::string_view key) const;

  /// A required non-empty string member of at most `max_size` bytes.
  caf::expected<std::string> required_string(std::string_view key, size_t max_size) const;

  /// A boolean member; nullopt when absent or null.
  caf::expected<std::optional<bool>> boolean(std::string_view key) const;

  /// An object member; nullptr when absent or null. Points into the body.
  caf::expected<const boost::json::object*> object(std::string_view key) const;

  /// An array member as compact JSON text; nullopt when absent or null.
  caf::expected<std::optional<std::string>> array(std::string_view key) const;

  /// An integer member from `min` to `max`; nullopt when absent or null.
  caf::expected<std::optional<int64_t>> integer(std::string_view key, int64_t min,
                                                int64_t max) const;

  /// Whether the member is present, even as null.
  bool contains(std::string_view key) const;

  /// The member itself; nullptr when absent or null.
  const boost::json::value* find(std::string_view key) const {
    return member(key);
  }

private:
  explicit json_body(boost::json::value doc) : doc_(std::move(doc)) {}

  const boost::json::value* member(std::string_view key) const;

  boost::json::value doc_;
};

/// The first error among `xs`, or no error when all hold values.
template <class... Ts>
caf::error first_error(const caf::expected<Ts>&... xs) {
  caf::error result;
  ((!result && !xs ? void(result = xs.error()) : void()), ...);
  return result;
}

} // namespace sagemcp::transport
