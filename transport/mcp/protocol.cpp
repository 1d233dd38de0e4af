#include "transport/mcp/protocol.hpp"

#include "transport/http.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace sagemcp::transport::mcp {

std::string_view trim(std::string_view x) {
  while (!x.empty() && (x.front() == ' ' || x.front() == '\t')) {
    x.remove_prefix(1);
  }
  while (!x.empty() && (x.back() == ' ' || x.back() == '\t')) {
    x.remove_suffix(1);
  }
  return x;
}

namespace {

// The media type of one Accept or Content-Type element, without parameters.
std::string_view media_type(std::string_view element) {
  return trim(element.substr(0, element.find(';')));
}

template <class F>
void for_each_element(std::string_view list, F f) {
  while (!list.empty()) {
    auto comma = list.find(',');
    f(media_type(list.substr(0, comma)));
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

} // namespace

std::vector<std::string_view> list_elements(std::string_view list) {
  std::vector<std::string_view> result;
  for_each_element(list, [&](std::string_view element) {
    if (!element.empty()) {
      result.push_back(element);
    }
  });
  return result;
}

namespace {

bool is_loopback_host(std::string_view host) {
  return iequals_ascii(host, "localhost") || host == "127.0.0.1" || host == "[::1]"
         || host == "::1";
}

// The host part of a Host header value (drops the port, keeps IPv6 brackets).
std::string_view host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  return host.substr(0, host.find(':'));
}

// Whether an Accept header lists `wanted` itself (wildcards do not count).
bool lists_media_type(std::string_view accept, std::string_view wanted) {
  bool found = false;
  for_each_element(accept, [&](std::string_view type) {
    found = found || iequals_ascii(type, wanted);
  });
  return found;
}

} // namespace

bool is_allowed_host(std::string_view host, std::string_view allowed, bool loopback_only) {
  auto name = host_name(host);
  if (!trim(allowed).empty()) {
    bool found = false;
    for_each_element(allowed, [&](std::string_view entry) {
      found = found || entry == "*" || (!name.empty() && iequals_ascii(entry, name));
    });
    return found;
  }
  return !loopback_only || is_loopback_host(name);
}

bool is_cors_origin(std::string_view origin, std::string_view allowed) {
  if (origin.empty() || trim(allowed).empty()) {
    return false;
  }
  bool found = false;
  for_each_element(allowed, [&](std::string_view entry) {
    found = found || entry == "*" || entry == origin;
  });
  return found;
}

bool is_loopback_address(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || iequals_ascii(address, "localhost");
}

std::string_view negotiate_version(std::string_view requested) {
  if (is_supported_version(requested)) {
    return requested;
  }
  return latest_legacy_version;
}

bool is_supported_version(std::string_view version) {
  return std::find(legacy_versions.begin(), legacy_versions.end(), version)
         != legacy_versions.end();
}

bool accepts_json_and_sse(std::string_view accept) {
  return lists_media_type(accept, "application/json")
         && lists_media_type(accept, "text/event-stream");
}

bool is_websocket_upgrade(std::string_view upgrade_header) {
  return iequals_ascii(trim(upgrade_header), "websocket");
}

bool offers_subprotocol(std::string_view header, std::string_view protocol) {
  bool found = false;
  for_each_element(header, [&](std::string_view element) {
    found = found || element == protocol;
  });
  return found;
}

std::optional<std::string_view> bearer_subprotocol(std::string_view header) {
  std::optional<std::string_view> key;
  for_each_element(header, [&](std::string_view element) {
    if (!key && element.starts_with(bearer_subprotocol_prefix)
        && element.size() > bearer_subprotocol_prefix.size()) {
      key = element.substr(bearer_subprotocol_prefix.size());
    }
  });
  return key;
}

bool accepts_sse(std::string_view accept) {
  return lists_media_type(accept, "text/event-stream");
}

bool is_json_content_type(std::string_view content_type) {
  return iequals_ascii(media_type(content_type), "application/json");
}

bool is_valid_session_id(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return c >= 0x21 && c <= 0x7E;
  });
}

bool is_allowed_origin(std::string_view origin, std::string_view host, std::string_view allowed) {
  if (origin.empty()) {
    return true;
  }
  if (!trim(allowed).empty()) {
    bool found = false;
    for_each_element(allowed, [&](std::string_view entry) {
      found = found || entry == "*" || entry == origin;
    });
    return found;
  }
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url) {
    return false;
  }
  auto origin_host = url->encoded_host_and_port();
  std::string_view origin_name = host_name({origin_host.data(), origin_host.size()});
  return is_loopback_host(origin_name) || iequals_ascii(origin_name, host_name(host));
}

} // namespace sagemcp::transport::mcp
