#pragma once

#include "transport/context.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <memory>

namespace sagemcp::transport {

/// The HTTP/1.1 server: a Beast listener and one strand per connection, on its own I/O threads.
class server {
public:
  explicit server(transport_context& ctx);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, starts accepting and starts the I/O threads; returns the bound port.
  caf::expected<uint16_t> start();

  /// Stops accepting, closes connections and joins the I/O threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sagemcp::transport
