#include "connectors/remote_mcp.hpp"

#include "connectors/oauth.hpp"
#include "connectors/sse.hpp"
#include "connectors/text.hpp"
#include "messages/errc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>

namespace sagemcp::connectors {

namespace json = boost::json;

namespace {

constexpr std::string_view accept_both = "application/json, text/event-stream";

// An answer stream that broke is resumed this many times before its request fails.
constexpr unsigned max_resumes = 3;

// The longest wait before a broken server stream is opened again.
constexpr std::chrono::milliseconds max_reconnect_delay{30'000};

// The most of an error answer's body kept for the message.
constexpr size_t error_body_bytes = 4096;

bool is_token_char(char c) {
  static constexpr std::string_view others = "!#$%&'*+-.^_`|~";
  return std::isalnum(static_cast<unsigned char>(c)) != 0
         || others.find(c) != std::string_view::npos;
}

// Headers the transport sets itself, or that only concern one hop.
constexpr std::array<std::string_view, 15> reserved_headers{"host",
                                                            "content-type",
                                                            "content-length",
                                                            "accept",
                                                            "connection",
                                                            "keep-alive",
                                                            "upgrade",
                                                            "te",
                                                            "trailer",
                                                            "transfer-encoding",
                                                            "mcp-session-id",
                                                            "last-event-id",
                                                            "mcp-protocol-version",
                                                            "user-agent",
                                                            "expect"};

bool is_reserved(std::string_view name) {
  if (name.size() >= 6 && iequals(name.substr(0, 6), "proxy-")) {
    return true;
  }
  return std::any_of(reserved_headers.begin(), reserved_headers.end(), [name](auto reserved) {
    return iequals(name, reserved);
  });
}

caf::error invalid(std::string text) {
  return make_error(errc::invalid_argument, std::move(text));
}

const json::string* string_at(const json::object& obj, std::string_view key) {
  const auto* value = obj.if_contains(key);
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

// The media type of a Content-Type value, in lower case and without parameters.
std::string media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  auto type = content_type.substr(0, end);
  while (!type.empty() && type.back() == ' ') {
    type.remove_suffix(1);
  }
  return lower(type);
}

// A JSON-RPC error response to request `id`.
std::string error_message(const json::value& id, int64_t code, std::string_view text) {
  return json::serialize(json::object{
    {"jsonrpc", "2.0"}, {"id", id}, {"error", json::object{{"code", code}, {"message", text}}}});
}

// What an HTTP error answer to a request becomes: the JSON-RPC error it holds, else a message
// naming the status and the start of the body.
std::string error_from_answer(const json::value& id, unsigned status, std::string_view body) {
  json::error_code ec;
  auto parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const auto* err = parsed.as_object().if_contains("error");
        err != nullptr && err->is_object() && err->as_object().contains("code")
        && err->as_object().at("code").is_int64()) {
      json::object out{{"jsonrpc", "2.0"}, {"id", id}, {"error", *err}};
      return json::serialize(out);
    }
  }
  std::string text = "The remote MCP server answered HTTP " + std::to_string(status);
  if (status == 401 || status == 403) {
    text += ": it refused the connector's credentials";
  }
  std::string snippet{body.substr(0, 200)};
  std::replace_if(
    snippet.begin(), snippet.end(),
    [](unsigned char c) {
      return c < 0x20;
    },
    ' ');
  if (!snippet.empty() && status != 401 && status != 403) {
    text += ": " + snippet;
  }
  return error_message(id, -32603, text);
}

// The parts of an outgoing message the transport needs.
struct outgoing {
  std::string method;
  // The id of a request (null for notifications and responses).
  json::value id;
  bool request = false;
};

outgoing describe(std::string_view text) {
  outgoing out;
  json::error_code ec;
  auto parsed = json::parse(text, ec);
  const auto* obj = ec ? nullptr : parsed.if_object();
  if (obj == nullptr) {
    return out;
  }
  if (const auto* method = string_at(*obj, "method")) {
    out.method = std::string{*method};
    if (const auto* id = obj->if_contains("id"); id != nullptr && !id->is_null()) {
      out.id = *id;
      out.request = true;
    }
  }
  return out;
}

// Whether a message from the server is the response to request `id`.
bool answers(std::string_view message, const json::value& id) {
  json::error_code ec;
  auto parsed = json::parse(message, ec);
  auto one = [&id](const json::value& value) {
    const auto* obj = value.if_object();
    return obj != nullptr && !obj->contains("method") && obj->contains("id") && obj->at("id") == id;
  };
  if (ec) {
    return false;
  }
  if (parsed.is_array()) {
    return std::any_of(parsed.as_array().begin(), parsed.as_array().end(), one);
  }
  return one(parsed);
}

std::string origin_of(const boost::urls::url_view& u) {
  std::string port = u.has_port() ? std::string{u.port()}
                                  : (iequals(u.scheme(), "https") ? "443" : "80");
  return lower(u.scheme()) + "://" + lower(u.host_address()) + ":" + port;
}

} // namespace

std::string_view remote_transport_name(remote_transport transport) {
  switch (transport) {
    case remote_transport::streamable_http:
      return "streamable_http";
    case remote_transport::sse:
      return "sse";
    case remote_transport::automatic:
      break;
  }
  return "auto";
}

caf::expected<remote_config> remote_config_of(const json::object& configuration) {
  remote_config out;
  const auto* url = string_at(configuration, "url");
  if (url == nullptr || url->empty()) {
    return invalid("A remote MCP server needs configuration 'url', such as "
                   "\"https://mcp.example.com/mcp\"");
  }
  auto parsed = boost::urls::parse_absolute_uri(*url);
  if (!parsed || (!iequals(parsed->scheme(), "http") && !iequals(parsed->scheme(), "https"))
      || parsed->host_address().empty() || parsed->has_userinfo() || parsed->has_fragment()
      || url->size() > 2048) {
    return invalid("configuration 'url' must be an absolute http(s) URL without user "
                   "information or fragment, of at most 2048 characters");
  }
  out.url = std::string{*url};
  if (const auto* given = configuration.if_contains("transport");
      given != nullptr && !given->is_null()) {
    auto name = given->is_string() ? std::string_view{given->get_string()} : std::string_view{};
    if (name == "auto" || name.empty()) {
      out.transport = remote_transport::automatic;
    } else if (name == "streamable_http") {
      out.transport = remote_transport::streamable_http;
    } else if (name == "sse") {
      out.transport = remote_transport::sse;
    } else {
      return invalid(R"(configuration 'transport' must be "auto", "streamable_http" or "sse")");
    }
  }
  if (const auto* given = configuration.if_contains("oauth_provider");
      given != nullptr && !given->is_null()
      && !(given->is_string() && given->get_string().empty())) {
    const auto* provider = given->is_string() ? oauth::find_provider(given->get_string()) : nullptr;
    if (provider == nullptr || provider->id != std::string_view{given->get_string()}) {
      std::string known;
      for (const auto& p : oauth::providers()) {
        known += known.empty() ? "" : ", ";
        known += p.id;
      }
      return invalid("configuration 'oauth_provider' must be one of: " + known);
    }
    out.oauth_provider = std::string{provider->id};
  }
  if (const auto* mode = configuration.if_contains("credential_mode");
      mode != nullptr && !mode->is_null() && !(mode->is_string() && mode->get_string().empty())) {
    if (!mode->is_string() || (mode->get_string() != "tenant" && mode->get_string() != "user")) {
      return invalid(R"(configuration 'credential_mode' must be "tenant" or "user")");
    }
    out.per_user = mode->get_string() == "user";
    if (out.per_user && out.oauth_provider.empty()) {
      return invalid(R"(configuration 'credential_mode' "user" needs an 'oauth_provider' whose )"
                     "connection each caller makes with their own API key");
    }
  }
  return out;
}

bool is_remote_setting(std::string_view name) {
  return name == "url" || name == "transport" || name == "oauth_provider"
         || name == "credential_mode";
}

caf::expected<std::vector<http_header>> remote_headers_of(const json::object& runtime_env) {
  std::vector<http_header> out;
  for (const auto& [key, value] : runtime_env) {
    std::string_view name = key;
    if (name.empty() || name.size() > 256
        || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return invalid("'runtime_env' of a remote MCP server holds HTTP headers: '"
                     + std::string{name} + "' is no header name");
    }
    if (is_reserved(name)) {
      return invalid("'runtime_env' may not set the header '" + std::string{name}
                     + "': the transport sets it");
    }
    if (!value.is_string()) {
      return invalid("header '" + std::string{name} + "' must be a string");
    }
    std::string_view text = value.get_string();
    if (text.size() > 8192 || std::any_of(text.begin(), text.end(), [](unsigned char c) {
          return (c < 0x20 && c != '\t') || c == 0x7F;
        })) {
      return invalid("header '" + std::string{name}
                     + "' must be at most 8192 characters without control characters");
    }
    out.push_back({std::string{name}, std::string{text}});
  }
  return out;
}

// Everything below runs on the HTTP client's thread, except where noted.
struct remote_link::impl : std::enable_shared_from_this<impl> {
  impl(http_client& c, remote_settings s, remote_events e)
    : client(c),
      settings(std::move(s)),
      events(std::move(e)) {
    used = settings.transport;
  }

  http_client& client;
  remote_settings settings;
  remote_events events;
  std::atomic<remote_transport> used{remote_transport::automatic};
  bool closed = false;
  std::string session_id;
  // Whether the answer to the latest initialize gave the session already.
  bool adopted = false;
  std::string protocol_version;
  // The id of the initialize request in flight, to learn the version from its answer.
  std::optional<json::value> initialize_id;
  // HTTP+SSE: where messages go; messages wait here until the endpoint is known.
  std::string post_url;
  std::vector<std::string> queued;
  // Every stream open, by a number of the link's own.
  std::map<uint64_t, std::shared_ptr<http_stream>> streams;
  uint64_t next_stream = 0;
  // The server's own stream (Streamable HTTP's GET, or the HTTP+SSE stream).
  std::string get_last_id;
  unsigned get_failures = 0;

  // Whether an answer says the server no longer knows the session: 404 as the specification
  // says, or the 400 naming the session that servers built on the TypeScript SDK send.
  bool session_gone(unsigned status, std::string_view body) const {
    if (session_id.empty()) {
      return false;
    }
    if (status == 404) {
      return true;
    }
    if (status != 400) {
      return false;
    }
    return lower(body).find("session") != std::string::npos;
  }

  // Takes the session an initialize answer starts, once.
  void adopt_session(const http_response& head) {
    if (head.status / 100 == 2 && !adopted) {
      session_id = std::string{head.header("mcp-session-id")};
      used = remote_transport::streamable_http;
      adopted = true;
    }
  }

  std::weak_ptr<impl> weak() {
    return weak_from_this();
  }

  std::vector<http_header> headers_for(bool with_session) const {
    auto out = settings.headers;
    if (with_session && !session_id.empty()) {
      out.push_back({"Mcp-Session-Id", session_id});
    }
    if (with_session && !protocol_version.empty()) {
      out.push_back({"MCP-Protocol-Version", protocol_version});
    }
    return out;
  }

  void deliver(const std::string& message) {
    if (closed) {
      return;
    }
    if (initialize_id) {
      // The negotiated version goes in the header of every later request.
      json::error_code ec;
      auto parsed = json::parse(message, ec);
      const auto* obj = ec ? nullptr : parsed.if_object();
      const auto* id = obj != nullptr && !obj->contains("method") ? obj->if_contains("id")
                                                                  : nullptr;
      if (id != nullptr && *id == *initialize_id) {
        const auto* result = obj->if_contains("result");
        if (result != nullptr && result->is_object()) {
          if (const auto* version = string_at(result->as_object(), "protocolVersion")) {
            protocol_version = std::string{*version};
          }
        }
        initialize_id.reset();
      }
    }
    events.on_message(message);
  }

  void fail(std::string why) {
    if (closed) {
      return;
    }
    closed = true;
    cancel_streams();
    events.on_closed(std::move(why));
  }

  void cancel_streams() {
    auto open = std::move(streams);
    streams.clear();
    for (auto& [id, stream] : open) {
      stream->cancel();
    }
  }

  // Opens a stream; its events run on this thread while the link lives and is open.
  struct stream_state {
    explicit stream_state(size_t max_message_bytes) : parser(max_message_bytes) {}

    http_response head;
    std::string body;
    bool event_stream = false;
    bool answered = false;
    sse_parser parser;
    uint64_t id = 0;
    bool ended = false;
  };

  template <class OnEvent, class OnEnd>
  void open_stream(http_request request, std::chrono::milliseconds idle, OnEvent on_event,
                   OnEnd on_end) {
    auto state = std::make_shared<stream_state>(settings.max_message_bytes);
    auto self = weak();
    state->id = ++next_stream;
    stream_events handlers;
    handlers.on_head = [self, state](const http_response& head) {
      auto link = self.lock();
      if (!link || link->closed) {
        return;
      }
      state->head = head;
      state->event_stream = head.status / 100 == 2
                            && media_type(head.header("content-type")) == "text/event-stream";
    };
    // A message beyond the limit ends the exchange as a failure, so that its request is
    // answered rather than left waiting for what will never parse.
    auto too_large = [state, on_end](impl& link) {
      if (auto i = link.streams.find(state->id); i != link.streams.end()) {
        i->second->cancel();
        link.streams.erase(i);
      }
      state->ended = true;
      on_end(link, *state,
             fetch_error{fetch_failure::too_large,
                         "the remote MCP server sent a message larger than "
                           + std::to_string(link.settings.max_message_bytes >> 20U) + " MiB",
                         true});
    };
    handlers.on_data = [self, state, on_event, too_large](std::string_view data) {
      auto link = self.lock();
      if (!link || link->closed || state->ended) {
        return;
      }
      if (!state->event_stream) {
        bool ok = state->head.status / 100 == 2;
        auto limit = ok ? link->settings.max_message_bytes : error_body_bytes;
        if (ok && state->body.size() + data.size() > limit) {
          too_large(*link);
          return;
        }
        auto room = limit > state->body.size() ? limit - state->body.size() : 0;
        state->body.append(data.substr(0, room));
        return;
      }
      std::vector<sse_event> got;
      if (!state->parser.feed(data, got)) {
        too_large(*link);
        return;
      }
      for (auto& event : got) {
        on_event(*link, *state, event);
        if (link->closed) {
          return;
        }
      }
    };
    handlers.on_end = [self, state, on_end](std::optional<fetch_error> error) {
      auto link = self.lock();
      if (!link || link->closed || state->ended) {
        return;
      }
      state->ended = true;
      link->streams.erase(state->id);
      on_end(*link, *state, std::move(error));
    };
    auto stream = client.stream(std::move(request), std::move(handlers), idle);
    // A stream that failed at once (a bad URL) has ended already.
    if (!state->ended) {
      streams.emplace(state->id, std::move(stream));
    }
  }

  // Streamable HTTP: POSTs a message; its answer is JSON, an event stream or nothing.
  void post_streamable(const std::string& message) {
    auto about = describe(message);
    if (about.method == "initialize") {
      initialize_id = about.id;
      session_id.clear();
      adopted = false;
      protocol_version.clear();
    }
    bool initialized = about.method == "notifications/initialized";
    http_request request{"POST", settings.url, headers_for(about.method != "initialize"), message};
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"Accept", std::string{accept_both}});
    auto on_event = [about](impl& link, stream_state& state, const sse_event& event) {
      if (event.type != "message" || event.data.empty()) {
        return;
      }
      if (about.method == "initialize") {
        // The answer may come before the stream ends: what follows it needs the session.
        link.adopt_session(state.head);
      }
      if (about.request && !state.answered && answers(event.data, about.id)) {
        state.answered = true;
      }
      link.deliver(event.data);
    };
    auto on_end = [about, message, initialized](impl& link, stream_state& state,
                                                std::optional<fetch_error> error) {
      auto status = state.head.status;
      if (about.method == "initialize") {
        link.adopt_session(state.head);
      }
      if (about.method == "initialize" && link.settings.transport == remote_transport::automatic
          && (status == 400 || status == 404 || status == 405)) {
        // A server of the HTTP+SSE era: its stream is opened at the same URL.
        link.events.on_note("the server refused Streamable HTTP (HTTP " + std::to_string(status)
                            + "); using HTTP+SSE");
        link.used = remote_transport::sse;
        link.queued.push_back(message);
        link.open_sse();
        return;
      }
      if (about.method != "initialize" && link.session_gone(status, state.body)) {
        link.fail("The remote MCP server ended its session");
        return;
      }
      if (error) {
        if (!about.request) {
          link.events.on_note("sending " + about.method + " failed: " + error->message);
        } else if (state.event_stream && !state.answered && !state.parser.last_id().empty()
                   && error->kind != fetch_failure::too_large) {
          link.resume(about.id, state.parser.last_id(), 0, state.parser.retry());
        } else if (!state.answered) {
          link.deliver(error_message(about.id, -32603,
                                     (error->kind == fetch_failure::too_large
                                        ? "The remote MCP server's answer is too large: "
                                        : "The remote MCP server could not be reached: ")
                                       + error->message));
        }
        return;
      }
      if (status / 100 != 2) {
        if (about.request) {
          link.deliver(error_from_answer(about.id, status, state.body));
        } else {
          link.events.on_note(about.method + " was answered HTTP " + std::to_string(status));
        }
        return;
      }
      if (state.event_stream) {
        if (about.request && !state.answered) {
          if (!state.parser.last_id().empty()) {
            link.resume(about.id, state.parser.last_id(), 0, state.parser.retry());
          } else {
            link.deliver(error_message(about.id, -32603,
                                       "The remote MCP server ended its answer stream without "
                                       "answering"));
          }
        }
      } else if (!state.body.empty()) {
        link.deliver(state.body);
      } else if (about.request) {
        link.deliver(error_message(about.id, -32603,
                                   "The remote MCP server answered the request with no body"));
      }
      if (initialized) {
        link.open_get();
      }
    };
    open_stream(std::move(request), settings.idle_timeout, on_event, on_end);
  }

  // Resumes the answer stream of request `id` with GET and Last-Event-ID.
  void resume(const json::value& id, const std::string& last_id, unsigned attempt,
              std::optional<uint64_t> retry) {
    if (attempt >= max_resumes) {
      deliver(error_message(id, -32603,
                            "The connection to the remote MCP server broke before it answered"));
      return;
    }
    auto delay = std::chrono::milliseconds{retry.value_or(0)};
    auto self = weak();
    client.after(std::min(delay, max_reconnect_delay), [self, id, last_id, attempt] {
      auto link = self.lock();
      if (!link || link->closed) {
        return;
      }
      http_request request{"GET", link->settings.url, link->headers_for(true), {}};
      request.headers.push_back({"Accept", "text/event-stream"});
      request.headers.push_back({"Last-Event-ID", last_id});
      auto on_event = [id](impl& l, stream_state& state, const sse_event& event) {
        if (event.type != "message" || event.data.empty()) {
          return;
        }
        if (!state.answered && answers(event.data, id)) {
          state.answered = true;
        }
        l.deliver(event.data);
      };
      auto on_end = [id, last_id, attempt](impl& l, stream_state& state,
                                           const std::optional<fetch_error>& error) {
        if (state.answered) {
          return;
        }
        if (error && error->kind == fetch_failure::too_large) {
          l.deliver(error_message(
            id, -32603, "The remote MCP server's answer is too large: " + error->message));
          return;
        }
        if (l.session_gone(state.head.status, state.body)) {
          l.fail("The remote MCP server ended its session");
          return;
        }
        if (state.head.status != 0 && state.head.status / 100 != 2) {
          l.deliver(error_message(id, -32603,
                                  "The connection to the remote MCP server broke before it "
                                  "answered, and it cannot resume the answer (HTTP "
                                    + std::to_string(state.head.status) + ")"));
          return;
        }
        auto next = state.parser.last_id().empty() ? last_id : state.parser.last_id();
        l.resume(id, next, attempt + 1, state.parser.retry());
      };
      link->open_stream(std::move(request), link->settings.idle_timeout, on_event, on_end);
    });
  }

  // Streamable HTTP: the server's own stream, for what it sends outside any request.
  void open_get() {
    http_request request{"GET", settings.url, headers_for(true), {}};
    request.headers.push_back({"Accept", "text/event-stream"});
    if (!get_last_id.empty()) {
      request.headers.push_back({"Last-Event-ID", get_last_id});
    }
    auto on_event = [](impl& link, stream_state& state, const sse_event& event) {
      link.get_failures = 0;
      if (!state.parser.last_id().empty()) {
        link.get_last_id = state.parser.last_id();
      }
      if (event.type == "message" && !event.data.empty()) {
        link.deliver(event.data);
      }
    };
    auto on_end = [](impl& link, stream_state& state, const std::optional<fetch_error>& error) {
      auto status = state.head.status;
      if (status == 405) {
        return; // the server offers no stream of its own
      }
      if (link.session_gone(status, state.body)) {
        link.fail("The remote MCP server ended its session");
        return;
      }
      if (status == 409) {
        return; // another stream of the session is open already
      }
      if (error || status / 100 != 2) {
        ++link.get_failures;
        link.events.on_note(error ? "the server's event stream broke: " + error->message
                                  : "the server's event stream was refused (HTTP "
                                      + std::to_string(status) + ")");
      }
      auto delay = std::chrono::milliseconds{state.parser.retry().value_or(
        static_cast<uint64_t>(link.settings.reconnect_delay.count()))};
      for (unsigned i = 1; i < link.get_failures && delay < max_reconnect_delay; ++i) {
        delay *= 2;
      }
      auto self = link.weak();
      link.client.after(std::min(delay, max_reconnect_delay), [self] {
        if (auto l = self.lock(); l && !l->closed) {
          l->open_get();
        }
      });
    };
    open_stream(std::move(request), std::chrono::milliseconds{0}, on_event, on_end);
  }

  // HTTP+SSE: the event stream whose first event names where messages go.
  void open_sse() {
    http_request request{"GET", settings.url, settings.headers, {}};
    request.headers.push_back({"Accept", "text/event-stream"});
    auto on_event = [](impl& link, stream_state&, const sse_event& event) {
      if (event.type == "endpoint") {
        link.endpoint(event.data);
      } else if (event.type == "message" && !event.data.empty()) {
        link.deliver(event.data);
      }
    };
    auto on_end = [](impl& link, stream_state& state, const std::optional<fetch_error>& error) {
      if (error && state.head.status == 0) {
        link.fail("The remote MCP server could not be reached: " + error->message);
      } else if (state.head.status / 100 != 2) {
        link.fail("The remote MCP server refused its SSE stream (HTTP "
                  + std::to_string(state.head.status) + ")");
      } else if (!state.event_stream) {
        link.fail("The remote MCP server answered its SSE stream with no event stream");
      } else {
        link.fail("The remote MCP server closed its SSE stream"
                  + (error ? ": " + error->message : std::string{}));
      }
    };
    open_stream(std::move(request), std::chrono::milliseconds{0}, on_event, on_end);
  }

  void endpoint(std::string_view reference) {
    auto base = boost::urls::parse_absolute_uri(settings.url);
    auto ref = boost::urls::parse_uri_reference(reference);
    boost::urls::url resolved;
    if (!base || !ref || !boost::urls::resolve(*base, *ref, resolved)
        || origin_of(resolved) != origin_of(*base)) {
      fail("The remote MCP server named an endpoint of another origin or no URL: "
           + std::string{reference.substr(0, 200)});
      return;
    }
    post_url = std::string{resolved.buffer()};
    auto waiting = std::move(queued);
    queued.clear();
    for (auto& message : waiting) {
      post_sse(std::move(message));
    }
  }

  // HTTP+SSE: POSTs a message; answers come on the event stream.
  void post_sse(std::string message) {
    if (post_url.empty()) {
      queued.push_back(std::move(message));
      return;
    }
    auto about = describe(message);
    http_request request{"POST", post_url, settings.headers, std::move(message)};
    request.headers.push_back({"Content-Type", "application/json"});
    auto on_event = [](impl&, stream_state&, const sse_event&) {};
    auto on_end = [about](impl& link, stream_state& state,
                          const std::optional<fetch_error>& error) {
      if (!error && state.head.status / 100 == 2) {
        return;
      }
      if (state.head.status == 404) {
        link.fail("The remote MCP server ended its session");
        return;
      }
      if (!about.request) {
        link.events.on_note("sending " + about.method + " failed");
      } else if (error) {
        link.deliver(error_message(
          about.id, -32603, "The remote MCP server could not be reached: " + error->message));
      } else {
        link.deliver(error_from_answer(about.id, state.head.status, state.body));
      }
    };
    open_stream(std::move(request), settings.idle_timeout, on_event, on_end);
  }

  void send(std::string message) {
    if (closed) {
      return;
    }
    if (used == remote_transport::sse) {
      if (streams.empty() && post_url.empty() && queued.empty()) {
        open_sse();
      }
      post_sse(std::move(message));
    } else {
      post_streamable(message);
    }
  }

  void end() {
    if (closed) {
      return;
    }
    closed = true;
    cancel_streams();
    if (used == remote_transport::streamable_http && !session_id.empty()) {
      http_request request{"DELETE", settings.url, headers_for(true), {}};
      client.fetch(std::move(request), [](const fetch_result&) {});
    }
  }
};

remote_link::remote_link(std::shared_ptr<impl> state) : impl_(std::move(state)) {}

remote_link::~remote_link() {
  close();
}

std::shared_ptr<remote_link> remote_link::open(http_client& client, remote_settings settings,
                                               remote_events events) {
  auto state = std::make_shared<impl>(client, std::move(settings), std::move(events));
  return std::shared_ptr<remote_link>(new remote_link(std::move(state)));
}

void remote_link::send(std::string message) {
  impl_->client.post([state = impl_, message = std::move(message)]() mutable {
    state->send(std::move(message));
  });
}

void remote_link::set_header(std::string name, std::string value) {
  impl_->client.post([state = impl_, name = std::move(name), value = std::move(value)]() mutable {
    auto& headers = state->settings.headers;
    auto i = std::find_if(headers.begin(), headers.end(), [&name](const http_header& h) {
      return iequals(h.name, name);
    });
    if (i != headers.end()) {
      i->value = std::move(value);
    } else {
      headers.push_back({std::move(name), std::move(value)});
    }
  });
}

void remote_link::close() {
  impl_->client.post([state = impl_] {
    state->end();
  });
}

remote_transport remote_link::transport() const {
  return impl_->used.load();
}

} // namespace sagemcp::connectors
