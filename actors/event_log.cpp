#include "actors/event_log.hpp"

#include <algorithm>
#include <charconv>

namespace sagemcp {

namespace {

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 19) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::string event_position::to_string() const {
  return std::to_string(stream) + '-' + std::to_string(seq);
}

std::optional<event_position> event_position::parse(std::string_view id) {
  auto dash = id.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  auto stream = parse_number(id.substr(0, dash));
  auto seq = parse_number(id.substr(dash + 1));
  if (!stream || !seq) {
    return std::nullopt;
  }
  return event_position{*stream, *seq};
}

event_log::event_log(size_t max_bytes, clock::duration retention)
  : max_bytes_(max_bytes),
    retention_(retention) {
  // nop
}

event_position event_log::append(uint64_t stream, std::string message) {
  auto& info = streams_[stream];
  event_position at{stream, ++info.last};
  ++info.held;
  bytes_ += message.size();
  events_.push_back(event{at, std::move(message)});
  // The newest event stays even when it alone exceeds the bound.
  while (bytes_ > max_bytes_ && events_.size() > 1) {
    evict_oldest();
  }
  return at;
}

event_log::stream_info* event_log::evict_oldest() {
  auto& oldest = events_.front();
  bytes_ -= oldest.message.size();
  stream_info* info = nullptr;
  if (auto i = streams_.find(oldest.at.stream); i != streams_.end()) {
    info = &i->second;
    info->evicted = oldest.at.seq;
    --info->held;
  }
  events_.pop_front();
  return info;
}

void event_log::trim(size_t max_footprint) {
  if (footprint() <= max_footprint) {
    return;
  }
  // A finished stream without events has nothing left to replay.
  std::erase_if(streams_, [](const auto& entry) {
    return entry.second.finished && entry.second.held == 0;
  });
  while (footprint() > max_footprint && !events_.empty()) {
    auto stream = events_.front().at.stream;
    const auto* info = evict_oldest();
    if (info != nullptr && info->finished && info->held == 0) {
      streams_.erase(stream);
    }
  }
}

event_position event_log::last(uint64_t stream) const {
  auto i = streams_.find(stream);
  return event_position{stream, i == streams_.end() ? 0 : i->second.last};
}

bool event_log::knows(uint64_t stream) const {
  return streams_.contains(stream);
}

event_log::replay event_log::events_after(event_position after) const {
  replay result;
  auto i = streams_.find(after.stream);
  if (i == streams_.end()) {
    return result;
  }
  if (i->second.evicted > after.seq) {
    result.lost = i->second.evicted - after.seq;
  }
  for (const auto& entry : events_) {
    if (entry.at.stream == after.stream && entry.at.seq > after.seq) {
      result.events.push_back(&entry);
    }
  }
  return result;
}

void event_log::finish(uint64_t stream, clock::time_point now) {
  streams_[stream].finished = now;
}

void event_log::expire(clock::time_point now) {
  std::vector<uint64_t> done;
  for (const auto& [stream, info] : streams_) {
    if (info.finished && now - *info.finished >= retention_) {
      done.push_back(stream);
    }
  }
  for (auto stream : done) {
    forget(stream);
  }
}

void event_log::forget(uint64_t stream) {
  std::erase_if(events_, [this, stream](const event& entry) {
    if (entry.at.stream != stream) {
      return false;
    }
    bytes_ -= entry.message.size();
    return true;
  });
  streams_.erase(stream);
}

} // namespace sagemcp
