#include "connectors/sse.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace sagemcp::connectors {

namespace {

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

// A data line may carry up to this much beyond its value ("data: "), so that a line holding
// exactly the largest allowed value is not refused while it is still unterminated.
constexpr size_t field_room = 8;

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

} // namespace

sse_parser::sse_parser(size_t max_event_bytes) : max_(max_event_bytes) {}

const std::string& sse_parser::last_id() const {
  return last_id_;
}

std::optional<uint64_t> sse_parser::retry() const {
  return retry_;
}

bool sse_parser::feed(std::string_view piece, std::vector<sse_event>& out) {
  if (failed_) {
    return false;
  }
  // Splits text into lines; the tail without a line end waits in pending_ for the next piece.
  auto scan = [&](std::string_view text) {
    size_t i = 0;
    while (i < text.size() && !failed_) {
      if (after_cr_) {
        after_cr_ = false;
        // The LF of a CRLF whose CR ended the previous line (possibly in the previous piece).
        if (text[i] == '\n') {
          ++i;
          continue;
        }
      }
      auto end = text.find_first_of("\r\n", i);
      if (end == std::string_view::npos) {
        pending_.append(text.substr(i));
        if (pending_.size() > max_ + field_room) {
          failed_ = true;
        }
        return;
      }
      if (pending_.empty()) {
        line(text.substr(i, end - i), out);
      } else {
        pending_.append(text.substr(i, end - i));
        // Moved out first: line() may not see its own input change under it.
        auto whole = std::move(pending_);
        pending_.clear();
        line(whole, out);
      }
      after_cr_ = text[end] == '\r';
      i = end + 1;
    }
  };

  if (!started_) {
    // The byte order mark may itself arrive split: hold its first bytes until it is clear
    // whether the stream starts with one.
    auto take = std::min(piece.size(), byte_order_mark.size() - pending_.size());
    pending_.append(piece.substr(0, take));
    piece.remove_prefix(take);
    if (pending_.size() < byte_order_mark.size() && byte_order_mark.starts_with(pending_)) {
      return true;
    }
    started_ = true;
    auto head = std::move(pending_);
    pending_.clear();
    if (head == byte_order_mark) {
      head.clear();
    }
    scan(head);
  }
  scan(piece);
  return !failed_;
}

void sse_parser::line(std::string_view text, std::vector<sse_event>& out) {
  if (text.empty()) {
    if (!has_data_) {
      // Nothing to dispatch; the id, if any, was already recorded as the last one.
      type_.clear();
      data_.clear();
      has_id_ = false;
      return;
    }
    sse_event event;
    data_.pop_back(); // every data line appended a line feed; the last one is no separator
    event.data = std::move(data_);
    if (!type_.empty()) {
      event.type = std::move(type_);
    }
    event.id = last_id_;
    event.has_id = has_id_;
    out.push_back(std::move(event));
    type_.clear();
    data_.clear();
    has_data_ = false;
    has_id_ = false;
    return;
  }
  if (text.front() == ':') {
    return; // a comment, often sent only to keep the connection alive
  }
  std::string_view field = text;
  std::string_view value;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    field = text.substr(0, colon);
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
  }
  if (field == "event") {
    type_ = value;
  } else if (field == "data") {
    data_ += value;
    data_ += '\n';
    has_data_ = true;
    // The data handed out drops the final line feed, so it may hold one byte more here.
    if (data_.size() > max_ + 1) {
      failed_ = true;
    }
  } else if (field == "id") {
    // An id holding NUL could not be sent back in a Last-Event-ID header: the standard ignores it.
    if (value.find('\0') == std::string_view::npos) {
      last_id_ = value;
      has_id_ = true;
    }
  } else if (field == "retry") {
    uint64_t millis = 0;
    if (all_digits(value)) {
      const auto* last = value.data() + value.size();
      // A delay too large for 64 bits is ignored like any other malformed value.
      if (auto [ptr, ec] = std::from_chars(value.data(), last, millis);
          ec == std::errc{} && ptr == last) {
        retry_ = millis;
      }
    }
  }
}

} // namespace sagemcp::connectors
