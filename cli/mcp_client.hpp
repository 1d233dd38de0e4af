#pragma once

#include "connectors/http_client.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sagemcp::cli {

/// The protocol version the client asks for.
inline constexpr const char* mcp_protocol_version = "2025-11-25";

/// The outcome of one MCP request: a JSON-RPC result, a JSON-RPC error, or an HTTP or transport
/// failure.
struct mcp_reply {
  /// The HTTP status of the exchange; 0 when no answer arrived.
  unsigned status = 0;
  /// The `result` member; null unless the request succeeded.
  boost::json::value result;
  /// The `error` member of a JSON-RPC error answer; null otherwise.
  boost::json::value error;
  /// Why there is no result, for a person.
  std::string message;

  [[nodiscard]] bool ok() const {
    return status >= 200 && status < 300 && error.is_null() && message.empty();
  }
  /// 0 on success, 3 for a JSON-RPC error or HTTP 4xx, 4 for HTTP 5xx, 1 otherwise.
  [[nodiscard]] int exit_code() const;
};

/// An MCP client session over Streamable HTTP: initialize, requests, and DELETE at the end.
/// Answers may be application/json or text/event-stream; server requests and notifications that
/// arrive on a request's stream are skipped.
class mcp_client {
public:
  /// `endpoint` is the MCP endpoint URL; `headers` go with every request (Authorization).
  mcp_client(connectors::http_client& http, std::string endpoint,
             std::vector<connectors::http_header> headers);
  ~mcp_client();
  mcp_client(const mcp_client&) = delete;
  mcp_client& operator=(const mcp_client&) = delete;

  /// Sends initialize and notifications/initialized; the reply holds the initialize result.
  mcp_reply initialize();

  /// Sends a request and waits for its answer.
  mcp_reply request(const std::string& method, boost::json::object params = {});

  /// Ends the session on the server (DELETE); called by the destructor too.
  void close();

  [[nodiscard]] const std::string& session_id() const {
    return session_id_;
  }
  [[nodiscard]] const std::string& protocol_version() const {
    return protocol_;
  }

private:
  mcp_reply post(const boost::json::object& message, bool expect_answer);
  std::vector<connectors::http_header> headers_for_post() const;

  connectors::http_client& http_;
  std::string endpoint_;
  std::vector<connectors::http_header> headers_;
  std::string session_id_;
  std::string protocol_ = mcp_protocol_version;
  int64_t next_id_ = 1;
};

} // namespace sagemcp::cli
