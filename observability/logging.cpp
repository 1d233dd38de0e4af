#include "observability/logging.hpp"

#include "observability/json_escape.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <ctime>
#include <memory>

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

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto result = std::make_shared<spdlog::logger>("sagemcp", sink);
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

void flush_logs() {
  logger()->flush();
}

} // namespace sagemcp::observability
