#include "cli/client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <future>
#include <mutex>
#include <utility>

namespace sagemcp::cli {

namespace json = boost::json;

int exit_code_of(unsigned status) {
  if (status >= 200 && status < 300) {
    return 0;
  }
  if (status >= 400 && status < 500) {
    return 3;
  }
  if (status >= 500 && status < 600) {
    return 4;
  }
  return 1;
}

int api_result::exit_code() const {
  return exit_code_of(status);
}

std::string api_result::message() const {
  if (status == 0) {
    return "cannot reach the server: " + text;
  }
  if (const auto* obj = body.if_object()) {
    if (const auto* detail = obj->if_contains("detail"); detail != nullptr && detail->is_string()) {
      return std::string{detail->as_string()};
    }
  }
  if (text.empty()) {
    return "HTTP " + std::to_string(status);
  }
  return "HTTP " + std::to_string(status) + ": " + text;
}

std::string encode_component(std::string_view text) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((std::isalnum(c) != 0) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 15U];
    }
  }
  return out;
}

connectors::fetch_result fetch_sync(connectors::http_client& client,
                                    connectors::http_request request) {
  auto promise = std::make_shared<std::promise<connectors::fetch_result>>();
  auto future = promise->get_future();
  client.fetch(std::move(request), [promise](connectors::fetch_result result) {
    promise->set_value(std::move(result));
  });
  return future.get();
}

namespace {

// The server is usually on loopback, which the connector client refuses by default.
connectors::http_client_options client_options(std::chrono::milliseconds timeout) {
  connectors::http_client_options options;
  options.allow_private = true;
  options.read_timeout = timeout;
  options.connect_timeout = std::min(timeout, std::chrono::milliseconds{10'000});
  options.user_agent = std::string{"sagemcp-cli/"} + SAGEMCP_VERSION;
  options.read_proxy_environment();
  return options;
}

} // namespace

rest_client::rest_client(std::string base_url, std::string api_key,
                         std::chrono::milliseconds timeout)
  : base_url_(std::move(base_url)),
    api_key_(std::move(api_key)),
    http_(std::make_unique<connectors::http_client>(client_options(timeout))) {
  while (!base_url_.empty() && base_url_.back() == '/') {
    base_url_.pop_back();
  }
}

std::vector<connectors::http_header> rest_client::base_headers() const {
  std::vector<connectors::http_header> headers{{"Accept", "application/json"}};
  if (!api_key_.empty()) {
    headers.push_back({"Authorization", "Bearer " + api_key_});
  }
  return headers;
}

api_result rest_client::call(std::string_view method, std::string_view path,
                             const json::value* body) {
  connectors::http_request request;
  request.method = std::string{method};
  request.url = base_url_ + std::string{path};
  request.headers = base_headers();
  if (body != nullptr) {
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = json::serialize(*body);
  }
  auto outcome = fetch_sync(*http_, std::move(request));
  api_result result;
  if (const auto* failure = std::get_if<connectors::fetch_error>(&outcome)) {
    result.text = failure->message;
    return result;
  }
  auto& response = std::get<connectors::http_response>(outcome);
  result.status = response.status;
  result.text = std::move(response.body);
  if (!result.text.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(result.text, ec);
    if (!ec) {
      result.body = std::move(parsed);
    }
  }
  return result;
}

namespace {

// What the I/O thread tells the waiting caller of stream_lines.
struct stream_state {
  std::mutex mutex;
  std::condition_variable changed;
  unsigned status = 0;
  bool ended = false;
  std::chrono::steady_clock::time_point last_data = std::chrono::steady_clock::now();
  std::string pending;
  std::vector<std::string> lines;
  std::string error_body;
};

} // namespace

unsigned rest_client::stream_lines(std::string_view path,
                                   const std::function<void(std::string_view)>& on_line,
                                   std::optional<std::chrono::milliseconds> stop_after_idle,
                                   std::string& error_body) {
  auto state = std::make_shared<stream_state>();
  connectors::http_request request;
  request.url = base_url_ + std::string{path};
  request.headers = base_headers();
  request.headers.push_back({"Accept", "text/event-stream"});
  connectors::stream_events events;
  events.on_head = [state](const connectors::http_response& head) {
    std::lock_guard lock{state->mutex};
    state->status = head.status;
    state->last_data = std::chrono::steady_clock::now();
    state->changed.notify_all();
  };
  events.on_data = [state](std::string_view data) {
    std::lock_guard lock{state->mutex};
    state->last_data = std::chrono::steady_clock::now();
    if (state->status < 200 || state->status >= 300) {
      state->error_body.append(data);
      return;
    }
    state->pending.append(data);
    for (auto nl = state->pending.find('\n'); nl != std::string::npos;
         nl = state->pending.find('\n')) {
      state->lines.push_back(state->pending.substr(0, nl));
      state->pending.erase(0, nl + 1);
    }
    state->changed.notify_all();
  };
  events.on_end = [state](const std::optional<connectors::fetch_error>& error) {
    std::lock_guard lock{state->mutex};
    if (error && state->status == 0) {
      state->error_body = error->message;
    }
    state->ended = true;
    state->changed.notify_all();
  };
  auto stream = http_->stream(std::move(request), std::move(events), std::chrono::milliseconds{0});
  std::unique_lock lock{state->mutex};
  for (;;) {
    for (auto& line : std::exchange(state->lines, {})) {
      lock.unlock();
      on_line(line);
      lock.lock();
    }
    if (state->ended) {
      break;
    }
    if (!stop_after_idle) {
      state->changed.wait(lock);
      continue;
    }
    // Before the head the server may still be busy; after it, silence means the backlog ended.
    auto limit = state->status == 0 ? std::chrono::milliseconds{10'000} : *stop_after_idle;
    auto deadline = state->last_data + limit;
    if (state->changed.wait_until(lock, deadline) == std::cv_status::timeout
        && std::chrono::steady_clock::now() >= state->last_data + limit && state->lines.empty()) {
      break;
    }
  }
  lock.unlock();
  stream->cancel();
  std::lock_guard guard{state->mutex};
  error_body = state->error_body;
  return state->status;
}

} // namespace sagemcp::cli
