#include "observability/logging.hpp"

#include "observability/json_escape.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sagemcp::observability {

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                            '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
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
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xF];
        } else {
          out += c;
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
    std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 40> ts{};
    auto n = std::strftime(ts.data(), ts.size(), "%Y-%m-%dT%H:%M:%S", &tm);
    fmt::format_to(std::back_inserter(dest), R"({{"ts":"{}.{:06}Z","level":"{}",)",
                   std::string_view{ts.data(), n}, micros,
                   spdlog::level::to_string_view(msg.level));
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.append(std::string_view{"}\n"});
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

// Keeps the latest lines and hands every line to the subscribers (the admin's live log).
class tap_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  static constexpr size_t kept = 1000;

  uint64_t subscribe(log_listener listener, size_t backlog) {
    std::lock_guard guard{mutex_};
    auto from = recent_.size() > backlog ? recent_.size() - backlog : 0;
    for (auto i = from; i < recent_.size(); ++i) {
      listener(recent_[i].first, recent_[i].second);
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
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line{formatted.data(), formatted.size()};
    while (!line.empty() && line.back() == '\n') {
      line.pop_back();
    }
    auto level = spdlog::level::to_string_view(msg.level);
    std::string_view name{level.data(), level.size()};
    for (const auto& [id, listener] : listeners_) {
      listener(name, line);
    }
    recent_.emplace_back(std::string{name}, std::move(line));
    if (recent_.size() > kept) {
      recent_.pop_front();
    }
  }

  void flush_() override {}

private:
  std::deque<std::pair<std::string, std::string>> recent_;
  std::map<uint64_t, log_listener> listeners_;
  uint64_t next_ = 0;
};

std::shared_ptr<tap_sink>& tap() {
  static auto instance = std::make_shared<tap_sink>();
  return instance;
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto result = std::make_shared<spdlog::logger>("sagemcp", spdlog::sinks_init_list{sink, tap()});
    result->set_formatter(std::make_unique<json_formatter>());
    result->flush_on(spdlog::level::info);
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
  std::string payload;
  payload.reserve(64 + msg.size());
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
