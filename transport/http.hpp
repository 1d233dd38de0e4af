#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagemcp::transport {

/// `c` in lower case if it is an ASCII letter (HTTP's names are ASCII; no locale applies).
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Whether `a` and `b` are equal but for the case of ASCII letters.
constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

/// A request's header fields in arrival order: names in lower case, values as sent. The text of
/// every field is kept in one block, so that a request's headers cost two allocations, not two per
/// field.
class header_list {
public:
  using value_type = std::pair<std::string_view, std::string_view>;

  class iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = header_list::value_type;
    using pointer = void;
    using reference = value_type;

    iterator() = default;
    iterator(const header_list* list, size_t at) : list_(list), at_(at) {}

    value_type operator*() const {
      return (*list_)[at_];
    }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    iterator operator++(int) {
      auto before = *this;
      ++at_;
      return before;
    }
    bool operator==(const iterator& other) const {
      return at_ == other.at_;
    }

  private:
    const header_list* list_ = nullptr;
    size_t at_ = 0;
  };

  header_list() = default;
  header_list(std::initializer_list<value_type> fields);

  /// Appends a field; its name is kept in lower case.
  void add(std::string_view name, std::string_view value);

  /// Makes room for `fields` fields whose names and values have `bytes` bytes in all.
  void reserve(size_t fields, size_t bytes);

  size_t size() const {
    return fields_.size();
  }

  bool empty() const {
    return fields_.empty();
  }

  /// The `i`th field (name, value).
  value_type operator[](size_t i) const;

  iterator begin() const {
    return {this, 0};
  }

  iterator end() const {
    return {this, fields_.size()};
  }

private:
  struct field {
    uint32_t name;
    uint32_t name_size;
    uint32_t value;
    uint32_t value_size;
  };

  std::string text_;
  std::vector<field> fields_;
};

/// An HTTP request as handlers see it, independent of Beast.
struct http_request {
  std::string method;
  /// The path as received (percent-encoded), without the query.
  std::string path;
  /// The raw query string, without '?'.
  std::string query;
  header_list headers;
  std::string body;
  /// The X-Request-Id of the request, or one generated for it.
  std::string request_id;

  /// The first header named `lower_name`, or an empty view.
  std::string_view header(std::string_view lower_name) const;

  /// Whether a header named `lower_name` is present.
  bool has_header(std::string_view lower_name) const;
};

/// The body of a streamed response (Server-Sent Events): chunks are written as they arrive,
/// until the stream is closed. Thread-safe; producers may run on any thread.
class chunk_stream {
public:
  /// Receives chunks on the server side; `last` marks the end of the stream.
  using sink = std::function<void(std::string chunk, bool last)>;

  /// Queues or forwards a chunk; ignored once closed.
  void write(std::string chunk);

  /// Ends the stream; idempotent.
  void close();

  /// Connects the server side; chunks written earlier are delivered first.
  void attach(sink target);

  /// Server side: the connection is gone; later writes are dropped.
  void abort();

  /// Whether the connection carrying the stream is gone.
  bool aborted() const;

  /// Calls `f` once the connection is gone (at once if it is gone already).
  void on_abort(std::function<void()> f);

private:
  std::mutex mtx_;
  std::vector<std::string> pending_;
  bool closed_ = false;
  std::atomic<bool> aborted_ = false;
  sink sink_;
  std::function<void()> on_abort_;
};

/// The server side of an open WebSocket connection. Thread-safe; handlers may call it from any
/// thread.
class websocket_peer {
public:
  virtual ~websocket_peer() = default;

  /// Queues a text frame; dropped once the connection is closing.
  virtual void send(std::string text) = 0;

  /// Sends the close frame after the queued frames, then ends the connection.
  virtual void close(uint16_t code, std::string reason) = 0;

  /// Whether the connection is closed or closing.
  virtual bool closed() const = 0;
};

/// What a handler accepting a WebSocket upgrade does with the connection. The callbacks run on
/// the connection's I/O strand, one at a time.
struct websocket_upgrade {
  /// The subprotocol to confirm in the handshake; empty for none.
  std::string subprotocol;
  /// The handshake completed.
  std::function<void(std::shared_ptr<websocket_peer>)> on_open;
  /// A complete text message arrived.
  std::function<void(const std::string&)> on_message;
  /// The connection ended (after on_open only).
  std::function<void()> on_close;
};

/// An HTTP response produced by a handler.
struct http_response {
  unsigned status = 200;
  /// Empty for a response without body.
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Forces `Connection: close`, e.g. after a request whose body was not read.
  bool close = false;
  /// Set for a streamed response: the body comes from this stream instead of `body`.
  std::shared_ptr<chunk_stream> stream;
  /// Set to accept a WebSocket upgrade request: the connection switches protocols.
  std::shared_ptr<websocket_upgrade> upgrade;
};

/// The status line and header block of `res` as HTTP/1.`version % 10` puts them on the wire,
/// ending with the blank line. Every response carries Server, its Content-Type, `Cache-Control:
/// no-store`, nosniff, no referrer, no framing and a Content Security Policy (for HTML pages of
/// the admin UI: same-origin scripts, styles and connections; for everything else: nothing may
/// load) unless its own headers replace them (a later header replaces an earlier one of the same
/// name); the framing is the server's: `Connection` from `keep_alive`, then
/// `Content-Length: body_bytes`, or chunked transfer when `body_bytes` is empty. Responses that
/// cannot have a body (1xx, 204, 304) carry neither. Headers whose name or value would break the
/// framing (CR, LF, an empty or malformed name) are left out.
std::string serialize_head(const http_response& res, unsigned version, bool keep_alive,
                           std::optional<size_t> body_bytes);

/// Whether a response of `status` has no body whatever its headers say (1xx, 204, 304).
bool bodiless_status(unsigned status);

/// A JSON response.
http_response json_response(unsigned status, std::string body);

/// The head of a Server-Sent Events response whose body comes from `stream`: no caching and no
/// buffering by proxies.
http_response event_stream_response(std::shared_ptr<chunk_stream> stream);

/// A response without body.
http_response empty_response(unsigned status);

/// A REST error response: {"detail": message, "error": code name}.
http_response error_response(unsigned status, std::string_view code, std::string_view message);

/// The raw value of one query parameter (not percent-decoded); empty when absent.
std::string_view query_param(std::string_view query, std::string_view name);

} // namespace sagemcp::transport
