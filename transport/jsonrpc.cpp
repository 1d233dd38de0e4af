#include "transport/jsonrpc.hpp"

#include "messages/errc.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace sagemcp::transport {

namespace {

namespace dom = simdjson::dom;

dom::parser& thread_parser() {
  thread_local dom::parser parser;
  return parser;
}

// -- members as they stand in the body ----------------------------------------------------------
// The DOM keeps no source positions, and re-serializing `params` and `arguments` cost more than
// parsing the message. In a body the parser has validated, a member's text is found by skipping
// over values, and it stands for the member when it is plain (no escapes, no control characters:
// on one line); otherwise the member is minified from the DOM.

constexpr auto npos = std::string_view::npos;

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skip_space(std::string_view text, size_t i) {
  while (i < text.size() && is_json_space(text[i])) {
    ++i;
  }
  return i;
}

// The end of the string that starts at `i` (a quote).
size_t after_string(std::string_view text, size_t i) {
  for (++i;;) {
    i = text.find('"', i);
    if (i == npos) {
      return npos;
    }
    // Escaped when an odd number of backslashes precedes it.
    size_t backslashes = 0;
    while (text[i - 1 - backslashes] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      return i + 1;
    }
    ++i;
  }
}

// The end of the value that starts at `i`.
size_t after_value(std::string_view text, size_t i) {
  if (i >= text.size()) {
    return npos;
  }
  if (text[i] == '"') {
    return after_string(text, i);
  }
  if (text[i] == '{' || text[i] == '[') {
    size_t depth = 0;
    for (; i < text.size(); ++i) {
      switch (text[i]) {
        case '"':
          i = after_string(text, i);
          if (i == npos) {
            return npos;
          }
          --i;
          break;
        case '{':
        case '[':
          ++depth;
          break;
        case '}':
        case ']':
          if (--depth == 0) {
            return i + 1;
          }
          break;
        default:
          break;
      }
    }
    return npos;
  }
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']'
         && !is_json_space(text[i])) {
    ++i;
  }
  return i;
}

// The text of the first member named `key` of the object `object`; nullopt when it is absent or
// when a name before it has escapes (it might spell `key`).
std::optional<std::string_view> raw_member(std::string_view object, std::string_view key) {
  auto i = skip_space(object, 0);
  if (i >= object.size() || object[i] != '{') {
    return std::nullopt;
  }
  i = skip_space(object, i + 1);
  while (i < object.size() && object[i] == '"') {
    auto name_end = after_string(object, i);
    if (name_end == npos) {
      return std::nullopt;
    }
    auto name = object.substr(i + 1, name_end - i - 2);
    if (name.find('\\') != npos) {
      return std::nullopt;
    }
    i = skip_space(object, name_end);
    if (i >= object.size() || object[i] != ':') {
      return std::nullopt;
    }
    i = skip_space(object, i + 1);
    auto end = after_value(object, i);
    if (end == npos) {
      return std::nullopt;
    }
    if (name == key) {
      return object.substr(i, end - i);
    }
    i = skip_space(object, end);
    if (i >= object.size() || object[i] != ',') {
      return std::nullopt;
    }
    i = skip_space(object, i + 1);
  }
  return std::nullopt;
}

// The text a member is kept as: as it stands in the body when that is plain, else minified.
std::string member_text(dom::element value, std::optional<std::string_view> raw) {
  if (raw && std::none_of(raw->begin(), raw->end(), [](char c) {
        return c == '\\' || static_cast<unsigned char>(c) < 0x20;
      })) {
    return std::string{*raw};
  }
  return simdjson::minify(value);
}

caf::error invalid(std::string message) {
  return make_error(errc::invalid_request, "Invalid Request: " + std::move(message));
}

// `source`: the text of the message, when it is known.
caf::error decode_params(dom::element params, std::string_view source, mcp_request& out) {
  if (!params.is_object()) {
    return invalid("'params' must be an object");
  }
  auto raw = source.empty() ? std::nullopt : raw_member(source, "params");
  out.params = member_text(params, raw);
  auto obj = params.get_object().value_unsafe();
  if (auto name = obj["name"]; name.error() == simdjson::SUCCESS && name.is_string()) {
    out.name = std::string{name.get_string().value_unsafe()};
  }
  if (auto args = obj["arguments"]; args.error() == simdjson::SUCCESS) {
    out.arguments = member_text(args.value_unsafe(),
                                raw ? raw_member(*raw, "arguments") : std::nullopt);
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

// `source`: the object's text, when it is known.
caf::expected<jsonrpc_message> decode_object(dom::object obj, std::string_view source) {
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
    if (value.is_string()) {
      msg.request.id = member_text(value, source.empty() ? std::nullopt : raw_member(source, "id"));
    } else {
      std::array<char, 24> digits{};
      auto written
        = value.is_int64()
            ? std::to_chars(digits.begin(), digits.end(), value.get_int64().value_unsafe())
            : std::to_chars(digits.begin(), digits.end(), value.get_uint64().value_unsafe());
      msg.request.id.assign(digits.data(), written.ptr);
    }
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
    if (auto err = decode_params(params.value_unsafe(), source, msg.request)) {
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
      auto member = decode_object(element.get_object().value_unsafe(), {});
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
  return decode_object(root.get_object().value_unsafe(), body);
}

} // namespace sagemcp::transport
