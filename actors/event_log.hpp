#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// Where an event sits: the SSE stream of the session that carried it and its position there.
/// Its text form, `<stream>-<seq>`, is the SSE event id; sequence numbers start at 1, and
/// `<stream>-0` names the start of a stream.
struct event_position {
  uint64_t stream = 0;
  uint64_t seq = 0;

  /// The event id.
  std::string to_string() const;

  /// Reads an event id; nullopt unless it is `<stream>-<seq>` in decimal digits.
  static std::optional<event_position> parse(std::string_view id);
};

/// The messages a session sent on its SSE streams, kept for `Last-Event-ID` replay. The log holds
/// at most `max_bytes` of message text: appending beyond that evicts the oldest events. A finished
/// stream (its final response logged) is forgotten once its retention passed.
class event_log {
public:
  using clock = std::chrono::steady_clock;

  /// One logged event.
  struct event {
    event_position at;
    std::string message;
  };

  /// What a replay finds.
  struct replay {
    /// The events after the requested one, in order.
    std::vector<const event*> events;
    /// How many events after the requested one were evicted before the replay (lost).
    uint64_t lost = 0;
  };

  explicit event_log(size_t max_bytes = size_t{1} << 20,
                     clock::duration retention = std::chrono::minutes{1});

  /// Logs a message on `stream`; returns its position.
  event_position append(uint64_t stream, std::string message);

  /// The position of the last event of `stream` so far (seq 0 before the first).
  event_position last(uint64_t stream) const;

  /// Whether the log knows `stream` (it logged one of its events and has not forgotten it).
  bool knows(uint64_t stream) const;

  /// The logged events of the stream of `after` that follow it.
  replay events_after(event_position after) const;

  /// Marks a stream finished at `now`: nothing more is logged for it.
  void finish(uint64_t stream, clock::time_point now);

  /// Forgets the finished streams whose retention passed by `now`.
  void expire(clock::time_point now);

  /// The bytes of message text held.
  size_t bytes() const {
    return bytes_;
  }

  /// The number of events held.
  size_t size() const {
    return events_.size();
  }

  /// The memory the log holds, approximately: the message text plus a fixed cost per event and
  /// per known stream.
  size_t footprint() const {
    return bytes_ + events_.size() * event_cost + streams_.size() * stream_cost;
  }

  /// Shrinks the log until its footprint is at most `max_footprint` (or nothing is left): forgets
  /// finished streams that hold no event, then evicts the oldest events, forgetting a finished
  /// stream with its last one. The owner of a budget calls it when other state needs the room.
  void trim(size_t max_footprint);

  /// The fixed cost of an event and of a known stream in `footprint()`.
  static constexpr size_t event_cost = 64;
  static constexpr size_t stream_cost = 64;

private:
  struct stream_info {
    /// The last sequence number handed out.
    uint64_t last = 0;
    /// The highest sequence number evicted.
    uint64_t evicted = 0;
    /// The number of its events held.
    size_t held = 0;
    std::optional<clock::time_point> finished;
  };

  void forget(uint64_t stream);

  /// Evicts the oldest event; returns its stream's info.
  stream_info* evict_oldest();

  size_t max_bytes_;
  clock::duration retention_;
  size_t bytes_ = 0;
  std::deque<event> events_;
  std::unordered_map<uint64_t, stream_info> streams_;
};

} // namespace sagemcp
