#pragma once

#include <caf/expected.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/crypto.hpp"

namespace sagemcp::security {

/// The prefix of every value this server seals: `enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖
/// tag)>`.
inline constexpr std::string_view sealed_prefix = "enc:v1:";

/// Encrypts secrets at rest with AES-256-GCM under keys derived from the server secrets (HKDF).
/// Every sealed value names the key that sealed it, so several secrets can be accepted at once:
/// the current one (SECRET_KEY) seals, the previous one (SECRET_KEY_PREVIOUS) still opens. A
/// value is bound to a context (its table, column and tenant) through the GCM associated data,
/// so a ciphertext copied to another row or column does not open. Values written by SageMCP
/// (Fernet tokens keyed by PBKDF2-SHA256 of the secret) open too, for migration. Thread-safe.
class keyring {
public:
  /// A keyring sealing under `current` and opening under `current` or `previous` (if not empty).
  explicit keyring(std::string_view current, std::string_view previous = {});

  keyring(const keyring&) = delete;
  keyring& operator=(const keyring&) = delete;
  ~keyring();

  /// Seals `plaintext` under the current key for `context`.
  std::string seal(std::string_view plaintext, std::string_view context) const;

  /// Opens a stored value: a sealed value of a known key, or a SageMCP Fernet token. Anything
  /// else, a value of an unknown key or a value that fails authentication is
  /// errc::secret_unreadable; the message never contains the value.
  caf::expected<std::string> open(std::string_view stored, std::string_view context) const;

  /// Whether a stored value is sealed under the current key (else `sagemcp keys rotate` rewrites
  /// it).
  bool is_current(std::string_view stored) const;

  /// The id of the current key (8 hex digits), as sealed values carry it.
  const std::string& current_key_id() const;

  /// Whether a stored value looks like a SageMCP Fernet token.
  static bool is_fernet(std::string_view stored);

  /// Whether a stored value is one this server sealed (under any key).
  static bool is_sealed(std::string_view stored);

private:
  struct key_entry {
    std::string id;
    key256 key;
    /// The raw secret, kept to derive the Fernet key of SageMCP values on first use.
    std::string secret;
    mutable std::once_flag fernet_once;
    mutable key256 fernet_key{};
  };

  const key_entry* find(std::string_view id) const;
  caf::expected<std::string> open_fernet(std::string_view token) const;

  std::vector<std::unique_ptr<key_entry>> keys_;
};

/// The Fernet key SageMCP derives from its SECRET_KEY: PBKDF2-HMAC-SHA256, 480,000 iterations,
/// salt "sagemcp-field-encryption-v1" (signing key first, encryption key second).
key256 sagemcp_fernet_key(std::string_view secret);

/// Opens a Fernet token under a 32-byte Fernet key; nullopt when it does not authenticate or is
/// malformed. Token ages are not checked (stored values never expire).
std::optional<std::string> fernet_open(std::string_view token, const key256& key);

} // namespace sagemcp::security
