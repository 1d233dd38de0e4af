#pragma once

#include "connectors/spec.hpp"

namespace sagemcp::connectors::gitlab {

/// The `gitlab` connector type: the GitLab REST API.
extern const connector_spec spec;

} // namespace sagemcp::connectors::gitlab
