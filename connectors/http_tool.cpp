#include "connectors/http_tool.hpp"

#include "connectors/spec.hpp"
#include "connectors/text.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <memory>
#include <random>

namespace sagemcp::connectors {

namespace {

namespace json = boost::json;

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
         || c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text, bool keep_slash = false) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += hex[byte >> 4U];
      out += hex[byte & 15U];
    }
  }
  return out;
}

// An argument's value as text for a path segment or query parameter.
std::string text_of(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return std::string{value.get_string()};
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_: {
      double d = value.get_double();
      if (d == static_cast<double>(static_cast<int64_t>(d))) {
        return std::to_string(static_cast<int64_t>(d));
      }
      return json::serialize(value);
    }
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case json::kind::array: {
      std::string out;
      for (const auto& item : value.get_array()) {
        if (!out.empty()) {
          out += ',';
        }
        out += text_of(item);
      }
      return out;
    }
    default:
      return json::serialize(value);
  }
}

const arg_binding* binding_of(const http_tool& tool, std::string_view arg) {
  for (const auto& b : tool.args) {
    if (b.arg == arg) {
      return &b;
    }
  }
  return nullptr;
}

// Sets a dotted member below `body`, creating objects on the way.
void set_dotted(json::object& body, std::string_view name, json::value value) {
  auto* at = &body;
  while (true) {
    auto dot = name.find('.');
    if (dot == std::string_view::npos) {
      (*at)[name] = std::move(value);
      return;
    }
    auto& next = (*at)[name.substr(0, dot)];
    if (!next.is_object()) {
      next = json::object{};
    }
    at = &next.as_object();
    name.remove_prefix(dot + 1);
  }
}

bool has_body(http_method method) {
  return method == http_method::post || method == http_method::put || method == http_method::patch;
}

// Expands a path template with encoded arguments; records the names it used in `used`.
caf::expected<std::string> expand_path(std::string_view templ, const json::object& args,
                                       std::vector<std::string_view>* used) {
  std::string out;
  size_t i = 0;
  while (i < templ.size()) {
    auto open = templ.find('{', i);
    if (open == std::string_view::npos) {
      out += templ.substr(i);
      break;
    }
    out += templ.substr(i, open - i);
    auto close = templ.find('}', open);
    if (close == std::string_view::npos) {
      return make_error(errc::internal_error, "unclosed placeholder in path template");
    }
    auto name = templ.substr(open + 1, close - open - 1);
    bool keep_slash = !name.empty() && name.front() == '+';
    if (keep_slash) {
      name.remove_prefix(1);
    }
    const auto* value = args.if_contains(name);
    if (value == nullptr || value->is_null()) {
      return invalid_argument(name, "is required");
    }
    auto text = text_of(*value);
    if (text.empty()) {
      return invalid_argument(name, "must not be empty");
    }
    if (keep_slash) {
      while (!text.empty() && text.front() == '/') {
        text.erase(0, 1);
      }
    }
    if (keep_slash ? has_dot_segment(text) : (text == "." || text == "..")) {
      return invalid_argument(name, "must not contain '.' or '..' path segments");
    }
    out += percent_encode(text, keep_slash);
    if (used != nullptr) {
      used->push_back(name);
    }
    i = close + 1;
  }
  return out;
}

void add_fixed_query(std::string_view fixed, outbound_call& call) {
  while (!fixed.empty()) {
    auto amp = fixed.find('&');
    auto pair = fixed.substr(0, amp);
    fixed = amp == std::string_view::npos ? std::string_view{} : fixed.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      call.query.emplace_back(std::string{pair}, std::string{});
    } else {
      call.query.emplace_back(std::string{pair.substr(0, eq)}, std::string{pair.substr(eq + 1)});
    }
  }
}

std::string status_text(unsigned status) {
  switch (status) {
    case 400:
      return "400 Bad Request";
    case 401:
      return "401 Unauthorized";
    case 403:
      return "403 Forbidden";
    case 404:
      return "404 Not Found";
    case 405:
      return "405 Method Not Allowed";
    case 409:
      return "409 Conflict";
    case 410:
      return "410 Gone";
    case 412:
      return "412 Precondition Failed";
    case 413:
      return "413 Content Too Large";
    case 422:
      return "422 Unprocessable Content";
    case 429:
      return "429 Too Many Requests";
    case 500:
      return "500 Internal Server Error";
    case 502:
      return "502 Bad Gateway";
    case 503:
      return "503 Service Unavailable";
    case 504:
      return "504 Gateway Timeout";
    default:
      return std::to_string(status);
  }
}

std::string clip(std::string text, size_t limit = 300) {
  if (text.size() > limit) {
    cut_utf8(text, limit);
    text += "…";
  }
  return text;
}

// The upstream's own words about a failure.
std::string upstream_message(const http_api& api, const upstream_reply& reply) {
  std::string out;
  if (!reply.body.is_null()) {
    static constexpr std::string_view fallbacks[] = {"message", "error_description", "error",
                                                     "error.message", "errors"};
    std::span<const std::string_view> paths = api.error_paths;
    if (paths.empty()) {
      paths = fallbacks;
    }
    for (auto path : paths) {
      const auto* found = at_path(reply.body, path);
      if (found == nullptr || found->is_null()) {
        continue;
      }
      auto piece = found->is_string() ? std::string{found->get_string()} : json::serialize(*found);
      if (piece.empty() || piece == "[]" || piece == "{}") {
        continue;
      }
      if (!out.empty()) {
        out += "; ";
      }
      out += piece;
    }
  } else if (!reply.text.empty() && reply.text.find('<') == std::string::npos) {
    out = reply.text; // plain text, but never an HTML error page
  }
  return clip(std::move(out));
}

bool rate_limited(const upstream_reply& reply) {
  if (reply.status == 429) {
    return true;
  }
  return reply.status == 403
         && (!reply.header("retry-after").empty() || reply.header("x-ratelimit-remaining") == "0");
}

// The wait a rate-limited answer asks for: Retry-After, else a reset time.
std::optional<std::chrono::milliseconds> wait_of(const upstream_reply& reply) {
  if (auto after = retry_after(reply.header("retry-after"))) {
    return after;
  }
  auto reset = reply.header("x-ratelimit-reset");
  int64_t epoch = 0;
  if (!reset.empty()
      && std::from_chars(reset.data(), reset.data() + reset.size(), epoch).ec == std::errc{}) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    return std::chrono::seconds{std::max<int64_t>(0, epoch - now)};
  }
  return std::nullopt;
}

std::string seconds_text(std::chrono::milliseconds wait) {
  auto s = (wait.count() + 999) / 1000;
  return std::to_string(s) + (s == 1 ? " second" : " seconds");
}

std::string attempts_text(unsigned attempts) {
  return attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : "";
}

// The origin (scheme, host, port) of a URL, for same-origin checks.
std::string origin_of(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return {};
  }
  std::string port{parsed->port()};
  if (port.empty()) {
    port = parsed->scheme() == "https" ? "443" : "80";
  }
  return std::string{parsed->scheme()} + "://" + std::string{parsed->encoded_host()} + ":" + port;
}

} // namespace

std::string_view method_name(http_method method) {
  switch (method) {
    case http_method::get:
      return "GET";
    case http_method::post:
      return "POST";
    case http_method::put:
      return "PUT";
    case http_method::patch:
      return "PATCH";
    case http_method::del:
      return "DELETE";
  }
  return "GET";
}

bool is_idempotent(http_method method) {
  return method == http_method::get || method == http_method::put || method == http_method::del;
}

std::string_view upstream_reply::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) {
      return h.value;
    }
  }
  return {};
}

caf::expected<std::string> base_url_of(const http_api& api,
                                       const boost::json::object& configuration) {
  std::string url{api.base_url};
  if (!api.base_url_field.empty()) {
    if (const auto* given = string_member(configuration, api.base_url_field);
        given != nullptr && !given->empty()) {
      auto parsed = boost::urls::parse_absolute_uri(*given);
      if (!parsed || (parsed->scheme() != "https" && parsed->scheme() != "http")
          || parsed->encoded_host().empty() || parsed->has_query() || parsed->has_fragment()
          || parsed->has_userinfo()) {
        return make_error(errc::invalid_argument,
                          "configuration '" + std::string{api.base_url_field}
                            + "' must be an http(s) URL without query, fragment or credentials");
      }
      url = std::string{*given};
      while (!url.empty() && url.back() == '/') {
        url.pop_back();
      }
      if (!api.base_url_suffix.empty() && !url.ends_with(api.base_url_suffix)) {
        url += api.base_url_suffix;
      }
    }
  }
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

caf::expected<credential_mode> credential_mode_of(const http_api& api,
                                                  const boost::json::object& configuration) {
  const auto* given = configuration.if_contains(credential_mode_field);
  if (given == nullptr || given->is_null() || (given->is_string() && given->get_string().empty())) {
    return credential_mode::tenant;
  }
  if (!given->is_string() || (given->get_string() != "tenant" && given->get_string() != "user")) {
    return make_error(errc::invalid_argument, "configuration '" + std::string{credential_mode_field}
                                                + R"(' must be "tenant" or "user")");
  }
  if (given->get_string() == "tenant") {
    return credential_mode::tenant;
  }
  if (api.oauth_provider.empty()) {
    return make_error(errc::invalid_argument,
                      std::string{api.service}
                        + " has no OAuth provider, so its connectors cannot use each caller's "
                          "own credentials");
  }
  if (const auto* token = string_member(configuration, api.token_field);
      token != nullptr && !token->empty()) {
    return make_error(errc::invalid_argument,
                      "configuration '" + std::string{credential_mode_field}
                        + R"(' "user" uses each caller's own OAuth connection, so the ')"
                        + std::string{api.token_field}
                        + "' every caller would share must be removed (set it to null)");
  }
  return credential_mode::user;
}

std::optional<call_credentials> configured_credentials(const http_api& api,
                                                       const boost::json::object& configuration) {
  if (api.token_field.empty()) {
    return std::nullopt;
  }
  const auto* token = string_member(configuration, api.token_field);
  if (token == nullptr || token->empty()) {
    return std::nullopt;
  }
  call_credentials out;
  out.origin = "the connector's configured " + std::string{api.token_field};
  switch (api.token_style) {
    case auth_style::bearer:
      out.headers.push_back({"Authorization", "Bearer " + std::string{*token}});
      break;
    case auth_style::header:
      out.headers.push_back({std::string{api.token_header}, std::string{*token}});
      break;
    case auth_style::basic: {
      const auto* user = string_member(configuration, api.user_field);
      out.headers.push_back(
        {"Authorization",
         basic_credentials(user != nullptr ? std::string_view{*user} : "", *token)});
      break;
    }
  }
  return out;
}

caf::expected<outbound_call> build_call(const http_tool& tool, const boost::json::object& args) {
  outbound_call call;
  call.method = tool.method;
  std::vector<std::string_view> used;
  auto path = expand_path(tool.path, args, &used);
  if (!path) {
    return std::move(path.error());
  }
  call.path = std::move(*path);
  add_fixed_query(tool.query, call);
  json::object body;
  for (const auto& [key, value] : args) {
    if (value.is_null() || std::find(used.begin(), used.end(), key) != used.end()) {
      continue;
    }
    if (tool.pages.style != paging::none && key == "limit") {
      continue;
    }
    const auto* binding = binding_of(tool, key);
    auto in = binding != nullptr ? binding->in : arg_in::automatic;
    std::string_view name = binding != nullptr && !binding->name.empty() ? binding->name
                                                                         : std::string_view{key};
    if (in == arg_in::none) {
      continue;
    }
    if (in == arg_in::automatic) {
      in = has_body(tool.method) ? arg_in::body : arg_in::query;
    }
    if (in == arg_in::query) {
      call.query.emplace_back(std::string{name}, text_of(value));
    } else {
      set_dotted(body, name, value);
    }
  }
  if (has_body(tool.method)) {
    call.body = std::move(body);
  }
  if (!tool.accept.empty()) {
    call.headers.push_back({"Accept", std::string{tool.accept}});
  }
  if (tool.prepare != nullptr) {
    // A hook that trips over unexpected input fails the call, never the client's thread.
    try {
      if (auto err = tool.prepare(args, call)) {
        return err;
      }
    } catch (const std::exception&) {
      return make_error(errc::tool_failed, "the request could not be built from the arguments");
    }
  }
  return call;
}

bool has_dot_segment(std::string_view path) {
  for (size_t start = 0; start <= path.size();) {
    auto slash = path.find('/', start);
    auto segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                      : slash - start);
    if (segment == "." || segment == "..") {
      return true;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return false;
}

std::string encode_segment(std::string_view text, bool keep_slash) {
  return percent_encode(text, keep_slash);
}

std::string url_of(std::string_view base_url, const outbound_call& call) {
  std::string url{base_url};
  if (!call.path.empty() && call.path.front() != '/') {
    url += '/';
  }
  url += call.path;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : call.query) {
    url += sep;
    sep = '&';
    url += percent_encode(name);
    url += '=';
    url += percent_encode(value);
  }
  return url;
}

std::string next_link(std::string_view header) {
  // <url>; rel="next", <url>; rel="last"
  size_t i = 0;
  while (i < header.size()) {
    auto open = header.find('<', i);
    if (open == std::string_view::npos) {
      return {};
    }
    auto close = header.find('>', open);
    if (close == std::string_view::npos) {
      return {};
    }
    auto end = header.find(',', close);
    auto params = header.substr(close + 1, end == std::string_view::npos ? std::string_view::npos
                                                                         : end - close - 1);
    auto rel = params.find("rel=");
    if (rel != std::string_view::npos) {
      auto value = params.substr(rel + 4);
      if (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
        value = value.substr(0, value.find('"'));
      } else {
        value = value.substr(0, value.find_first_of("; "));
      }
      // rel may list several relation types separated by spaces
      size_t start = 0;
      while (start < value.size()) {
        auto space = value.find(' ', start);
        auto type = value.substr(start, space == std::string_view::npos ? std::string_view::npos
                                                                        : space - start);
        if (type == "next") {
          return std::string{header.substr(open + 1, close - open - 1)};
        }
        if (space == std::string_view::npos) {
          break;
        }
        start = space + 1;
      }
    }
    if (end == std::string_view::npos) {
      return {};
    }
    i = end + 1;
  }
  return {};
}

const boost::json::value* at_path(const boost::json::value& value, std::string_view path) {
  if (path.empty()) {
    return &value;
  }
  const auto* obj = value.if_object();
  if (obj == nullptr) {
    return nullptr;
  }
  if (const auto* whole = obj->if_contains(path)) {
    return whole;
  }
  auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    return nullptr;
  }
  const auto* head = obj->if_contains(path.substr(0, dot));
  return head == nullptr ? nullptr : at_path(*head, path.substr(dot + 1));
}

namespace {

// One field of a keep list, split at its first step: `labels[].name` → (labels, name). Arrays
// are projected element by element; `[]` only says so to the reader.
struct keep_step {
  std::string_view head;
  std::string_view rest;
};

keep_step split_step(std::string_view field) {
  keep_step step;
  auto dot = field.find('.');
  step.head = field.substr(0, dot);
  step.rest = dot == std::string_view::npos ? std::string_view{} : field.substr(dot + 1);
  if (step.head.ends_with("[]")) {
    step.head.remove_suffix(2);
  }
  return step;
}

std::vector<std::string_view> fields_of(std::string_view keep) {
  std::vector<std::string_view> out;
  while (!keep.empty()) {
    auto comma = keep.find(',');
    auto field = keep.substr(0, comma);
    while (!field.empty() && field.front() == ' ') {
      field.remove_prefix(1);
    }
    while (!field.empty() && field.back() == ' ') {
      field.remove_suffix(1);
    }
    if (!field.empty()) {
      out.push_back(field);
    }
    keep = comma == std::string_view::npos ? std::string_view{} : keep.substr(comma + 1);
  }
  return out;
}

json::value project_fields(const json::value& value, const std::vector<std::string_view>& fields);

json::value project_object(const json::object& obj, const std::vector<std::string_view>& fields) {
  json::object out;
  // Group the fields by their first step, keeping their order.
  std::vector<std::string_view> heads;
  for (auto field : fields) {
    auto head = split_step(field).head;
    if (std::find(heads.begin(), heads.end(), head) == heads.end()) {
      heads.push_back(head);
    }
  }
  for (auto head : heads) {
    const auto* member = obj.if_contains(head);
    if (member == nullptr) {
      continue;
    }
    std::vector<std::string_view> nested;
    bool whole = false;
    for (auto field : fields) {
      auto step = split_step(field);
      if (step.head != head) {
        continue;
      }
      if (step.rest.empty()) {
        whole = true;
      } else {
        nested.push_back(step.rest);
      }
    }
    if (whole || member->is_null() || nested.empty()) {
      out[head] = *member;
    } else if (member->is_array()) {
      json::array items;
      for (const auto& item : member->get_array()) {
        items.push_back(project_fields(item, nested));
      }
      out[head] = std::move(items);
    } else {
      out[head] = project_fields(*member, nested);
    }
  }
  return out;
}

json::value project_fields(const json::value& value, const std::vector<std::string_view>& fields) {
  if (fields.empty()) {
    return value;
  }
  if (const auto* obj = value.if_object()) {
    return project_object(*obj, fields);
  }
  if (const auto* arr = value.if_array()) {
    json::array out;
    for (const auto& item : *arr) {
      out.push_back(project_fields(item, fields));
    }
    return out;
  }
  return value;
}

} // namespace

boost::json::value project(const boost::json::value& value, std::string_view keep) {
  return project_fields(value, fields_of(keep));
}

std::optional<std::chrono::milliseconds> retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc{} && ptr == value.data() + value.size()) {
    return std::chrono::seconds{std::max<int64_t>(0, seconds)};
  }
  // An HTTP date: Sun, 06 Nov 1994 08:49:37 GMT
  std::tm tm{};
  std::string text{value};
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
    return std::nullopt;
  }
  auto at = timegm(&tm);
  auto now = std::time(nullptr);
  return std::chrono::seconds{std::max<int64_t>(0, static_cast<int64_t>(at - now))};
}

std::string describe_status(const http_api& api, const upstream_reply& reply,
                            std::string_view origin, unsigned attempts) {
  std::string service{api.service};
  auto said = upstream_message(api, reply);
  auto status = status_text(reply.status) + (said.empty() ? "" : ": " + said);
  if (rate_limited(reply)) {
    auto wait = wait_of(reply);
    return service + " is rate limiting these requests (" + status + ")" + attempts_text(attempts)
           + (wait ? "; try again in " + seconds_text(*wait) + "." : "; try again later.");
  }
  switch (reply.status) {
    case 400:
      return service + " refused the request (" + status
             + "). Check the arguments' values and formats.";
    case 401:
      return service + " rejected " + std::string{origin} + " (" + status
             + "). The credential is missing, expired or revoked: reconnect the account or "
               "update the connector's credentials. Retrying will not help.";
    case 403:
      return service + " denied access (" + status + "). " + std::string{origin}
             + " lacks the permission or scope this needs; retrying will not help.";
    case 404:
      return service + " found nothing there (" + status
             + "). Check the names and ids in the arguments; without access, a private resource "
               "also looks missing.";
    case 409:
      return service + " reported a conflict (" + status
             + "). The resource changed or already exists; read it again before retrying.";
    case 410:
      return service + " says the resource is gone (" + status + ").";
    case 422:
      return service + " could not process the request (" + status
             + "). Correct the arguments and try again.";
    default:
      break;
  }
  if (reply.status >= 500) {
    return service + " failed to answer (" + status + ")" + attempts_text(attempts)
           + "; try again later.";
  }
  return service + " answered " + status + ".";
}

std::string describe_failure(const http_api& api, const fetch_error& error, unsigned attempts) {
  std::string service{api.service};
  switch (error.kind) {
    case fetch_failure::refused_address:
      return "The connector's " + service + " URL is refused: " + error.message
             + ". An operator can allow private upstreams with "
               "SAGEMCP_ALLOW_PRIVATE_UPSTREAMS=true.";
    case fetch_failure::invalid_url:
      return "The connector's " + service + " URL is invalid: " + error.message + ".";
    case fetch_failure::timeout:
      return service + " did not answer in time (" + error.message + ")" + attempts_text(attempts)
             + "; try again later.";
    case fetch_failure::tls:
      return "Could not open a secure connection to " + service + ": " + error.message + ".";
    case fetch_failure::too_large:
      return service + "'s answer was too large (" + error.message
             + "); narrow the request (fewer items, a smaller file).";
    default:
      return "Could not reach " + service + ": " + error.message + attempts_text(attempts)
             + "; try again later.";
  }
}

std::string decode_base64(std::string_view encoded) {
  static constexpr std::string_view alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(encoded.size() / 4 * 3);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : encoded) {
    auto at = alphabet.find(c);
    if (at == std::string_view::npos) {
      continue; // padding and line breaks
    }
    buffer = (buffer << 6U) | static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return out;
}

bool is_text(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80U) {
      ++i;
      continue;
    }
    size_t extra = 0;
    // The range the second byte must fall in (no overlong forms, surrogates or code points
    // beyond U+10FFFF).
    unsigned char low = 0x80U;
    unsigned char high = 0xBFU;
    if (lead >= 0xC2U && lead <= 0xDFU) {
      extra = 1;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
      extra = 2;
      low = lead == 0xE0U ? 0xA0U : low;
      high = lead == 0xEDU ? 0x9FU : high;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
      extra = 3;
      low = lead == 0xF0U ? 0x90U : low;
      high = lead == 0xF4U ? 0x8FU : high;
    } else {
      return false;
    }
    if (text.size() - i <= extra) {
      return false;
    }
    for (size_t k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (c < low || c > high) : (c & 0xC0U) != 0x80U) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

void cut_utf8(std::string& text, size_t size) {
  if (text.size() <= size) {
    return;
  }
  text.resize(size);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0U) == 0x80U) {
    text.pop_back();
  }
  if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80U) != 0) {
    text.pop_back();
  }
}

void put_file_text(boost::json::object& out, std::string text) {
  if (!is_text(text)) {
    out["content"] = nullptr;
    out["note"] = "The file is binary; its content is not shown.";
    return;
  }
  if (text.size() > max_file_bytes) {
    auto total = text.size();
    cut_utf8(text, max_file_bytes);
    out["truncated"] = true;
    out["note"] = "Showing the first " + std::to_string(text.size()) + " of "
                  + std::to_string(total) + " bytes.";
  }
  out["content"] = text;
}

upstream_reply to_reply(http_response response) {
  upstream_reply reply;
  reply.status = response.status;
  // A body is JSON when it says so, or says nothing and parses; raw files and diffs stay text.
  auto type = response.header("content-type");
  bool json_type = type.empty() || type.find("json") != std::string_view::npos;
  reply.headers = std::move(response.headers);
  if (!response.body.empty() && !json_type) {
    reply.text = std::move(response.body);
  } else if (!response.body.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(response.body, ec);
    if (!ec) {
      reply.body = std::move(parsed);
    } else {
      reply.text = std::move(response.body);
    }
  }
  return reply;
}

namespace {

std::chrono::milliseconds jitter(std::chrono::milliseconds cap) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  if (cap.count() <= 0) {
    return std::chrono::milliseconds{0};
  }
  std::uniform_int_distribution<int64_t> pick{0, cap.count()};
  return std::chrono::milliseconds{pick(rng)};
}

// Serializes what a tool returns within the result size limit: lists lose items from the end
// (and say so), other text is cut.
std::string fit(json::value value, size_t limit) {
  auto text = json::serialize(value);
  if (text.size() <= limit) {
    return text;
  }
  if (auto* obj = value.if_object()) {
    if (auto* items = obj->if_contains("items"); items != nullptr && items->is_array()) {
      auto& arr = items->get_array();
      auto total = arr.size();
      while (!arr.empty()) {
        // Drop in proportion to the excess, at least one item per round.
        auto drop = std::max<size_t>(1, arr.size() * (text.size() - limit) / text.size());
        arr.erase(arr.end() - static_cast<std::ptrdiff_t>(std::min(drop, arr.size())), arr.end());
        (*obj)["count"] = arr.size();
        (*obj)["has_more"] = true;
        (*obj)["note"] = "Only " + std::to_string(arr.size()) + " of " + std::to_string(total)
                         + " items fit in the result; ask for fewer (limit) or narrow the query.";
        text = json::serialize(value);
        if (text.size() <= limit) {
          return text;
        }
      }
    }
  }
  cut_utf8(text, limit);
  return text + "\n… (cut at " + std::to_string(limit / 1024) + " KiB)";
}

std::string tool_result(std::string text) {
  json::object block{{"type", "text"}, {"text", std::move(text)}};
  json::object result{{"content", json::array{std::move(block)}}};
  return json::serialize(result);
}

// One run of a tool: its requests, retries and pages, on the client's thread.
struct run : std::enable_shared_from_this<run> {
  run(http_client& c, const http_api& a, const http_tool& t, json::object arguments,
      call_context ctx, std::function<void(caf::expected<std::string>)> d)
    : client(c),
      api(a),
      tool(t),
      args(std::move(arguments)),
      context(std::move(ctx)),
      done(std::move(d)) {}

  http_client& client;
  const http_api& api;
  const http_tool& tool;
  json::object args;
  call_context context;
  std::function<void(caf::expected<std::string>)> done;

  outbound_call call;
  std::string base_origin;
  // The request in flight.
  http_method method = http_method::get;
  std::string url;
  std::string body;
  std::vector<http_header> headers;
  unsigned attempts = 0;
  bool optional = false;
  // Paging.
  size_t limit = 0;
  unsigned pages_read = 0;
  unsigned page_number = 1;
  json::array items;
  bool more = false;
  // Replies of the main request and the `also` steps.
  std::vector<upstream_reply> replies;
  size_t next_step = 0;

  void fail(std::string message) const {
    done(make_error(errc::tool_failed, std::move(message)));
  }

  void start() {
    auto built = build_call(tool, args);
    if (!built) {
      done(std::move(built.error()));
      return;
    }
    call = std::move(*built);
    base_origin = origin_of(context.base_url);
    if (tool.pages.style != paging::none) {
      limit = tool.pages.default_limit;
      if (const auto* given = args.if_contains("limit"); given != nullptr && given->is_number()) {
        limit = static_cast<size_t>(std::max<int64_t>(1, given->to_number<int64_t>()));
      }
      if (!tool.pages.size_param.empty()) {
        auto size = std::min<size_t>(limit, tool.pages.max_page_size);
        call.query.emplace_back(std::string{tool.pages.size_param}, std::to_string(size));
      }
    }
    method = call.method;
    url = url_of(context.base_url, call);
    if (!call.raw_body.empty()) {
      body = call.raw_body;
    } else if (call.body.is_object() || call.body.is_array()) {
      body = json::serialize(call.body);
    }
    headers = call.headers;
    send();
  }

  std::vector<http_header> request_headers() const {
    std::vector<http_header> out;
    bool accept = false;
    for (const auto& h : headers) {
      accept = accept || h.name == "Accept";
    }
    for (const auto& h : api.headers) {
      if (accept && std::string_view{h.name} == "Accept") {
        continue;
      }
      out.push_back({std::string{h.name}, std::string{h.value}});
    }
    for (const auto& h : context.credentials.headers) {
      out.push_back(h);
    }
    out.insert(out.end(), headers.begin(), headers.end());
    if (!body.empty()) {
      out.push_back({"Content-Type", call.content_type.empty() && !call.raw_body.empty()
                                       ? "application/octet-stream"
                                     : call.content_type.empty() ? "application/json"
                                                                 : call.content_type});
    }
    return out;
  }

  void send() {
    ++attempts;
    http_request req;
    req.method = std::string{method_name(method)};
    req.url = url;
    req.headers = request_headers();
    req.body = body;
    client.fetch(std::move(req), [self = shared_from_this()](fetch_result result) {
      self->received(std::move(result));
    });
  }

  bool may_retry(bool reached) const {
    return attempts <= context.max_retries && (!reached || is_idempotent(method));
  }

  void retry_in(std::chrono::milliseconds wait) {
    client.after(wait, [self = shared_from_this()] {
      self->send();
    });
  }

  std::chrono::milliseconds backoff() const {
    return jitter(context.backoff * (1U << std::min(attempts - 1, 6U)));
  }

  void received(fetch_result result) {
    if (auto* err = std::get_if<fetch_error>(&result)) {
      bool transient = err->kind == fetch_failure::connect || err->kind == fetch_failure::timeout
                       || err->kind == fetch_failure::io || err->kind == fetch_failure::resolve;
      if (transient && may_retry(err->sent)) {
        retry_in(backoff());
        return;
      }
      fail(describe_failure(api, *err, attempts));
      return;
    }
    auto reply = to_reply(std::move(std::get<http_response>(result)));
    if (reply.status >= 200 && reply.status < 300) {
      attempts = 0;
      succeeded(std::move(reply));
      return;
    }
    if (rate_limited(reply) && reply.status != 403) {
      // 429: the upstream did not act on the request, so any method may be sent again.
      auto wait = wait_of(reply).value_or(backoff());
      if (attempts <= context.max_retries && wait <= context.max_retry_after) {
        retry_in(wait);
        return;
      }
    } else if ((reply.status == 502 || reply.status == 503 || reply.status == 504
                || reply.status == 500)
               && may_retry(true)) {
      auto wait = retry_after(reply.header("retry-after")).value_or(backoff());
      if (wait <= context.max_retry_after) {
        retry_in(wait);
        return;
      }
    }
    if (optional && reply.status == 404) {
      attempts = 0;
      upstream_reply empty;
      empty.status = 404;
      succeeded(std::move(empty));
      return;
    }
    fail(describe_status(api, reply, context.credentials.origin, attempts));
  }

  // The next page's URL, when the list goes on and the page tells where.
  std::string next_page(const upstream_reply& reply, size_t page_items) {
    const auto& p = tool.pages;
    switch (p.style) {
      case paging::link_header:
        return next_link(reply.header("link"));
      case paging::next_url: {
        const auto* next = at_path(reply.body, p.next);
        return next != nullptr && next->is_string() ? std::string{next->get_string()}
                                                    : std::string{};
      }
      case paging::cursor: {
        const auto* next = at_path(reply.body, p.next);
        if (next == nullptr || !next->is_string() || next->get_string().empty()) {
          return {};
        }
        auto copy = call;
        std::erase_if(copy.query, [&](const auto& q) {
          return q.first == p.page_param;
        });
        copy.query.emplace_back(std::string{p.page_param}, std::string{next->get_string()});
        return url_of(context.base_url, copy);
      }
      case paging::page_number: {
        auto header = reply.header("x-next-page");
        bool has_header = false;
        for (const auto& h : reply.headers) {
          has_header = has_header || h.name == "x-next-page";
        }
        size_t size = std::min<size_t>(limit, p.max_page_size);
        if ((has_header && header.empty()) || (!has_header && page_items < size)) {
          return {};
        }
        ++page_number;
        auto copy = call;
        std::erase_if(copy.query, [&](const auto& q) {
          return q.first == p.page_param;
        });
        copy.query.emplace_back(std::string{p.page_param}, std::to_string(page_number));
        return url_of(context.base_url, copy);
      }
      case paging::none:
        break;
    }
    return {};
  }

  void succeeded(upstream_reply reply) {
    if (replies.empty() && tool.pages.style != paging::none) {
      ++pages_read;
      const auto* list = at_path(reply.body, tool.pages.items);
      size_t page_items = 0;
      if (list != nullptr && list->is_array()) {
        page_items = list->get_array().size();
        for (const auto& item : list->get_array()) {
          if (items.size() >= limit) {
            more = true;
            break;
          }
          items.push_back(item);
        }
      }
      auto next = next_page(reply, page_items);
      // A next page on another host is never fetched: the credential would go with it.
      bool foreign = !next.empty() && origin_of(next) != base_origin;
      if (!next.empty() && (foreign || items.size() >= limit || pages_read >= context.max_pages)) {
        more = true;
      } else if (!next.empty()) {
        url = std::move(next);
        body.clear();
        send();
        return;
      }
      reply.body = std::move(items);
    }
    replies.push_back(std::move(reply));
    if (next_step < tool.also.size()) {
      const auto& step = tool.also[next_step++];
      auto path = expand_path(step.path, args, nullptr);
      if (!path) {
        done(std::move(path.error()));
        return;
      }
      outbound_call extra;
      extra.method = step.method;
      extra.path = std::move(*path);
      add_fixed_query(step.query, extra);
      method = step.method;
      url = url_of(context.base_url, extra);
      body.clear();
      headers.clear();
      optional = step.optional;
      send();
      return;
    }
    finish();
  }

  void finish() {
    json::value out;
    if (tool.shape != nullptr) {
      caf::expected<json::value> shaped = json::value{};
      try {
        shaped = tool.shape(args, replies);
      } catch (const std::exception&) {
        // A hook that trips over an answer of an unexpected form fails the call, never the
        // client's thread.
        shaped = make_error(errc::tool_failed, std::string{api.service}
                                                 + " answered in a form this tool does not "
                                                   "understand; try again later.");
      }
      if (!shaped) {
        done(std::move(shaped.error()));
        return;
      }
      out = std::move(*shaped);
    } else if (tool.pages.style != paging::none) {
      auto list = project(replies.front().body, tool.keep);
      auto count = list.is_array() ? list.get_array().size() : 0;
      out = json::object{{"items", std::move(list)}, {"count", count}, {"has_more", more}};
    } else if (replies.front().status == 204
               || (replies.front().body.is_null() && replies.front().text.empty())) {
      out = json::object{{"ok", true},
                         {"message",
                          tool.done_text.empty() ? std::string_view{"Done."} : tool.done_text}};
    } else if (replies.front().body.is_null()) {
      out = json::string{clip(replies.front().text, context.max_result_bytes)};
    } else {
      out = project(replies.front().body, tool.keep);
    }
    if (out.is_string()) {
      auto text = std::string{out.get_string()};
      done(tool_result(text.size() > context.max_result_bytes
                         ? fit(std::move(out), context.max_result_bytes)
                         : std::move(text)));
      return;
    }
    done(tool_result(fit(std::move(out), context.max_result_bytes)));
  }
};

} // namespace

void execute(http_client& client, const http_api& api, const http_tool& tool,
             boost::json::object args, call_context context,
             std::function<void(caf::expected<std::string>)> done) {
  auto r = std::make_shared<run>(client, api, tool, std::move(args), std::move(context),
                                 std::move(done));
  r->start();
}

} // namespace sagemcp::connectors
