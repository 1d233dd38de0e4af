#include "actors/external_connector.hpp"

#include "connectors/external.hpp"
#include "messages/errc.hpp"
#include "messages/jsonrpc.hpp"
#include "observability/metrics.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "security/sealed_json.hpp"

namespace sagemcp {

namespace {

namespace json = boost::json;

using external_pointer = external_connector_actor::stateful_pointer<external_state>;
using phase = external_state::phase;

// The protocol version asked for in the handshake; a server that does not speak it answers with
// its own, which the relay passes on as it is.
constexpr std::string_view handshake_version = "2025-11-25";

// A person may take a while to answer an elicitation; clients give up on a call after 300 s.
constexpr auto client_answer_timeout = std::chrono::seconds{290};

// The most pages a full list reads from a child.
constexpr size_t max_list_pages = 100;

// Timer id of the health pings (request ids start at 1).
constexpr uint64_t ping_timer = 0;

std::string now_iso8601() {
  return to_iso8601(std::chrono::system_clock::now());
}

// How a wait status reads in a message.
std::string describe_exit(int status) {
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    auto sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig)
           + (name != nullptr ? " (SIG" + std::string{name} + ")" : std::string{});
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

// The last few lines of stderr, for messages.
std::string tail_of(const external_state& st, size_t lines) {
  std::string out;
  auto from = st.stderr_tail.size() > lines ? st.stderr_tail.size() - lines : 0;
  for (auto i = from; i < st.stderr_tail.size(); ++i) {
    out += out.empty() ? "" : " | ";
    out += st.stderr_tail[i];
  }
  return out;
}

// The command line of a connector; `npx` gets `-y` so that it never waits for a confirmation no
// one can give.
caf::expected<std::vector<std::string>> command_of(const connector_row& row) {
  auto argv = connectors::parse_command(row.runtime_command);
  if (!argv) {
    return argv;
  }
  auto program = std::filesystem::path{argv->front()}.filename().string();
  if (program == "npx" && std::none_of(argv->begin() + 1, argv->end(), [](const std::string& arg) {
        return arg == "-y" || arg == "--yes";
      })) {
    argv->insert(argv->begin() + 1, "-y");
  }
  return argv;
}

caf::expected<connectors::process_spec> spec_of(const connector_row& row, const process_env& env) {
  auto argv = command_of(row);
  if (!argv) {
    return std::move(argv.error());
  }
  connectors::process_spec spec;
  spec.argv = std::move(*argv);
  spec.limits = env.limits;
  auto home = env.root + "/" + row.tenant_id + "/" + row.id;
  spec.working_dir = row.package_path.empty() ? home : row.package_path;
  spec.env = env.base_env;
  spec.env.emplace_back("HOME", home);
  if (env.keys != nullptr) {
    auto configured = security::open_object(*env.keys, row.runtime_env,
                                            security::runtime_env_context(row.tenant_id));
    if (!configured) {
      return std::move(configured.error());
    }
    for (const auto& [name, value] : *configured) {
      if (!value.is_string()) {
        continue;
      }
      auto key = std::string{name};
      auto i = std::find_if(spec.env.begin(), spec.env.end(), [&key](const auto& entry) {
        return entry.first == key;
      });
      if (i != spec.env.end()) {
        i->second = std::string{value.as_string()};
      } else {
        spec.env.emplace_back(key, std::string{value.as_string()});
      }
    }
  }
  return spec;
}

// Reads a remote connector's URL, transport, credentials and headers into the state; the reason
// they cannot be used otherwise.
caf::error remote_of(external_state& st, const process_env& env) {
  if (env.keys == nullptr) {
    return make_error(errc::upstream_failure, "This node cannot open connector configurations");
  }
  auto configuration = security::open_object(*env.keys, st.row.configuration,
                                             security::configuration_context(st.row.tenant_id));
  if (!configuration) {
    return make_error(errc::upstream_failure,
                      "The connector's stored configuration cannot be read ("
                        + message_of(configuration.error())
                        + "); an administrator must enter it again");
  }
  auto config = connectors::remote_config_of(*configuration);
  if (!config) {
    return std::move(config.error());
  }
  auto env_object = security::open_object(*env.keys, st.row.runtime_env,
                                          security::runtime_env_context(st.row.tenant_id));
  if (!env_object) {
    return make_error(errc::upstream_failure, "The connector's stored headers cannot be read ("
                                                + message_of(env_object.error())
                                                + "); an administrator must enter them again");
  }
  auto headers = connectors::remote_headers_of(*env_object);
  if (!headers) {
    return std::move(headers.error());
  }
  connectors::remote_settings settings;
  settings.url = config->url;
  settings.transport = config->transport;
  settings.headers = std::move(*headers);
  settings.idle_timeout = env.remote_idle_timeout;
  st.remote = std::move(settings);
  st.oauth_provider = config->oauth_provider;
  st.per_user = config->per_user;
  return {};
}

void write(external_pointer self, const json::object& message) {
  auto& st = self->state;
  if (st.link) {
    st.link->send(json::serialize(message));
  } else if (st.process != 0) {
    st.env->runner->send(st.process, json::serialize(message), st.framing);
  }
}

// Sends a request to the child; `done` gets the raw JSON of its result, or its error. A call
// whose client wants progress carries the request's id as its progress token.
void send_request(external_pointer self, std::string method, json::value params,
                  std::function<void(caf::expected<std::string>)> done,
                  std::optional<external_state::call_info> call, caf::timespan timeout) {
  auto& st = self->state;
  auto id = ++st.next_id;
  json::object message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (call && !call->progress_token.empty() && params.is_object()) {
    params.as_object()["_meta"] = json::object{{"progressToken", id}};
  }
  if (!params.is_null()) {
    message["params"] = std::move(params);
  }
  st.outgoing.emplace(id, external_state::in_flight{std::move(method), std::move(done),
                                                    std::move(call), self->clock().now()});
  write(self, message);
  if (timeout.count() > 0) {
    self->delayed_send(self, timeout, atom::tick_v, id);
  }
}

void notify_child(external_pointer self, std::string_view method, json::object params) {
  write(self, json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void answer_child(external_pointer self, const json::value& id, caf::expected<std::string> result) {
  json::object message{{"jsonrpc", "2.0"}, {"id", id}};
  if (result) {
    json::error_code ec;
    auto parsed = json::parse(*result, ec);
    message["result"] = ec ? json::value(json::object{}) : std::move(parsed);
  } else {
    message["error"] = json::object{{"code", jsonrpc_code_of(result.error())},
                                    {"message", message_of(result.error())}};
  }
  write(self, message);
}

void start_child(external_pointer self);
void end_upstream(external_pointer self);

// Runs `f` once the child is ready, or at once with the reason it cannot be.
void when_ready(external_pointer self, std::function<void(const caf::error&)> f) {
  auto& st = self->state;
  if (st.unusable) {
    f(st.unusable);
  } else if (st.now == phase::ready) {
    f(caf::error{});
  } else if (st.now == phase::failed) {
    f(make_error(errc::upstream_failure, st.last_exit));
  } else {
    st.waiting.push_back(std::move(f));
  }
}

void flush_waiting(external_pointer self, const caf::error& err) {
  auto waiting = std::move(self->state.waiting);
  self->state.waiting.clear();
  for (auto& f : waiting) {
    f(err);
  }
}

// Restarts the child after a back-off that doubles with every end in a row.
void schedule_restart(external_pointer self) {
  auto& st = self->state;
  if (self->clock().now() - st.started >= st.env->stable_after) {
    st.crashes = 0;
  }
  ++st.crashes;
  auto delay = st.env->restart_backoff;
  for (unsigned n = 1; n < st.crashes && delay < st.env->max_restart_backoff; ++n) {
    delay *= 2;
  }
  delay = std::min(delay, st.env->max_restart_backoff);
  ++st.generation;
  self->delayed_send(self, delay, atom::restart_v, st.generation);
}

void became_ready(external_pointer self, const std::string& raw) {
  auto& st = self->state;
  json::error_code ec;
  auto parsed = json::parse(raw, ec);
  const auto* result = ec ? nullptr : parsed.if_object();
  if (result == nullptr) {
    st.last_exit = "its initialize result is no object";
    end_upstream(self);
    return;
  }
  json::object caps;
  if (const auto* given = result->if_contains("capabilities");
      given != nullptr && given->is_object()) {
    caps = given->as_object();
  }
  // The relay offers what the server offers, less what it does not relay; log levels are the
  // sessions' own business.
  caps.erase("tasks");
  caps.erase("experimental");
  caps["logging"] = json::object{};
  bool logs = result->contains("capabilities") && result->at("capabilities").is_object()
              && result->at("capabilities").as_object().contains("logging");
  st.capabilities = json::serialize(caps);
  if (const auto* info = result->if_contains("serverInfo")) {
    st.server_info = json::serialize(*info);
  }
  if (const auto* version = result->if_contains("protocolVersion");
      version != nullptr && version->is_string()) {
    st.protocol_version = std::string{version->as_string()};
  }
  if (const auto* text = result->if_contains("instructions");
      text != nullptr && text->is_string()) {
    st.instructions = std::string{text->as_string()};
  }
  notify_child(self, "notifications/initialized", {});
  if (logs) {
    // Every message comes through; each session filters by its own level.
    send_request(
      self, "logging/setLevel", json::object{{"level", "debug"}},
      [](const caf::expected<std::string>&) {}, std::nullopt, st.env->request_timeout);
  }
  for (const auto& uri : st.subscribed) {
    send_request(
      self, "resources/subscribe", json::object{{"uri", uri}},
      [](const caf::expected<std::string>&) {}, std::nullopt, st.env->request_timeout);
  }
  st.now = phase::ready;
  st.ping_failures = 0;
  st.last_health_check = now_iso8601();
  for (auto& promise : st.restarting) {
    promise.deliver(atom::ok_v);
  }
  st.restarting.clear();
  flush_waiting(self, caf::error{});
}

void send_initialize(external_pointer self) {
  auto& st = self->state;
  json::object params{
    {"protocolVersion", handshake_version},
    {"capabilities", json::object{{"roots", json::object{{"listChanged", true}}},
                                  {"sampling", json::object{}},
                                  {"elicitation", json::object{{"form", json::object{}},
                                                               {"url", json::object{}}}}}},
    {"clientInfo", json::object{{"name", "sagemcp"}, {"version", SAGEMCP_VERSION}}}};
  auto process = st.process;
  send_request(
    self, "initialize", std::move(params),
    [self, process](caf::expected<std::string> result) {
      auto& s = self->state;
      if (s.process != process) {
        return;
      }
      if (result) {
        became_ready(self, *result);
        return;
      }
      if (code_of(result.error()) == errc::timeout && !s.heard && !s.retried_framing && !s.link) {
        // A server that never spoke may want Content-Length frames.
        s.retried_framing = true;
        s.framing = connectors::stdio_framing::content_length;
        send_initialize(self);
        return;
      }
      s.last_exit = "it did not complete the initialize handshake: " + message_of(result.error());
      end_upstream(self);
    },
    std::nullopt, st.env->start_timeout);
}

// Where the events of the current child or link go: the actor, while it lives.
auto event_sink(external_pointer self) {
  return [addr = self->address()](auto... xs) {
    if (auto handle = caf::actor_cast<external_connector_actor>(addr)) {
      caf::anon_send(handle, std::move(xs)...);
    }
  };
}

// Fails a start that did not get as far as a child or a link.
void start_failed(external_pointer self, std::string why) {
  auto& st = self->state;
  observability::metrics::global().observe_external_process(st.row.runtime_type, "start_failed");
  st.now = phase::failed;
  st.process = 0;
  st.last_exit = std::move(why);
  for (auto& promise : st.restarting) {
    promise.deliver(atom::ok_v);
  }
  st.restarting.clear();
  flush_waiting(self, make_error(errc::upstream_failure, st.last_exit));
  schedule_restart(self);
}

void start_process(external_pointer self) {
  auto& st = self->state;
  auto deliver = event_sink(self);
  // The runner's id is only known after start returns; the events carry it from a shared slot.
  auto id = std::make_shared<std::atomic<uint64_t>>(0);
  connectors::process_events events;
  events.on_message = [deliver, id](std::string message) {
    deliver(atom::received_v, id->load(), std::move(message));
  };
  events.on_stderr = [deliver, id](std::string line) {
    deliver(atom::diagnostic_v, id->load(), std::move(line));
  };
  events.on_exit = [deliver, id](int status) {
    deliver(atom::exited_v, id->load(), status);
  };
  auto started = st.env->runner->start(st.spec, std::move(events));
  if (!started) {
    start_failed(self, message_of(started.error()));
    return;
  }
  id->store(started->id);
  st.process = started->id;
  st.pid = started->pid;
  observability::metrics::global().observe_external_process(st.row.runtime_type, "started");
  send_initialize(self);
}

// Opens a link to the remote server with the headers it needs, and starts the handshake.
void open_link(external_pointer self, uint64_t id, std::string authorization) {
  auto& st = self->state;
  auto deliver = event_sink(self);
  connectors::remote_events events;
  events.on_message = [deliver, id](std::string message) {
    deliver(atom::received_v, id, std::move(message));
  };
  events.on_note = [deliver, id](std::string line) {
    deliver(atom::diagnostic_v, id, std::move(line));
  };
  events.on_closed = [deliver, id](std::string why) {
    deliver(atom::exited_v, id, std::move(why));
  };
  auto settings = *st.remote;
  if (!authorization.empty()) {
    settings.headers.push_back({"Authorization", std::move(authorization)});
  }
  st.link = connectors::remote_link::open(*st.env->client, std::move(settings), std::move(events));
  observability::metrics::global().observe_external_process(st.row.runtime_type, "started");
  send_initialize(self);
}

// What a remote server's OAuth token cannot be had for, in words that say what to do.
std::string token_failure(const external_state& st, const caf::error& err) {
  if (code_of(err) != errc::not_found) {
    return message_of(err);
  }
  auto route = "/api/v1/oauth/" + st.tenant_slug + (st.per_user ? "/me" : "") + "/auth/"
               + st.oauth_provider;
  return st.per_user ? "Your API key has no " + st.oauth_provider
                         + " connection, which this connector calls the remote MCP server with: "
                           "connect yours at "
                         + route
                     : "The tenant has no " + st.oauth_provider
                         + " connection, which this connector calls the remote MCP server with: "
                           "a tenant administrator connects one at "
                         + route;
}

// Asks the vault for the remote server's OAuth token; `then` gets the Authorization value.
void with_token(external_pointer self,
                const std::function<void(caf::expected<std::string>)>& then) {
  auto& st = self->state;
  if (st.oauth_provider.empty()) {
    then(std::string{});
    return;
  }
  if (st.per_user && st.owner.empty()) {
    then(make_error(errc::upstream_failure,
                    "This connector calls the remote MCP server with each caller's own "
                    "account, and this call has no API key to tell whose: the server must run "
                    "with authentication on"));
    return;
  }
  if (!st.env->vault) {
    then(make_error(errc::upstream_failure, "This node has no credential vault"));
    return;
  }
  self
    ->request(st.env->vault, std::chrono::seconds{60}, atom::get_v, atom::credential_v,
              st.row.tenant_id, st.oauth_provider, st.owner)
    .then(
      [then](std::string& token) {
        then("Bearer " + token);
      },
      [self, then](caf::error& err) {
        then(make_error(errc::upstream_failure, token_failure(self->state, err)));
      });
}

void start_remote(external_pointer self) {
  auto& st = self->state;
  if (st.env->client == nullptr) {
    start_failed(self, "This node cannot reach remote MCP servers");
    return;
  }
  auto id = ++st.links;
  st.process = id;
  with_token(self, [self, id](caf::expected<std::string> authorization) {
    auto& s = self->state;
    if (s.process != id) {
      return; // stopped or restarted meanwhile
    }
    if (!authorization) {
      start_failed(self, message_of(authorization.error()));
      return;
    }
    open_link(self, id, std::move(*authorization));
  });
}

void start_child(external_pointer self) {
  auto& st = self->state;
  if (st.unusable) {
    st.now = phase::failed;
    return;
  }
  st.now = phase::starting;
  st.heard = false;
  st.retried_framing = false;
  st.framing = connectors::stdio_framing::lines;
  st.capabilities = "{}";
  st.started = self->clock().now();
  st.started_at = now_iso8601();
  if (st.remote) {
    start_remote(self);
  } else {
    start_process(self);
  }
}

// The child or link ended (`why`, a sentence): fails what waited for it, and starts another
// after the back-off.
void on_ended(external_pointer self, std::string why) {
  auto& st = self->state;
  observability::metrics::global().observe_external_process(st.row.runtime_type, "exited");
  bool was_ready = st.now == phase::ready;
  st.last_exit = std::move(why);
  st.process = 0;
  st.pid = 0;
  st.link.reset();
  st.now = phase::backing_off;
  auto outgoing = std::move(st.outgoing);
  st.outgoing.clear();
  for (auto& [id, entry] : outgoing) {
    auto text = entry.call ? st.last_exit + ". It is restarted for the next call." : st.last_exit;
    entry.done(make_error(entry.call ? errc::tool_failed : errc::upstream_failure, text));
  }
  if (!was_ready) {
    // A server that never became ready may keep failing: do not keep its callers waiting.
    flush_waiting(self, make_error(errc::upstream_failure, st.last_exit));
  }
  schedule_restart(self);
}

void on_exit(external_pointer self, int status) {
  auto& st = self->state;
  auto why = describe_exit(status);
  if (!st.last_exit.empty() && st.now == phase::starting) {
    why = st.last_exit + "; it " + why;
  }
  auto tail = tail_of(st, 3);
  on_ended(self,
           "The MCP server " + why + (tail.empty() ? "" : ". Its last error output: " + tail));
}

// Ends the current child (its exit is reported later) or link (at once), after `last_exit`
// says why.
void end_upstream(external_pointer self) {
  auto& st = self->state;
  if (st.remote) {
    if (st.process == 0) {
      return;
    }
    if (st.link) {
      st.link->close();
    }
    on_ended(self, "The link to the remote MCP server was closed: " + st.last_exit);
  } else if (st.process != 0) {
    st.env->runner->kill(st.process);
  }
}

// A request of the child: answered here (ping), or relayed to the client of a running call
// that declared the capability it needs.
void on_child_request(external_pointer self, const json::value& id, const std::string& method,
                      const json::value* params) {
  auto& st = self->state;
  if (method == "ping") {
    answer_child(self, id, std::string{"{}"});
    return;
  }
  std::string_view capability;
  if (method == "roots/list") {
    capability = "roots";
  } else if (method == "sampling/createMessage") {
    capability = "sampling";
  } else if (method == "elicitation/create") {
    capability = "elicitation";
  } else {
    answer_child(self, id, make_relayed_error(-32601, "Method not found: " + method, {}));
    return;
  }
  // Over stdio a server's request names no call; the latest call of a client that can answer
  // is the one that made the server ask.
  const external_state::call_info* target = nullptr;
  for (auto i = st.outgoing.rbegin(); i != st.outgoing.rend() && target == nullptr; ++i) {
    const auto& call = i->second.call;
    if (!call || call->stateless || !call->caller) {
      continue;
    }
    json::error_code ec;
    auto caps = json::parse(call->client_capabilities, ec);
    if (!ec && caps.is_object() && caps.as_object().contains(capability)) {
      target = &*call;
    }
  }
  if (target == nullptr) {
    answer_child(self, id,
                 make_relayed_error(-32601,
                                    "No client in a running call through SageMCP offers "
                                      + std::string{capability},
                                    {}));
    return;
  }
  auto raw = params != nullptr ? json::serialize(*params) : std::string{"{}"};
  self->request(target->caller, client_answer_timeout, atom::ask_v, target->call_id, method, raw)
    .then(
      [self, id](std::string& result) {
        answer_child(self, id, std::move(result));
      },
      [self, id](caf::error& err) {
        answer_child(self, id, std::move(err));
      });
}

void on_child_notification(external_pointer self, const std::string& method, json::object message) {
  auto& st = self->state;
  auto* params = message.if_contains("params");
  if (method == "notifications/progress") {
    const auto* token = params != nullptr && params->is_object()
                          ? params->as_object().if_contains("progressToken")
                          : nullptr;
    if (token == nullptr || (!token->is_uint64() && !token->is_int64())) {
      return;
    }
    auto id = token->is_uint64() ? token->as_uint64() : static_cast<uint64_t>(token->as_int64());
    auto i = st.outgoing.find(id);
    if (i == st.outgoing.end() || !i->second.call || i->second.call->progress_token.empty()) {
      return;
    }
    const auto& call = *i->second.call;
    json::error_code ec;
    params->as_object()["progressToken"] = json::parse(call.progress_token, ec);
    self->send(call.caller, atom::push_v, call.call_id, json::serialize(message));
    return;
  }
  if (method == "notifications/message") {
    // Log messages name no call: every session with a call running hears them once, through
    // its latest call, and filters them by its level.
    std::vector<caf::actor_addr> told;
    auto text = json::serialize(message);
    std::for_each(st.outgoing.rbegin(), st.outgoing.rend(), [&](const auto& entry) {
      const auto& call = entry.second.call;
      if (!call || !call->caller) {
        return;
      }
      auto addr = call->caller.address();
      if (std::find(told.begin(), told.end(), addr) != told.end()) {
        return;
      }
      told.push_back(addr);
      self->send(call->caller, atom::push_v, call->call_id, text);
    });
    // Outside any call they go to the sessions of the connector, unless the instance is one
    // caller's own, whose messages are no one else's business.
    if (told.empty() && st.owner.empty() && st.pool) {
      self->send(st.pool, atom::push_v, st.tenant_slug, st.row.id, std::move(text));
    }
    return;
  }
  if (method == "notifications/tools/list_changed" || method == "notifications/prompts/list_changed"
      || method == "notifications/resources/list_changed"
      || method == "notifications/resources/updated") {
    if (st.pool) {
      self->send(st.pool, atom::push_v, st.tenant_slug, st.row.id, json::serialize(message));
    }
  }
}

void on_child_response(external_pointer self, const json::object& message) {
  auto& st = self->state;
  const auto& id = message.at("id");
  if (!id.is_uint64() && !id.is_int64()) {
    return;
  }
  auto key = id.is_uint64() ? id.as_uint64() : static_cast<uint64_t>(id.as_int64());
  auto i = st.outgoing.find(key);
  if (i == st.outgoing.end()) {
    return;
  }
  auto done = std::move(i->second.done);
  st.outgoing.erase(i);
  if (const auto* result = message.if_contains("result")) {
    done(json::serialize(*result));
    return;
  }
  int32_t code = -32603;
  std::string text = "The MCP server failed the request";
  std::string data;
  if (const auto* error = message.if_contains("error"); error != nullptr && error->is_object()) {
    const auto& e = error->as_object();
    if (const auto* c = e.if_contains("code"); c != nullptr && c->is_int64()) {
      code = static_cast<int32_t>(c->as_int64());
    }
    if (const auto* m = e.if_contains("message"); m != nullptr && m->is_string()) {
      text = std::string{m->as_string()};
    }
    if (const auto* d = e.if_contains("data")) {
      data = json::serialize(*d);
    }
  }
  done(make_relayed_error(code, std::move(text), std::move(data)));
}

void on_child_message(external_pointer self, std::string_view text) {
  json::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec) {
    return;
  }
  auto one = [self](json::value& value) {
    auto* message = value.if_object();
    if (message == nullptr) {
      return;
    }
    const auto* method = message->if_contains("method");
    const auto* id = message->if_contains("id");
    if (method != nullptr && method->is_string()) {
      auto name = std::string{method->as_string()};
      if (id != nullptr && !id->is_null()) {
        on_child_request(self, *id, name, message->if_contains("params"));
      } else {
        on_child_notification(self, name, std::move(*message));
      }
    } else if (id != nullptr) {
      on_child_response(self, *message);
    }
  };
  if (parsed.is_array()) {
    for (auto& value : parsed.as_array()) {
      one(value);
    }
  } else {
    one(parsed);
  }
}

// A request that failed to reach the child, or that it failed, as the session expects it.
template <class T>
void deliver(caf::typed_response_promise<T>& promise, caf::expected<T> outcome) {
  if (outcome) {
    promise.deliver(std::move(*outcome));
  } else {
    promise.deliver(std::move(outcome.error()));
  }
}

// Drops the tools a policy disables from a tools array.
void drop_disabled(const connector_row& row, json::array& tools) {
  if (row.disabled_tools.empty()) {
    return;
  }
  auto disabled = [&row](const json::value& tool) {
    const auto* obj = tool.if_object();
    const auto* name = obj != nullptr ? obj->if_contains("name") : nullptr;
    return name != nullptr && name->is_string()
           && std::binary_search(row.disabled_tools.begin(), row.disabled_tools.end(),
                                 std::string_view{name->as_string()});
  };
  tools.erase(std::remove_if(tools.begin(), tools.end(), disabled), tools.end());
}

// What a full list answers, made of every item the child listed.
using list_render = std::function<std::string(json::array&)>;

// Reads every item of a list from the child, page by page.
void read_all(external_pointer self, const std::string& method, const std::string& member,
              const std::shared_ptr<json::array>& items, const std::string& cursor, size_t pages,
              caf::typed_response_promise<std::string> promise, const list_render& render) {
  json::object params;
  if (!cursor.empty()) {
    params["cursor"] = cursor;
  }
  send_request(
    self, method, std::move(params),
    [self, method, member, items, pages, promise,
     render](caf::expected<std::string> result) mutable {
      if (!result) {
        promise.deliver(std::move(result.error()));
        return;
      }
      json::error_code ec;
      auto parsed = json::parse(*result, ec);
      const auto* obj = ec ? nullptr : parsed.if_object();
      const auto* list = obj != nullptr ? obj->if_contains(member) : nullptr;
      if (list != nullptr && list->is_array()) {
        for (const auto& item : list->as_array()) {
          items->push_back(item);
        }
      }
      const auto* next = obj != nullptr ? obj->if_contains("nextCursor") : nullptr;
      if (next != nullptr && next->is_string() && !next->as_string().empty()
          && pages + 1 < max_list_pages) {
        read_all(self, method, member, items, std::string{next->as_string()}, pages + 1, promise,
                 render);
        return;
      }
      promise.deliver(render(*items));
    },
    std::nullopt, self->state.env->request_timeout);
}

std::string_view list_method(std::string_view member) {
  if (member == "tools") {
    return "tools/list";
  }
  if (member == "prompts") {
    return "prompts/list";
  }
  if (member == "resources") {
    return "resources/list";
  }
  if (member == "resourceTemplates") {
    return "resources/templates/list";
  }
  return {};
}

// Whether the child's capabilities offer a list (tools, prompts, resources).
bool offers(const external_state& st, std::string_view member) {
  json::error_code ec;
  auto caps = json::parse(st.capabilities, ec);
  auto key = member == "resourceTemplates" ? std::string_view{"resources"} : member;
  return !ec && caps.is_object() && caps.as_object().contains(key);
}

caf::result<std::string> invoke(external_pointer self, const tool_call& call) {
  auto& st = self->state;
  if (std::binary_search(st.row.disabled_tools.begin(), st.row.disabled_tools.end(), call.name)) {
    return make_error(errc::unknown_tool, "Unknown tool: " + call.name);
  }
  ++st.calls;
  external_state::call_info info;
  info.caller = caf::actor_cast<session_actor>(self->current_sender());
  info.call_id = call.call_id;
  info.progress_token = call.progress_token;
  info.client_capabilities = call.client_capabilities;
  info.stateless = call.stateless;
  auto promise = self->make_response_promise<std::string>();
  auto start = std::chrono::steady_clock::now();
  auto connector_type = st.row.connector_type;
  auto finish = [self, promise, start, connector_type](caf::expected<std::string> outcome) mutable {
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::string_view label = "success";
    if (!outcome) {
      ++self->state.failures;
      label = code_of(outcome.error()) == errc::cancelled ? "cancelled" : "error";
    }
    observability::metrics::global().observe_tool_call(connector_type, label, elapsed.count());
    deliver(promise, std::move(outcome));
  };
  when_ready(self, [self, call, info, finish](const caf::error& err) mutable {
    if (err) {
      finish(make_error(errc::tool_failed, message_of(err)));
      return;
    }
    json::object params{{"name", call.name}};
    json::error_code ec;
    if (!call.arguments.empty()) {
      auto args = json::parse(call.arguments, ec);
      if (!ec) {
        params["arguments"] = std::move(args);
      }
    }
    send_request(self, "tools/call", std::move(params), finish, info, caf::timespan{0});
  });
  return promise;
}

void cancel(external_pointer self, uint64_t call_id) {
  auto& st = self->state;
  auto sender = self->current_sender();
  for (auto i = st.outgoing.begin(); i != st.outgoing.end(); ++i) {
    const auto& call = i->second.call;
    if (call && call->call_id == call_id
        && caf::actor_cast<caf::strong_actor_ptr>(call->caller) == sender) {
      notify_child(self, "notifications/cancelled",
                   json::object{{"requestId", i->first},
                                {"reason", "The client cancelled the call"}});
      auto done = std::move(i->second.done);
      st.outgoing.erase(i);
      done(make_error(errc::cancelled));
      return;
    }
  }
}

// A request timed out, or the health ping is due.
void on_tick(external_pointer self, uint64_t id) {
  auto& st = self->state;
  if (id == ping_timer) {
    self->delayed_send(self, st.env->ping_interval, atom::tick_v, ping_timer);
    if (st.now != phase::ready) {
      return;
    }
    if (st.link && !st.oauth_provider.empty()) {
      // The vault refreshes tokens before they expire; the link takes the current one.
      auto link = st.link;
      with_token(self, [link](caf::expected<std::string> authorization) {
        if (authorization && !authorization->empty()) {
          link->set_header("Authorization", std::move(*authorization));
        }
      });
    }
    auto process = st.process;
    send_request(
      self, "ping", json::object{},
      [self, process](caf::expected<std::string> result) {
        auto& s = self->state;
        if (s.process != process) {
          return;
        }
        s.last_health_check = now_iso8601();
        if (result || code_of(result.error()) != errc::timeout) {
          s.ping_failures = 0;
          return;
        }
        if (++s.ping_failures >= s.env->max_ping_failures) {
          s.last_exit = "it stopped answering health pings";
          end_upstream(self);
        }
      },
      std::nullopt, st.env->ping_timeout);
    return;
  }
  auto i = st.outgoing.find(id);
  if (i == st.outgoing.end()) {
    return;
  }
  auto done = std::move(i->second.done);
  auto method = i->second.method;
  st.outgoing.erase(i);
  done(make_error(errc::timeout, "The MCP server did not answer " + method + " in time"));
}

} // namespace

external_state::~external_state() {
  // The state goes when the actor ends: so does its child, or its remote session.
  if (link) {
    link->close();
  } else if (process != 0 && !remote && env != nullptr) {
    env->runner->stop(process, env->stop_grace);
  }
}

external_connector_actor::behavior_type
external_connector(external_connector_actor::stateful_pointer<external_state> self,
                   connector_row row, std::string tenant_slug, std::string owner,
                   const process_env* env, server_pool_actor pool) {
  auto& init = self->state;
  init.row = std::move(row);
  init.tenant_slug = std::move(tenant_slug);
  init.owner = std::move(owner);
  init.env = env;
  init.pool = std::move(pool);
  if (init.row.runtime_type == connectors::remote_runtime) {
    init.unusable = remote_of(init, *env);
  } else if (auto spec = spec_of(init.row, *env)) {
    init.spec = std::move(*spec);
  } else {
    init.unusable = std::move(spec.error());
  }
  if (init.unusable) {
    init.last_exit = message_of(init.unusable);
  }
  start_child(self);
  self->delayed_send(self, env->ping_interval, atom::tick_v, ping_timer);
  return {
    [self](atom::list, const std::string& cursor) -> caf::result<std::string> {
      auto promise = self->make_response_promise<std::string>();
      when_ready(self, [self, promise, cursor](const caf::error& err) mutable {
        if (err) {
          promise.deliver(err);
          return;
        }
        json::object params;
        if (!cursor.empty()) {
          params["cursor"] = cursor;
        }
        send_request(
          self, "tools/list", std::move(params),
          [self, promise](caf::expected<std::string> result) mutable {
            if (!result) {
              promise.deliver(std::move(result.error()));
              return;
            }
            json::error_code ec;
            auto parsed = json::parse(*result, ec);
            auto* obj = ec ? nullptr : parsed.if_object();
            if (obj != nullptr) {
              if (auto* tools = obj->if_contains("tools"); tools != nullptr && tools->is_array()) {
                drop_disabled(self->state.row, tools->as_array());
              }
              promise.deliver(json::serialize(*obj));
              return;
            }
            promise.deliver(std::move(*result));
          },
          std::nullopt, self->state.env->request_timeout);
      });
      return promise;
    },
    [self](atom::get, const std::string& member) -> caf::result<std::string> {
      auto method = list_method(member);
      if (method.empty()) {
        return make_error(errc::invalid_params, "Invalid params: no list named '" + member + "'");
      }
      auto promise = self->make_response_promise<std::string>();
      when_ready(self, [self, promise, member, method](const caf::error& err) mutable {
        if (err) {
          promise.deliver(err);
          return;
        }
        if (!offers(self->state, member)) {
          promise.deliver(std::string{"[]"});
          return;
        }
        read_all(self, std::string{method}, member, std::make_shared<json::array>(), {}, 0, promise,
                 [self, member](json::array& items) {
                   if (member == "tools") {
                     drop_disabled(self->state.row, items);
                   }
                   return json::serialize(items);
                 });
      });
      return promise;
    },
    [self](atom::invoke, const tool_call& call) -> caf::result<std::string> {
      return invoke(self, call);
    },
    [self](atom::tick, uint64_t id) {
      on_tick(self, id);
    },
    [self](atom::cancel, uint64_t call_id) {
      cancel(self, call_id);
    },
    [](atom::done, uint64_t, std::string&) {
      // Native connectors' upstream calls; nothing of an external one.
    },
    [](atom::done, uint64_t, caf::error&) {},
    [self](atom::handle, const mcp_request& req) -> caf::result<mcp_reply> {
      auto promise = self->make_response_promise<mcp_reply>();
      when_ready(self, [self, promise, req](const caf::error& err) mutable {
        if (err) {
          promise.deliver(err);
          return;
        }
        json::value params;
        if (!req.params.empty()) {
          json::error_code ec;
          params = json::parse(req.params, ec);
          if (ec) {
            params = nullptr;
          }
        }
        if (req.method == "resources/subscribe" && params.is_object()) {
          if (const auto* uri = params.as_object().if_contains("uri");
              uri != nullptr && uri->is_string()) {
            auto& subscribed = self->state.subscribed;
            std::string wanted{uri->as_string()};
            if (std::find(subscribed.begin(), subscribed.end(), wanted) != subscribed.end()) {
              // The child sends the updates already; sessions filter them by their own
              // subscriptions.
              promise.deliver(mcp_reply{"{}"});
              return;
            }
            subscribed.push_back(std::move(wanted));
          }
        }
        send_request(
          self, req.method, std::move(params),
          [promise](caf::expected<std::string> result) mutable {
            if (!result) {
              promise.deliver(std::move(result.error()));
              return;
            }
            promise.deliver(mcp_reply{std::move(*result)});
          },
          std::nullopt, self->state.env->request_timeout);
      });
      return promise;
    },
    [self](atom::get, atom::tool) -> caf::result<std::string> {
      auto promise = self->make_response_promise<std::string>();
      when_ready(self, [self, promise](const caf::error& err) mutable {
        if (err) {
          promise.deliver(err);
        } else if (!offers(self->state, "tools")) {
          promise.deliver(std::string{"[]"});
        } else {
          read_all(
            self, "tools/list", "tools", std::make_shared<json::array>(), {}, 0, promise,
            [](json::array& items) {
              json::array tools;
              for (const auto& item : items) {
                const auto* tool = item.if_object();
                const auto* name = tool != nullptr ? tool->if_contains("name") : nullptr;
                if (name == nullptr || !name->is_string()) {
                  continue;
                }
                const auto* text = tool->if_contains("description");
                tools.emplace_back(json::object{
                  {"name", *name},
                  {"description", text != nullptr && text->is_string() ? *text : json::value("")}});
              }
              return json::serialize(tools);
            });
        }
      });
      return promise;
    },
    [self](atom::get, atom::connector) -> caf::result<std::string> {
      auto promise = self->make_response_promise<std::string>();
      when_ready(self, [self, promise](const caf::error& err) mutable {
        if (err) {
          promise.deliver(err);
        } else {
          promise.deliver(self->state.capabilities);
        }
      });
      return promise;
    },
    [self](atom::received, uint64_t process, std::string& message) {
      if (process == self->state.process && process != 0) {
        self->state.heard = true;
        on_child_message(self, message);
      }
    },
    [self](atom::diagnostic, uint64_t process, std::string& line) {
      auto& st = self->state;
      if (process != st.process || process == 0) {
        return;
      }
      st.heard = true;
      st.stderr_tail.push_back(std::move(line));
      while (st.stderr_tail.size() > st.env->stderr_lines) {
        st.stderr_tail.pop_front();
      }
    },
    [self](atom::exited, uint64_t process, int status) {
      if (process == self->state.process && process != 0 && !self->state.remote) {
        on_exit(self, status);
      }
    },
    [self](atom::exited, uint64_t link, std::string& why) {
      if (link == self->state.process && link != 0 && self->state.remote) {
        on_ended(self, std::move(why));
      }
    },
    [self](atom::restart) -> caf::result<atom::ok> {
      auto& st = self->state;
      auto promise = self->make_response_promise<atom::ok>();
      st.restarting.push_back(promise);
      if (st.process != 0) {
        st.last_exit = "an administrator restarted it";
        st.crashes = 0;
        end_upstream(self);
      } else {
        ++st.generation;
        ++st.restarts;
        start_child(self);
      }
      return promise;
    },
    [self](atom::restart, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.generation || st.process != 0) {
        return;
      }
      ++st.restarts;
      observability::metrics::global().observe_pool_restart();
      start_child(self);
    },
    [self](atom::status) -> std::string {
      const auto& st = self->state;
      static constexpr std::array<std::string_view, 4> names{"starting", "running", "restarting",
                                                             "failed"};
      json::array tail;
      for (const auto& line : st.stderr_tail) {
        tail.emplace_back(line);
      }
      json::error_code ec;
      json::object status{
        {"connector_id", st.row.id},
        {"runtime_type", st.row.runtime_type},
        {"status", names.at(static_cast<size_t>(st.now))},
        {"pid", st.pid != 0 ? json::value(st.pid) : json::value()},
        {"started_at", st.started_at.empty() ? json::value() : json::value(st.started_at)},
        {"last_health_check",
         st.last_health_check.empty() ? json::value() : json::value(st.last_health_check)},
        {"restart_count", st.restarts},
        {"error_message", st.last_exit.empty() ? json::value() : json::value(st.last_exit)},
        {"protocol_version", st.protocol_version},
        {"server_info", json::parse(st.server_info, ec)},
        {"framing", st.remote ? json::value()
                              : json::value(st.framing == connectors::stdio_framing::lines
                                              ? "lines"
                                              : "content-length")},
        {"transport", st.remote ? json::value(connectors::remote_transport_name(
                        st.link ? st.link->transport() : st.remote->transport))
                                : json::value("stdio")},
        {"calls", st.calls},
        {"failures", st.failures},
        {"pending_requests", st.outgoing.size()},
        {"stderr_tail", std::move(tail)}};
      return json::serialize(status);
    },
  };
}

} // namespace sagemcp
