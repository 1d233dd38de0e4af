#pragma once

#include "messages/types.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sagemcp::transport {

/// Random bytes from the CSPRNG, encoded as unpadded base64url (visible ASCII).
std::string random_token(size_t bytes);

/// A new API key: `smcp_pa_`, `smcp_ta_` or `smcp_tu_` followed by 43 base64url characters.
std::string generate_api_key(scope role);

/// The scope prefix of a key (`smcp_pa_`, …).
std::string_view key_prefix(scope role);

/// Derives a 32-byte subkey from the server secret with HKDF-SHA256 for `purpose`.
std::array<uint8_t, 32> derive_key(std::string_view secret, std::string_view purpose);

/// Verifies API keys against an in-memory table of their keyed hashes. Keys are stored as
/// HMAC-SHA256(pepper, key): a presented key is hashed once and looked up in O(1), so a wrong
/// key costs the same as a right one. Thread-safe.
class key_cache {
public:
  /// Creates a cache whose pepper is derived from the server secret.
  explicit key_cache(std::string_view secret);

  /// The stored hash (lowercase hex) of a key.
  std::string hash(std::string_view key) const;

  /// Adds or replaces an active key; inactive or expired rows are removed instead.
  void put(const api_key_row& row);

  /// Removes a key by id.
  void erase(const std::string& key_id);

  /// Replaces every cached key with the active ones of `rows` (after another node changed keys).
  void replace_all(const std::vector<api_key_row>& rows);

  /// Removes every key bound to a tenant (after the tenant was deleted).
  void erase_tenant(const std::string& tenant_id);

  /// The principal of a presented key, if it is known, active and not expired.
  std::optional<principal> find(std::string_view key) const;

  /// The number of cached keys.
  size_t size() const;

private:
  struct entry {
    principal who;
    /// Seconds since the epoch; 0 when the key never expires.
    int64_t expires_at = 0;
  };

  std::array<uint8_t, 32> pepper_;
  void put_locked(const api_key_row& row);

  mutable std::shared_mutex mtx_;
  std::unordered_map<std::string, entry> by_hash_;
  std::unordered_map<std::string, std::string> hash_by_id_;
};

/// Parses an ISO-8601 UTC timestamp (YYYY-MM-DDTHH:MM:SS…Z) into seconds since the epoch.
std::optional<int64_t> parse_timestamp(std::string_view text);

} // namespace sagemcp::transport
