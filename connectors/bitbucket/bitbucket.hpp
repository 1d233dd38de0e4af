#pragma once

#include "connectors/spec.hpp"

namespace sagemcp::connectors::bitbucket {

/// The `bitbucket` connector type: the Bitbucket REST API.
extern const connector_spec spec;

} // namespace sagemcp::connectors::bitbucket
