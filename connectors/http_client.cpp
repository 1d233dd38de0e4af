#include "connectors/http_client.hpp"

#include "connectors/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sagemcp::connectors {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Where an exchange goes: the parts of its URL.
struct target {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  // origin-form request target: path and query
  std::string path;
  bool ip_literal = false;
};

std::optional<target> parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return std::nullopt;
  }
  const auto& u = *parsed;
  target t;
  auto scheme = lower(u.scheme());
  if (scheme == "https") {
    t.tls = true;
  } else if (scheme != "http") {
    return std::nullopt;
  }
  t.host = u.host_address();
  if (t.host.empty()) {
    return std::nullopt;
  }
  t.ip_literal = u.host_type() == boost::urls::host_type::ipv4
                 || u.host_type() == boost::urls::host_type::ipv6;
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) {
      return std::nullopt;
    }
    t.port = u.port_number();
  } else {
    t.port = t.tls ? 443 : 80;
  }
  t.path = u.encoded_path().empty() ? std::string{"/"} : std::string{u.encoded_path()};
  if (u.has_query()) {
    t.path += '?';
    t.path += u.encoded_query();
  }
  return t;
}

// The host as it appears in a Host header or an authority.
std::string authority(const target& t) {
  std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  bool default_port = (t.tls && t.port == 443) || (!t.tls && t.port == 80);
  return default_port ? host : host + ":" + std::to_string(t.port);
}

struct proxy_setting {
  target where;
  // Value of a Proxy-Authorization header; empty without credentials.
  std::string authorization;
};

std::optional<proxy_setting> parse_proxy(std::string_view url) {
  if (url.empty()) {
    return std::nullopt;
  }
  std::string text{url};
  if (text.find("://") == std::string::npos) {
    text = "http://" + text;
  }
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    return std::nullopt;
  }
  auto where = parse_target(text);
  if (!where || where->tls) {
    // Only plain-HTTP proxies are supported; the tunnel itself carries TLS.
    return std::nullopt;
  }
  proxy_setting proxy{*where, {}};
  if (parsed->has_userinfo()) {
    proxy.authorization = basic_credentials(parsed->user(), parsed->password());
  }
  return proxy;
}

// A connection to an upstream, plain or TLS.
struct connection {
  explicit connection(asio::io_context& io) : plain(io) {}
  beast::tcp_stream plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
  // Sends requests in absolute form to an HTTP proxy.
  bool via_proxy = false;

  beast::tcp_stream& lowest() {
    return secure ? beast::get_lowest_layer(*secure) : plain;
  }
};

using connection_ptr = std::unique_ptr<connection>;

fetch_error failure(fetch_failure kind, std::string message, bool sent = false) {
  return fetch_error{kind, std::move(message), sent};
}

// The status and header fields of an answer, names in lower case, without the body.
template <class Message>
http_response response_head(const Message& res) {
  http_response out;
  out.status = res.result_int();
  for (const auto& field : res) {
    out.headers.push_back({lower(field.name_string()), std::string{field.value()}});
  }
  return out;
}

// A request message ready to send, and where it goes.
struct outbound {
  target where;
  http::request<http::string_body> message;
};

// Lets stream handles reach the client's I/O context for as long as the client lives: a handle
// may outlive its client.
struct lifeline {
  std::mutex mtx;
  asio::io_context* io = nullptr;
};

// What a stream's handle and its coroutine share.
struct stream_state {
  std::atomic<bool> cancelled{false};
  // Held on the I/O thread while an event runs, and by `cancel` from any other thread, so that
  // once `cancel` returns no event is running or will start: the caller may then drop whatever
  // the events refer to. An event may call `cancel` itself, on the I/O thread, without it.
  std::mutex reporting;
  std::thread::id io_thread;
  // I/O thread only: the connection the stream reads, for `cancel` to close; null while none.
  connection* conn = nullptr;
  // I/O thread only.
  stream_events events;
  bool ended = false;

  // Runs one event unless the stream was cancelled.
  template <class Fn>
  void report(Fn&& fn) {
    std::lock_guard guard{reporting};
    if (!cancelled) {
      std::forward<Fn>(fn)();
    }
  }

  void head(const http_response& res) {
    report([&] {
      if (events.on_head) {
        events.on_head(res);
      }
    });
  }

  void data(std::string_view piece) {
    report([&] {
      if (events.on_data) {
        events.on_data(piece);
      }
    });
  }

  void end(std::optional<fetch_error> error) {
    if (ended) {
      return;
    }
    ended = true;
    report([&] {
      if (events.on_end) {
        events.on_end(std::move(error));
      }
    });
  }
};

// Points the stream state at a connection for as long as the coroutine uses it.
class watched_connection {
public:
  watched_connection(stream_state& state, connection& conn) : state_(state) {
    state_.conn = &conn;
  }
  ~watched_connection() {
    state_.conn = nullptr;
  }
  watched_connection(const watched_connection&) = delete;
  watched_connection& operator=(const watched_connection&) = delete;
  watched_connection(watched_connection&&) = delete;
  watched_connection& operator=(watched_connection&&) = delete;

private:
  stream_state& state_;
};

class stream_handle final : public http_stream {
public:
  stream_handle(std::shared_ptr<stream_state> state, std::shared_ptr<lifeline> line)
    : state_(std::move(state)),
      line_(std::move(line)) {}

  void cancel() override {
    {
      std::unique_lock guard{state_->reporting, std::defer_lock};
      if (std::this_thread::get_id() != state_->io_thread) {
        guard.lock();
      }
      if (state_->cancelled.exchange(true)) {
        return;
      }
    }
    // The connection belongs to the I/O thread: close it there, which ends the pending read
    // and with it the coroutine.
    std::lock_guard guard{line_->mtx};
    if (line_->io == nullptr) {
      return;
    }
    asio::post(*line_->io, [state = state_] {
      if (state->conn != nullptr) {
        state->conn->lowest().close();
      }
    });
  }

private:
  std::shared_ptr<stream_state> state_;
  std::shared_ptr<lifeline> line_;
};

} // namespace

std::string_view http_response::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) {
      return h.value;
    }
  }
  return {};
}

void http_client_options::read_proxy_environment() {
  auto read = [](const char* upper, const char* lower_name) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read at startup, before threads
    const char* value = std::getenv(lower_name);
    if (value == nullptr || *value == '\0') {
      value = std::getenv(upper); // NOLINT(concurrency-mt-unsafe)
    }
    return value == nullptr ? std::string{} : std::string{value};
  };
  https_proxy = read("HTTPS_PROXY", "https_proxy");
  http_proxy = read("HTTP_PROXY", "http_proxy");
  no_proxy = read("NO_PROXY", "no_proxy");
}

bool is_private_address(std::string_view address_text) {
  error_code ec;
  auto address = asio::ip::make_address(std::string{address_text}, ec);
  if (ec) {
    return false;
  }
  auto v4_private = [](const asio::ip::address_v4& a) {
    auto b = a.to_bytes();
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 100 && (b[1] & 0xC0) == 64)
           || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && (b[1] & 0xF0) == 16)
           || (b[0] == 192 && b[1] == 168) || (b[0] == 192 && b[1] == 0 && b[2] == 0)
           || (b[0] == 198 && (b[1] & 0xFE) == 18) || b[0] >= 224;
  };
  if (address.is_v4()) {
    return v4_private(address.to_v4());
  }
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return v4_private(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  }
  auto b = v6.to_bytes();
  bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b;
  return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_site_local()
         || v6.is_multicast() || (b[0] & 0xFE) == 0xFC || nat64;
}

bool bypasses_proxy(std::string_view host, std::string_view no_proxy) {
  auto name = lower(host);
  size_t start = 0;
  while (start <= no_proxy.size()) {
    auto end = no_proxy.find(',', start);
    if (end == std::string_view::npos) {
      end = no_proxy.size();
    }
    auto entry = no_proxy.substr(start, end - start);
    start = end + 1;
    while (!entry.empty() && entry.front() == ' ') {
      entry.remove_prefix(1);
    }
    while (!entry.empty() && entry.back() == ' ') {
      entry.remove_suffix(1);
    }
    if (auto colon = entry.rfind(':');
        colon != std::string_view::npos && entry.find(':') == colon) {
      entry = entry.substr(0, colon); // host:port
    }
    if (entry.empty()) {
      continue;
    }
    if (entry == "*") {
      return true;
    }
    auto pattern = lower(entry);
    if (pattern.front() == '.') {
      pattern.erase(0, 1);
    }
    if (name == pattern
        || (name.size() > pattern.size() && name.ends_with(pattern)
            && name[name.size() - pattern.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string in{user};
  in += ':';
  in += password;
  static constexpr std::string_view alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  auto byte = [&](size_t k) {
    return static_cast<unsigned char>(in[k]);
  };
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += alphabet[v & 63U];
  }
  if (i + 1 == in.size()) {
    unsigned v = byte(i) << 16U;
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U);
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += '=';
  }
  return "Basic " + out;
}

struct http_client::impl {
  explicit impl(http_client_options opts)
    : options(std::move(opts)),
      tls(ssl::context::tls_client),
      work(io.get_executor()) {
    tls.set_default_verify_paths();
    if (!options.ca_file.empty()) {
      error_code ec;
      tls.load_verify_file(options.ca_file, ec);
      ca_error = ec ? "cannot read the CA file " + options.ca_file + ": " + ec.message() : "";
    }
    tls.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    https_proxy = parse_proxy(options.https_proxy);
    http_proxy = parse_proxy(options.http_proxy);
    life->io = &io;
    thread = std::thread{[this] {
      io.run();
    }};
  }

  void stop() {
    {
      std::lock_guard guard{life->mtx};
      life->io = nullptr;
    }
    work.reset();
    io.stop();
    if (thread.joinable()) {
      thread.join();
    }
  }

  http_client_options options;
  asio::io_context io;
  ssl::context tls;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  std::string ca_error;
  std::optional<proxy_setting> https_proxy;
  std::optional<proxy_setting> http_proxy;
  mutable std::mutex mtx;
  // Idle keep-alive connections by scheme, host and port; touched on the I/O thread only, and
  // read under the mutex for statistics.
  std::map<std::string, std::vector<connection_ptr>> idle;
  std::atomic<uint64_t> opened{0};
  std::shared_ptr<lifeline> life = std::make_shared<lifeline>();

  static std::string pool_key(const target& t) {
    return (t.tls ? "https://" : "http://") + authority(t);
  }

  const proxy_setting* proxy_for(const target& t) const {
    const auto& proxy = t.tls ? https_proxy : http_proxy;
    if (!proxy || bypasses_proxy(t.host, options.no_proxy)) {
      return nullptr;
    }
    return &*proxy;
  }

  connection_ptr take_idle(const std::string& key) {
    std::lock_guard guard{mtx};
    auto i = idle.find(key);
    if (i == idle.end()) {
      return nullptr;
    }
    auto now = std::chrono::steady_clock::now();
    while (!i->second.empty()) {
      auto conn = std::move(i->second.back());
      i->second.pop_back();
      if (now - conn->idle_since < options.idle_ttl && conn->lowest().socket().is_open()) {
        return conn;
      }
    }
    return nullptr;
  }

  void put_idle(const std::string& key, connection_ptr conn) {
    conn->idle_since = std::chrono::steady_clock::now();
    conn->lowest().expires_never();
    std::lock_guard guard{mtx};
    auto& list = idle[key];
    if (list.size() < options.max_idle_per_host) {
      list.push_back(std::move(conn));
    }
  }

  // Resolves and connects to host:port, checking addresses unless private ones are allowed.
  asio::awaitable<std::variant<connection_ptr, fetch_error>> connect_to(const std::string& host,
                                                                        uint16_t port, bool check) {
    tcp::resolver resolver{io};
    error_code ec;
    auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return failure(fetch_failure::resolve, "cannot resolve " + host + ": " + ec.message());
    }
    if (check && !options.allow_private) {
      for (const auto& entry : results) {
        auto address = entry.endpoint().address().to_string();
        if (is_private_address(address)) {
          std::string message = host;
          message += " resolves to the private address ";
          message += address;
          message += ", which this server does not allow for upstreams";
          co_return failure(fetch_failure::refused_address, std::move(message));
        }
      }
    }
    auto conn = std::make_unique<connection>(io);
    conn->plain.expires_after(options.connect_timeout);
    co_await conn->plain.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      co_return failure(fetch_failure::timeout, "connecting to " + host + " timed out after "
                                                  + std::to_string(options.connect_timeout.count())
                                                  + " ms");
    }
    if (ec) {
      co_return failure(fetch_failure::connect, "cannot connect to " + host + ":"
                                                  + std::to_string(port) + ": " + ec.message());
    }
    ++opened;
    co_return std::move(conn);
  }

  // Opens a CONNECT tunnel through the proxy to the target.
  asio::awaitable<std::optional<fetch_error>> tunnel(connection& conn, const target& t,
                                                     const proxy_setting& proxy) const {
    auto where = (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":"
                 + std::to_string(t.port);
    http::request<http::empty_body> req{http::verb::connect, where, 11};
    req.set(http::field::host, where);
    if (!proxy.authorization.empty()) {
      req.set(http::field::proxy_authorization, proxy.authorization);
    }
    error_code ec;
    conn.plain.expires_after(options.connect_timeout);
    co_await http::async_write(conn.plain, req, asio::redirect_error(asio::use_awaitable, ec));
    http::response_parser<http::empty_body> parser;
    parser.skip(true); // a CONNECT answer has no body
    if (!ec) {
      co_await http::async_read(conn.plain, conn.buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      co_return failure(fetch_failure::proxy, "the proxy failed to open a tunnel to " + authority(t)
                                                + ": " + ec.message());
    }
    if (parser.get().result_int() / 100 != 2) {
      co_return failure(fetch_failure::proxy, "the proxy refused a tunnel to " + authority(t) + " ("
                                                + std::to_string(parser.get().result_int()) + ")");
    }
    co_return std::nullopt;
  }

  asio::awaitable<std::variant<connection_ptr, fetch_error>> open(const target& t) {
    if (!ca_error.empty() && t.tls) {
      co_return failure(fetch_failure::tls, ca_error);
    }
    if (!options.allow_private && t.ip_literal && is_private_address(t.host)) {
      co_return failure(fetch_failure::refused_address,
                        "the address " + t.host
                          + " is private, which this server does not allow for upstreams");
    }
    const auto* proxy = proxy_for(t);
    // GCC 12 mishandles co_await inside a conditional expression: keep them apart.
    std::variant<connection_ptr, fetch_error> opened_conn;
    if (proxy != nullptr) {
      opened_conn = co_await connect_to(proxy->where.host, proxy->where.port, false);
    } else {
      opened_conn = co_await connect_to(t.host, t.port, true);
    }
    if (auto* err = std::get_if<fetch_error>(&opened_conn)) {
      if (proxy != nullptr && err->kind != fetch_failure::timeout) {
        err->kind = fetch_failure::proxy;
        err->message = "proxy: " + err->message;
      }
      co_return std::move(*err);
    }
    auto conn = std::move(std::get<connection_ptr>(opened_conn));
    if (proxy != nullptr) {
      if (t.tls) {
        if (auto err = co_await tunnel(*conn, t, *proxy)) {
          co_return std::move(*err);
        }
      } else {
        conn->via_proxy = true;
      }
    }
    if (!t.tls) {
      co_return std::move(conn);
    }
    conn->secure.emplace(std::move(conn->plain), tls);
    auto* handle = conn->secure->native_handle();
    if (!t.ip_literal) {
      SSL_set_tlsext_host_name(handle, t.host.c_str());
    }
    // OpenSSL checks the name during verification and reports a mismatch by name.
    if (t.ip_literal) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), t.host.c_str());
    } else {
      SSL_set1_host(handle, t.host.c_str());
    }
    conn->lowest().expires_after(options.connect_timeout);
    error_code ec;
    co_await conn->secure->async_handshake(ssl::stream_base::client,
                                           asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      co_return failure(fetch_failure::timeout, "the TLS handshake with " + t.host + " timed out");
    }
    if (ec) {
      auto verify = SSL_get_verify_result(handle);
      std::string reason = verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                                               : ec.message();
      co_return failure(fetch_failure::tls,
                        "the TLS connection to " + t.host + " failed: " + reason);
    }
    co_return std::move(conn);
  }

  template <class Stream>
  asio::awaitable<std::variant<http_response, fetch_error>>
  round_trip(Stream& stream, connection& conn, http::request<http::string_body>& req) {
    error_code ec;
    conn.lowest().expires_after(options.read_timeout);
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return failure(ec == beast::error::timeout ? fetch_failure::timeout : fetch_failure::io,
                        "sending the request failed: " + ec.message(), ec == beast::error::timeout);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(64 * 1024);
    if (req.method() == http::verb::head) {
      parser.skip(true);
    }
    co_await http::async_read(stream, conn.buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      co_return failure(fetch_failure::too_large,
                        "the answer is larger than "
                          + std::to_string(options.max_response_bytes >> 20U) + " MiB",
                        true);
    }
    if (ec == beast::error::timeout) {
      co_return failure(fetch_failure::timeout,
                        "no complete answer within "
                          + std::to_string(options.read_timeout.count() / 1000) + " s",
                        true);
    }
    if (ec) {
      // Nothing read on a connection that broke: the request most likely never got processed.
      bool nothing = !parser.got_some();
      fetch_error err = failure(fetch_failure::io, "reading the answer failed: " + ec.message(),
                                !nothing);
      co_return err;
    }
    auto& res = parser.get();
    auto out = response_head(res);
    out.body = std::move(res.body());
    conn.buffer.consume(conn.buffer.size());
    if (!res.keep_alive()) {
      conn.lowest().close();
    }
    co_return out;
  }

  // Builds the request message: Host, User-Agent, the caller's header fields and body.
  std::variant<outbound, fetch_error> prepare(http_request& request) const {
    auto t = parse_target(request.url);
    if (!t) {
      return failure(fetch_failure::invalid_url, "not an absolute http(s) URL");
    }
    auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      return failure(fetch_failure::invalid_url, "unknown method " + request.method);
    }
    http::request<http::string_body> req{verb, t->path, 11};
    req.set(http::field::host, authority(*t));
    req.set(http::field::user_agent, options.user_agent);
    for (const auto& h : request.headers) {
      req.insert(h.name, h.value);
    }
    if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put
        || verb == http::verb::patch) {
      req.body() = std::move(request.body);
      req.prepare_payload();
    }
    req.keep_alive(true);
    return outbound{std::move(*t), std::move(req)};
  }

  // Sets the request target for the connection at hand: an HTTP proxy takes the absolute URL
  // and its credentials, an upstream or a tunnel the path.
  void aim(outbound& out, const std::string& url, const connection& conn) const {
    if (!conn.via_proxy) {
      out.message.target(out.where.path);
      return;
    }
    out.message.target(url);
    if (const auto* proxy = proxy_for(out.where);
        proxy != nullptr && !proxy->authorization.empty()) {
      out.message.set(http::field::proxy_authorization, proxy->authorization);
    }
  }

  asio::awaitable<fetch_result> exchange(http_request request) {
    auto prepared = prepare(request);
    if (auto* err = std::get_if<fetch_error>(&prepared)) {
      co_return std::move(*err);
    }
    auto& out = std::get<outbound>(prepared);
    auto key = pool_key(out.where);
    for (int attempt = 0;; ++attempt) {
      auto conn = attempt == 0 ? take_idle(key) : nullptr;
      bool reused = conn != nullptr;
      if (!conn) {
        auto made = co_await open(out.where);
        if (auto* err = std::get_if<fetch_error>(&made)) {
          co_return std::move(*err);
        }
        conn = std::move(std::get<connection_ptr>(made));
      }
      aim(out, request.url, *conn);
      std::variant<http_response, fetch_error> outcome;
      if (conn->secure) {
        outcome = co_await round_trip(*conn->secure, *conn, out.message);
      } else {
        outcome = co_await round_trip(conn->plain, *conn, out.message);
      }
      if (auto* err = std::get_if<fetch_error>(&outcome)) {
        // A kept-alive connection the upstream closed meanwhile: send once more on a new one.
        if (reused && err->kind == fetch_failure::io && !err->sent) {
          continue;
        }
        co_return std::move(*err);
      }
      if (conn->lowest().socket().is_open()) {
        put_idle(key, std::move(conn));
      }
      co_return std::move(std::get<http_response>(outcome));
    }
  }

  // Bounds the next step of a stream by its idle timeout, if it has one.
  static void arm(connection& conn, std::chrono::milliseconds idle_timeout) {
    if (idle_timeout.count() > 0) {
      conn.lowest().expires_after(idle_timeout);
    } else {
      conn.lowest().expires_never();
    }
  }

  // How a streamed exchange on one connection ended.
  struct pumped {
    std::optional<fetch_error> error;
    // Whether the head was reported: a failure after it cannot be retried.
    bool head = false;
  };

  // Sends the request and reports the answer piece by piece as it arrives.
  template <class Stream>
  asio::awaitable<pumped> pump(Stream& stream, connection& conn,
                               http::request<http::string_body>& req,
                               std::chrono::milliseconds idle_timeout, stream_state& state) {
    error_code ec;
    arm(conn, idle_timeout);
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      bool timeout = ec == beast::error::timeout;
      co_return pumped{failure(timeout ? fetch_failure::timeout : fetch_failure::io,
                               "sending the request failed: " + ec.message(), timeout)};
    }
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    // The caller limits what it keeps of an open-ended body.
    parser.body_limit(boost::none);
    if (req.method() == http::verb::head) {
      parser.skip(true);
    }
    arm(conn, idle_timeout);
    co_await http::async_read_header(stream, conn.buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout) {
      co_return pumped{failure(fetch_failure::timeout,
                               "no answer within " + std::to_string(idle_timeout.count()) + " ms",
                               true)};
    }
    if (ec) {
      // Nothing read on a connection that broke: the request most likely never got processed.
      co_return pumped{failure(fetch_failure::io, "reading the answer failed: " + ec.message(),
                               parser.got_some())};
    }
    state.head(response_head(parser.get()));
    std::vector<char> buffer(size_t{16} * 1024);
    while (!parser.is_done() && !state.cancelled) {
      auto& body = parser.get().body();
      body.data = buffer.data();
      body.size = buffer.size();
      arm(conn, idle_timeout);
      // One read at a time rather than a read until the buffer is full: a piece is reported as
      // soon as it arrives, however small.
      co_await http::async_read_some(stream, conn.buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::need_buffer) {
        ec = {}; // the buffer is full: report it and go on with a fresh one
      }
      if (ec == beast::error::timeout) {
        co_return pumped{
          failure(fetch_failure::timeout,
                  "no data from the upstream for " + std::to_string(idle_timeout.count()) + " ms",
                  true),
          true};
      }
      if (ec) {
        co_return pumped{
          failure(fetch_failure::io, "reading the answer failed: " + ec.message(), true), true};
      }
      if (auto filled = buffer.size() - body.size; filled > 0) {
        state.data(std::string_view{buffer.data(), filled});
      }
    }
    if (!parser.is_done()) {
      co_return pumped{std::nullopt, true}; // cancelled
    }
    conn.buffer.consume(conn.buffer.size());
    if (!parser.get().keep_alive()) {
      conn.lowest().close();
    }
    co_return pumped{std::nullopt, true};
  }

  asio::awaitable<void> run_stream(http_request request, std::shared_ptr<stream_state> state,
                                   std::chrono::milliseconds idle_timeout) {
    auto prepared = prepare(request);
    if (auto* err = std::get_if<fetch_error>(&prepared)) {
      state->end(std::move(*err));
      co_return;
    }
    auto& out = std::get<outbound>(prepared);
    auto key = pool_key(out.where);
    for (int attempt = 0;; ++attempt) {
      if (state->cancelled) {
        co_return;
      }
      auto conn = attempt == 0 ? take_idle(key) : nullptr;
      bool reused = conn != nullptr;
      if (!conn) {
        auto made = co_await open(out.where);
        if (auto* err = std::get_if<fetch_error>(&made)) {
          state->end(std::move(*err));
          co_return;
        }
        conn = std::move(std::get<connection_ptr>(made));
      }
      if (state->cancelled) {
        co_return;
      }
      aim(out, request.url, *conn);
      pumped outcome;
      {
        watched_connection watch{*state, *conn};
        if (conn->secure) {
          outcome = co_await pump(*conn->secure, *conn, out.message, idle_timeout, *state);
        } else {
          outcome = co_await pump(conn->plain, *conn, out.message, idle_timeout, *state);
        }
      }
      if (state->cancelled) {
        co_return;
      }
      if (outcome.error) {
        // A kept-alive connection the upstream closed meanwhile: send once more on a new one.
        if (reused && !outcome.head && outcome.error->kind == fetch_failure::io
            && !outcome.error->sent) {
          continue;
        }
        state->end(std::move(outcome.error));
        co_return;
      }
      if (conn->lowest().socket().is_open()) {
        put_idle(key, std::move(conn));
      }
      state->end(std::nullopt);
      co_return;
    }
  }
};

http_client::http_client(http_client_options options)
  : impl_(std::make_unique<impl>(std::move(options))) {}

http_client::~http_client() {
  impl_->stop();
}

void http_client::fetch(http_request request, fetch_handler done) {
  // Coroutines still pending at shutdown are destroyed with the I/O context, before the rest of
  // the client.
  auto* self = impl_.get();
  asio::co_spawn(
    self->io,
    [self, request = std::move(request)]() mutable {
      return self->exchange(std::move(request));
    },
    [done = std::move(done)](const std::exception_ptr& error, fetch_result result) {
      if (error) {
        done(failure(fetch_failure::io, "the exchange failed unexpectedly", true));
        return;
      }
      done(std::move(result));
    });
}

std::shared_ptr<http_stream> http_client::stream(http_request request, stream_events events,
                                                 std::chrono::milliseconds idle_timeout) {
  auto* self = impl_.get();
  auto state = std::make_shared<stream_state>();
  state->io_thread = self->thread.get_id();
  state->events = std::move(events);
  asio::co_spawn(
    self->io,
    [self, state, request = std::move(request), idle_timeout]() mutable {
      return self->run_stream(std::move(request), state, idle_timeout);
    },
    [state](const std::exception_ptr& error) {
      if (error) {
        state->end(failure(fetch_failure::io, "the exchange failed unexpectedly", true));
      }
      // The stream is over: release what the events hold even if the handle lives on.
      state->events = {};
    });
  return std::make_shared<stream_handle>(state, self->life);
}

void http_client::post(std::function<void()> fn) {
  asio::post(impl_->io, std::move(fn));
}

void http_client::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](const error_code& ec) {
    if (!ec) {
      fn();
    }
  });
}

const http_client_options& http_client::options() const {
  return impl_->options;
}

size_t http_client::idle_connections() const {
  std::lock_guard guard{impl_->mtx};
  size_t total = 0;
  for (const auto& [key, list] : impl_->idle) {
    total += list.size();
  }
  return total;
}

uint64_t http_client::connections_opened() const {
  return impl_->opened.load();
}

} // namespace sagemcp::connectors
