#pragma once

#include <string>
#include <string_view>

namespace sagemcp::observability {

/// Appends `text` to `out` as the inside of a JSON string literal (quotes not included).
void append_json_escaped(std::string& out, std::string_view text);

} // namespace sagemcp::observability
