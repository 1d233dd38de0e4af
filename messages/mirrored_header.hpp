#pragma once

#include <caf/error.hpp>

#include <optional>
#include <string>
#include <string_view>

/// Values of the HTTP headers that mirror parts of a 2026-07-28 request body (SEP-2243):
/// `Mcp-Method`, `Mcp-Name` and `Mcp-Param-{Name}`.
namespace sagemcp {

/// Decodes a mirrored header value: surrounding whitespace is dropped and the Base64 sentinel
/// `=?base64?…?=` is decoded; nullopt for a sentinel that is no valid Base64 (bad padding or a
/// character outside the alphabet). A value without the whole sentinel is taken literally.
std::optional<std::string> decode_header_value(std::string_view value);

/// The errc::header_mismatch error (400, -32020) for a mirrored header that does not match the
/// body: `sent` is the raw header value, empty when the header is missing; `body` what the body
/// says. Its data is {"mismatch": {"header", "body", "value"?}}.
caf::error header_mismatch(std::string_view header, std::string_view sent, std::string_view body);

} // namespace sagemcp
