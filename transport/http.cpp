#include "transport/http.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace sagemcp::transport {

header_list::header_list(std::initializer_list<value_type> fields) {
  size_t bytes = 0;
  for (const auto& [name, value] : fields) {
    bytes += name.size() + value.size();
  }
  reserve(fields.size(), bytes);
  for (const auto& [name, value] : fields) {
    add(name, value);
  }
}

void header_list::add(std::string_view name, std::string_view value) {
  if (text_.size() + name.size() + value.size() > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("header fields too long");
  }
  field f{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(name.size()), 0,
          static_cast<uint32_t>(value.size())};
  for (char c : name) {
    text_ += ascii_lower(c);
  }
  f.value = static_cast<uint32_t>(text_.size());
  text_ += value;
  fields_.push_back(f);
}

void header_list::reserve(size_t fields, size_t bytes) {
  fields_.reserve(fields);
  text_.reserve(bytes);
}

header_list::value_type header_list::operator[](size_t i) const {
  const auto& f = fields_[i];
  std::string_view text{text_};
  return {text.substr(f.name, f.name_size), text.substr(f.value, f.value_size)};
}

std::string_view http_request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

bool http_request::has_header(std::string_view lower_name) const {
  return std::ranges::any_of(headers, [&](const header_list::value_type& field) {
    return field.first == lower_name;
  });
}

// The sink only posts to the connection's strand, so it is called under the lock: that keeps
// chunks in order even when attach() races with a producer.
void chunk_stream::write(std::string chunk) {
  std::lock_guard guard{mtx_};
  if (closed_) {
    return;
  }
  if (sink_) {
    sink_(std::move(chunk), false);
  } else {
    pending_.emplace_back(std::move(chunk));
  }
}

void chunk_stream::close() {
  std::lock_guard guard{mtx_};
  if (closed_) {
    return;
  }
  closed_ = true;
  if (sink_) {
    sink_({}, true);
  }
}

void chunk_stream::attach(sink target) {
  std::lock_guard guard{mtx_};
  sink_ = std::move(target);
  for (auto& chunk : pending_) {
    sink_(std::move(chunk), false);
  }
  pending_.clear();
  if (closed_) {
    sink_({}, true);
  }
}

void chunk_stream::abort() {
  std::function<void()> then;
  {
    std::lock_guard guard{mtx_};
    aborted_ = true;
    closed_ = true;
    sink_ = nullptr;
    pending_.clear();
    then = std::move(on_abort_);
    on_abort_ = nullptr;
  }
  if (then) {
    then();
  }
}

void chunk_stream::on_abort(std::function<void()> f) {
  {
    std::lock_guard guard{mtx_};
    if (!aborted_) {
      on_abort_ = std::move(f);
      return;
    }
  }
  f();
}

bool chunk_stream::aborted() const {
  return aborted_;
}

http_response event_stream_response(std::shared_ptr<chunk_stream> stream) {
  http_response head;
  head.content_type = "text/event-stream";
  head.headers.emplace_back("Cache-Control", "no-cache");
  head.headers.emplace_back("X-Accel-Buffering", "no");
  head.stream = std::move(stream);
  return head;
}

http_response json_response(unsigned status, std::string body) {
  http_response result;
  result.status = status;
  result.body = std::move(body);
  return result;
}

http_response empty_response(unsigned status) {
  http_response result;
  result.status = status;
  result.content_type.clear();
  return result;
}

http_response error_response(unsigned status, std::string_view code, std::string_view message) {
  boost::json::object body;
  body["detail"] = message;
  body["error"] = code;
  return json_response(status, boost::json::serialize(body));
}

namespace {

// RFC 9110's tchar: the characters of a header name.
constexpr std::array<bool, 256> token_chars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) {
    table[c] = true;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    table[c] = true;
    table[c - 'a' + 'A'] = true;
  }
  for (char c : std::string_view{"!#$%&'*+-.^_`|~"}) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

bool valid_field(std::string_view name, std::string_view value) {
  if (name.empty()) {
    return false;
  }
  return std::ranges::all_of(name,
                             [](char c) {
                               return token_chars[static_cast<unsigned char>(c)];
                             })
         && std::ranges::none_of(value, [](char c) {
              return c == '\r' || c == '\n' || c == '\0';
            });
}

// Framing is the server's to set.
bool is_framing(std::string_view name) {
  return iequals_ascii(name, "Content-Length") || iequals_ascii(name, "Transfer-Encoding")
         || iequals_ascii(name, "Connection");
}

// The admin UI's pages: same-origin scripts, styles and connections.
constexpr std::string_view html_policy
  = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

} // namespace

bool bodiless_status(unsigned status) {
  return status / 100 == 1 || status == 204 || status == 304;
}

std::string serialize_head(const http_response& res, unsigned version, bool keep_alive,
                           std::optional<size_t> body_bytes) {
  using field = std::pair<std::string_view, std::string_view>;
  // A handful of headers: replacing by a linear search beats any map. The list is the thread's,
  // kept between responses.
  thread_local std::vector<field> fields;
  fields.clear();
  auto set = [](std::string_view name, std::string_view value) {
    for (auto& existing : fields) {
      if (iequals_ascii(existing.first, name)) {
        existing = {name, value};
        return;
      }
    }
    fields.emplace_back(name, value);
  };
  set("Server", "sagemcp");
  if (!res.content_type.empty()) {
    set("Content-Type", res.content_type);
  }
  set("Cache-Control", "no-store");
  set("X-Content-Type-Options", "nosniff");
  set("Referrer-Policy", "no-referrer");
  set("X-Frame-Options", "DENY");
  set("Content-Security-Policy", res.content_type.starts_with("text/html")
                                   ? html_policy
                                   : "default-src 'none'; frame-ancestors 'none'");
  for (const auto& [name, value] : res.headers) {
    if (!is_framing(name) && valid_field(name, value)) {
      set(name, value);
    }
  }
  auto reason
    = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(res.status);
  head += ' ';
  head.append(reason.data(), reason.size());
  head += "\r\n";
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (version == 10 && keep_alive) {
    head += "Connection: keep-alive\r\n";
  } else if (version != 10 && !keep_alive) {
    head += "Connection: close\r\n";
  }
  if (!bodiless_status(res.status)) {
    if (body_bytes) {
      head += "Content-Length: ";
      head += std::to_string(*body_bytes);
      head += "\r\n";
    } else {
      head += "Transfer-Encoding: chunked\r\n";
    }
  }
  head += "\r\n";
  return head;
}

std::string_view query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return {};
}

} // namespace sagemcp::transport
