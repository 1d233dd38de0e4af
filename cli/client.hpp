#pragma once

#include "connectors/http_client.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::cli {

/// The outcome of one REST call: a status with its JSON body, or a failure to reach the server.
struct api_result {
  /// The HTTP status; 0 when no answer arrived.
  unsigned status = 0;
  /// The parsed body; null when empty or no JSON.
  boost::json::value body;
  /// The raw body, or why no answer arrived.
  std::string text;

  /// Whether the status is 2xx.
  [[nodiscard]] bool ok() const {
    return status >= 200 && status < 300;
  }
  /// The process exit code this outcome maps to: 0, 1 (no answer), 3 (4xx) or 4 (5xx).
  [[nodiscard]] int exit_code() const;
  /// What went wrong, for a person: the server's `detail`, or the body, or the transport error.
  [[nodiscard]] std::string message() const;
};

/// The exit code of an HTTP status: 0 for 2xx, 3 for 4xx, 4 for 5xx, 1 otherwise.
int exit_code_of(unsigned status);

/// A synchronous client of the server's REST API, over the asynchronous connectors::http_client.
class rest_client {
public:
  /// `base_url` without a trailing slash; `api_key` empty to send no Authorization.
  rest_client(std::string base_url, std::string api_key,
              std::chrono::milliseconds timeout = std::chrono::seconds{30});

  /// Sends a request with an optional JSON body and waits for its answer.
  api_result call(std::string_view method, std::string_view path,
                  const boost::json::value* body = nullptr);

  api_result get(std::string_view path) {
    return call("GET", path);
  }
  api_result del(std::string_view path) {
    return call("DELETE", path);
  }
  api_result post(std::string_view path, const boost::json::value& body) {
    return call("POST", path, &body);
  }
  api_result put(std::string_view path, const boost::json::value& body) {
    return call("PUT", path, &body);
  }
  api_result patch(std::string_view path, const boost::json::value& body) {
    return call("PATCH", path, &body);
  }

  /// Streams a GET answer line by line to `on_line` until the body ends, `stop_after_idle` passes
  /// without data (when set), or the connection fails. Returns the status (0: no answer) and, on
  /// a non-2xx status, the body in `error_body`.
  unsigned stream_lines(std::string_view path, const std::function<void(std::string_view)>& on_line,
                        std::optional<std::chrono::milliseconds> stop_after_idle,
                        std::string& error_body);

  [[nodiscard]] const std::string& base_url() const {
    return base_url_;
  }
  [[nodiscard]] const std::string& api_key() const {
    return api_key_;
  }
  /// The underlying asynchronous client, shared with the MCP client.
  [[nodiscard]] connectors::http_client& http() {
    return *http_;
  }
  /// The request header fields every call carries (Authorization, Accept).
  [[nodiscard]] std::vector<connectors::http_header> base_headers() const;

private:
  std::string base_url_;
  std::string api_key_;
  std::unique_ptr<connectors::http_client> http_;
};

/// Sends one request on `client` and blocks until its outcome arrives.
connectors::fetch_result fetch_sync(connectors::http_client& client,
                                    connectors::http_request request);

/// Percent-encodes a path segment or query value.
std::string encode_component(std::string_view text);

} // namespace sagemcp::cli
