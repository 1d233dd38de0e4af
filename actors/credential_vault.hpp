#pragma once

#include "connectors/http_client.hpp"
#include "connectors/oauth.hpp"
#include "messages/interfaces.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "security/keyring.hpp"

namespace sagemcp {

/// What the credential vault works with; everything outlives it.
struct credential_vault_options {
  persistence_actor db;
  const security::keyring* keys = nullptr;
  connectors::http_client* client = nullptr;
  const connectors::oauth::registry* oauth = nullptr;
  /// A token expiring within this margin is refreshed before it is handed out.
  std::chrono::seconds refresh_margin{60};
  /// How long an opened credential is served before the database is asked again (other nodes
  /// may have refreshed or deleted it).
  std::chrono::seconds cache_ttl{60};
  /// The longest wait for the database.
  std::chrono::seconds db_timeout{30};
};

/// State of the credential vault.
struct credential_vault_state {
  static inline const char* name = "credential-vault";

  /// One credential, cached under `tenant id \x1f provider \x1f owner`.
  struct entry {
    enum class phase : uint8_t { idle, loading, refreshing };
    phase now = phase::idle;
    std::string tenant_id;
    std::string provider;
    std::string owner;
    /// The stored row (tokens sealed), once loaded.
    oauth_credential_row row;
    /// The opened access token.
    std::string access_token;
    bool loaded = false;
    std::chrono::steady_clock::time_point loaded_at;
    /// The sealed access token whose refresh failed; a reload that finds it again gives up.
    std::string failed_refresh_of;
    std::vector<caf::typed_response_promise<std::string>> waiting;
  };

  credential_vault_options options;
  std::unordered_map<std::string, entry> entries;
  uint64_t hits = 0;
  uint64_t loads = 0;
  uint64_t refreshes = 0;
  uint64_t refresh_failures = 0;
};

/// The node's credential vault.
credential_vault_actor::behavior_type
credential_vault(credential_vault_actor::stateful_pointer<credential_vault_state> self,
                 credential_vault_options options);

} // namespace sagemcp
