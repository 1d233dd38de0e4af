#include "transport/http.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace sagemcp::transport {

std::string_view http_request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

bool http_request::has_header(std::string_view lower_name) const {
  return std::ranges::any_of(headers, [&](const auto& entry) {
    return entry.first == lower_name;
  });
}

http_response json_response(unsigned status, std::string body) {
  http_response result;
  result.status = status;
  result.body = std::move(body);
  return result;
}

http_response empty_response(unsigned status) {
  http_response result;
  result.status = status;
  result.content_type.clear();
  return result;
}

http_response error_response(unsigned status, std::string_view code, std::string_view message) {
  boost::json::object body;
  body["detail"] = message;
  body["error"] = code;
  return json_response(status, boost::json::serialize(body));
}

} // namespace sagemcp::transport
