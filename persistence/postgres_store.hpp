#pragma once

#include "persistence/store.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::persistence {

/// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_url(std::string_view url);

/// Opens the PostgreSQL database at `url` (a libpq connection URI; sslmode and the other libpq
/// parameters are honoured). Unless the URI sets them, the connection gets a 5 s connect timeout,
/// TCP keepalives and a 10 s TCP user timeout, so a vanished server is noticed instead of waited
/// for.
///
/// Every statement of the backend is prepared on each connection. A lost connection makes the
/// call fail with storage_unavailable (nothing of it was committed) and the next call connects
/// again; a connection lost during a commit is storage_failure, since the outcome is unknown.
/// Writes that change what other nodes cache notify them on the `sagemcp_changes` channel in
/// their transaction, tagged with `node_id`.
caf::expected<std::unique_ptr<store>> open_postgres_store(const std::string& url,
                                                          std::string node_id);

/// Receives what other nodes changed: the payloads NOTIFY carried on `sagemcp_changes`.
class change_listener {
public:
  virtual ~change_listener() = default;

  /// Waits up to `timeout` for changes and returns their payloads (JSON objects as text; none
  /// when the time passed). storage_unavailable when the connection is lost; the next call
  /// connects and listens again, and changes made meanwhile are not replayed, so the caller
  /// drops what it cached.
  virtual caf::expected<std::vector<std::string>> wait(std::chrono::milliseconds timeout) = 0;
};

/// A listener on its own connection to `url`; it connects on the first wait.
std::unique_ptr<change_listener> open_postgres_listener(const std::string& url);

/// The URL with the connection defaults described above filled in where it lacks them.
std::string with_connection_defaults(const std::string& url);

} // namespace sagemcp::persistence
