#pragma once

#include "connectors/http_client.hpp"

#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

// Remote MCP servers: a connector of runtime type external_remote reaches an MCP server by URL
// instead of running one.

/// How a remote MCP server is reached.
enum class remote_transport : uint8_t {
  /// Streamable HTTP first; HTTP+SSE when the server refuses initialize with 400, 404 or 405.
  automatic,
  streamable_http,
  sse,
};

/// The name of a transport in configurations and status: auto, streamable_http or sse.
std::string_view remote_transport_name(remote_transport transport);

/// What a remote connector's configuration says (the `configuration` object).
struct remote_config {
  /// An absolute http(s) URL: the Streamable HTTP endpoint, or the SSE stream.
  std::string url;
  remote_transport transport = remote_transport::automatic;
  /// A provider of the OAuth registry whose token goes in Authorization; empty for none.
  std::string oauth_provider;
  /// Whether each caller's own OAuth connection is used (credential_mode "user").
  bool per_user = false;
};

/// Reads a remote connector's configuration: `url` (required), `transport` (auto,
/// streamable_http, sse), `oauth_provider` (a known provider) and `credential_mode` (tenant or
/// user; user needs oauth_provider). errc::invalid_argument with the reason otherwise.
caf::expected<remote_config> remote_config_of(const boost::json::object& configuration);

/// Whether a configuration field is one of a remote connector's settings (url, transport,
/// oauth_provider, credential_mode), which are not secret.
bool is_remote_setting(std::string_view name);

/// Reads the static headers of a remote connector (its sealed runtime_env: name → value).
/// Names must be HTTP tokens other than those the transport sets itself (Host, Content-Type,
/// Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, hop-by-hop fields…); values are
/// strings without control characters. errc::invalid_argument otherwise.
caf::expected<std::vector<http_header>> remote_headers_of(const boost::json::object& runtime_env);

/// What a link to a remote MCP server needs.
struct remote_settings {
  std::string url;
  remote_transport transport = remote_transport::automatic;
  /// Sent with every request.
  std::vector<http_header> headers;
  /// The longest wait for the head of an answer and between two events of a stream.
  std::chrono::milliseconds idle_timeout{300'000};
  /// Messages larger than this are dropped and reported.
  size_t max_message_bytes = size_t{16} << 20;
  /// The first delay before a broken server stream is opened again; doubles up to 30 s.
  std::chrono::milliseconds reconnect_delay{1000};
};

/// What a link reports, on the HTTP client's thread: keep each short and hand it to an actor.
struct remote_events {
  /// A JSON-RPC message (or batch) from the server. A request the server could not be reached
  /// for, or answered with an HTTP error, comes back as a JSON-RPC error response of its id.
  std::function<void(std::string message)> on_message;
  /// Something an administrator may want to know (a reconnect, a dropped message).
  std::function<void(std::string line)> on_note;
  /// The link is over (the session ended, the SSE stream closed); no event follows.
  std::function<void(std::string why)> on_closed;
};

/// A client-side MCP transport to one remote server, in the session era: Streamable HTTP (POST
/// answered with JSON or an event stream, the session id, the protocol version header, the
/// server's own GET stream reopened with Last-Event-ID, an answer stream resumed when it breaks,
/// DELETE at the end) or HTTP+SSE (the event stream and its endpoint, same origin only).
/// Messages go out in the order given. Thread-safe.
class remote_link {
public:
  /// Starts a link; nothing is sent until the first message (initialize).
  static std::shared_ptr<remote_link> open(http_client& client, remote_settings settings,
                                           remote_events events);

  ~remote_link();
  remote_link(const remote_link&) = delete;
  remote_link& operator=(const remote_link&) = delete;

  /// Sends a JSON-RPC message.
  void send(std::string message);

  /// Sets (or replaces) a header of every later request, such as a refreshed Authorization.
  void set_header(std::string name, std::string value);

  /// Ends the link: closes its streams and ends the server's session; no event follows.
  void close();

  /// The transport in use: automatic until the server answered initialize.
  [[nodiscard]] remote_transport transport() const;

  struct impl;

private:
  explicit remote_link(std::shared_ptr<impl> state);
  std::shared_ptr<impl> impl_;
};

} // namespace sagemcp::connectors
