#include "messages/types.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace sagemcp {

std::string utc_day(int64_t days_ago) {
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day day{today - std::chrono::days{days_ago}};
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

std::string to_iso8601(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto micros = floor<microseconds>(time);
  auto day = floor<days>(micros);
  year_month_day date{day};
  hh_mm_ss tod{micros - day};
  std::array<char, 128> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<long long>(tod.subseconds().count()));
  return std::string{buf.data()};
}

std::string_view to_string(scope x) {
  switch (x) {
    case scope::tenant_user:
      return "tenant_user";
    case scope::tenant_admin:
      return "tenant_admin";
    case scope::platform_admin:
      return "platform_admin";
  }
  return "tenant_user";
}

std::optional<scope> parse_scope(std::string_view name) {
  for (auto x : {scope::tenant_user, scope::tenant_admin, scope::platform_admin}) {
    if (to_string(x) == name) {
      return x;
    }
  }
  return std::nullopt;
}

std::optional<size_t> log_level_rank(std::string_view level) {
  for (size_t i = 0; i < log_levels.size(); ++i) {
    if (log_levels[i] == level) {
      return i;
    }
  }
  return std::nullopt;
}

} // namespace sagemcp
