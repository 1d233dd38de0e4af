#pragma once

#include "transport/http.hpp"

#include <optional>
#include <string>

namespace sagemcp::transport {

/// The admin UI's files in `dir` (a Vite build): `/assets/*` with a year of immutable caching
/// (their names carry a content hash), other files revalidated on every use, and index.html for
/// any other path without a file extension, so that the single-page app routes on the client.
/// nullopt for paths the UI does not own (`/api/`, `/health`, `/metrics`), for methods other
/// than GET, and when `dir` is empty.
std::optional<http_response> serve_static(const std::string& dir, const http_request& req);

/// Whether a browser asks for a page (its Accept lists text/html).
bool wants_html(const http_request& req);

} // namespace sagemcp::transport
