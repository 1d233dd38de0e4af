#pragma once

#include "actors/node/config.hpp"
#include "persistence/store.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <ostream>

#include "security/keyring.hpp"

namespace sagemcp::node {

/// What `sagemcp keys rotate` did.
struct rotate_report {
  /// Stored secret values looked at (empty objects are not secrets and are skipped).
  size_t examined = 0;
  /// Values re-encrypted under the current key: sealed under an older key, SageMCP Fernet
  /// values, or plaintext.
  size_t rewritten = 0;
  /// Values that do not open with any configured key; left untouched.
  size_t unreadable = 0;
};

/// Re-encrypts every stored secret under the keyring's current key. Rows changed meanwhile are
/// read again (compare-and-set), so it is safe beside running nodes; it is idempotent. Problems
/// with single values are written to `out` (never their content) and counted as unreadable.
caf::expected<rotate_report> rotate_secrets(persistence::store& db, const security::keyring& keys,
                                            std::ostream& out);

/// `sagemcp keys rotate`: opens the configured database, applies pending migrations and rotates.
/// Returns the process exit code: 0 when every secret is now under SECRET_KEY, 1 otherwise.
int rotate_keys_command(const node_config& cfg);

} // namespace sagemcp::node
