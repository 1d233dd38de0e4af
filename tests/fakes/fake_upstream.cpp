#include "tests/fakes/fake_upstream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace sagemcp::fakes {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

recorded_request record(const http::request<http::string_body>& req) {
  recorded_request out;
  out.method = std::string{req.method_string()};
  auto target = std::string{req.target()};
  auto parsed = boost::urls::parse_origin_form(target);
  if (parsed) {
    out.path = std::string{parsed->encoded_path()};
    for (auto param : parsed->params()) {
      out.query.emplace_back(param.key, param.value);
    }
  } else {
    out.path = target;
  }
  for (const auto& field : req) {
    out.headers.emplace_back(lower(field.name_string()), std::string{field.value()});
  }
  out.body = req.body();
  return out;
}

} // namespace

std::string recorded_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

struct fake_upstream::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> tls;
  mutable std::mutex mtx;
  handler answer;
  std::vector<recorded_request> seen;
  std::atomic<size_t> accepted{0};
  std::atomic<size_t> hung_up{0};
  std::atomic<bool> stopping{false};
  std::thread accept_thread;
  std::list<std::thread> workers;
  std::list<std::shared_ptr<tcp::socket>> sockets;

  canned_response respond(const recorded_request& req) {
    handler h;
    {
      std::lock_guard guard{mtx};
      seen.push_back(req);
      h = answer;
    }
    if (!h) {
      return canned_response{
        404, {{"content-type", "application/json"}}, R"({"message":"Not Found"})"};
    }
    return h(req);
  }

  // Sleeps in small steps so that shutting the fake down is not held up.
  void pause(std::chrono::milliseconds delay) const {
    auto until = std::chrono::steady_clock::now() + delay;
    while (!stopping && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }

  // Sends a body piece by piece; returns whether the connection may serve another request.
  template <class Stream>
  bool stream_body(Stream& stream, const http::request<http::string_body>& req,
                   const canned_response& canned) {
    using framing = canned_response::framing;
    http::response<http::empty_body> res{static_cast<http::status>(canned.status), 11};
    for (const auto& [name, value] : canned.headers) {
      res.insert(name, value);
    }
    bool until_close = canned.chunk_framing == framing::until_close;
    res.keep_alive(!canned.close && !until_close && req.keep_alive());
    if (canned.chunk_framing == framing::chunked) {
      res.chunked(true);
    } else if (canned.chunk_framing == framing::length) {
      size_t total = 0;
      for (const auto& [delay, piece] : canned.chunks) {
        total += piece.size();
      }
      res.content_length(total);
    }
    boost::system::error_code ec;
    http::response_serializer<http::empty_body> head{res};
    http::write_header(stream, head, ec);
    for (size_t i = 0; i < canned.chunks.size() && !ec && !stopping; ++i) {
      const auto& [delay, piece] = canned.chunks[i];
      pause(delay);
      if (canned.before_chunk) {
        canned.before_chunk(i);
      }
      if (piece.empty()) {
        continue;
      }
      if (canned.chunk_framing == framing::chunked) {
        asio::write(stream, http::make_chunk(asio::buffer(piece)), ec);
      } else {
        asio::write(stream, asio::buffer(piece), ec);
      }
    }
    if (ec) {
      if (!stopping) {
        ++hung_up; // the client went away before the whole answer was out
      }
      return false;
    }
    if (canned.hold_open) {
      // Wait for the client to give up on the answer.
      std::array<char, 512> scratch{};
      while (!ec && !stopping) {
        stream.read_some(asio::buffer(scratch), ec);
      }
      if (!stopping) {
        ++hung_up;
      }
      return false;
    }
    if (canned.chunk_framing == framing::chunked) {
      asio::write(stream, http::make_chunk_last(), ec);
    }
    return !ec && res.keep_alive();
  }

  template <class Stream>
  void serve(Stream& stream) {
    beast::flat_buffer buffer;
    while (!stopping) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) {
        if (!stopping
            && (ec == http::error::end_of_stream || ec == asio::error::eof
                || ec == asio::error::connection_reset)) {
          ++hung_up;
        }
        return;
      }
      auto canned = respond(record(req));
      pause(canned.delay);
      if (!canned.chunks.empty()) {
        if (!stream_body(stream, req, canned)) {
          return;
        }
        continue;
      }
      http::response<http::string_body> res{static_cast<http::status>(canned.status), 11};
      for (const auto& [name, value] : canned.headers) {
        res.insert(name, value);
      }
      res.body() = canned.body;
      res.keep_alive(!canned.close && req.keep_alive());
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || !res.keep_alive()) {
        return;
      }
    }
  }

  void accept_loop() {
    while (!stopping) {
      auto socket = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      if (ec || stopping) {
        return;
      }
      ++accepted;
      std::lock_guard guard{mtx};
      sockets.push_back(socket);
      workers.emplace_back([this, socket] {
        if (tls) {
          asio::ssl::stream<tcp::socket&> stream{*socket, *tls};
          boost::system::error_code ec2;
          stream.handshake(asio::ssl::stream_base::server, ec2);
          if (!ec2) {
            serve(stream);
          }
        } else {
          serve(*socket);
        }
        boost::system::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  }
};

fake_upstream::fake_upstream(handler answer, const tls_files* tls)
  : impl_(std::make_unique<impl>()) {
  impl_->answer = std::move(answer);
  if (tls != nullptr) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->certificate);
    impl_->tls->use_private_key_file(tls->key, asio::ssl::context::pem);
  }
  tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept_thread = std::thread{[this] {
    impl_->accept_loop();
  }};
}

fake_upstream::~fake_upstream() {
  impl_->stopping = true;
  boost::system::error_code ec;
  // Wake the blocking accept with a connection of our own.
  {
    tcp::socket poke{impl_->io};
    poke.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port()}, ec);
  }
  impl_->accept_thread.join();
  {
    std::lock_guard guard{impl_->mtx};
    for (auto& socket : impl_->sockets) {
      socket->shutdown(tcp::socket::shutdown_both, ec);
      socket->close(ec);
    }
  }
  for (auto& worker : impl_->workers) {
    worker.join();
  }
  impl_->acceptor.close(ec);
}

uint16_t fake_upstream::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string fake_upstream::url() const {
  return std::string{impl_->tls ? "https" : "http"} + "://127.0.0.1:" + std::to_string(port());
}

void fake_upstream::set_handler(handler answer) {
  std::lock_guard guard{impl_->mtx};
  impl_->answer = std::move(answer);
}

std::vector<recorded_request> fake_upstream::requests() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->seen;
}

void fake_upstream::clear() {
  std::lock_guard guard{impl_->mtx};
  impl_->seen.clear();
}

size_t fake_upstream::connections() const {
  return impl_->accepted.load();
}

size_t fake_upstream::hangups() const {
  return impl_->hung_up.load();
}

tls_files make_self_signed(const std::string& dir, const std::string& names) {
  std::filesystem::create_directories(dir);
  tls_files files{dir + "/cert.pem", dir + "/key.pem"};
  auto command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                 " -addext subjectAltName="
                 + names + " -keyout " + files.key + " -out " + files.certificate
                 + " >/dev/null 2>&1";
  // NOLINTNEXTLINE(cert-env33-c, concurrency-mt-unsafe): test setup
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error{"openssl could not create a test certificate"};
  }
  return files;
}

} // namespace sagemcp::fakes
