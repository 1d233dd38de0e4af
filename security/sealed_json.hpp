#pragma once

#include <caf/expected.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "security/keyring.hpp"

namespace sagemcp::security {

/// The encryption context of a connector's configuration column: it binds the value to its
/// column and tenant.
std::string configuration_context(std::string_view tenant_id);

/// The encryption context of a connector's runtime_env column.
std::string runtime_env_context(std::string_view tenant_id);

/// The encryption context of a sealed column other than a connector's: `<table>.<column>:<tenant
/// id>` (OAuth tokens, OAuth client secrets, PKCE verifiers).
std::string column_context(std::string_view table_column, std::string_view tenant_id);

/// Whether a stored object column holds nothing (empty, or the plaintext `{}` that is the
/// column's default): nothing to protect, so it is neither opened nor rotated.
bool holds_nothing(std::string_view stored);

/// Opens a stored JSON object column: a sealed value, a SageMCP Fernet value, or the empty
/// object `{}` (which holds nothing to protect). errc::secret_unreadable otherwise.
caf::expected<boost::json::object> open_object(const keyring& keys, std::string_view stored,
                                               std::string_view context);

} // namespace sagemcp::security
