#include "transport/server.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"
#include "transport/dispatcher.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace sagemcp::transport {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
// A connection's executor: its strand, by its concrete type (a type-erased executor costs a
// polymorphic call and often a copy of the strand on every operation).
using strand_type = net::strand<net::io_context::executor_type>;
using socket_type = tcp::socket::rebind_executor<strand_type>::other;
using observability::log;
using observability::log_level;

// Parses a request straight into an http_request: the fields into one block of text, the body
// into a string, without a Beast message in between. Beast's parser enforces the limits.
class request_reader final : public http::basic_parser<true> {
public:
  http_request request;
  unsigned version = 11;

  /// The request as a Beast message, for a WebSocket handshake; nullopt unless it asks for one.
  std::optional<http::request<http::string_body>> upgrade_request() const {
    if (!upgrade()) {
      return std::nullopt;
    }
    http::request<http::string_body> head;
    head.method_string(request.method);
    head.target(request.query.empty() ? request.path : request.path + "?" + request.query);
    head.version(version);
    for (const auto& [name, value] : request.headers) {
      head.insert(name, value);
    }
    if (!websocket::is_upgrade(head)) {
      return std::nullopt;
    }
    return head;
  }

private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int http_version, beast::error_code&) override {
    request.method.assign(method.data(), method.size());
    std::string_view whole{target.data(), target.size()};
    auto query = whole.find('?');
    request.path.assign(whole.substr(0, query));
    if (query != std::string_view::npos) {
      request.query.assign(whole.substr(query + 1));
    }
    version = static_cast<unsigned>(http_version);
    request.headers.reserve(16, 512);
  }

  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}

  void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    request.headers.add({name.data(), name.size()}, {value.data(), value.size()});
  }

  void on_header_impl(beast::error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) {
      // Within the body limit, which the parser checked.
      request.body.reserve(static_cast<size_t>(*length));
    }
  }

  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}

  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(beast::error_code&) override {}
};

// A connection after a WebSocket upgrade: reads text messages for the handler and writes the
// frames it sends, in order. All I/O runs on the connection's strand. Beast answers pings and
// sends its own when the peer is idle, closing connections that stop answering.
class websocket_connection : public websocket_peer,
                             public std::enable_shared_from_this<websocket_connection> {
public:
  websocket_connection(socket_type&& socket, websocket_upgrade handlers, size_t max_message_bytes)
    : ws_(std::move(socket)),
      handlers_(std::move(handlers)) {
    ws_.read_message_max(max_message_bytes);
  }

  void run(http::request<http::string_body>&& upgrade) {
    // Kept until the handshake completes.
    upgrade_ = std::move(upgrade);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds{30};
    timeouts.idle_timeout = std::chrono::seconds{60};
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
      [protocol = handlers_.subprotocol](websocket::response_type& res) {
        res.set(http::field::server, "sagemcp");
        if (!protocol.empty()) {
          res.set(http::field::sec_websocket_protocol, protocol);
        }
      }));
    ws_.async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) {
      self->on_accept(ec);
    });
  }

  void send(std::string text) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closing_) {
        return;
      }
      self->outbox_.push_back(std::move(text));
      self->write_next();
    });
  }

  void close(uint16_t code, std::string reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      if (self->closing_) {
        return;
      }
      self->closing_ = true;
      self->closed_flag_ = true;
      self->close_reason_.code = code;
      self->close_reason_.reason = reason;
      self->write_next();
    });
  }

  bool closed() const override {
    return closed_flag_;
  }

  /// Whether the connection is over: the close handshake completed or the connection failed.
  bool ended() const {
    return close_done_ || (closed_flag_ && !opened_flag_);
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      closed_flag_ = true;
      return;
    }
    opened_ = true;
    opened_flag_ = true;
    if (handlers_.on_open) {
      handlers_.on_open(shared_from_this());
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      finish();
      return;
    }
    if (!ws_.got_text()) {
      buffer_.clear();
      close(static_cast<uint16_t>(websocket::close_code::bad_payload),
            "MCP messages are JSON text frames");
      do_read();
      return;
    }
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.clear();
    if (handlers_.on_message && !closing_) {
      handlers_.on_message(text);
    }
    do_read();
  }

  void write_next() {
    if (writing_) {
      return;
    }
    if (!outbox_.empty()) {
      writing_ = true;
      ws_.text(true);
      ws_.async_write(net::buffer(outbox_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->outbox_.pop_front();
                        if (ec) {
                          self->outbox_.clear();
                          self->closing_ = true;
                          self->closed_flag_ = true;
                          return;
                        }
                        self->write_next();
                      });
      return;
    }
    if (closing_ && !close_sent_) {
      close_sent_ = true;
      writing_ = true;
      ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {
        self->writing_ = false;
        self->close_done_ = true;
      });
    }
  }

  // The connection ended: the read loop stopped (close frame, error or timeout).
  void finish() {
    closing_ = true;
    closed_flag_ = true;
    close_done_ = true;
    outbox_.clear();
    if (opened_ && !finished_) {
      finished_ = true;
      if (handlers_.on_close) {
        handlers_.on_close();
      }
    }
  }

  websocket::stream<socket_type> ws_;
  websocket_upgrade handlers_;
  http::request<http::string_body> upgrade_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  websocket::close_reason close_reason_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool opened_ = false;
  bool finished_ = false;
  std::atomic<bool> closed_flag_ = false;
  std::atomic<bool> opened_flag_ = false;
  std::atomic<bool> close_done_ = false;
};

// An HTTP connection as the server sees it when it stops.
class connection {
public:
  virtual ~connection() = default;

  /// Closes the connection, whatever it is doing.
  virtual void close() = 0;

  /// Whether the connection is closed.
  virtual bool ended() const = 0;
};

// The live connections of one kind, so that stopping the server can close them.
template <class Connection>
class connection_registry {
public:
  void add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (connections_.size() >= prune_at_) {
      // Amortized: the list is swept when it doubled since the last sweep.
      std::erase_if(connections_, [](const auto& weak) {
        return weak.expired();
      });
      prune_at_ = std::max(min_prune, connections_.size() * 2);
    }
    connections_.push_back(connection);
  }

  /// The connections still open; the registry forgets them all.
  std::vector<std::shared_ptr<Connection>> take_all() {
    std::vector<std::shared_ptr<Connection>> open;
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& weak : connections_) {
      if (auto connection = weak.lock()) {
        open.push_back(std::move(connection));
      }
    }
    connections_.clear();
    prune_at_ = min_prune;
    return open;
  }

private:
  static constexpr size_t min_prune = 64;
  std::mutex mtx_;
  std::vector<std::weak_ptr<Connection>> connections_;
  size_t prune_at_ = min_prune;
};

// Waits up to `patience` until every connection of `open` has ended.
template <class Connection>
void await_ended(const std::vector<std::shared_ptr<Connection>>& open,
                 std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline
         && std::any_of(open.begin(), open.end(), [](const auto& connection) {
              return !connection->ended();
            })) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

using websocket_registry = connection_registry<websocket_connection>;

// One HTTP connection: reads a request, hands it to the dispatcher, writes its response, and
// reads the next one on keep-alive. All I/O runs on the connection's strand.
//
// The hot path is lean on purpose: Beast's parser reads the request straight from the socket (one
// read usually brings header and body), the response head is serialized once and written with
// the body in one call, and the connection's deadline is a time stamp that one timer checks when
// it fires (moving a deadline later costs a store, not a timer operation).
template <class Executor>
class session : public connection, public std::enable_shared_from_this<session<Executor>> {
public:
  using socket_of = typename tcp::socket::rebind_executor<Executor>::other;

  session(socket_of&& socket, transport_context& ctx, websocket_registry& websockets)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      ctx_(ctx),
      websockets_(websockets) {}

  void run() {
    net::dispatch(socket_.get_executor(),
                  beast::bind_front_handler(&session<Executor>::do_read, shared_from_this()));
  }

  void close() override {
    net::post(socket_.get_executor(), [self = this->shared_from_this()] {
      self->do_close();
    });
  }

  bool ended() const override {
    return ended_;
  }

private:
  using std::enable_shared_from_this<session<Executor>>::shared_from_this;
  using clock = std::chrono::steady_clock;
  using timer_type = net::basic_waitable_timer<clock, net::wait_traits<clock>, Executor>;

  // -- the deadline of the I/O in progress ----------------------------------------------------

  // The clock's time to the kernel's tick: deadlines are seconds long, and reading it costs no
  // hardware clock read. Never ahead of clock::now().
  static clock::time_point coarse_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return clock::time_point{std::chrono::duration_cast<clock::duration>(
      std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec})};
  }

  void expires_after(clock::duration timeout) {
    deadline_ = coarse_now() + timeout;
    if (!timer_armed_ || deadline_ < timer_expiry_) {
      arm_timer();
    }
  }

  // No I/O is pending: the connection waits for the handler, or for nothing.
  void expires_never() {
    deadline_ = clock::time_point::max();
  }

  void arm_timer() {
    timer_armed_ = true;
    timer_expiry_ = deadline_;
    // Replaces a pending wait, whose handler then sees operation_aborted.
    timer_.expires_at(deadline_);
    timer_.async_wait(beast::bind_front_handler(&session<Executor>::on_timer, shared_from_this()));
  }

  void cancel_timer() {
    try {
      timer_.cancel();
    } catch (const boost::system::system_error&) {
      // The wait ends when it fires; on_timer then finds the connection closed.
    }
  }

  void on_timer(beast::error_code ec) {
    if (ec == net::error::operation_aborted || closed_) {
      return;
    }
    timer_armed_ = false;
    if (deadline_ == clock::time_point::max()) {
      return;
    }
    if (clock::now() >= deadline_) {
      // The I/O in progress took too long: closing the socket ends it.
      do_close();
      return;
    }
    arm_timer();
  }

  // -- reading a request ------------------------------------------------------------------------

  void do_read() {
    if (buffer_.size() == 0
        && (buffer_.capacity() < first_read_bytes || buffer_.capacity() > read_chunk_bytes)) {
      // Room for a whole typical request in one read, and no more kept after a large one.
      buffer_.shrink_to_fit();
      buffer_.reserve(first_read_bytes);
    }
    parser_.emplace();
    parser_->body_limit(ctx_.options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(ctx_.options.max_header_bytes));
    header_done_ = false;
    expires_after(ctx_.options.header_timeout);
    parse();
  }

  // Parses what the buffer holds (a pipelined request may be there already), and reads more
  // until the message is complete.
  void parse() {
    while (buffer_.size() > 0) {
      beast::error_code ec;
      auto used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) {
        on_message(ec);
        return;
      }
      if (!header_done_ && parser_->is_header_done()) {
        header_done_ = true;
        if (auto length = parser_->content_length();
            length && *length > ctx_.options.max_body_bytes) {
          on_message(http::error::body_limit);
          return;
        }
        if (!parser_->is_done()) {
          expires_after(ctx_.options.body_timeout);
        }
      }
      if (parser_->is_done()) {
        on_message({});
        return;
      }
      if (ec || used == 0) {
        break;
      }
    }
    auto size = beast::read_size(buffer_, read_chunk_bytes);
    if (size == 0) {
      on_message(http::error::buffer_overflow);
      return;
    }
    socket_.async_read_some(buffer_.prepare(size),
                            beast::bind_front_handler(&session<Executor>::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes) {
    if (closed_) {
      return;
    }
    buffer_.commit(bytes);
    if (ec == net::error::eof) {
      if (!parser_->got_some()) {
        on_message(http::error::end_of_stream);
        return;
      }
      // The peer ended the message early, or ended one whose length is the connection's.
      ec = {};
      parser_->put_eof(ec);
      on_message(ec);
      return;
    }
    if (ec) {
      on_message(ec);
      return;
    }
    parse();
  }

  void on_message(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::connection_reset
        || ec == net::error::eof || ec == net::error::operation_aborted) {
      do_close();
      return;
    }
    if (ec == http::error::body_limit) {
      reject(413, "payload_too_large", "Payload Too Large: the request body exceeds the limit");
      return;
    }
    if (ec == http::error::header_limit) {
      reject(431, "header_too_large", "Request Header Fields Too Large");
      return;
    }
    if (ec) {
      reject(400, "bad_request", "Bad Request: malformed HTTP message");
      return;
    }
    version_ = parser_->version;
    keep_alive_ = parser_->keep_alive();
    // Kept for the handshake, should the handler accept the upgrade.
    upgrade_request_ = parser_->upgrade_request();
    auto request = std::move(parser_->request);
    parser_.reset();
    expires_never();
    auto self = shared_from_this();
    dispatch(ctx_, std::move(request), [self](http_response response) {
      // Written at once when the reply comes on a thread that may run the connection's handlers
      // (with one thread, always), else posted there.
      net::dispatch(self->socket_.get_executor(), [self, response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    });
  }

  // Answers a request that could not be read completely, then closes the connection.
  void reject(unsigned status, std::string_view code, std::string_view message) {
    version_ = 11;
    keep_alive_ = false;
    auto response = error_response(status, code, message);
    response.close = true;
    write(std::move(response));
  }

  // -- writing the response ---------------------------------------------------------------------

  void write(http_response&& response) {
    if (closed_) {
      return;
    }
    if (response.upgrade && upgrade_request_) {
      // The connection becomes a WebSocket; this HTTP session ends here.
      expires_never();
      cancel_timer();
      auto upgraded = on_strand();
      if (!upgraded) {
        do_close();
        return;
      }
      auto ws = std::make_shared<websocket_connection>(
        std::move(*upgraded), std::move(*response.upgrade), ctx_.options.max_body_bytes);
      websockets_.add(ws);
      ws->run(std::move(*upgrade_request_));
      upgrade_request_.reset();
      return;
    }
    upgrade_request_.reset();
    if (response.stream) {
      start_stream(std::move(response));
      return;
    }
    keep_alive_ = keep_alive_ && !response.close;
    if (bodiless_status(response.status)) {
      response.body.clear();
    }
    body_ = std::move(response.body);
    head_ = serialize_head(response, version_, keep_alive_, body_.size());
    expires_after(ctx_.options.write_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers,
                     beast::bind_front_handler(&session<Executor>::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      do_close();
      return;
    }
    if (!keep_alive_) {
      linger();
      return;
    }
    head_.clear();
    body_.clear();
    do_read();
  }

  // The connection's socket on a strand of its own, for the WebSocket it becomes: its frames are
  // sent from any thread.
  std::optional<socket_type> on_strand() {
    if constexpr (std::is_same_v<Executor, strand_type>) {
      return std::move(socket_);
    } else {
      beast::error_code ec;
      auto endpoint = socket_.local_endpoint(ec);
      if (ec) {
        return std::nullopt;
      }
      auto handle = socket_.release(ec);
      if (ec) {
        return std::nullopt;
      }
      socket_type moved{net::make_strand(socket_.get_executor().context())};
      moved.assign(endpoint.protocol(), handle, ec);
      if (ec) {
        ::close(handle);
        return std::nullopt;
      }
      return moved;
    }
  }

  // A streamed response: chunked transfer, one chunk per piece the producer writes.
  void start_stream(http_response&& response) {
    auto source = std::move(response.stream);
    head_ = serialize_head(response, version_, keep_alive_, std::nullopt);
    expires_after(ctx_.options.write_timeout);
    net::async_write(socket_, net::buffer(head_),
                     [self = shared_from_this(), source](beast::error_code ec, std::size_t) {
                       self->on_stream_head(ec, source);
                     });
  }

  void on_stream_head(beast::error_code ec, const std::shared_ptr<chunk_stream>& source) {
    if (ec) {
      do_close();
      return;
    }
    expires_never();
    head_.clear();
    streaming_ = source;
    source->attach([self = shared_from_this()](std::string chunk, bool last) {
      net::post(self->socket_.get_executor(), [self, chunk = std::move(chunk), last]() mutable {
        self->queue_chunk(std::move(chunk), last);
      });
    });
  }

  void queue_chunk(std::string chunk, bool last) {
    if (closed_) {
      return;
    }
    if (!chunk.empty()) {
      chunks_.push_back(std::move(chunk));
    }
    stream_done_ = stream_done_ || last;
    if (!writing_chunk_) {
      write_next_chunk();
    }
  }

  void write_next_chunk() {
    auto self = shared_from_this();
    if (!chunks_.empty()) {
      writing_chunk_ = true;
      current_chunk_ = std::move(chunks_.front());
      chunks_.pop_front();
      expires_after(ctx_.options.write_timeout);
      net::async_write(socket_, http::make_chunk(net::buffer(current_chunk_)),
                       [self](beast::error_code ec, std::size_t) {
                         self->writing_chunk_ = false;
                         self->expires_never();
                         if (ec) {
                           self->do_close();
                           return;
                         }
                         self->write_next_chunk();
                       });
      return;
    }
    if (stream_done_) {
      writing_chunk_ = true;
      expires_after(ctx_.options.write_timeout);
      net::async_write(socket_, http::make_chunk_last(), [self](beast::error_code ec, std::size_t) {
        self->on_stream_end(ec);
      });
    }
  }

  void on_stream_end(beast::error_code ec) {
    writing_chunk_ = false;
    stream_done_ = false;
    streaming_.reset();
    if (ec || !keep_alive_) {
      do_close();
      return;
    }
    do_read();
  }

  // Closes after a response that ended the connection. A client may still be sending the body
  // of a rejected request; closing with unread data would reset the connection and destroy the
  // response before the client read it, so the rest is read and discarded for a bounded time.
  void linger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    expires_after(std::chrono::seconds{5});
    drained_ = 0;
    do_drain();
  }

  void do_drain() {
    discard_.resize(size_t{64} * 1024);
    socket_.async_read_some(net::buffer(discard_),
                            beast::bind_front_handler(&session<Executor>::on_drain,
                                                      shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t n) {
    drained_ += n;
    if (ec || drained_ > max_drain_bytes) {
      do_close();
      return;
    }
    do_drain();
  }

  void do_close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    ended_ = true;
    if (streaming_) {
      // The producer learns that nobody reads the stream any more.
      streaming_->abort();
      streaming_.reset();
    }
    cancel_timer();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  static constexpr size_t max_drain_bytes = size_t{64} * 1024 * 1024;
  static constexpr size_t read_chunk_bytes = size_t{64} * 1024;
  /// The buffer a connection reads into between requests: a request's head and a small body
  /// (a tool call) arrive in one read.
  static constexpr size_t first_read_bytes = size_t{4} * 1024;

  socket_of socket_;
  timer_type timer_;
  /// When the I/O in progress must end (max: none in progress).
  clock::time_point deadline_ = clock::time_point::max();
  /// When the timer fires, if it is armed.
  clock::time_point timer_expiry_;
  bool timer_armed_ = false;
  beast::flat_buffer buffer_;
  transport_context& ctx_;
  websocket_registry& websockets_;
  std::optional<request_reader> parser_;
  bool header_done_ = false;
  /// The response being written: its head, then its body.
  std::string head_;
  std::string body_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::vector<char> discard_;
  size_t drained_ = 0;
  // State of a streamed response.
  std::deque<std::string> chunks_;
  std::string current_chunk_;
  bool writing_chunk_ = false;
  bool stream_done_ = false;
  bool closed_ = false;
  std::atomic<bool> ended_ = false;
  /// The body source of the streamed response being written, if any.
  std::shared_ptr<chunk_stream> streaming_;
  /// The request being answered, when it asks for a WebSocket upgrade.
  std::optional<http::request<http::string_body>> upgrade_request_;
};

} // namespace

struct server::impl {
  impl(transport_context& context, net::io_context& io, bool single_thread)
    : ctx(context),
      ioc(io),
      one_thread(single_thread),
      accept_strand(net::make_strand(ioc)),
      acceptor(accept_strand) {}

  void do_accept() {
    if (one_thread) {
      // One thread runs every handler: a connection's handlers cannot overlap, and a strand
      // would only cost a lock and a reference count per handler.
      accept_on(ioc.get_executor());
    } else {
      accept_on(net::make_strand(ioc));
    }
  }

  template <class Executor>
  void accept_on(const Executor& executor) {
    using connection_type = session<Executor>;
    acceptor.async_accept(executor, [this](beast::error_code ec,
                                           typename connection_type::socket_of s) {
      if (ec) {
        if (ec != net::error::operation_aborted) {
          log(log_level::warn, "accept failed", {{"error", ec.message()}});
          do_accept();
        }
        return;
      }
      auto accepted = std::make_shared<connection_type>(std::move(s), ctx, websockets);
      sessions.add(accepted);
      accepted->run();
      do_accept();
    });
  }

  transport_context& ctx;
  net::io_context& ioc;
  bool one_thread;
  /// Where the acceptor's handlers run.
  net::strand<net::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  websocket_registry websockets;
  connection_registry<connection> sessions;
  bool started = false;
};

server::server(transport_context& ctx, net::io_context& ioc, bool one_thread)
  : impl_(std::make_unique<impl>(ctx, ioc, one_thread)) {
  // nop
}

server::~server() {
  try {
    stop();
  } catch (const std::exception& ex) {
    log(log_level::error, "HTTP server did not stop cleanly", {{"error", ex.what()}});
  }
}

caf::expected<uint16_t> server::start() {
  auto& d = *impl_;
  beast::error_code ec;
  auto address = net::ip::make_address(d.ctx.options.host, ec);
  if (ec) {
    return make_error(errc::invalid_argument, "invalid listen address: " + d.ctx.options.host);
  }
  tcp::endpoint endpoint{address, d.ctx.options.port};
  d.acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    d.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    d.acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    d.acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(errc::internal_error, "cannot listen on " + d.ctx.options.host + ":"
                                              + std::to_string(d.ctx.options.port) + ": "
                                              + ec.message());
  }
  auto port = d.acceptor.local_endpoint().port();
  d.started = true;
  net::post(d.accept_strand, [&d] {
    d.do_accept();
  });
  return port;
}

void server::stop() {
  auto& d = *impl_;
  if (!d.started) {
    return;
  }
  d.started = false;
  // Stop accepting, and let WebSocket peers hear why their connection ends.
  std::promise<void> cancelled;
  net::post(d.accept_strand, [&d, &cancelled] {
    beast::error_code ignored;
    d.acceptor.cancel(ignored);
    d.acceptor.close(ignored);
    cancelled.set_value();
  });
  cancelled.get_future().wait();
  auto websockets = d.websockets.take_all();
  for (const auto& connection : websockets) {
    connection->close(static_cast<uint16_t>(websocket::close_code::going_away),
                      "server shutting down");
  }
  await_ended(websockets, std::chrono::seconds{1});
  auto sessions = d.sessions.take_all();
  for (const auto& connection : sessions) {
    connection->close();
  }
  await_ended(sessions, std::chrono::seconds{1});
}

} // namespace sagemcp::transport
