#include "transport/mcp_endpoint.hpp"

#include "messages/errc.hpp"
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
           ? std::string{"Tools of every enabled connector of this tenant, hosted by SageMCP; "
                         "names are prefixed with their connector's name where they clash."}
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
caf::expected<session_request>
make_session_request(const route_match& match, const principal& caller, const mcp_request& req) {
  boost::system::error_code ec;
  auto params = boost::json::parse(req.params.empty() ? "{}" : req.params, ec);
  const auto* obj = params.if_object();
  const auto* version = obj != nullptr ? obj->if_contains("protocolVersion") : nullptr;
  if (version == nullptr || !version->is_string()) {
    return make_error(errc::invalid_params, "Invalid params: 'protocolVersion' must be a string");
  }
  session_request result;
  result.session_id = random_token(32);
  result.tenant = std::string{match.param("tenant")};
  result.connector_id = std::string{match.param("connector")};
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
  auto session = make_session_request(match, caller, req);
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

// Where the messages of one request go: a plain response, or an SSE stream opened by the first
// message that arrives ahead of the final answer.
struct post_output {
  responder reply;
  std::shared_ptr<chunk_stream> stream;
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
    http_response head;
    head.content_type = "text/event-stream";
    head.headers.emplace_back("Cache-Control", "no-cache");
    head.headers.emplace_back("X-Accel-Buffering", "no");
    head.stream = stream;
    reply(std::move(head));
    return true;
  }

  // Ends the request: the final messages as events on an open stream, else `plain`.
  void finish(const std::vector<std::string>& messages, http_response plain) {
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

// What every output of a request or event stream does with what the session sends it.
template <class Pointer>
request_stream_actor::behavior_type output_behavior(Pointer self) {
  return {
    [self](atom::push, const std::string& message) {
      write_event(self, sse_event(message));
    },
    [self](atom::push, const std::string& event_id, const std::string& message) {
      write_event(self, sse_event(event_id, message));
    },
    [self](atom::close) {
      open_output(self);
      self->state.out.stream->close();
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
    auto message = plain.body;
    s.out.finish({message}, std::move(plain));
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
  s.out.finish({message}, json_response(200, message));
  self->quit();
}

void route(stream_pointer self, transport_context* ctx, mcp_envelope env) {
  // A subscription stays open until the client leaves or the server ends it.
  auto timeout = env.request.method == "subscriptions/listen"
                   ? caf::duration{caf::infinite}
                   : caf::duration{ctx->options.mcp_timeout};
  self->request(ctx->pool, timeout, atom::route_v, std::move(env))
    .then(
      [self, ctx](mcp_reply& result) {
        finish_result(self, ctx, result.result);
      },
      [self](caf::error& err) {
        finish_error(self, err);
      });
}

// A 2026-07-28 request: opens (or finds) the caller's stateless context on the endpoint, then
// answers server/discover itself or routes the request there.
void route_stateless(stream_pointer self, transport_context* ctx, mcp_envelope env,
                     session_request context) {
  self->request(ctx->pool, ctx->options.mcp_timeout, atom::open_v, std::move(context))
    .then(
      [self, ctx, env](session_info& info) mutable {
        if (env.request.method == "server/discover") {
          auto message = encode_result(self->state.id, discover_result(info));
          self->state.out.finish({message}, json_response(200, message));
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
                                                   std::optional<session_request> stateless) {
  auto& st = self->state;
  st.out.reply = std::move(reply);
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
                std::optional<session_request>{std::move(context)});
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

} // namespace

http_response jsonrpc_error_response(const caf::error& err, std::string_view id) {
  const auto& row = info(code_of(err));
  auto response = json_response(row.http_status,
                                encode_error(id, row.jsonrpc_code, message_of(err), data_of(err)));
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
                std::move(reply), expects_result, std::optional<session_request>{});
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

} // namespace sagemcp::transport
