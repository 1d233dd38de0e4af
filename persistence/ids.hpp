#pragma once

#include "messages/types.hpp"

#include <chrono>
#include <string>

namespace sagemcp::persistence {

/// A random (version 4) UUID in lowercase canonical form, from OpenSSL's CSPRNG.
std::string make_uuid();

using sagemcp::to_iso8601;

/// The current UTC time as ISO-8601 text with microseconds, e.g. 2026-11-21T12:00:00.123456Z.
std::string now_iso8601();

} // namespace sagemcp::persistence
