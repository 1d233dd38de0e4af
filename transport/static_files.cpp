#include "transport/static_files.hpp"

#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sagemcp::transport {

namespace {

namespace fs = std::filesystem;

struct media {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<media, 16> media_types{{
  {".html", "text/html; charset=utf-8"},
  {".js", "text/javascript; charset=utf-8"},
  {".mjs", "text/javascript; charset=utf-8"},
  {".css", "text/css; charset=utf-8"},
  {".json", "application/json"},
  {".map", "application/json"},
  {".svg", "image/svg+xml"},
  {".png", "image/png"},
  {".jpg", "image/jpeg"},
  {".ico", "image/x-icon"},
  {".webp", "image/webp"},
  {".woff", "font/woff"},
  {".woff2", "font/woff2"},
  {".txt", "text/plain; charset=utf-8"},
  {".webmanifest", "application/manifest+json"},
  {".wasm", "application/wasm"},
}};

std::string_view media_type_of(const fs::path& file) {
  auto extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), ascii_lower);
  for (const auto& entry : media_types) {
    if (entry.extension == extension) {
      return entry.type;
    }
  }
  return "application/octet-stream";
}

bool owned_elsewhere(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path.starts_with("/health")
         || path == "/metrics";
}

std::optional<std::string> read_file(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

http_response file_response(const fs::path& file, std::string body, bool immutable) {
  http_response response;
  response.content_type = std::string{media_type_of(file)};
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

} // namespace

bool wants_html(const http_request& req) {
  return req.header("accept").find("text/html") != std::string_view::npos;
}

std::optional<http_response> serve_static(const std::string& dir, const http_request& req) {
  if (dir.empty() || req.method != "GET" || owned_elsewhere(req.path)) {
    return std::nullopt;
  }
  auto decoded = boost::urls::make_pct_string_view(req.path);
  if (!decoded) {
    return error_response(400, "invalid_request", "The path is not validly percent-encoded");
  }
  auto path = decoded->decode();
  // Only plain relative names below the directory: no parent steps, no NUL, no backslashes.
  fs::path relative = fs::path{path}.relative_path().lexically_normal();
  bool unsafe = path.find('\0') != std::string::npos || path.find('\\') != std::string::npos
                || std::any_of(relative.begin(), relative.end(), [](const fs::path& part) {
                     return part == ".." || part.string().starts_with('.');
                   });
  if (unsafe) {
    return error_response(404, "not_found", "Not Found");
  }
  fs::path root{dir};
  std::error_code ec;
  if (!relative.empty() && relative != ".") {
    auto file = root / relative;
    if (fs::is_regular_file(file, ec)) {
      auto body = read_file(file);
      if (!body) {
        return error_response(404, "not_found", "Not Found");
      }
      bool hashed = relative.begin() != relative.end() && *relative.begin() == "assets";
      return file_response(file, std::move(*body), hashed);
    }
    // A missing file that has an extension is missing, not a route of the app.
    if (relative.has_extension()) {
      return error_response(404, "not_found", "Not Found");
    }
  }
  auto index = root / "index.html";
  auto body = read_file(index);
  if (!body) {
    return std::nullopt;
  }
  return file_response(index, std::move(*body), false);
}

} // namespace sagemcp::transport
