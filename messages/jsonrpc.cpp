#include "messages/jsonrpc.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace sagemcp {

std::string encode_result(std::string_view id, std::string_view result) {
  std::string out;
  out.reserve(40 + id.size() + result.size());
  out += R"({"jsonrpc":"2.0","id":)";
  out += id.empty() ? std::string_view{"null"} : id;
  out += R"(,"result":)";
  out += result;
  out += '}';
  return out;
}

std::string encode_error(std::string_view id, int code, std::string_view message,
                         std::string_view data) {
  std::string out;
  out.reserve(80 + id.size() + message.size() + data.size());
  out += R"({"jsonrpc":"2.0","id":)";
  out += id.empty() ? std::string_view{"null"} : id;
  out += R"(,"error":{"code":)";
  out += std::to_string(code);
  out += R"(,"message":)";
  out += boost::json::serialize(boost::json::string{message});
  if (!data.empty()) {
    out += R"(,"data":)";
    out += data;
  }
  out += "}}";
  return out;
}

} // namespace sagemcp
