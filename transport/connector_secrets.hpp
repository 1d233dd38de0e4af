#pragma once

#include "messages/types.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "security/keyring.hpp"
#include "security/sealed_json.hpp"

namespace sagemcp::transport {

using security::configuration_context;
using security::holds_nothing;
using security::open_object;
using security::runtime_env_context;

/// A connector as the admin API shows it: configuration without its secret fields, the names of
/// the secret fields that are set (`secret_fields`) and the names of the environment variables
/// of an external runtime (`runtime_env_keys`), whose values are all secret. A stored value that
/// does not open shows as null with `secrets_error`.
boost::json::object present_connector(const connector_row& row, const security::keyring& keys);

/// Applies the `configuration` and `runtime_env` objects of a create or update body (nullopt
/// when absent) to a row and seals the result. Secrets are write-only: on update, a
/// secret configuration field the body leaves out keeps its value, an environment variable it
/// leaves out stays set, and null removes either. Stored values that no longer open can only be
/// replaced whole. Errors: invalid_argument (an environment value that is not a string),
/// secret_unreadable.
caf::error apply_connector_secrets(const security::keyring& keys, connector_row& row,
                                   std::optional<boost::json::object> configuration,
                                   std::optional<boost::json::object> runtime_env, bool creating);

} // namespace sagemcp::transport
