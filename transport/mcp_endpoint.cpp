#include "transport/mcp_endpoint.hpp"

#include "messages/errc.hpp"
#include "observability/logging.hpp"
#include "observability/metrics.hpp"
#include "transport/bridge.hpp"
#include "transport/jsonrpc.hpp"
#include "transport/mcp/protocol.hpp"
#include "transport/mcp/stateless.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <optional>

namespace sagemcp::transport {

namespace {

constexpr std::string_view session_header = "mcp-session-id";

// DNS rebinding protection: a browser page must not reach the endpoint through a foreign Host
// or from a foreign Origin.
caf::error check_host_and_origin(const transport_context& ctx, const http_request& req) {
  const auto& opts = ctx.options;
  if (!mcp::is_allowed_host(req.header("host"), opts.allowed_hosts,
                            mcp::is_loopback_address(opts.host))) {
    return make_error(errc::forbidden_origin, "Forbidden: Host not allowed");
  }
  if (!mcp::is_allowed_origin(req.header("origin"), req.header("host"), opts.allowed_origins)) {
    return make_error(errc::forbidden_origin);
  }
  return {};
}

// The checks every POST passes before its body is looked at, in the order of the status codes
// clients are told to expect: 403 Host or Origin, 406 Accept, 415 Content-Type.
caf::error check_post_headers(const transport_context& ctx, const http_request& req) {
  if (auto err = check_host_and_origin(ctx, req)) {
    return err;
  }
  if (!mcp::accepts_json_and_sse(req.header("accept"))) {
    return make_error(errc::not_acceptable);
  }
  if (!mcp::is_json_content_type(req.header("content-type"))) {
    return make_error(errc::unsupported_media_type);
  }
  return {};
}

std::string server_version() {
  return SAGEMCP_VERSION;
}

boost::json::object server_info() {
  return boost::json::object{
    {"name", "sagemcp"}, {"title", "SageMCP"}, {"version", server_version()}};
}

boost::json::object capabilities_of(const session_info& info) {
  boost::system::error_code ec;
  auto capabilities = boost::json::parse(info.capabilities, ec);
  if (ec || !capabilities.is_object()) {
    return {};
  }
  return std::move(capabilities.as_object());
}

// The capabilities of an endpoint: its connector's, with the list changes it delivers (on the GET
// stream of a session, on subscriptions/listen without one).
boost::json::object advertised_capabilities(const session_info& info) {
  auto capabilities = capabilities_of(info);
  for (const auto* feature : {"tools", "prompts", "resources"}) {
    if (auto* entry = capabilities.if_contains(feature); entry != nullptr && entry->is_object()) {
      entry->as_object()["listChanged"] = true;
    }
  }
  return capabilities;
}

std::string instructions(const session_info& info) {
  return info.connector_name.empty()
           ? std::string{"Tools, prompts and resources of every enabled connector of this tenant, "
                         "hosted by SageMCP; tool and prompt names are prefixed with their "
                         "connector's name where they clash."}
           : "Tools of the connector '" + info.connector_name + "' hosted by SageMCP.";
}

std::string initialize_result(const session_info& info) {
  boost::json::object result;
  result["protocolVersion"] = info.protocol_version;
  result["capabilities"] = advertised_capabilities(info);
  result["serverInfo"] = server_info();
  result["instructions"] = instructions(info);
  return boost::json::serialize(result);
}

// -- the 2026-07-28 path ---------------------------------------------------------------------------

// How long a client may take to answer an input_required result.
constexpr int64_t request_state_lifetime_seconds = int64_t{15} * 60;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// What a sealed requestState is bound to: the caller, the endpoint and the request.
std::string state_binding(const mcp_envelope& env) {
  std::string binding = env.tenant;
  for (const auto* part :
       {&env.connector_id, &env.caller.key_id, &env.request.method, &env.request.name}) {
    binding += '\n';
    binding += *part;
  }
  return binding;
}

// The discover result: a session's capabilities without what only sessions have.
std::string discover_result(const session_info& info) {
  boost::json::array versions;
  for (auto x : mcp::stateless_versions) {
    versions.emplace_back(x);
  }
  boost::json::object result{{"supportedVersions", std::move(versions)},
                             {"capabilities", advertised_capabilities(info)},
                             {"instructions", instructions(info)},
                             {"resultType", "complete"},
                             {"_meta",
                              boost::json::object{{mcp::meta_server_info, server_info()}}}};
  return boost::json::serialize(result);
}

bool is_cacheable(std::string_view method) {
  return method == "tools/list" || method == "prompts/list" || method == "resources/list"
         || method == "resources/templates/list" || method == "resources/read";
}

// Completes a result for a 2026-07-28 client: resultType, caching hints, the server's identity,
// and a sealed requestState.
// Lists change only with the connector's configuration; resource contents may change at any
// time. Results depend on the caller's credentials, so no shared caches.
int ttl_ms(std::string_view method) {
  return method == "resources/read" ? 0 : 60000;
}

caf::expected<std::string> finish_stateless(const transport_context& ctx, std::string_view binding,
                                            std::string_view method, std::string_view raw) {
  // The common case: none of the members to add or rewrite occurs anywhere in the result, so
  // they are spliced in front of its members without parsing it again.
  auto absent = [raw](std::string_view member) {
    return raw.find(member) == std::string_view::npos;
  };
  if (raw.size() >= 2 && raw.front() == '{' && absent("\"resultType\"") && absent("\"ttlMs\"")
      && absent("\"_meta\"") && absent("\"requestState\"")) {
    static const std::string meta
      = boost::json::serialize(boost::json::object{{mcp::meta_server_info, server_info()}});
    std::string out = R"({"resultType":"complete","_meta":)";
    out += meta;
    if (is_cacheable(method)) {
      out += R"(,"ttlMs":)";
      out += std::to_string(ttl_ms(method));
      out += R"(,"cacheScope":"private")";
    }
    auto rest = raw.substr(1);
    auto first = rest.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && rest[first] != '}') {
      out += ',';
    }
    out += rest;
    return out;
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(raw.empty() ? std::string_view{"{}"} : raw, ec);
  if (ec || !parsed.is_object()) {
    return make_error(errc::internal_error, "the connector returned a result that is no object");
  }
  auto& result = parsed.as_object();
  if (!result.contains("resultType")) {
    result["resultType"] = "complete";
  }
  if (is_cacheable(method) && !result.contains("ttlMs")) {
    result["ttlMs"] = ttl_ms(method);
    result["cacheScope"] = "private";
  }
  if (auto* state = result.if_contains("requestState"); state != nullptr && state->is_string()) {
    *state = mcp::seal_state(ctx.state_key, binding, state->as_string(),
                             now_seconds() + request_state_lifetime_seconds);
  }
  auto& meta = result["_meta"];
  if (!meta.is_object()) {
    meta = boost::json::object{};
  }
  meta.as_object()[mcp::meta_server_info] = server_info();
  return boost::json::serialize(result);
}

// A JSON-RPC error for a 2026-07-28 client: unknown methods are 404, and a missing resource is
// -32602 (SEP-2164).
http_response stateless_error_response(const caf::error& err, std::string_view id) {
  auto code = code_of(err);
  if (code == errc::resource_not_found) {
    return json_response(200, encode_error(id, info(errc::invalid_params).jsonrpc_code,
                                           message_of(err), data_of(err)));
  }
  auto response = jsonrpc_error_response(err, id);
  if (code == errc::method_not_found) {
    response.status = 404;
  }
  return response;
}

// Validates initialize params and builds the session request; the transport mints the id.
caf::expected<session_request> make_session_request(std::string_view tenant,
                                                    std::string_view connector_id,
                                                    const principal& caller,
                                                    const mcp_request& req) {
  boost::system::error_code ec;
  auto params = boost::json::parse(req.params.empty() ? "{}" : req.params, ec);
  const auto* obj = params.if_object();
  const auto* version = obj != nullptr ? obj->if_contains("protocolVersion") : nullptr;
  if (version == nullptr || !version->is_string()) {
    return make_error(errc::invalid_params, "Invalid params: 'protocolVersion' must be a string");
  }
  session_request result;
  result.session_id = random_token(32);
  result.tenant = std::string{tenant};
  result.connector_id = std::string{connector_id};
  result.caller = caller;
  auto requested = std::string_view{version->as_string()};
  result.protocol_version = std::string{mcp::negotiate_version(requested)};
  if (const auto* caps = obj->if_contains("capabilities"); caps != nullptr && caps->is_object()) {
    result.client_capabilities = boost::json::serialize(*caps);
  }
  if (const auto* client = obj->if_contains("clientInfo");
      client != nullptr && client->is_object()) {
    result.client_info = boost::json::serialize(*client);
  }
  return result;
}

void initialize(transport_context& ctx, const route_match& match, const principal& caller,
                const mcp_request& req, responder reply) {
  auto session = make_session_request(match.param("tenant"), match.param("connector"), caller, req);
  if (!session) {
    reply(jsonrpc_error_response(session.error(), req.id));
    return;
  }
  ask(
    ctx.sys, ctx.pool, ctx.options.mcp_timeout,
    [reply, id = req.id](session_info& info) {
      auto response = json_response(200, encode_result(id, initialize_result(info)));
      response.headers.emplace_back("Mcp-Session-Id", info.session_id);
      reply(std::move(response));
    },
    [reply, id = req.id](caf::error& err) {
      reply(jsonrpc_error_response(err, id));
    },
    atom::open_v, std::move(*session));
}

// Checks the session header and MCP-Protocol-Version of a request that needs a session.
caf::expected<std::string> session_of(const http_request& req) {
  if (!req.has_header(session_header)) {
    return make_error(errc::session_required);
  }
  auto id = req.header(session_header);
  if (!mcp::is_valid_session_id(id)) {
    return make_error(errc::session_not_found, "Session not found: malformed session id");
  }
  if (req.has_header("mcp-protocol-version")
      && !mcp::is_supported_version(req.header("mcp-protocol-version"))) {
    return make_error(errc::unsupported_protocol_version,
                      "Bad Request: Unsupported protocol version: "
                        + std::string{req.header("mcp-protocol-version")});
  }
  return std::string{id};
}

// -- the request stream: JSON, or SSE once the session pushes a message ahead of the result ------

// Appends `json` as the data of an SSE event: one `data:` line per line of text.
void append_data(std::string& out, std::string_view json) {
  while (true) {
    auto eol = json.find('\n');
    auto line = json.substr(0, eol);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    out += "data: ";
    out += line;
    out += '\n';
    if (eol == std::string_view::npos) {
      break;
    }
    json.remove_prefix(eol + 1);
  }
  out += '\n';
}

// An SSE event without id (requests that cannot be resumed).
std::string sse_event(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 24);
  out += "event: message\n";
  append_data(out, json);
  return out;
}

// The time clients wait before they reconnect to a stream whose connection ended, announced in
// priming events (SSE `retry:`).
constexpr std::string_view reconnect_delay_ms = "1000";

// An event of a resumable stream; an empty message is the priming event (SEP-1699): the id alone,
// with the reconnection delay.
std::string sse_event(std::string_view id, std::string_view json) {
  std::string out;
  out.reserve(json.size() + id.size() + 32);
  out += "id: ";
  out += id;
  out += '\n';
  if (json.empty()) {
    out += "retry: ";
    out += reconnect_delay_ms;
    out += "\ndata: \n\n";
    return out;
  }
  out += "event: message\n";
  append_data(out, json);
  return out;
}

// Idle time after which an open event stream gets a keep-alive comment, so that proxies do not
// close it while a tool waits (for example on a person answering an elicitation).
constexpr auto keep_alive_interval = std::chrono::seconds{15};

// Where a connection-bound session (legacy HTTP+SSE, WebSocket) writes its messages.
class channel_sink {
public:
  virtual ~channel_sink() = default;

  /// Sends one JSON-RPC message.
  virtual void send(std::string_view message) = 0;

  /// Ends the connection.
  virtual void close() = 0;

  /// Whether the client is gone.
  virtual bool gone() const = 0;

  /// Keeps an idle connection open, where the transport needs it.
  virtual void keep_alive() = 0;
};

// The GET stream of a legacy HTTP+SSE session: messages as `message` events, without ids (that
// transport has no resumption).
class sse_sink final : public channel_sink {
public:
  explicit sse_sink(std::shared_ptr<chunk_stream> stream) : stream_(std::move(stream)) {}

  void send(std::string_view message) override {
    stream_->write(sse_event(message));
  }

  void close() override {
    stream_->close();
  }

  bool gone() const override {
    return stream_->aborted();
  }

  void keep_alive() override {
    stream_->write(": keep-alive\n\n");
  }

private:
  std::shared_ptr<chunk_stream> stream_;
};

// A WebSocket: one text frame per message; the server's pings keep it open.
class websocket_sink final : public channel_sink {
public:
  explicit websocket_sink(std::shared_ptr<websocket_peer> peer) : peer_(std::move(peer)) {}

  void send(std::string_view message) override {
    peer_->send(std::string{message});
  }

  void close() override {
    peer_->close(1000, "session ended");
  }

  bool gone() const override {
    return peer_->closed();
  }

  void keep_alive() override {
    // Beast sends pings on idle connections.
  }

private:
  std::shared_ptr<websocket_peer> peer_;
};

// Where the messages of one request go: a plain response, or an SSE stream opened by the first
// message that arrives ahead of the final answer; on a connection-bound session, its sink.
struct post_output {
  responder reply;
  std::shared_ptr<chunk_stream> stream;
  /// Set on a connection-bound session: every message goes there, and `reply` is not used.
  std::shared_ptr<channel_sink> sink;
  /// Whether anything was written since the last keep-alive check.
  bool active = false;

  /// Writes a comment if nothing was sent since the last call; true while the stream is open.
  bool keep_alive() {
    if (!stream || stream->aborted()) {
      return false;
    }
    if (!active) {
      stream->write(": keep-alive\n\n");
    }
    active = false;
    return true;
  }

  /// Answers the request with the head of an event stream; true if this call did.
  bool open() {
    if (stream) {
      return false;
    }
    stream = std::make_shared<chunk_stream>();
    reply(event_stream_response(stream));
    return true;
  }

  // Ends the request with one message, the body of `plain`: an event on an open stream, else
  // `plain` itself.
  void finish(http_response plain) {
    if (sink) {
      sink->send(plain.body);
      return;
    }
    if (!stream) {
      reply(std::move(plain));
      return;
    }
    stream->write(sse_event(plain.body));
    stream->close();
  }

  // Ends the request: the final messages as events on an open stream, else `plain`.
  void finish(const std::vector<std::string>& messages, http_response plain) {
    if (sink) {
      for (const auto& message : messages) {
        sink->send(message);
      }
      return;
    }
    if (!stream) {
      reply(std::move(plain));
      return;
    }
    for (const auto& message : messages) {
      stream->write(sse_event(message));
    }
    stream->close();
  }
};

struct request_stream_state {
  static inline const char* name = "request-stream";
  post_output out;
  std::string id;
  bool expects_result = true;
  /// 2026-07-28 requests: the method, and what a sealed requestState is bound to.
  bool stateless = false;
  std::string method;
  std::string binding;
};

using stream_pointer = request_stream_actor::stateful_pointer<request_stream_state>;

// Opens the event stream if it is not open yet, and starts its keep-alive timer.
template <class Pointer>
void open_output(Pointer self) {
  if (self->state.out.open()) {
    self->delayed_send(self, keep_alive_interval, atom::tick_v);
  }
}

template <class Pointer>
void write_event(Pointer self, std::string event) {
  open_output(self);
  if (self->state.out.stream->aborted()) {
    // The client went away: whoever watches this stream learns it from the actor's exit (a
    // 2026-07-28 request is cancelled by it).
    self->quit();
    return;
  }
  self->state.out.active = true;
  self->state.out.stream->write(std::move(event));
}

template <class Pointer>
void keep_alive(Pointer self) {
  if (self->state.out.keep_alive()) {
    self->delayed_send(self, keep_alive_interval, atom::tick_v);
  } else if (self->state.out.stream && self->state.out.stream->aborted()) {
    // The client went away; whoever watches this stream (a session, a listen subscription)
    // learns it from the actor's exit.
    self->quit();
  }
}

// Sends a message (with an event id on resumable streams; empty: the priming event).
template <class Pointer>
void deliver(Pointer self, std::string_view event_id, const std::string& message) {
  if (const auto& sink = self->state.out.sink) {
    if (!message.empty()) {
      sink->send(message);
    }
    return;
  }
  write_event(self, event_id.empty() ? sse_event(message) : sse_event(event_id, message));
}

// What every output of a request or event stream does with what the session sends it.
template <class Pointer>
request_stream_actor::behavior_type output_behavior(Pointer self) {
  return {
    [self](atom::push, const std::string& message) {
      deliver(self, {}, message);
    },
    [self](atom::push, const std::string& event_id, const std::string& message) {
      deliver(self, event_id, message);
    },
    [self](atom::close) {
      if (!self->state.out.sink) {
        open_output(self);
        self->state.out.stream->close();
      }
      self->quit();
    },
    [self](atom::tick) {
      keep_alive(self);
    },
  };
}

void finish_error(stream_pointer self, const caf::error& err) {
  auto& s = self->state;
  if (code_of(err) == errc::cancelled) {
    // A cancelled request gets no JSON-RPC response at all.
    s.out.finish({}, empty_response(202));
  } else {
    auto plain = s.stateless ? stateless_error_response(err, s.id)
                             : jsonrpc_error_response(err, s.id);
    s.out.finish(std::move(plain));
  }
  self->quit();
}

void finish_result(stream_pointer self, transport_context* ctx, const std::string& raw) {
  auto& s = self->state;
  if (!s.expects_result) {
    s.out.finish({}, empty_response(202));
    self->quit();
    return;
  }
  std::string message;
  if (s.stateless) {
    auto finished = finish_stateless(*ctx, s.binding, s.method, raw);
    if (!finished) {
      finish_error(self, finished.error());
      return;
    }
    message = encode_result(s.id, *finished);
  } else {
    message = encode_result(s.id, raw);
  }
  s.out.finish(json_response(200, std::move(message)));
  self->quit();
}

// Sends the request to its session, which answers it.
void send_to_session(stream_pointer self, transport_context* ctx, const session_actor& session,
                     mcp_envelope env) {
  // A subscription stays open until the client leaves or the server ends it.
  auto timeout = env.request.method == "subscriptions/listen"
                   ? caf::duration{caf::infinite}
                   : caf::duration{ctx->options.mcp_timeout};
  self->request(session, timeout, atom::handle_v, std::move(env.request))
    .then(
      [self, ctx](mcp_reply& result) {
        finish_result(self, ctx, result.result);
      },
      [self](caf::error& err) {
        // The session ended between the lookup and the request.
        finish_error(self, err == caf::sec::request_receiver_down ? session_not_found() : err);
      });
}

// The session straight from the directory, which notes the use for the pool's LRU order.
void route(stream_pointer self, transport_context* ctx, mcp_envelope env) {
  auto found = ctx->sessions.find(env);
  if (!found) {
    finish_error(self, session_not_found());
    return;
  }
  send_to_session(self, ctx, *found, std::move(env));
}

// A 2026-07-28 request: opens (or finds) the caller's stateless context on the endpoint, then
// answers server/discover itself or routes the request there.
void route_stateless(stream_pointer self, transport_context* ctx, mcp_envelope env,
                     session_request context) {
  if (env.request.method != "server/discover") {
    // The caller's context is open already: no need to ask the pool.
    env.session_id = stateless_session_id(env.tenant, env.connector_id, env.caller.key_id);
    if (auto found = ctx->sessions.find(env)) {
      send_to_session(self, ctx, *found, std::move(env));
      return;
    }
  }
  self->request(ctx->pool, ctx->options.mcp_timeout, atom::open_v, std::move(context))
    .then(
      [self, ctx, env](session_info& info) mutable {
        if (env.request.method == "server/discover") {
          auto message = encode_result(self->state.id, discover_result(info));
          self->state.out.finish(json_response(200, std::move(message)));
          self->quit();
          return;
        }
        env.session_id = info.session_id;
        route(self, ctx, std::move(env));
      },
      [self](caf::error& err) {
        finish_error(self, err);
      });
}

request_stream_actor::behavior_type request_stream(stream_pointer self, transport_context* ctx,
                                                   mcp_envelope env, responder reply,
                                                   bool expects_result,
                                                   std::optional<session_request> stateless,
                                                   std::shared_ptr<channel_sink> sink) {
  auto& st = self->state;
  st.out.reply = std::move(reply);
  st.out.sink = std::move(sink);
  st.id = expects_result ? env.request.id : std::string{};
  st.expects_result = expects_result;
  if (stateless) {
    st.stateless = true;
    st.method = env.request.method;
    st.binding = state_binding(env);
    route_stateless(self, ctx, std::move(env), std::move(*stateless));
  } else {
    route(self, ctx, std::move(env));
  }
  return output_behavior(self);
}

// -- batches (2025-03-26): one POST, several messages, the responses as one array --------------

struct batch_stream_state {
  static inline const char* name = "batch-stream";
  post_output out;
  /// Responses by position in the batch; empty for members that get none.
  std::vector<std::string> responses;
  size_t pending = 0;
};

using batch_pointer = request_stream_actor::stateful_pointer<batch_stream_state>;

void batch_done(batch_pointer self) {
  auto& st = self->state;
  if (--st.pending > 0) {
    return;
  }
  std::vector<std::string> messages;
  for (auto& response : st.responses) {
    if (!response.empty()) {
      messages.push_back(std::move(response));
    }
  }
  std::string array = "[";
  for (size_t i = 0; i < messages.size(); ++i) {
    array += i == 0 ? "" : ",";
    array += messages[i];
  }
  array += ']';
  st.out.finish(messages,
                messages.empty() ? empty_response(202) : json_response(200, std::move(array)));
  self->quit();
}

request_stream_actor::behavior_type batch_stream(batch_pointer self, transport_context* ctx,
                                                 std::vector<mcp_envelope> members,
                                                 std::vector<bool> expects, responder reply) {
  auto& st = self->state;
  st.out.reply = std::move(reply);
  st.responses.resize(members.size());
  st.pending = 1; // Released after dispatch, so that an early reply cannot finish the batch.
  for (size_t i = 0; i < members.size(); ++i) {
    if (!expects[i]) {
      caf::anon_send(ctx->pool, atom::route_v, std::move(members[i]));
      continue;
    }
    ++st.pending;
    auto id = members[i].request.id;
    self->request(ctx->pool, ctx->options.mcp_timeout, atom::route_v, std::move(members[i]))
      .then(
        [self, i, id](mcp_reply& result) {
          self->state.responses[i] = encode_result(id, result.result);
          batch_done(self);
        },
        [self, i, id](caf::error& err) {
          if (code_of(err) != errc::cancelled) {
            self->state.responses[i] = jsonrpc_error_response(err, id).body;
          }
          batch_done(self);
        });
  }
  batch_done(self);
  return output_behavior(self);
}

// -- the GET stream: server-initiated messages, and resumption with Last-Event-ID --------------

struct event_stream_state {
  static inline const char* name = "event-stream";
  post_output out;
};

using event_stream_pointer = request_stream_actor::stateful_pointer<event_stream_state>;

request_stream_actor::behavior_type event_stream(event_stream_pointer self, transport_context* ctx,
                                                 mcp_envelope env, std::string last_event_id,
                                                 responder reply) {
  self->state.out.reply = std::move(reply);
  self
    ->request(ctx->pool, ctx->options.mcp_timeout, atom::attach_v, std::move(env),
              std::move(last_event_id))
    .then(
      [self](atom::ok) {
        open_output(self);
      },
      [self](caf::error& err) {
        if (!self->state.out.stream) {
          self->state.out.reply(jsonrpc_error_response(err));
        } else {
          self->state.out.stream->close();
        }
        self->quit();
      });
  return output_behavior(self);
}

mcp_envelope make_envelope(const route_match& match, const principal& caller,
                           std::string session_id, mcp_request request) {
  mcp_envelope env;
  env.tenant = std::string{match.param("tenant")};
  env.connector_id = std::string{match.param("connector")};
  env.session_id = std::move(session_id);
  env.caller = caller;
  env.request = std::move(request);
  return env;
}

// A 2026-07-28 request: no session, its version and capabilities in params._meta, mirrored in
// headers that must match the body.
void handle_stateless(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, mcp_request request, responder reply) {
  if (request.id.empty()) {
    // No client notifications exist in this revision over HTTP; accept and drop them.
    reply(empty_response(202));
    return;
  }
  auto envelope = mcp::read_envelope(req, request);
  if (!envelope) {
    reply(stateless_error_response(envelope.error(), request.id));
    return;
  }
  if (!mcp::is_stateless_method(request.method)) {
    reply(stateless_error_response(
      make_error(errc::method_not_found, "Method not found: " + request.method), request.id));
    return;
  }
  request.stateless = true;
  request.client_capabilities = envelope->client_capabilities;
  request.log_level = envelope->log_level;
  request.input_responses = envelope->input_responses;
  request.param_headers = envelope->param_headers;
  auto env = make_envelope(match, caller, {}, std::move(request));
  if (!envelope->request_state.empty()) {
    auto state = mcp::open_state(ctx.state_key, state_binding(env), envelope->request_state,
                                 now_seconds());
    if (!state) {
      reply(stateless_error_response(state.error(), env.request.id));
      return;
    }
    env.request.request_state = std::move(*state);
  }
  session_request context;
  context.stateless = true;
  context.tenant = env.tenant;
  context.connector_id = env.connector_id;
  context.caller = caller;
  context.protocol_version = envelope->protocol_version;
  context.client_capabilities = envelope->client_capabilities;
  context.client_info = envelope->client_info;
  ctx.sys.spawn(request_stream, &ctx, std::move(env), std::move(reply), true,
                std::optional<session_request>{std::move(context)},
                std::shared_ptr<channel_sink>{});
}

// A batch: accepted from clients of 2025-03-26 and earlier (no MCP-Protocol-Version header, or
// one naming those versions); later versions removed batching.
void handle_batch(transport_context& ctx, const http_request& req, const route_match& match,
                  const principal& caller, std::vector<jsonrpc_message> members, responder reply) {
  auto version = req.header("mcp-protocol-version");
  if (req.has_header("mcp-protocol-version") && version != "2024-11-05" && version != "2025-03-26"
      && mcp::is_supported_version(version)) {
    reply(jsonrpc_error_response(
      make_error(errc::invalid_request, "Invalid Request: JSON-RPC batches are not part of "
                                        "protocol version "
                                          + std::string{version})));
    return;
  }
  for (const auto& member : members) {
    if (member.request.method == "initialize") {
      reply(jsonrpc_error_response(make_error(
        errc::invalid_request, "Invalid Request: initialize must not be part of a batch")));
      return;
    }
  }
  auto session = session_of(req);
  if (!session) {
    reply(jsonrpc_error_response(session.error()));
    return;
  }
  std::vector<mcp_envelope> envelopes;
  std::vector<bool> expects;
  for (auto& member : members) {
    expects.push_back(member.kind == jsonrpc_kind::request);
    envelopes.push_back(make_envelope(match, caller, *session, std::move(member.request)));
  }
  ctx.sys.spawn(batch_stream, &ctx, std::move(envelopes), std::move(expects), std::move(reply));
}

// -- connection-bound sessions: the legacy HTTP+SSE transport and WebSocket --------------------

// A connection that carries one session: the GET stream of the legacy HTTP+SSE transport, or a
// WebSocket. It is the session's output for server-initiated messages, opens the session on
// `initialize`, and ends the session when the client goes away.
using channel_actor
  = request_stream_actor::extend<caf::reacts_to<atom::open, session_request, std::string>,
                                 caf::reacts_to<atom::handle, mcp_envelope, bool>>;

} // namespace

// The open legacy HTTP+SSE connections, by session id: their messages arrive as POSTs.
class mcp_channels {
public:
  struct entry {
    channel_actor channel;
    std::shared_ptr<channel_sink> sink;
    /// The tenant, endpoint, caller and session id of the connection.
    mcp_envelope origin;
  };

  void add(const std::string& id, entry value) {
    std::lock_guard<std::mutex> guard{mtx_};
    entries_.insert_or_assign(id, std::move(value));
  }

  std::optional<entry> find(const std::string& id) const {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = entries_.find(id);
    if (i == entries_.end()) {
      return std::nullopt;
    }
    return i->second;
  }

  void erase(const std::string& id) {
    std::lock_guard<std::mutex> guard{mtx_};
    entries_.erase(id);
  }

private:
  mutable std::mutex mtx_;
  std::unordered_map<std::string, entry> entries_;
};

std::shared_ptr<mcp_channels> make_mcp_channels() {
  return std::make_shared<mcp_channels>();
}

namespace {

struct channel_state {
  static inline const char* name = "mcp-channel";
  std::shared_ptr<channel_sink> sink;
  bool initialized = false;
  /// Whether initialize is waiting for its session: later messages wait too, in order.
  bool opening = false;
  std::vector<std::pair<mcp_envelope, bool>> waiting;
};

using channel_pointer = channel_actor::stateful_pointer<channel_state>;

// Routes a message of the connection to its session, as the Streamable HTTP endpoint does.
void route_channel_message(channel_pointer self, transport_context* ctx, mcp_envelope env,
                           bool expects_result) {
  ctx->sys.spawn(request_stream, ctx, std::move(env), responder{}, expects_result,
                 std::optional<session_request>{}, self->state.sink);
}

// The session opened or failed to: the messages that waited for it go their way.
void flush_channel(channel_pointer self, transport_context* ctx) {
  auto& st = self->state;
  st.opening = false;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  for (auto& [env, expects_result] : waiting) {
    route_channel_message(self, ctx, std::move(env), expects_result);
  }
}

// initialize on a channel: opens the session under the channel's id, answers on the channel,
// then makes the channel the session's stream for server-initiated messages.
void open_channel_session(channel_pointer self, transport_context* ctx, const mcp_envelope& origin,
                          session_request req, const std::string& id) {
  auto& st = self->state;
  if (st.initialized) {
    st.sink->send(
      jsonrpc_error_response(make_error(errc::invalid_request,
                                        "Invalid Request: the session is already initialized"),
                             id)
        .body);
    return;
  }
  st.initialized = true;
  st.opening = true;
  self->request(ctx->pool, ctx->options.mcp_timeout, atom::open_v, std::move(req))
    .then(
      [self, ctx, origin, id](session_info& info) {
        self->state.sink->send(encode_result(id, initialize_result(info)));
        flush_channel(self, ctx);
        self->request(ctx->pool, ctx->options.mcp_timeout, atom::attach_v, origin, std::string{})
          .then(
            [](atom::ok) {
              // The session now sends list changes and updates here.
            },
            [self](caf::error& err) {
              observability::log(observability::log_level::warn,
                                 "a connection could not attach to its session",
                                 {{"error", message_of(err)}});
              self->quit();
            });
      },
      [self, ctx, id](caf::error& err) {
        self->state.initialized = false;
        self->state.sink->send(jsonrpc_error_response(err, id).body);
        flush_channel(self, ctx);
      });
}

channel_actor::behavior_type channel(channel_pointer self, transport_context* ctx,
                                     const std::shared_ptr<channel_sink>& sink,
                                     const mcp_envelope& origin) {
  self->state.sink = sink;
  // The node shuts down: connections without a session end with the pool.
  self->monitor(ctx->pool);
  self->set_down_handler([self](caf::down_msg&) {
    self->quit();
  });
  self->attach_functor([ctx, origin, sink] {
    // The session dies with its connection.
    ctx->channels->erase(origin.session_id);
    sink->close();
    caf::anon_send(ctx->pool, atom::close_v, origin);
  });
  self->delayed_send(self, keep_alive_interval, atom::tick_v);
  return {
    [self](atom::push, const std::string& message) {
      self->state.sink->send(message);
    },
    [self](atom::push, const std::string&, const std::string& message) {
      if (!message.empty()) {
        self->state.sink->send(message);
      }
    },
    [self](atom::close) {
      self->quit();
    },
    [self](atom::tick) {
      if (self->state.sink->gone()) {
        self->quit();
        return;
      }
      self->state.sink->keep_alive();
      self->delayed_send(self, keep_alive_interval, atom::tick_v);
    },
    [self, ctx, origin](atom::open, session_request& req, const std::string& id) {
      open_channel_session(self, ctx, origin, std::move(req), id);
    },
    [self, ctx](atom::handle, mcp_envelope& env, bool expects_result) {
      if (self->state.opening) {
        self->state.waiting.emplace_back(std::move(env), expects_result);
      } else {
        route_channel_message(self, ctx, std::move(env), expects_result);
      }
    },
  };
}

// Spawns the channel of a new connection-bound session and returns how to reach it.
mcp_channels::entry open_channel(transport_context& ctx, mcp_envelope origin,
                                 std::shared_ptr<channel_sink> sink) {
  auto handle = ctx.sys.spawn(channel, &ctx, sink, origin);
  return mcp_channels::entry{std::move(handle), std::move(sink), std::move(origin)};
}

// A message that arrived on a connection-bound session: `initialize` opens the session, the rest
// is routed as on the Streamable HTTP endpoint, and everything the server answers goes to the
// connection. Errors before routing are returned (the message could not be read).
caf::error channel_message(transport_context& ctx, const mcp_channels::entry& target,
                           std::string_view body, bool per_message_limit) {
  auto msg = decode_message(body);
  if (!msg) {
    return std::move(msg.error());
  }
  if (msg->kind == jsonrpc_kind::batch) {
    return make_error(errc::invalid_request,
                      "Invalid Request: JSON-RPC batches are not accepted on this transport");
  }
  const auto& origin = target.origin;
  // A WebSocket passed the HTTP limit once, at its upgrade; each message counts as a request.
  // Responses to the server's own requests are not the client's requests and are not counted.
  if (per_message_limit && msg->kind != jsonrpc_kind::response) {
    if (auto wait = ctx.limits.take(origin.tenant)) {
      observability::metrics::global().observe_rate_limited("websocket");
      if (msg->kind == jsonrpc_kind::request) {
        target.sink->send(jsonrpc_error_response(rate_limit_error(*wait), msg->request.id).body);
      }
      return {};
    }
  }
  if (msg->kind == jsonrpc_kind::request && msg->request.method == "initialize") {
    auto req = make_session_request(origin.tenant, origin.connector_id, origin.caller,
                                    msg->request);
    if (!req) {
      target.sink->send(jsonrpc_error_response(req.error(), msg->request.id).body);
      return {};
    }
    req->session_id = origin.session_id;
    caf::anon_send(target.channel, atom::open_v, std::move(*req), msg->request.id);
    return {};
  }
  // Through the channel, so that a message sent right after initialize waits for its session.
  bool expects_result = msg->kind == jsonrpc_kind::request;
  auto env = origin;
  env.request = std::move(msg->request);
  caf::anon_send(target.channel, atom::handle_v, std::move(env), expects_result);
  return {};
}

// A WebSocket on the MCP endpoint: one JSON-RPC message per text frame both ways, one session per
// connection, the same authentication as HTTP (checked on the upgrade request).
// Runs `then` once the endpoint of a connection-bound transport is known to exist, so that a
// client learns of a wrong URL (404) before a stream or WebSocket opens; else replies with the
// error.
void with_endpoint(transport_context& ctx, const route_match& match, const responder& reply,
                   std::function<void()> then) {
  ask(
    ctx.sys, ctx.pool, ctx.options.mcp_timeout,
    [then = std::move(then)](atom::ok) {
      then();
    },
    [reply](caf::error& err) {
      reply(jsonrpc_error_response(err));
    },
    atom::get_v, atom::connector_v, std::string{match.param("tenant")},
    std::string{match.param("connector")});
}

void accept_websocket(transport_context& ctx, const route_match& match, const principal& caller,
                      const responder& reply, bool mcp_offered);

void handle_websocket(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, responder reply) {
  bool mcp_offered = mcp::offers_subprotocol(req.header("sec-websocket-protocol"), "mcp");
  if (req.has_header("sec-websocket-protocol") && !mcp_offered) {
    reply(jsonrpc_error_response(
      make_error(errc::invalid_request, "Bad Request: the WebSocket subprotocol must be 'mcp'")));
    return;
  }
  with_endpoint(ctx, match, reply, [&ctx, match, caller, reply, mcp_offered] {
    accept_websocket(ctx, match, caller, reply, mcp_offered);
  });
}

// Upgrades to a WebSocket whose session opens with the client's initialize.
void accept_websocket(transport_context& ctx, const route_match& match, const principal& caller,
                      const responder& reply, bool mcp_offered) {
  auto upgrade = std::make_shared<websocket_upgrade>();
  upgrade->subprotocol = mcp_offered ? "mcp" : "";
  auto bound = std::make_shared<std::optional<mcp_channels::entry>>();
  auto* context = &ctx;
  auto origin = make_envelope(match, caller, random_token(32), mcp_request{});
  upgrade->on_open = [context, origin, bound](std::shared_ptr<websocket_peer> peer) {
    *bound = open_channel(*context, origin, std::make_shared<websocket_sink>(std::move(peer)));
  };
  upgrade->on_message = [context, bound](const std::string& text) {
    if (!*bound) {
      return;
    }
    if (auto err = channel_message(*context, **bound, text, true)) {
      (*bound)->sink->send(jsonrpc_error_response(err).body);
    }
  };
  upgrade->on_close = [bound] {
    if (*bound) {
      caf::anon_send((*bound)->channel, atom::close_v);
    }
  };
  http_response response;
  response.status = 101;
  response.content_type.clear();
  response.upgrade = std::move(upgrade);
  reply(std::move(response));
}

} // namespace

caf::error rate_limit_error(std::chrono::seconds wait) {
  auto seconds = std::to_string(wait.count());
  return make_error(errc::rate_limited,
                    "Too Many Requests: the tenant's rate limit is exhausted; retry in " + seconds
                      + " s",
                    R"({"retryAfterSeconds":)" + seconds + "}");
}

http_response jsonrpc_error_response(const caf::error& err, std::string_view id) {
  const auto& row = info(code_of(err));
  auto response = json_response(row.http_status, encode_error(id, jsonrpc_code_of(err),
                                                              message_of(err), data_of(err)));
  if (row.code == errc::method_not_allowed) {
    response.headers.emplace_back("Allow", message_of(err));
  }
  return response;
}

void handle_mcp_post(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply) {
  if (auto err = check_post_headers(ctx, req)) {
    reply(jsonrpc_error_response(err));
    return;
  }
  auto msg = decode_message(req.body);
  if (!msg) {
    reply(jsonrpc_error_response(msg.error()));
    return;
  }
  if (msg->kind == jsonrpc_kind::batch) {
    handle_batch(ctx, req, match, caller, std::move(msg->batch), std::move(reply));
    return;
  }
  if (mcp::is_stateless_request(req, *msg)) {
    handle_stateless(ctx, req, match, caller, std::move(msg->request), std::move(reply));
    return;
  }
  if (msg->kind == jsonrpc_kind::request && msg->request.method == "initialize") {
    initialize(ctx, match, caller, msg->request, std::move(reply));
    return;
  }
  auto session = session_of(req);
  if (!session) {
    reply(jsonrpc_error_response(session.error(), msg->request.id));
    return;
  }
  // Notifications and client responses get 202; a response keeps its id so that the session can
  // match it to the request it answers.
  bool expects_result = msg->kind == jsonrpc_kind::request;
  msg->request.resumable = expects_result;
  ctx.sys.spawn(request_stream, &ctx,
                make_envelope(match, caller, std::move(*session), std::move(msg->request)),
                std::move(reply), expects_result, std::optional<session_request>{},
                std::shared_ptr<channel_sink>{});
}

namespace {

// The session a GET or DELETE names, after the checks both pass: Host and Origin (403), no
// 2026-07-28 header (405: that era has neither sessions nor a GET stream), for a GET an Accept
// of text/event-stream (406), then the session header (400, or 404 later).
caf::expected<std::string> session_of_bodiless(const transport_context& ctx,
                                               const http_request& req, bool streams) {
  if (auto err = check_host_and_origin(ctx, req)) {
    return err;
  }
  if (mcp::is_stateless_version(req.header("mcp-protocol-version"))) {
    return make_error(errc::method_not_allowed, "POST");
  }
  if (streams && !mcp::accepts_sse(req.header("accept"))) {
    return make_error(errc::not_acceptable,
                      "Not Acceptable: the client must accept text/event-stream");
  }
  return session_of(req);
}

} // namespace

void handle_mcp_get(transport_context& ctx, const http_request& req, const route_match& match,
                    const principal& caller, responder reply) {
  if (mcp::is_websocket_upgrade(req.header("upgrade"))) {
    if (auto err = check_host_and_origin(ctx, req)) {
      reply(jsonrpc_error_response(err));
      return;
    }
    handle_websocket(ctx, req, match, caller, std::move(reply));
    return;
  }
  auto session = session_of_bodiless(ctx, req, true);
  if (!session) {
    reply(jsonrpc_error_response(session.error()));
    return;
  }
  ctx.sys.spawn(event_stream, &ctx, make_envelope(match, caller, std::move(*session), {}),
                std::string{req.header("last-event-id")}, std::move(reply));
}

void handle_mcp_delete(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply) {
  auto session = session_of_bodiless(ctx, req, false);
  if (!session) {
    reply(jsonrpc_error_response(session.error()));
    return;
  }
  ask(
    ctx.sys, ctx.pool, ctx.options.mcp_timeout,
    [reply](atom::ok) {
      reply(empty_response(200));
    },
    [reply](caf::error& err) {
      reply(jsonrpc_error_response(err));
    },
    atom::close_v, make_envelope(match, caller, std::move(*session), mcp_request{}));
}

namespace {

// Opens the event stream of a legacy HTTP+SSE connection: its first event names where the
// client POSTs its messages.
void open_sse_channel(transport_context& ctx, const http_request& req, const route_match& match,
                      const principal& caller, const responder& reply) {
  auto stream = std::make_shared<chunk_stream>();
  auto entry = open_channel(ctx, make_envelope(match, caller, random_token(32), mcp_request{}),
                            std::make_shared<sse_sink>(stream));
  auto id = entry.origin.session_id;
  ctx.channels->add(id, std::move(entry));
  // Where the client POSTs its messages: beside this stream, `…/sse` becoming `…/messages`.
  std::string_view path = req.path;
  path.remove_suffix(std::string_view{"sse"}.size());
  std::string endpoint = "event: endpoint\ndata: ";
  endpoint += path;
  endpoint += "messages?sessionId=";
  endpoint += id;
  endpoint += "\n\n";
  stream->write(std::move(endpoint));
  reply(event_stream_response(std::move(stream)));
}

} // namespace

void handle_sse_open(transport_context& ctx, const http_request& req, const route_match& match,
                     const principal& caller, responder reply) {
  if (auto err = check_host_and_origin(ctx, req)) {
    reply(jsonrpc_error_response(err));
    return;
  }
  with_endpoint(ctx, match, reply, [&ctx, req, match, caller, reply] {
    open_sse_channel(ctx, req, match, caller, reply);
  });
}

void handle_sse_message(transport_context& ctx, const http_request& req, const route_match& match,
                        const principal& caller, responder reply) {
  if (auto err = check_host_and_origin(ctx, req)) {
    reply(jsonrpc_error_response(err));
    return;
  }
  if (!mcp::is_json_content_type(req.header("content-type"))) {
    reply(jsonrpc_error_response(make_error(errc::unsupported_media_type)));
    return;
  }
  auto id = query_param(req.query, "sessionId");
  if (id.empty()) {
    reply(jsonrpc_error_response(make_error(
      errc::session_required, "Bad Request: the sessionId query parameter is required")));
    return;
  }
  auto target = ctx.channels->find(std::string{id});
  // A connection of another tenant, endpoint or API key does not exist for the caller.
  if (!target || target->origin.tenant != match.param("tenant")
      || target->origin.connector_id != match.param("connector")
      || target->origin.caller.key_id != caller.key_id) {
    reply(jsonrpc_error_response(make_error(
      errc::session_not_found, "Session not found: the SSE connection ended or belongs to "
                               "someone else")));
    return;
  }
  if (auto err = channel_message(ctx, *target, req.body, false)) {
    reply(jsonrpc_error_response(err));
    return;
  }
  reply(empty_response(202));
}

} // namespace sagemcp::transport
