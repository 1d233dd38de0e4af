#include "transport/mcp_endpoint.hpp"

#include "messages/errc.hpp"
#include "transport/bridge.hpp"
#include "transport/jsonrpc.hpp"
#include "transport/mcp/protocol.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

std::string initialize_result(const session_info& info) {
  boost::system::error_code ec;
  auto capabilities = boost::json::parse(info.capabilities, ec);
  if (ec || !capabilities.is_object()) {
    capabilities = boost::json::object{};
  }
  boost::json::object server;
  server["name"] = "sagemcp";
  server["title"] = "SageMCP";
  server["version"] = server_version();
  boost::json::object result;
  result["protocolVersion"] = info.protocol_version;
  result["capabilities"] = std::move(capabilities);
  result["serverInfo"] = std::move(server);
  result["instructions"] = "Tools of the connector '" + info.connector_name
                           + "' hosted by SageMCP.";
  return boost::json::serialize(result);
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
    reply(jsonrpc_error_response(
      make_error(errc::invalid_request, "Invalid Request: JSON-RPC batches are not supported")));
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
  bool expects_result = msg->kind == jsonrpc_kind::request;
  auto id = msg->request.id;
  if (!expects_result) {
    // Notifications and client responses carry no id towards the session.
    msg->request.id.clear();
  }
  ask(
    ctx.sys, ctx.pool, ctx.options.mcp_timeout,
    [reply, expects_result, id](mcp_reply& result) {
      if (!expects_result) {
        reply(empty_response(202));
        return;
      }
      reply(json_response(200, encode_result(id, result.result)));
    },
    [reply, id, expects_result](caf::error& err) {
      reply(jsonrpc_error_response(err, expects_result ? id : std::string{}));
    },
    atom::route_v, make_envelope(match, caller, std::move(*session), std::move(msg->request)));
}

void handle_mcp_delete(transport_context& ctx, const http_request& req, const route_match& match,
                       const principal& caller, responder reply) {
  if (auto err = check_host_and_origin(ctx, req)) {
    reply(jsonrpc_error_response(err));
    return;
  }
  auto session = session_of(req);
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
