#include "transport/mcp/stateless.hpp"

#include "messages/errc.hpp"
#include "messages/mirrored_header.hpp"
#include "transport/mcp/protocol.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>

namespace sagemcp::transport::mcp {

namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 10> served_methods{
  "server/discover",     "tools/list",          "tools/call",  "resources/list",
  "resources/read",      "prompts/list",        "prompts/get", "resources/templates/list",
  "completion/complete", "subscriptions/listen"};

caf::error invalid_envelope(std::string_view missing) {
  json::object data{{"envelope", json::array{json::string{missing}}}};
  return make_error(errc::invalid_envelope,
                    "Invalid params: params._meta must carry '" + std::string{missing} + "'",
                    json::serialize(data));
}

// Checks that a mirrored header is present and equals `expected`.
caf::error check_mirror(const http_request& http, std::string_view lower_name,
                        std::string_view display_name, std::string_view expected) {
  if (!http.has_header(lower_name)) {
    return header_mismatch(display_name, {}, expected);
  }
  auto raw = http.header(lower_name);
  auto decoded = decode_header_value(raw);
  if (!decoded || *decoded != expected) {
    return header_mismatch(display_name, raw, expected);
  }
  return {};
}

// The body value Mcp-Name mirrors, if the method has one.
const json::value* mirrored_name(std::string_view method, const json::object& params) {
  if (method == "tools/call" || method == "prompts/get") {
    return params.if_contains("name");
  }
  if (method == "resources/read") {
    return params.if_contains("uri");
  }
  return nullptr;
}

// The request's Mcp-Param-{Name} headers as a JSON object by lower-case name; a header sent more
// than once maps to the array of its values.
std::string param_headers(const http_request& http) {
  constexpr std::string_view prefix = "mcp-param-";
  json::object out;
  for (const auto& [name, value] : http.headers) {
    if (!name.starts_with(prefix)) {
      continue;
    }
    auto key = std::string_view{name}.substr(prefix.size());
    if (auto* seen = out.if_contains(key); seen != nullptr) {
      if (!seen->is_array()) {
        *seen = json::array{*seen};
      }
      seen->as_array().emplace_back(value);
    } else {
      out[key] = value;
    }
  }
  return json::serialize(out);
}

std::string hex(const uint8_t* data, size_t size) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  return out;
}

std::string state_mac(const std::array<uint8_t, 32>& key, std::string_view binding,
                      std::string_view expires, std::string_view state) {
  std::string message = "sagemcp-request-state-v1\n";
  message += expires;
  message += '\n';
  message += binding;
  message += '\n';
  message += state;
  std::array<uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(message.data()), message.size(), mac.data(), &len);
  return hex(mac.data(), len);
}

caf::error tampered() {
  return make_error(errc::invalid_params,
                    "Invalid params: requestState failed its integrity check or expired");
}

} // namespace

bool is_stateless_version(std::string_view version) {
  return std::find(stateless_versions.begin(), stateless_versions.end(), trim(version))
         != stateless_versions.end();
}

bool is_stateless_request(const http_request& http, const jsonrpc_message& msg) {
  if (msg.kind != jsonrpc_kind::request && msg.kind != jsonrpc_kind::notification) {
    return false;
  }
  if (is_stateless_version(http.header("mcp-protocol-version"))) {
    return true;
  }
  const auto& params = msg.request.params;
  if (params.find(meta_protocol_version) == std::string::npos) {
    return false;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(params, ec);
  const auto* obj = ec ? nullptr : parsed.if_object();
  const auto* meta = obj != nullptr ? obj->if_contains("_meta") : nullptr;
  return meta != nullptr && meta->is_object() && meta->as_object().contains(meta_protocol_version);
}

caf::expected<envelope> read_envelope(const http_request& http, const mcp_request& req) {
  json::object params;
  if (!req.params.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(req.params, ec);
    if (ec || !parsed.is_object()) {
      return make_error(errc::invalid_envelope, "Invalid params: 'params' must be an object");
    }
    params = std::move(parsed.as_object());
  }
  const auto* meta_value = params.if_contains("_meta");
  const auto* meta = meta_value != nullptr ? meta_value->if_object() : nullptr;
  const auto* version = meta != nullptr ? meta->if_contains(meta_protocol_version) : nullptr;
  if (version == nullptr || !version->is_string()) {
    return invalid_envelope(meta_protocol_version);
  }
  const auto* caps = meta->if_contains(meta_client_capabilities);
  if (caps == nullptr || !caps->is_object()) {
    return invalid_envelope(meta_client_capabilities);
  }
  envelope result;
  result.protocol_version = std::string{version->as_string()};
  if (auto err = check_mirror(http, "mcp-protocol-version", "MCP-Protocol-Version",
                              result.protocol_version)) {
    return err;
  }
  if (auto err = check_mirror(http, "mcp-method", "Mcp-Method", req.method)) {
    return err;
  }
  if (const auto* name = mirrored_name(req.method, params); name != nullptr && name->is_string()) {
    if (auto err = check_mirror(http, "mcp-name", "Mcp-Name", name->as_string())) {
      return err;
    }
  }
  if (!is_stateless_version(result.protocol_version)) {
    json::array supported;
    for (auto x : stateless_versions) {
      supported.emplace_back(x);
    }
    json::object data{{"supported", std::move(supported)}, {"requested", *version}};
    return make_error(errc::version_not_supported,
                      "Unsupported protocol version: " + result.protocol_version,
                      json::serialize(data));
  }
  result.client_capabilities = json::serialize(*caps);
  if (const auto* info = meta->if_contains(meta_client_info);
      info != nullptr && info->is_object()) {
    result.client_info = json::serialize(*info);
  }
  if (const auto* level = meta->if_contains(meta_log_level); level != nullptr) {
    if (!level->is_string() || !log_level_rank(level->as_string())) {
      return make_error(errc::invalid_params,
                        "Invalid params: '" + std::string{meta_log_level}
                          + "' must be one of debug, info, notice, warning, error, critical, "
                            "alert, emergency");
    }
    result.log_level = std::string{level->as_string()};
  }
  if (const auto* answers = params.if_contains("inputResponses"); answers != nullptr) {
    result.input_responses = json::serialize(*answers);
  }
  if (const auto* state = params.if_contains("requestState"); state != nullptr) {
    if (!state->is_string()) {
      return make_error(errc::invalid_params, "Invalid params: 'requestState' must be a string");
    }
    result.request_state = std::string{state->as_string()};
  }
  if (req.method == "tools/call") {
    result.param_headers = param_headers(http);
  }
  return result;
}

bool is_stateless_method(std::string_view method) {
  return std::find(served_methods.begin(), served_methods.end(), method) != served_methods.end();
}

std::string seal_state(const std::array<uint8_t, 32>& key, std::string_view binding,
                       std::string_view state, int64_t expires) {
  auto when = std::to_string(expires);
  std::string token = "v1.";
  token += when;
  token += '.';
  token += state_mac(key, binding, when, state);
  token += '.';
  token += state;
  return token;
}

caf::expected<std::string> open_state(const std::array<uint8_t, 32>& key, std::string_view binding,
                                      std::string_view token, int64_t now) {
  if (!token.starts_with("v1.")) {
    return tampered();
  }
  token.remove_prefix(3);
  auto dot = token.find('.');
  if (dot == std::string_view::npos) {
    return tampered();
  }
  auto when = token.substr(0, dot);
  token.remove_prefix(dot + 1);
  dot = token.find('.');
  if (dot == std::string_view::npos) {
    return tampered();
  }
  auto mac = token.substr(0, dot);
  auto state = token.substr(dot + 1);
  auto expected = state_mac(key, binding, when, state);
  if (mac.size() != expected.size()
      || CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0) {
    return tampered();
  }
  int64_t expires = 0;
  auto [end, ec] = std::from_chars(when.data(), when.data() + when.size(), expires);
  if (ec != std::errc{} || end != when.data() + when.size() || expires < now) {
    return tampered();
  }
  return std::string{state};
}

} // namespace sagemcp::transport::mcp
