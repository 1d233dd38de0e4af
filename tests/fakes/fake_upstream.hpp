#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagemcp::fakes {

/// A request the fake upstream received.
struct recorded_request {
  std::string method;
  /// The path, still percent-encoded, without the query.
  std::string path;
  /// Query parameters in order, decoded.
  std::vector<std::pair<std::string, std::string>> query;
  /// Header fields with lower-case names.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first value of a header (lower-case name); empty when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
};

/// What the fake answers.
struct canned_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Waits this long before answering (timeouts).
  std::chrono::milliseconds delay{0};
  /// Closes the connection after answering.
  bool close = false;

  /// How `chunks` travel.
  enum class framing : uint8_t {
    /// Transfer-Encoding: chunked.
    chunked,
    /// A Content-Length of all pieces together.
    length,
    /// Neither: the body ends when the fake closes the connection.
    until_close,
  };
  /// When not empty, sent as the body in place of `body`, piece by piece, each after its delay;
  /// for streamed answers such as Server-Sent Events. Empty pieces are skipped.
  std::vector<std::pair<std::chrono::milliseconds, std::string>> chunks{};
  framing chunk_framing = framing::chunked;
  /// With `chunks`: leaves the answer unfinished after the last piece and waits until the client
  /// closes the connection.
  bool hold_open = false;
  /// With `chunks`: called with each piece's index just before it is sent (after its delay), on
  /// the connection's thread; lets a test hold a piece back until it saw the earlier ones.
  std::function<void(size_t index)> before_chunk{};
};

/// Certificate and key (PEM files) for an HTTPS fake.
struct tls_files {
  std::string certificate;
  std::string key;
};

/// An HTTP/1.1 server on 127.0.0.1 and a free port that records every request and answers
/// through a handler; for tests of outbound clients and connectors. One thread per connection.
class fake_upstream {
public:
  using handler = std::function<canned_response(const recorded_request&)>;

  explicit fake_upstream(handler answer = {}, const tls_files* tls = nullptr);
  ~fake_upstream();
  fake_upstream(const fake_upstream&) = delete;
  fake_upstream& operator=(const fake_upstream&) = delete;

  [[nodiscard]] uint16_t port() const;
  /// http(s)://127.0.0.1:<port>
  [[nodiscard]] std::string url() const;
  void set_handler(handler answer);
  [[nodiscard]] std::vector<recorded_request> requests() const;
  void clear();
  /// Connections accepted so far.
  [[nodiscard]] size_t connections() const;
  /// Connections the client closed (noticed when the fake next read from them, or while it held
  /// a streamed answer open).
  [[nodiscard]] size_t hangups() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Writes a self-signed certificate for the subject alternative names `names` (openssl
/// syntax) with the openssl command into `dir`; the certificate doubles as its own CA file.
tls_files make_self_signed(const std::string& dir,
                           const std::string& names = "DNS:localhost,IP:127.0.0.1");

} // namespace sagemcp::fakes
