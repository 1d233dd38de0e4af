#pragma once

#include "connectors/http_client.hpp"
#include "connectors/spec.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

// A native connector's tools as data: each tool_spec with an `http` member is one (or a few)
// REST calls that the runtime builds from the arguments, sends, pages, retries and trims.

enum class http_method : uint8_t { get, post, put, patch, del };

/// The method's name on the wire.
std::string_view method_name(http_method method);

/// Whether sending a request twice has the effect of sending it once (GET, PUT, DELETE): only
/// those are retried after a failure that may have reached the upstream.
bool is_idempotent(http_method method);

/// Where an argument goes in the upstream request.
enum class arg_in : uint8_t {
  /// Path placeholders take their argument; others go to the query of GET and DELETE requests
  /// and to the JSON body of the others.
  automatic,
  query,
  body,
  /// Used only by hooks.
  none,
};

/// Sends an argument elsewhere or under another name than the default.
struct arg_binding {
  std::string_view arg;
  arg_in in;
  /// The upstream's name for it; empty for the argument's own name. Body names may be dotted
  /// (`head.sha`) to nest.
  std::string_view name = {};
};

/// How an upstream pages a list.
enum class paging : uint8_t {
  none,
  /// An RFC 8288 `Link` header with rel="next" (GitHub, GitLab).
  link_header,
  /// A page number parameter, incremented until a page comes back short (or the `x-next-page`
  /// header, when sent, is empty).
  page_number,
  /// A member of the body holds the next page's full URL (Bitbucket `next`, OData
  /// `@odata.nextLink`).
  next_url,
  /// A member of the body holds a cursor sent back in a query parameter (Slack, Notion).
  cursor,
};

/// The paging of a list tool. List tools take an optional `limit` argument (the most items to
/// return, default `default_limit`); the runtime fetches pages until it has that many, the
/// list ends, or `max_pages` were read.
struct pagination {
  paging style = paging::none;
  /// Dotted path of the item array in the body; empty when the body is the array.
  std::string_view items = {};
  /// next_url: dotted path of the next URL; cursor: dotted path of the next cursor.
  std::string_view next = {};
  /// page_number: the page parameter; cursor: the parameter that takes the cursor.
  std::string_view page_param = "page";
  /// The page size parameter; empty when the upstream takes none.
  std::string_view size_param = "per_page";
  unsigned max_page_size = 100;
  unsigned default_limit = 30;
};

/// An upstream answer as hooks see it.
struct upstream_reply {
  unsigned status = 0;
  /// The parsed body; null when it was empty or no JSON (then `text` holds it).
  boost::json::value body;
  std::string text;
  std::vector<http_header> headers;

  [[nodiscard]] std::string_view header(std::string_view name) const;
};

/// The request a tool sends, as hooks may adjust it before it goes out.
struct outbound_call {
  http_method method = http_method::get;
  /// The path below the base URL, already expanded and encoded.
  std::string path;
  /// Query parameters in order, not yet encoded.
  std::vector<std::pair<std::string, std::string>> query;
  /// The JSON body; sent when it is an object or array.
  boost::json::value body;
  std::vector<http_header> headers;
  /// Sent instead of a JSON body when not empty, with `content_type`.
  std::string raw_body;
  std::string content_type;
};

/// Adjusts the request built from the arguments (search query syntax, encodings); an error
/// stops the call (use invalid_argument for arguments the model got wrong).
using request_hook = caf::error (*)(const boost::json::object& args, outbound_call& call);

/// Turns the replies (the main request's first, then each `also` request's) into what the tool
/// returns; the runtime serializes it as the result's text. Replies reach hooks only when they
/// succeeded (2xx). For list tools, the first reply's body holds the collected items as an array.
using response_hook
  = caf::expected<boost::json::value> (*)(const boost::json::object& args,
                                          std::span<const upstream_reply> replies);

/// A further request whose answer the response hook combines with the main one.
struct http_step {
  http_method method = http_method::get;
  std::string_view path;
  std::string_view query = {};
  /// A 404 answer counts as an empty reply instead of failing the tool.
  bool optional = false;
};

/// How a tool maps to the upstream API.
struct http_tool {
  http_method method = http_method::get;
  /// Path template below the base URL: `{name}` takes an argument as one encoded segment,
  /// `{+name}` keeps its slashes (file paths).
  std::string_view path;
  std::span<const arg_binding> args = {};
  /// Fixed query parameters (`a=1&b=2`, encoded), sent before the arguments.
  std::string_view query = {};
  pagination pages = {};
  /// The fields each item (or the single object) keeps, comma-separated dotted paths;
  /// `a.b` keeps b of object a, `labels[].name` keeps the name of each element of labels. Empty
  /// keeps everything.
  std::string_view keep = {};
  request_hook prepare = nullptr;
  response_hook shape = nullptr;
  std::span<const http_step> also = {};
  /// An Accept header for this tool; empty for the connector's.
  std::string_view accept = {};
  /// Answers with no content (204) become this text.
  std::string_view done_text = {};
};

/// A tool of a native connector: its MCP face and the REST call(s) behind it.
constexpr tool_spec rest_tool(std::string_view name, std::string_view title,
                              std::string_view description, std::string_view input_schema,
                              std::string_view annotations, const http_tool& http) {
  tool_spec tool{name, title, description, input_schema, annotations, nullptr};
  tool.http = &http;
  return tool;
}

/// How the connector sends its credential.
enum class auth_style : uint8_t {
  /// `Authorization: Bearer <token>`.
  bearer,
  /// The token as the value of `token_header`.
  header,
  /// HTTP Basic with `user_field` of the configuration as the user and the token as password.
  basic,
};

/// A constant header every request of a connector carries.
struct fixed_header {
  std::string_view name;
  std::string_view value;
};

/// What a native connector's tools share: where the API is and how to authenticate.
struct http_api {
  /// The service's name in messages ("GitHub").
  std::string_view service;
  std::string_view base_url;
  /// Configuration field that overrides the base URL (self-hosted and enterprise servers);
  /// empty when it cannot be overridden.
  std::string_view base_url_field = "base_url";
  /// Appended to an overriding URL that lacks it ("/api/v4" for a GitLab host URL).
  std::string_view base_url_suffix = {};
  std::span<const fixed_header> headers = {};
  /// The OAuth provider whose credentials the connector uses; empty when it has none.
  std::string_view oauth_provider = {};
  /// Configuration field (a secret) with a token used when no OAuth credential is connected.
  std::string_view token_field = "token";
  auth_style token_style = auth_style::bearer;
  std::string_view token_header = {};
  /// auth_style::basic: the configuration field with the user name.
  std::string_view user_field = {};
  /// Dotted paths of the message in an error body, tried in order.
  std::span<const std::string_view> error_paths = {};
};

/// The credential a call authenticates with: header fields to add.
struct call_credentials {
  std::vector<http_header> headers;
  /// Where the credential came from, for messages ("the connector's token", "the OAuth
  /// connection of …").
  std::string origin;
};

/// Everything a call needs beyond its tool and arguments.
struct call_context {
  /// The base URL, without a trailing slash.
  std::string base_url;
  call_credentials credentials;
  /// Retries after a failure that may be transient (idempotent requests only).
  unsigned max_retries = 2;
  /// First back-off; doubles per retry, with full jitter.
  std::chrono::milliseconds backoff{250};
  /// The longest Retry-After the runtime waits for before it gives up with a message instead.
  std::chrono::milliseconds max_retry_after{10'000};
  /// The most bytes of result text a tool returns; longer lists lose items from the end.
  size_t max_result_bytes = size_t{64} * 1024;
  /// The most pages one call reads.
  unsigned max_pages = 10;
};

/// The base URL a connector instance uses: the configuration's override (with the API's suffix
/// added when missing) or the API's default. errc::invalid_argument for an override that is no
/// http(s) URL.
caf::expected<std::string> base_url_of(const http_api& api,
                                       const boost::json::object& configuration);

/// Whose OAuth connection a connector's calls use.
enum class credential_mode : uint8_t {
  /// The tenant's: one connection (or configured token) for every caller.
  tenant,
  /// Each caller's own: the connection of the API key that makes the call.
  user,
};

/// The configuration field that chooses the credential mode ("tenant" or "user").
inline constexpr std::string_view credential_mode_field = "credential_mode";

/// The declaration of credential_mode_field, for the configuration of connector types with an
/// OAuth provider.
inline constexpr config_field credential_mode_config{
  credential_mode_field, "Credentials",
  "\"tenant\" (the default): every caller uses the tenant's connection or configured token. "
  "\"user\": every caller uses the account their own API key connected at "
  "/api/v1/oauth/{tenant}/me/auth/{provider}.",
  false, false};

/// The credential mode a connector's configuration chooses: tenant when the field is absent,
/// empty or null. errc::invalid_argument for another value, for user mode on an API without an
/// OAuth provider, and for user mode beside a configured token (which every caller would share).
caf::expected<credential_mode> credential_mode_of(const http_api& api,
                                                  const boost::json::object& configuration);

/// The credential from the connector's configuration token; nullopt when none is configured.
std::optional<call_credentials> configured_credentials(const http_api& api,
                                                       const boost::json::object& configuration);

/// Builds the main request of a tool from validated arguments (prepare hook applied).
caf::expected<outbound_call> build_call(const http_tool& tool, const boost::json::object& args);

/// Percent-encodes text as one path segment (or, with `keep_slash`, as a path whose slashes
/// stay), for hooks that build paths.
std::string encode_segment(std::string_view text, bool keep_slash = false);

/// Whether a path has a `.` or `..` segment, which would address another resource of the API
/// with the same credential.
bool has_dot_segment(std::string_view path);

/// The full URL of a call: base URL, path and encoded query.
std::string url_of(std::string_view base_url, const outbound_call& call);

/// The URL of the next page from a `Link` header value; empty when there is none.
std::string next_link(std::string_view link_header);

/// The value at a dotted path below `value` (`a.b`, or a member with dots spelled as is when
/// it exists, such as `@odata.nextLink`); nullptr when missing.
const boost::json::value* at_path(const boost::json::value& value, std::string_view path);

/// Keeps only the fields a `keep` list names (see http_tool::keep).
boost::json::value project(const boost::json::value& value, std::string_view keep);

/// The message of a failed upstream answer for a model: what happened, the upstream's own
/// message, and what to do about it.
std::string describe_status(const http_api& api, const upstream_reply& reply,
                            std::string_view origin, unsigned attempts);

/// The message of an exchange that produced no answer.
std::string describe_failure(const http_api& api, const fetch_error& error, unsigned attempts);

/// The delay a Retry-After value (seconds or an HTTP date) asks for; nullopt when absent or
/// unreadable.
std::optional<std::chrono::milliseconds> retry_after(std::string_view value);

/// Decodes standard Base64, skipping line breaks and padding (file contents of REST APIs).
std::string decode_base64(std::string_view encoded);

/// Whether text is well-formed UTF-8 without NUL bytes: something a model can read as text.
bool is_text(std::string_view text);

/// Shortens text to at most `size` bytes without leaving half a UTF-8 sequence behind.
void cut_utf8(std::string& text, size_t size);

/// The most bytes of a file a tool returns; models rarely need more at once.
inline constexpr size_t max_file_bytes = size_t{48} * 1024;

/// Puts a file's text into a tool result: `content`, cut to max_file_bytes with `truncated` and
/// a `note` when longer; a binary file gets null content and a note.
void put_file_text(boost::json::object& out, std::string text);

/// Reads an answer into the form hooks see.
upstream_reply to_reply(http_response response);

/// Runs a tool of a native connector: builds the request, sends it with retries and paging,
/// shapes the result, and calls `done` (on the client's thread) with the serialized
/// CallToolResult. Upstream failures are results with `isError` that say what to do.
void execute(http_client& client, const http_api& api, const http_tool& tool,
             boost::json::object args, call_context context,
             std::function<void(caf::expected<std::string>)> done);

} // namespace sagemcp::connectors
