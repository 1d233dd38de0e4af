// The ceiling of the benchmarks: what a Beast HTTP/1.1 server does per request when it does
// nothing else. SageMCP's figures mean something only beside this one, measured in the same run
// on the same machine with the same libraries.
//
// Usage: sagemcp-bench-ceiling [port] [body]
// Answers every request with `body` (a small JSON document by default) on one thread, and prints
// {"msg":"listening","port":N} once it accepts connections (port 0 picks a free one).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Close to what SageMCP answers for an echo call, so that both write about as many bytes.
constexpr std::string_view default_body
  = R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Echo: hello"}]}})";
constexpr auto io_timeout = std::chrono::seconds{30};
constexpr uint64_t body_limit = 1U << 20U;

// One keep-alive connection: read a request, answer it, read the next.
class connection : public std::enable_shared_from_this<connection> {
public:
  connection(tcp::socket socket, const std::string& body)
    : stream_(std::move(socket)),
      body_(body) {}

  void start() {
    do_read();
  }

private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(body_limit);
    stream_.expires_after(io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t n) {
                       self->on_read(ec, n);
                     });
  }

  void on_read(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      close();
      return;
    }
    const auto& req = parser_->get();
    response_ = {};
    response_.result(http::status::ok);
    response_.version(req.version());
    response_.keep_alive(req.keep_alive());
    response_.set(http::field::server, "ceiling");
    response_.set(http::field::content_type, "application/json");
    response_.body() = body_;
    response_.prepare_payload();
    stream_.expires_after(io_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, size_t n) {
                        self->on_write(write_ec, n);
                      });
  }

  void on_write(beast::error_code ec, size_t /*bytes*/) {
    if (ec || !response_.keep_alive()) {
      close();
      return;
    }
    do_read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  const std::string& body_;
};

// Accepts connections for as long as the server runs.
class listener : public std::enable_shared_from_this<listener> {
public:
  listener(asio::io_context& io, tcp::acceptor acceptor, std::string body)
    : io_(io),
      acceptor_(std::move(acceptor)),
      body_(std::move(body)) {}

  void do_accept() {
    acceptor_.async_accept(io_,
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             self->on_accept(ec, std::move(socket));
                           });
  }

private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay{true}, ec);
      std::make_shared<connection>(std::move(socket), body_)->start();
    }
    if (acceptor_.is_open()) {
      do_accept();
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::string body_;
};

std::optional<uint16_t> parse_port(std::string_view text) {
  uint16_t port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return port;
}

int run(int argc, char** argv) {
  std::optional<uint16_t> port = uint16_t{0};
  if (argc > 1) {
    port = parse_port(argv[1]);
  }
  if (!port) {
    std::fputs("usage: sagemcp-bench-ceiling [port] [body]\n", stderr);
    return 2;
  }
  std::string body{argc > 2 ? std::string_view{argv[2]} : default_body};

  // One thread: the benchmark pins each server to one core, and a second thread would only
  // contend for it.
  asio::io_context io{1};
  beast::error_code ec;
  tcp::acceptor acceptor{io};
  tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), *port};
  if (acceptor.open(endpoint.protocol(), ec); !ec) {
    acceptor.set_option(asio::socket_base::reuse_address{true}, ec);
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    std::fprintf(stderr, "ceiling: cannot listen on port %u: %s\n", unsigned{*port},
                 ec.message().c_str());
    return 1;
  }
  auto bound = acceptor.local_endpoint().port();
  std::make_shared<listener>(io, std::move(acceptor), std::move(body))->do_accept();

  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&io](beast::error_code, int) {
    io.stop();
  });
  std::printf("{\"msg\":\"listening\",\"port\":%u}\n", unsigned{bound});
  std::fflush(stdout);
  io.run();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Asio throws when it runs out of memory or descriptors; say so instead of aborting.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ceiling: %s\n", e.what());
  } catch (...) {
    std::fputs("ceiling: unknown failure\n", stderr);
  }
  return 1;
}
