#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

/// One Server-Sent Event.
struct sse_event {
  /// The `event` field; "message" when the event names none.
  std::string type = "message";
  /// The `data` lines joined by line feeds.
  std::string data;
  /// The last event id seen on the stream so far (ids persist across events); empty if none.
  std::string id;
  /// Whether this event carried an `id` field itself (an empty one included).
  bool has_id = false;
};

/// Reads a text/event-stream as the HTML standard defines it: lines ending in CRLF, LF or CR
/// (also split across pieces), a leading byte order mark, comments, `event`, `data`, `id` (ignored
/// when it holds NUL) and `retry` fields, a field without a colon, one space after the colon
/// removed. An event with no data is not dispatched, but its id still counts.
class sse_parser {
public:
  /// `max_event_bytes`: the most data one event may gather.
  explicit sse_parser(size_t max_event_bytes = size_t{16} << 20);

  /// Feeds the next piece of the stream and appends the events it completes to `out`. Returns
  /// false once an event grew beyond the limit; the parser then stays failed.
  bool feed(std::string_view piece, std::vector<sse_event>& out);

  /// The last event id of the stream (for Last-Event-ID); empty if none.
  [[nodiscard]] const std::string& last_id() const;
  /// The reconnection delay the stream asked for, in milliseconds.
  [[nodiscard]] std::optional<uint64_t> retry() const;

private:
  void line(std::string_view text, std::vector<sse_event>& out);

  size_t max_;
  bool failed_ = false;
  bool started_ = false;
  bool after_cr_ = false;
  std::string pending_;
  std::string type_;
  std::string data_;
  bool has_data_ = false;
  bool has_id_ = false;
  std::string last_id_;
  std::optional<uint64_t> retry_;
};

} // namespace sagemcp::connectors
