#include "security/sealed_json.hpp"

#include "messages/errc.hpp"

#include <boost/json/parse.hpp>

namespace sagemcp::security {

namespace json = boost::json;

bool holds_nothing(std::string_view stored) {
  return stored.empty() || stored == "{}";
}

std::string configuration_context(std::string_view tenant_id) {
  return "connectors.configuration:" + std::string{tenant_id};
}

std::string column_context(std::string_view table_column, std::string_view tenant_id) {
  std::string out{table_column};
  out += ':';
  out += tenant_id;
  return out;
}

std::string runtime_env_context(std::string_view tenant_id) {
  return "connectors.runtime_env:" + std::string{tenant_id};
}

caf::expected<json::object> open_object(const keyring& keys, std::string_view stored,
                                        std::string_view context) {
  if (holds_nothing(stored)) {
    return json::object{};
  }
  auto plaintext = keys.open(stored, context);
  if (!plaintext) {
    return std::move(plaintext.error());
  }
  boost::system::error_code ec;
  auto value = json::parse(*plaintext, ec);
  if (ec || !value.is_object()) {
    return make_error(errc::secret_unreadable, "a stored secret is not a JSON object");
  }
  return std::move(value.as_object());
}

} // namespace sagemcp::security
