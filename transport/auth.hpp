#pragma once

#include "messages/types.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "security/crypto.hpp"

namespace sagemcp::transport {

using security::derive_key;
using security::random_token;

/// Length of the key-id segment of an API key.
inline constexpr size_t key_id_length = 12;

/// A new API key: `smcp_pa_`, `smcp_ta_` or `smcp_tu_`, a key id of 12 characters (a-z, 2-7),
/// `_`, and 43 base64url characters of secret (256 bits). The key id is public: it finds the
/// key's row, and its display prefix (`smcp_pa_<id>`) tells keys apart in listings.
std::string generate_api_key(scope role);

/// The scope prefix of a key (`smcp_pa_`, …).
std::string_view key_prefix(scope role);

/// The display prefix of a key: the scope prefix and the key id for keys in this format, the
/// first 8 characters otherwise.
std::string display_prefix(std::string_view key);

/// The key id of a key in this server's format; empty for other keys.
std::string_view key_id_of(std::string_view key);

/// Verifies API keys against an in-memory table of every active key, kept current by the admin
/// API and by change notifications from other nodes. Keys are stored as HMAC-SHA256(pepper, key)
/// with a pepper derived from SECRET_KEY; a key is found by its key id and its hash compared in
/// constant time, so an unknown key costs what a known one costs and no database read happens
/// per request. Keys hashed under SECRET_KEY_PREVIOUS still match and are re-hashed under the
/// current pepper on first use. Thread-safe.
class key_cache {
public:
  /// A cache whose pepper derives from `secret` and, while keys rotate, from `previous_secret`.
  explicit key_cache(std::string_view secret, std::string_view previous_secret = {});

  /// The stored hash (lowercase hex) of a key under the current pepper.
  std::string hash(std::string_view key) const;

  /// Adds or replaces an active key; inactive or expired rows are removed instead.
  void put(const api_key_row& row);

  /// Removes a key by id.
  void erase(const std::string& key_id);

  /// Replaces every cached key with the active ones of `rows` (after another node changed keys).
  void replace_all(const std::vector<api_key_row>& rows);

  /// Removes every key bound to a tenant (after the tenant was deleted).
  void erase_tenant(const std::string& tenant_id);

  /// The principal of a presented key, if it is known, active and not expired. Records the use.
  std::optional<principal> find(std::string_view key) const;

  /// The keys used since the last take: rows with `id`, `last_used_at` and, for keys that matched
  /// under the previous pepper, the new `key_hash` to store (empty otherwise).
  std::vector<api_key_row> take_uses();

  /// Puts uses back whose write failed, so the next take reports them again.
  void restore_uses(const std::vector<api_key_row>& uses);

  /// The number of cached keys.
  size_t size() const;

private:
  struct entry {
    principal who;
    std::string hash;
    /// `hash` as bytes; nullopt when it is not 64 hex digits (it then matches no key).
    std::optional<security::key256> digest;
    /// Seconds since the epoch; 0 when the key never expires.
    int64_t expires_at = 0;
    /// The key id segment; empty for keys in another format (found by hash instead).
    std::string lookup_id;
    mutable std::atomic<int64_t> used_at{0};
    int64_t reported_at = 0;
  };

  /// Hashes `std::string` and `std::string_view` alike, for lookups without a copy.
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };

  void put_locked(const api_key_row& row);
  void erase_locked(const std::string& id);

  std::vector<security::hmac_sha256_key> peppers_;

  mutable std::shared_mutex mtx_;
  /// By row id.
  std::unordered_map<std::string, std::unique_ptr<entry>> entries_;
  /// Key id segment → entry (owned by `entries_`).
  std::unordered_map<std::string, const entry*, string_hash, std::equal_to<>> by_key_id_;
  /// Hash → row id, for keys without a key id segment.
  std::unordered_map<std::string, std::string> by_hash_;
  /// Row id → hash under the current pepper, for keys that matched under the previous one.
  mutable std::mutex rehash_mtx_;
  mutable std::unordered_map<std::string, std::string> rehash_;
};

/// Parses an ISO-8601 UTC timestamp (YYYY-MM-DDTHH:MM:SS…Z) into seconds since the epoch.
std::optional<int64_t> parse_timestamp(std::string_view text);

/// Formats seconds since the epoch as an ISO-8601 UTC timestamp with microseconds.
std::string format_timestamp(int64_t seconds);

} // namespace sagemcp::transport
