#include "transport/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace sagemcp::transport {

rate_limiter::rate_limiter(uint32_t default_rpm) : default_rpm_(default_rpm) {
  // nop
}

void rate_limiter::set_tenant(const std::string& slug, int32_t rpm) {
  std::lock_guard guard{mutex_};
  auto& entry = buckets_[slug];
  if (entry.rpm != rpm) {
    entry.rpm = rpm;
    // A new limit starts with a full bucket.
    entry.primed = false;
  }
}

void rate_limiter::erase_tenant(const std::string& slug) {
  std::lock_guard guard{mutex_};
  buckets_.erase(slug);
}

std::optional<std::chrono::seconds> rate_limiter::take(std::string_view slug,
                                                       clock::time_point now) {
  std::lock_guard guard{mutex_};
  auto i = buckets_.find(slug);
  if (i == buckets_.end()) {
    return std::nullopt;
  }
  auto& entry = i->second;
  auto rpm = effective(entry);
  if (rpm == 0) {
    return std::nullopt;
  }
  auto capacity = static_cast<double>(rpm);
  auto per_second = capacity / 60.0;
  if (!entry.primed) {
    entry.tokens = capacity;
    entry.refilled = now;
    entry.primed = true;
  } else if (now > entry.refilled) {
    std::chrono::duration<double> elapsed = now - entry.refilled;
    entry.tokens = std::min(capacity, entry.tokens + elapsed.count() * per_second);
    entry.refilled = now;
  }
  if (entry.tokens >= 1.0) {
    entry.tokens -= 1.0;
    return std::nullopt;
  }
  auto wait = std::ceil((1.0 - entry.tokens) / per_second);
  return std::chrono::seconds{std::max<int64_t>(1, static_cast<int64_t>(wait))};
}

std::optional<uint32_t> rate_limiter::limit_of(std::string_view slug) const {
  std::lock_guard guard{mutex_};
  auto i = buckets_.find(slug);
  if (i == buckets_.end()) {
    return std::nullopt;
  }
  return effective(i->second);
}

} // namespace sagemcp::transport
