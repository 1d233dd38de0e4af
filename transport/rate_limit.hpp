#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sagemcp::transport {

/// Token buckets per tenant for the MCP endpoints: a tenant may burst a minute's worth of
/// requests and refills at its requests-per-minute rate. Only registered tenants have a bucket,
/// so traffic for unknown slugs never allocates one. Thread-safe.
class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `default_rpm` applies to tenants without a limit of their own; 0 turns limiting off.
  explicit rate_limiter(uint32_t default_rpm);

  /// Registers a tenant or changes its limit; a negative `rpm` means the default, 0 unlimited.
  void set_tenant(const std::string& slug, int32_t rpm);

  /// Forgets a deleted tenant.
  void erase_tenant(const std::string& slug);

  /// Takes a token from the tenant's bucket. Returns nullopt when the request may proceed (also
  /// for tenants the limiter does not know), else the whole seconds until a token is available.
  std::optional<std::chrono::seconds> take(std::string_view slug, clock::time_point now);

  /// take() at the current time.
  std::optional<std::chrono::seconds> take(std::string_view slug) {
    return take(slug, clock::now());
  }

  /// The limit in effect for a tenant (requests per minute, 0 = unlimited); nullopt if unknown.
  std::optional<uint32_t> limit_of(std::string_view slug) const;

private:
  struct bucket {
    /// The tenant's own limit; negative means the default.
    int32_t rpm = -1;
    double tokens = 0;
    clock::time_point refilled{};
    bool primed = false;
  };

  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view x) const {
      return std::hash<std::string_view>{}(x);
    }
  };

  uint32_t effective(const bucket& b) const {
    return b.rpm < 0 ? default_rpm_ : static_cast<uint32_t>(b.rpm);
  }

  mutable std::mutex mutex_;
  uint32_t default_rpm_;
  std::unordered_map<std::string, bucket, string_hash, std::equal_to<>> buckets_;
};

} // namespace sagemcp::transport
