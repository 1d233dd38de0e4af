#pragma once

#include "transport/context.hpp"

#include <caf/expected.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>

namespace sagemcp::transport {

/// The HTTP/1.1 server: a Beast listener and its connections, on the threads that run `ioc` (the
/// node's, which run the actors too). Each connection has a strand of its own unless `one_thread`
/// says that a single thread runs `ioc`.
class server {
public:
  server(transport_context& ctx, boost::asio::io_context& ioc, bool one_thread = false);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting; returns the bound port.
  caf::expected<uint16_t> start();

  /// Stops accepting and closes the connections (WebSocket peers get a close frame), waiting a
  /// moment for them to end.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sagemcp::transport
