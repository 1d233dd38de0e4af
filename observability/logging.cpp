#include "observability/logging.hpp"

#include "observability/json_escape.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace sagemcp::observability {

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                            '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  auto plain = [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
  };
  // Whether any of 8 bytes is a control character, a quote or a backslash (bytes of UTF-8
  // sequences are none of these).
  auto any_special = [](uint64_t w) {
    constexpr uint64_t ones = 0x0101010101010101ULL;
    constexpr uint64_t highs = 0x8080808080808080ULL;
    auto zero_in = [](uint64_t x) {
      return (x - ones) & ~x & highs;
    };
    return (((w - 0x20 * ones) & ~w & highs) | zero_in(w ^ ('"' * ones))
            | zero_in(w ^ ('\\' * ones)))
           != 0;
  };
  while (!text.empty()) {
    // The run of characters that need no escape goes in at once; it is found 8 bytes at a time.
    size_t run = 0;
    for (uint64_t w = 0; run + sizeof w <= text.size(); run += sizeof w) {
      std::memcpy(&w, text.data() + run, sizeof w);
      if (any_special(w)) {
        break;
      }
    }
    run += static_cast<size_t>(
      std::find_if_not(text.begin() + static_cast<std::ptrdiff_t>(run), text.end(), plain)
      - (text.begin() + static_cast<std::ptrdiff_t>(run)));
    out.append(text.data(), run);
    text.remove_prefix(run);
    if (text.empty()) {
      break;
    }
    auto c = text.front();
    text.remove_prefix(1);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 0xF];
      }
    }
  }
}

namespace {

// Renders {"ts":…,"level":…,<payload>} where the payload is pre-rendered JSON members.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since_epoch = msg.time.time_since_epoch();
    auto secs = duration_cast<seconds>(since_epoch);
    auto micros = duration_cast<microseconds>(since_epoch - secs).count();
    if (secs.count() != cached_second_) {
      // The date and time to the second, rendered once per second.
      std::time_t t = secs.count();
      std::tm tm{};
      gmtime_r(&t, &tm);
      cached_length_ = std::strftime(cached_.data(), cached_.size(), "%Y-%m-%dT%H:%M:%S", &tm);
      cached_second_ = secs.count();
    }
    // Appended piece by piece: a format string costs more than the line's other work.
    std::array<char, 6> fraction{};
    for (auto i = fraction.size(); i-- > 0;) {
      fraction[i] = static_cast<char>('0' + micros % 10);
      micros /= 10;
    }
    auto level = spdlog::level::to_string_view(msg.level);
    dest.append(std::string_view{R"({"ts":")"});
    dest.append(cached_.data(), cached_.data() + cached_length_);
    dest.push_back('.');
    dest.append(fraction.data(), fraction.data() + fraction.size());
    dest.append(std::string_view{R"(Z","level":")"});
    dest.append(level.data(), level.data() + level.size());
    dest.append(std::string_view{R"(",)"});
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.append(std::string_view{"}\n"});
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

private:
  long long cached_second_ = -1;
  std::array<char, 40> cached_{};
  size_t cached_length_ = 0;
};

// Standard output in batches: a line goes out at once unless another one went out within the
// last `window`; then it waits, with those that follow, for the flusher thread, which writes
// them `window` later, or as soon as `max_buffered` bytes wait. At most one write per window
// under moderate load instead of one per line, and under heavy load writes of a bounded size:
// the flusher shares the CPU with the threads that serve requests, and one long write would hold
// up every request meanwhile. A quiet server's lines appear as they are logged. Warnings and
// errors go out at once (flush_on).
class stdout_batch_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  static constexpr auto window = std::chrono::milliseconds{20};
  static constexpr size_t max_buffered = size_t{64} * 1024;
  static constexpr size_t max_backlog = size_t{8} * 1024 * 1024;

  stdout_batch_sink()
    : flusher_([this](const std::stop_token& stop) {
        run(stop);
      }) {}

  ~stdout_batch_sink() override {
    flusher_.request_stop();
    wake_.notify_all();
    flusher_.join();
    std::lock_guard guard{mutex_};
    write_out();
  }

  stdout_batch_sink(const stdout_batch_sink&) = delete;
  stdout_batch_sink& operator=(const stdout_batch_sink&) = delete;

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    formatter_->format(msg, buffer_);
    auto now = std::chrono::steady_clock::now();
    if (buffer_.size() >= max_backlog) {
      // The output does not keep up (a full disk, a stopped reader): wait for it rather than
      // lose lines or grow without bound.
      write_out();
      last_write_ = now;
      return;
    }
    if (!waiting_ && (now - last_write_ >= window || buffer_.size() >= max_buffered)) {
      // Written here unless the flusher is writing: a slow write (the kernel throttling a
      // writer of many dirty pages) must not stall the thread that logs.
      std::unique_lock writing{write_mtx_, std::try_to_lock};
      if (writing.owns_lock()) {
        write_locked();
        last_write_ = now;
        return;
      }
    }
    if (!waiting_) {
      waiting_ = true;
      wake_.notify_one();
    } else if (!full_ && buffer_.size() >= max_buffered) {
      full_ = true;
      wake_.notify_one();
    }
  }

  void flush_() override {
    write_out();
  }

private:
  // Writes the buffer out; needs the sink's lock.
  void write_out() {
    std::lock_guard writing{write_mtx_};
    write_locked();
  }

  // Writes the buffer out; needs the sink's lock and the write lock.
  void write_locked() {
    if (buffer_.size() > 0) {
      std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
      std::fflush(stdout);
      buffer_.clear();
    }
    waiting_ = false;
    full_ = false;
  }

  void run(const std::stop_token& stop) {
    spdlog::memory_buf_t batch;
    while (!stop.stop_requested()) {
      std::unique_lock guard{mutex_};
      wake_.wait(guard, stop, [this] {
        return waiting_;
      });
      if (stop.stop_requested()) {
        return;
      }
      wake_.wait_for(guard, stop, window, [this] {
        return full_;
      });
      // The batch is written outside the sink's lock, so that threads logging meanwhile do not
      // wait for the write; taking the write lock first keeps the lines in order.
      batch.clear();
      std::swap(batch, buffer_);
      waiting_ = false;
      full_ = false;
      {
        std::unique_lock writing{write_mtx_};
        guard.unlock();
        if (batch.size() > 0) {
          std::fwrite(batch.data(), 1, batch.size(), stdout);
          std::fflush(stdout);
        }
      }
      // Counted from the end of the write: lines logged while it took long wait for the next
      // batch rather than being written by the thread that logs them.
      guard.lock();
      last_write_ = std::chrono::steady_clock::now();
    }
  }

  spdlog::memory_buf_t buffer_;
  std::chrono::steady_clock::time_point last_write_{};
  /// Lines wait in the buffer for the flusher.
  bool waiting_ = false;
  /// `max_buffered` bytes wait: the flusher writes them without waiting out the window.
  bool full_ = false;
  /// Held while writing; taken with the sink's lock held, so writes keep the lines' order.
  std::mutex write_mtx_;
  std::condition_variable_any wake_;
  std::jthread flusher_;
};

// Keeps the latest lines and hands every line to the subscribers (the admin's live log). Lines
// are kept as logged and rendered when somebody reads them.
class tap_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  static constexpr size_t kept = 1000;

  uint64_t subscribe(log_listener listener, size_t backlog) {
    std::lock_guard guard{mutex_};
    auto from = count_ > backlog ? count_ - backlog : 0;
    for (auto i = from; i < count_; ++i) {
      const auto& entry = recent_[(first_ + i) % kept];
      spdlog::details::log_msg msg{entry.time, spdlog::source_loc{}, "sagemcp", entry.level,
                                   entry.payload};
      deliver(listener, msg);
    }
    auto id = ++next_;
    listeners_.emplace(id, std::move(listener));
    return id;
  }

  void unsubscribe(uint64_t id) {
    std::lock_guard guard{mutex_};
    listeners_.erase(id);
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    for (const auto& [id, listener] : listeners_) {
      deliver(listener, msg);
    }
    // A ring of `kept` entries whose strings keep their capacity from one line to the next.
    auto& entry = recent_[(first_ + count_) % kept];
    if (count_ < kept) {
      ++count_;
    } else {
      first_ = (first_ + 1) % kept;
    }
    entry.time = msg.time;
    entry.level = msg.level;
    entry.payload.assign(msg.payload.data(), msg.payload.size());
  }

  void flush_() override {}

private:
  struct kept_line {
    spdlog::log_clock::time_point time;
    spdlog::level::level_enum level = spdlog::level::info;
    std::string payload;
  };

  void deliver(const log_listener& listener, const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string_view line{formatted.data(), formatted.size()};
    while (!line.empty() && line.back() == '\n') {
      line.remove_suffix(1);
    }
    auto level = spdlog::level::to_string_view(msg.level);
    listener(std::string_view{level.data(), level.size()}, line);
  }

  std::array<kept_line, kept> recent_{};
  size_t first_ = 0;
  size_t count_ = 0;
  std::map<uint64_t, log_listener> listeners_;
  uint64_t next_ = 0;
};

std::shared_ptr<tap_sink>& tap() {
  static auto instance = std::make_shared<tap_sink>();
  return instance;
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<stdout_batch_sink>();
    auto result = std::make_shared<spdlog::logger>("sagemcp", spdlog::sinks_init_list{sink, tap()});
    result->set_formatter(std::make_unique<json_formatter>());
    result->flush_on(spdlog::level::warn);
    return result;
  }();
  return instance;
}

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warn:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string render(std::string_view msg, std::initializer_list<log_field> fields) {
  // Room for the members as they are, a few escapes and a number member: one allocation.
  size_t size = msg.size() + 48;
  for (const auto& [name, value] : fields) {
    size += name.size() + value.size() + 6;
  }
  std::string payload;
  payload.reserve(size);
  payload += R"("msg":")";
  append_json_escaped(payload, msg);
  payload += '"';
  for (const auto& [name, value] : fields) {
    payload += ",\"";
    append_json_escaped(payload, name);
    payload += "\":\"";
    append_json_escaped(payload, value);
    payload += '"';
  }
  return payload;
}

} // namespace

void init_logging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string{level});
  if (level == "warning") {
    lvl = spdlog::level::warn;
  }
  logger()->set_level(lvl == spdlog::level::off ? spdlog::level::info : lvl);
}

void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields) {
  auto lvl = to_spdlog(level);
  if (!logger()->should_log(lvl)) {
    return;
  }
  logger()->log(lvl, render(msg, fields));
}

void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields,
         std::string_view number_name, long long number) {
  auto lvl = to_spdlog(level);
  if (!logger()->should_log(lvl)) {
    return;
  }
  auto payload = render(msg, fields);
  payload += ",\"";
  append_json_escaped(payload, number_name);
  payload += "\":";
  payload += std::to_string(number);
  logger()->log(lvl, payload);
}

uint64_t subscribe_logs(log_listener listener, size_t backlog) {
  logger(); // the tap takes its formatter from the logger
  return tap()->subscribe(std::move(listener), std::min(backlog, tap_sink::kept));
}

void unsubscribe_logs(uint64_t id) {
  tap()->unsubscribe(id);
}

void flush_logs() {
  logger()->flush();
}

} // namespace sagemcp::observability
