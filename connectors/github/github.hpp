#pragma once

#include "connectors/spec.hpp"

namespace sagemcp::connectors::github {

/// The `github` connector type: the GitHub REST API (api.github.com or GitHub Enterprise
/// Server).
extern const connector_spec spec;

} // namespace sagemcp::connectors::github
