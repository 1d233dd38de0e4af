#include "transport/jsonrpc.hpp"

#include "messages/errc.hpp"

#include <simdjson.h>

namespace sagemcp::transport {

namespace {

namespace dom = simdjson::dom;

dom::parser& thread_parser() {
  thread_local dom::parser parser;
  return parser;
}

caf::error invalid(std::string message) {
  return make_error(errc::invalid_request, "Invalid Request: " + std::move(message));
}

caf::error decode_params(dom::element params, mcp_request& out) {
  if (!params.is_object()) {
    return invalid("'params' must be an object");
  }
  out.params = simdjson::minify(params);
  auto obj = params.get_object().value_unsafe();
  if (auto name = obj["name"]; name.error() == simdjson::SUCCESS && name.is_string()) {
    out.name = std::string{name.get_string().value_unsafe()};
  }
  if (auto args = obj["arguments"]; args.error() == simdjson::SUCCESS) {
    out.arguments = simdjson::minify(args.value_unsafe());
  }
  if (auto meta = obj["_meta"]; meta.error() == simdjson::SUCCESS && meta.is_object()) {
    auto token = meta.get_object().value_unsafe()["progressToken"];
    if (token.error() == simdjson::SUCCESS
        && (token.is_string() || token.is_int64() || token.is_uint64())) {
      out.progress_token = simdjson::minify(token.value_unsafe());
    }
  }
  return {};
}

caf::expected<jsonrpc_message> decode_object(dom::object obj) {
  jsonrpc_message msg;
  auto version = obj["jsonrpc"];
  if (version.error() != simdjson::SUCCESS || !version.is_string()
      || version.get_string().value_unsafe() != "2.0") {
    return invalid("'jsonrpc' must be \"2.0\"");
  }
  auto id = obj["id"];
  bool has_id = id.error() == simdjson::SUCCESS;
  if (has_id) {
    auto value = id.value_unsafe();
    if (!value.is_string() && !value.is_int64() && !value.is_uint64()) {
      return invalid("'id' must be a string or an integer");
    }
    msg.request.id = simdjson::minify(value);
  }
  auto method = obj["method"];
  if (method.error() != simdjson::SUCCESS) {
    bool is_response = obj["result"].error() == simdjson::SUCCESS
                       || obj["error"].error() == simdjson::SUCCESS;
    if (is_response && has_id) {
      msg.kind = jsonrpc_kind::response;
      if (auto result = obj["result"]; result.error() == simdjson::SUCCESS) {
        msg.request.params = simdjson::minify(result.value_unsafe());
      }
      if (auto error = obj["error"]; error.error() == simdjson::SUCCESS) {
        msg.request.error = simdjson::minify(error.value_unsafe());
      }
      return msg;
    }
    return invalid("'method' is required");
  }
  if (!method.is_string()) {
    return invalid("'method' must be a string");
  }
  msg.request.method = std::string{method.get_string().value_unsafe()};
  msg.kind = has_id ? jsonrpc_kind::request : jsonrpc_kind::notification;
  if (auto params = obj["params"]; params.error() == simdjson::SUCCESS) {
    if (auto err = decode_params(params.value_unsafe(), msg.request)) {
      return err;
    }
  }
  return msg;
}

} // namespace

caf::expected<jsonrpc_message> decode_message(std::string_view body) {
  auto& parser = thread_parser();
  auto doc = parser.parse(body.data(), body.size(), true);
  if (doc.error() != simdjson::SUCCESS) {
    return make_error(errc::parse_error, "Parse error: invalid JSON");
  }
  auto root = doc.value_unsafe();
  if (root.is_array()) {
    jsonrpc_message msg;
    msg.kind = jsonrpc_kind::batch;
    dom::array members = root.get_array().value_unsafe();
    for (auto element : members) {
      if (!element.is_object()) {
        return invalid("every member of a batch must be a JSON-RPC message");
      }
      auto member = decode_object(element.get_object().value_unsafe());
      if (!member) {
        return std::move(member.error());
      }
      msg.batch.push_back(std::move(*member));
    }
    if (msg.batch.empty()) {
      return invalid("a batch must not be empty");
    }
    return msg;
  }
  if (!root.is_object()) {
    return invalid("a JSON-RPC message must be an object");
  }
  return decode_object(root.get_object().value_unsafe());
}

} // namespace sagemcp::transport
