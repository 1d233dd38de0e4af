#pragma once

#include <string>
#include <string_view>

namespace sagemcp {

/// Renders {"jsonrpc":"2.0","id":<id>,"result":<result>} from raw JSON parts.
std::string encode_result(std::string_view id, std::string_view result);

/// Renders a JSON-RPC error response; an empty id renders as null; `data` is raw JSON or empty.
std::string encode_error(std::string_view id, int code, std::string_view message,
                         std::string_view data = {});

} // namespace sagemcp
