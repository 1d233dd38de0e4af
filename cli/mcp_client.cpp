#include "cli/mcp_client.hpp"

#include "cli/client.hpp"
#include "connectors/sse.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <future>
#include <memory>
#include <mutex>
#include <optional>

namespace sagemcp::cli {

namespace json = boost::json;

int mcp_reply::exit_code() const {
  if (ok()) {
    return 0;
  }
  if (!error.is_null()) {
    return 3;
  }
  return status == 0 ? 1 : std::max(exit_code_of(status), 1);
}

namespace {

// The answer to request `id` within one JSON-RPC message, if it is that answer.
std::optional<json::value> answer_of(std::string_view text, int64_t id) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    return std::nullopt;
  }
  const auto* got = parsed.as_object().if_contains("id");
  if (got == nullptr || !got->is_int64() || got->as_int64() != id) {
    return std::nullopt;
  }
  if (!parsed.as_object().contains("result") && !parsed.as_object().contains("error")) {
    return std::nullopt;
  }
  return parsed;
}

// One POST in flight: collects the head and either a JSON body or SSE events until the answer.
struct exchange {
  std::mutex mutex;
  int64_t id = 0;
  bool done = false;
  bool sse = false;
  connectors::http_response head;
  std::string body;
  connectors::sse_parser parser;
  std::promise<std::optional<json::value>> answer;

  void finish(std::optional<json::value> value) {
    if (!done) {
      done = true;
      answer.set_value(std::move(value));
    }
  }
};

} // namespace

mcp_client::mcp_client(connectors::http_client& http, std::string endpoint,
                       std::vector<connectors::http_header> headers)
  : http_(http),
    endpoint_(std::move(endpoint)),
    headers_(std::move(headers)) {
  // nop
}

mcp_client::~mcp_client() {
  close();
}

std::vector<connectors::http_header> mcp_client::headers_for_post() const {
  auto headers = headers_;
  headers.push_back({"Accept", "application/json, text/event-stream"});
  headers.push_back({"Content-Type", "application/json"});
  if (!session_id_.empty()) {
    headers.push_back({"Mcp-Session-Id", session_id_});
    headers.push_back({"MCP-Protocol-Version", protocol_});
  }
  return headers;
}

mcp_reply mcp_client::post(const json::object& message, bool expect_answer) {
  auto state = std::make_shared<exchange>();
  if (const auto* id = message.if_contains("id")) {
    state->id = id->as_int64();
  }
  auto future = state->answer.get_future();
  connectors::http_request request;
  request.method = "POST";
  request.url = endpoint_;
  request.headers = headers_for_post();
  request.body = json::serialize(message);
  connectors::stream_events events;
  events.on_head = [state](const connectors::http_response& head) {
    std::lock_guard lock{state->mutex};
    state->head = head;
    state->sse = head.header("content-type").starts_with("text/event-stream") && head.status >= 200
                 && head.status < 300;
  };
  events.on_data = [state](std::string_view data) {
    std::lock_guard lock{state->mutex};
    if (!state->sse) {
      state->body.append(data);
      return;
    }
    std::vector<connectors::sse_event> got;
    state->parser.feed(data, got);
    for (auto& event : got) {
      if (auto value = answer_of(event.data, state->id)) {
        state->finish(std::move(value));
      }
    }
  };
  events.on_end = [state](const std::optional<connectors::fetch_error>& error) {
    std::lock_guard lock{state->mutex};
    if (error && state->head.status == 0) {
      state->body = error->message;
    }
    if (!state->sse && state->head.status >= 200 && state->head.status < 300) {
      state->finish(answer_of(state->body, state->id));
    }
    state->finish(std::nullopt);
  };
  auto stream = http_.stream(std::move(request), std::move(events), std::chrono::seconds{60});
  auto answer = future.get();
  stream->cancel();
  std::lock_guard lock{state->mutex};
  mcp_reply reply;
  reply.status = state->head.status;
  if (auto sid = state->head.header("mcp-session-id"); !sid.empty()) {
    session_id_ = std::string{sid};
  }
  if (reply.status == 0) {
    reply.message = "cannot reach the server: " + state->body;
    return reply;
  }
  if (reply.status < 200 || reply.status >= 300) {
    reply.message = "HTTP " + std::to_string(reply.status);
    boost::system::error_code ec;
    auto parsed = json::parse(state->body, ec);
    const json::object* obj = ec ? nullptr : parsed.if_object();
    if (const auto* err = obj != nullptr ? obj->if_contains("error") : nullptr;
        err != nullptr && err->is_object() && err->as_object().contains("message")) {
      reply.message += ": " + std::string{err->as_object().at("message").as_string()};
    } else if (const auto* detail = obj != nullptr ? obj->if_contains("detail") : nullptr;
               detail != nullptr && detail->is_string()) {
      reply.message += ": " + std::string{detail->as_string()};
    } else if (!state->body.empty()) {
      reply.message += ": " + state->body;
    }
    return reply;
  }
  if (!expect_answer) {
    return reply;
  }
  if (!answer) {
    reply.message = "the server sent no answer to the request";
    return reply;
  }
  auto& obj = answer->as_object();
  if (const auto* err = obj.if_contains("error")) {
    reply.error = *err;
    const auto* text = err->is_object() ? err->as_object().if_contains("message") : nullptr;
    reply.message = text != nullptr && text->is_string() ? std::string{text->as_string()}
                                                         : json::serialize(*err);
    return reply;
  }
  reply.result = obj.at("result");
  return reply;
}

mcp_reply mcp_client::initialize() {
  json::object params{{"protocolVersion", mcp_protocol_version},
                      {"capabilities", json::object{}},
                      {"clientInfo", {{"name", "sagemcp-cli"}, {"version", SAGEMCP_VERSION}}}};
  auto reply = request("initialize", std::move(params));
  if (!reply.ok()) {
    return reply;
  }
  if (const auto* version = reply.result.as_object().if_contains("protocolVersion");
      version != nullptr && version->is_string()) {
    protocol_ = std::string{version->as_string()};
  }
  json::object note{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  auto sent = post(note, false);
  if (sent.status == 0 || sent.status >= 300) {
    return sent;
  }
  return reply;
}

mcp_reply mcp_client::request(const std::string& method, json::object params) {
  json::object message{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}};
  if (!params.empty() || method != "ping") {
    message["params"] = std::move(params);
  }
  return post(message, true);
}

void mcp_client::close() {
  if (session_id_.empty()) {
    return;
  }
  connectors::http_request request;
  request.method = "DELETE";
  request.url = endpoint_;
  request.headers = headers_;
  request.headers.push_back({"Mcp-Session-Id", session_id_});
  request.headers.push_back({"MCP-Protocol-Version", protocol_});
  session_id_.clear();
  fetch_sync(http_, std::move(request));
}

} // namespace sagemcp::cli
