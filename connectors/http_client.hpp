#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sagemcp::connectors {

/// One HTTP header field.
struct http_header {
  std::string name;
  std::string value;
};

/// An outbound HTTP request.
struct http_request {
  std::string method = "GET";
  /// An absolute http:// or https:// URL.
  std::string url;
  std::vector<http_header> headers;
  std::string body;
};

/// An upstream's answer.
struct http_response {
  unsigned status = 0;
  /// Header fields in the order received, names in lower case.
  std::vector<http_header> headers;
  std::string body;

  /// The first value of a header field (case-insensitive name); empty when absent.
  [[nodiscard]] std::string_view header(std::string_view name) const;
};

/// Why an exchange produced no response.
enum class fetch_failure : uint8_t {
  /// The URL is no absolute http(s) URL.
  invalid_url,
  /// The host resolves to a private, loopback or link-local address the operator did not allow.
  refused_address,
  /// The host name does not resolve.
  resolve,
  /// No connection could be opened.
  connect,
  /// The TLS handshake failed, certificate or host name verification included.
  tls,
  /// Connecting, sending or reading took longer than allowed.
  timeout,
  /// The connection broke, or the answer was no valid HTTP.
  io,
  /// The answer exceeded the response size limit.
  too_large,
  /// The proxy refused or failed the tunnel.
  proxy,
};

/// An exchange that produced no response.
struct fetch_error {
  fetch_failure kind = fetch_failure::io;
  /// What went wrong, for a person or a model; never holds request headers or bodies.
  std::string message;
  /// Whether the request may have reached the upstream (then only idempotent requests may be
  /// sent again).
  bool sent = false;
};

using fetch_result = std::variant<http_response, fetch_error>;

/// Receives the outcome of an exchange, on the client's own thread: keep it short and hand the
/// result to an actor.
using fetch_handler = std::function<void(fetch_result)>;

/// What a streamed exchange reports, on the client's own thread: keep each short and hand the
/// data to an actor. After `cancel` nothing more is reported.
struct stream_events {
  /// The status and header fields (names in lower case), before any of the body; `body` empty.
  std::function<void(const http_response& head)> on_head;
  /// The next piece of the body, as it arrives (chunked transfer decoding undone).
  std::function<void(std::string_view data)> on_data;
  /// The exchange ended: the whole body was read (no error), or it failed: before the head
  /// (then on_head was never called), or in the middle of the body. Called exactly once unless
  /// cancelled.
  std::function<void(std::optional<fetch_error> error)> on_end;
};

/// A streamed exchange in progress.
class http_stream {
public:
  virtual ~http_stream() = default;
  /// Stops the exchange and closes its connection; no event follows. Thread-safe, idempotent.
  virtual void cancel() = 0;
};

/// Settings of the outbound HTTP client.
struct http_client_options {
  std::chrono::milliseconds connect_timeout{10'000};
  /// The longest time to send a request and read its whole answer.
  std::chrono::milliseconds read_timeout{30'000};
  /// Idle keep-alive connections kept per scheme, host and port.
  size_t max_idle_per_host = 8;
  /// An idle connection older than this is closed instead of reused.
  std::chrono::milliseconds idle_ttl{60'000};
  size_t max_response_bytes = size_t{16} << 20;
  /// PEM file of further trusted certificate authorities (an enterprise CA); empty for none.
  std::string ca_file;
  /// Whether upstream hosts may resolve to private, loopback or link-local addresses.
  bool allow_private = false;
  /// Proxy URLs (http://[user:password@]host:port) for https and http targets; empty for none.
  std::string https_proxy;
  std::string http_proxy;
  /// Hosts reached directly: comma-separated names (a leading dot or none matches
  /// subdomains too), IP addresses, or `*` for all.
  std::string no_proxy;
  std::string user_agent = "SageMCP";

  /// Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms) from the
  /// environment into the proxy settings.
  void read_proxy_environment();
};

/// An asynchronous HTTP/1.1 client over Beast and OpenSSL with its own I/O thread: certificate
/// and host name verification with SNI, a keep-alive pool per host, connect and read timeouts,
/// HTTP(S) proxies, and refusal of private addresses unless allowed. Thread-safe.
class http_client {
public:
  explicit http_client(http_client_options options = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends a request and calls `done` with its outcome on the client's thread. A failure to
  /// send on a reused keep-alive connection is retried once on a new one.
  void fetch(http_request request, fetch_handler done);

  /// Sends a request and reports its answer as it arrives: for Server-Sent Events and other
  /// long or open-ended bodies. `idle_timeout` bounds the wait for the head and between two
  /// pieces of the body (zero: no bound once the request is sent). The body size limit does not
  /// apply; the caller limits what it keeps.
  std::shared_ptr<http_stream> stream(http_request request, stream_events events,
                                      std::chrono::milliseconds idle_timeout);

  /// Calls `fn` on the client's thread as soon as it is free.
  void post(std::function<void()> fn);

  /// Calls `fn` on the client's thread after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  [[nodiscard]] const http_client_options& options() const;

  /// Connections held idle for reuse, over all hosts.
  [[nodiscard]] size_t idle_connections() const;

  /// Connections opened since the client started.
  [[nodiscard]] uint64_t connections_opened() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Whether an IP address (IPv4 or IPv6 text) is private, loopback, link-local, unspecified,
/// multicast, carrier-grade NAT, benchmarking or otherwise not a public unicast address.
/// Text that is no IP address is not private.
bool is_private_address(std::string_view address_text);

/// The value of an HTTP Basic Authorization header: `Basic ` and the Base64 of user:password.
std::string basic_credentials(std::string_view user, std::string_view password);

/// Whether a host is reached without the proxy under a NO_PROXY list.
bool bypasses_proxy(std::string_view host, std::string_view no_proxy);

} // namespace sagemcp::connectors
