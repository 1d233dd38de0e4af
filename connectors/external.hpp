#pragma once

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sagemcp::connectors {

// Connectors that host an external MCP server rather than a native spec.

/// Whether a runtime type hosts an external MCP server: as a child process (runs_process) or
/// by URL (external_remote).
bool is_external_runtime(std::string_view runtime_type);

/// Whether a runtime type runs a command on the server: external_python, external_nodejs,
/// external_go or external_custom.
bool runs_process(std::string_view runtime_type);

/// The runtime type of a remote MCP server reached by URL.
inline constexpr std::string_view remote_runtime = "external_remote";

/// The runtime types a connector may have, for messages.
std::string_view runtime_types_text();

/// Reads a `runtime_command`: a JSON array of 1 to 64 non-empty strings (at most 4096 bytes
/// each), or text holding one. errc::invalid_argument otherwise.
caf::expected<std::vector<std::string>> parse_command(std::string_view runtime_command);

} // namespace sagemcp::connectors
