#pragma once

#include "persistence/store.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>

namespace sagemcp::persistence {

/// Opens the SQLite database at `path`, creating the file (and its directory) if needed;
/// ":memory:" opens a private in-memory database. Sets WAL journaling, foreign keys,
/// a 5 s busy timeout and synchronous=NORMAL, and prepares every statement of the backend (those
/// that need tables once the schema is at the latest version, else after migrate()).
caf::expected<std::unique_ptr<store>> open_sqlite_store(const std::string& path);

} // namespace sagemcp::persistence
