#pragma once

#include <chrono>
#include <string>

namespace sagemcp::persistence {

/// A random (version 4) UUID in lowercase canonical form, from OpenSSL's CSPRNG.
std::string make_uuid();

/// `time` as ISO-8601 UTC text with microseconds, e.g. 2026-11-21T12:00:00.123456Z; such texts
/// sort chronologically.
std::string to_iso8601(std::chrono::system_clock::time_point time);

/// The current UTC time as ISO-8601 text with microseconds, e.g. 2026-11-21T12:00:00.123456Z.
std::string now_iso8601();

} // namespace sagemcp::persistence
