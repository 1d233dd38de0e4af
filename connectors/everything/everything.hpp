#pragma once

#include "connectors/spec.hpp"

namespace sagemcp::connectors::everything {

/// The built-in `everything` connector type: echo, add and the MCP conformance fixture tools, so
/// that anyone can test a client against the platform without upstream credentials.
extern const connector_spec spec;

} // namespace sagemcp::connectors::everything
