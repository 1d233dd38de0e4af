#include "transport/logs_api.hpp"

#include "observability/json_escape.hpp"
#include "observability/logging.hpp"

#include <boost/url/pct_string_view.hpp>

#include <array>
#include <charconv>
#include <optional>
#include <string>

namespace sagemcp::transport {

namespace {

constexpr size_t default_backlog = 200;

// The rank of a level name, as the log writes it or as a query names it; -1 for none.
int rank_of(std::string_view level) {
  static constexpr std::array<std::string_view, 4> names{"debug", "info", "warning", "error"};
  if (level == "warn") {
    return 2;
  }
  if (level == "critical") {
    return 3;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (names.at(i) == level) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// The decoded value of a query parameter; nullopt when it is not validly encoded.
std::optional<std::string> decoded_param(std::string_view query, std::string_view name) {
  auto raw = query_param(query, name);
  auto text = boost::urls::make_pct_string_view(raw);
  if (!text) {
    return std::nullopt;
  }
  return text->decode();
}

// What a line must contain to name `value` in the field `name`.
std::string field_needle(std::string_view name, std::string_view value) {
  std::string needle = "\"";
  needle += name;
  needle += "\":\"";
  observability::append_json_escaped(needle, value);
  needle += '"';
  return needle;
}

} // namespace

void stream_logs(transport_context&, const http_request& req, const route_match&, const principal&,
                 responder reply) {
  auto level = decoded_param(req.query, "level");
  auto tenant = decoded_param(req.query, "tenant");
  auto connector = decoded_param(req.query, "connector");
  auto backlog_text = query_param(req.query, "backlog");
  if (!level || !tenant || !connector) {
    reply(error_response(400, "invalid_argument", "A query parameter is not validly encoded"));
    return;
  }
  int min_rank = level->empty() ? 0 : rank_of(*level);
  if (min_rank < 0) {
    reply(error_response(400, "invalid_argument", "'level' must be debug, info, warn or error"));
    return;
  }
  size_t backlog = default_backlog;
  if (!backlog_text.empty()) {
    auto [end, ec] = std::from_chars(backlog_text.data(), backlog_text.data() + backlog_text.size(),
                                     backlog);
    if (ec != std::errc{} || end != backlog_text.data() + backlog_text.size() || backlog > 1000) {
      reply(error_response(400, "invalid_argument", "'backlog' must be a number from 0 to 1000"));
      return;
    }
  }
  auto tenant_needle = tenant->empty() ? std::string{} : field_needle("tenant", *tenant);
  auto connector_needle = connector->empty() ? std::string{}
                                             : field_needle("connector_id", *connector);
  auto stream = std::make_shared<chunk_stream>();
  // A comment first, so that the client sees the stream open before any line is written.
  stream->write(": sagemcp logs\n\n");
  auto id = observability::subscribe_logs(
    [stream, min_rank, tenant_needle, connector_needle](std::string_view name,
                                                        std::string_view line) {
      if (stream->aborted() || rank_of(name) < min_rank
          || (!tenant_needle.empty() && line.find(tenant_needle) == std::string_view::npos)
          || (!connector_needle.empty() && line.find(connector_needle) == std::string_view::npos)) {
        return;
      }
      std::string event = "data: ";
      event += line;
      event += "\n\n";
      stream->write(std::move(event));
    },
    backlog);
  stream->on_abort([id] {
    observability::unsubscribe_logs(id);
  });
  reply(event_stream_response(std::move(stream)));
}

} // namespace sagemcp::transport
