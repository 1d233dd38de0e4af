#include "actors/session.hpp"

#include "actors/timeouts.hpp"
#include "actors/usage.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "messages/jsonrpc.hpp"
#include "observability/logging.hpp"
#include "observability/metrics.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>

namespace sagemcp {

namespace {

using session_pointer = session_actor::stateful_pointer<session_state>;

// Tool calls may wait on slow upstream APIs; clients such as Claude give up after 300 s.
constexpr auto tool_call_timeout = std::chrono::seconds{300};

// Time a connector may take to list its items for a tenant-wide list.
constexpr auto catalog_timeout = std::chrono::seconds{30};

std::string tool_error_result(const caf::error& err) {
  boost::json::object block;
  block["type"] = "text";
  block["text"] = message_of(err);
  boost::json::object result;
  result["content"] = boost::json::array{std::move(block)};
  result["isError"] = true;
  return boost::json::serialize(result);
}

bool tenant_wide(const session_state& st) {
  return st.origin.connector_id.empty();
}

// -- the byte budget ------------------------------------------------------------------------------

// The fixed cost of an entry of a map or set (node, hash bucket, bookkeeping) in the budget.
constexpr size_t entry_cost = 64;

// The cost of the session's event stream slots.
size_t slots_cost(const session_state& st) {
  return st.streams.size() * (sizeof(session_state::event_stream) + entry_cost);
}

// The memory the session holds, against its budget.
size_t footprint(const session_state& st) {
  return st.held + slots_cost(st) + st.events.footprint();
}

// Forgets the slots of finished streams whose events the log forgot.
void drop_forgotten_streams(session_state& st) {
  std::erase_if(st.streams, [&st](const auto& entry) {
    return entry.first != 0 && entry.second.finished && !st.events.knows(entry.first);
  });
}

// Shrinks the event log to the room the rest of the session leaves it.
void fit_events(session_state& st) {
  if (footprint(st) <= st.max_bytes) {
    return;
  }
  auto fixed = st.held + slots_cost(st);
  st.events.trim(fixed < st.max_bytes ? st.max_bytes - fixed : 0);
  drop_forgotten_streams(st);
}

// Whether `bytes` more of state fit the budget (the event log makes room).
bool admits(const session_state& st, size_t bytes) {
  auto fixed = st.held + slots_cost(st);
  return fixed <= st.max_bytes && bytes <= st.max_bytes - fixed;
}

// Counts `bytes` more against the budget, or refuses them.
caf::error charge(session_state& st, size_t bytes, std::string_view what) {
  if (!admits(st, bytes)) {
    return make_error(
      errc::session_budget_exceeded,
      "Session byte budget exhausted: " + std::string{what} + " needs " + std::to_string(bytes)
        + " bytes, the session holds " + std::to_string(footprint(st)) + " of its "
        + std::to_string(st.max_bytes)
        + "; finish or cancel running requests, unsubscribe, or open a new session");
  }
  st.held += bytes;
  fit_events(st);
  return {};
}

void release(session_state& st, size_t bytes) {
  st.held -= std::min(st.held, bytes);
}

// Drops the kept tenant-wide list of `merged`.
void drop_list(session_state& st, session_state::merged_state& merged) {
  merged.list.reset();
  release(st, merged.charged);
  merged.charged = 0;
}

// Time the pool may take to find or restart an instance.
constexpr auto instance_timeout = std::chrono::seconds{30};

// Runs `use` with a live instance of member `index`: the one the session holds or, after the
// pool evicted it or it crashed, the one the pool has now. `fail` gets the error when there is
// none (the connector was removed, or the instance does not come back in time).
template <class Use, class Fail>
void with_instance(session_pointer self, size_t index, Use use, Fail fail) {
  auto& st = self->state;
  auto& member = st.members[index];
  if (member.handle) {
    use(member.handle);
    return;
  }
  if (!st.pool) {
    caf::error err = make_error(errc::connector_not_found, "the connector instance is gone");
    fail(err);
    return;
  }
  self
    ->request(st.pool, instance_timeout, atom::open_v, atom::instance_v, st.origin.tenant,
              member.connector_id, st.origin.caller.key_id)
    .then(
      [self, index, use](caf::strong_actor_ptr& ptr) mutable {
        auto& current = self->state.members[index];
        if (!current.handle) {
          current.handle = caf::actor_cast<connector_actor>(std::move(ptr));
          self->monitor(current.handle);
        }
        use(current.handle);
      },
      [fail](caf::error& err) mutable {
        fail(err);
      });
}

// Runs `then` once the tenant-wide list of `kind` exists, building it on first use. A member
// that cannot list its items is left out (logged and counted) instead of failing the whole list.
void with_list(session_pointer self, list_kind kind, std::function<void()> then) {
  auto& merged = self->state.merged[static_cast<size_t>(kind)];
  if (merged.list) {
    then();
    return;
  }
  merged.waiters.push_back(std::move(then));
  if (merged.loading) {
    return;
  }
  merged.loading = true;
  const auto& members = self->state.members;
  auto collected = std::make_shared<std::vector<list_member>>(members.size());
  auto remaining = std::make_shared<size_t>(members.size() + 1);
  auto done = [self, kind, collected, remaining] {
    if (--*remaining > 0) {
      return;
    }
    auto& st = self->state;
    auto& m = st.merged[static_cast<size_t>(kind)];
    m.list = merged_list::build(kind, *collected);
    m.loading = false;
    // A list larger than the budget leaves serves the requests waiting for it and is not kept:
    // the next request builds it anew.
    bool kept = !charge(st, m.list->bytes(), "the merged list");
    m.charged = kept ? m.list->bytes() : 0;
    if (!kept && !st.warned_uncached) {
      st.warned_uncached = true;
      observability::log(observability::log_level::warn,
                         "a tenant-wide list exceeds the session's byte budget and is rebuilt "
                         "for every request",
                         {{"session", st.origin.session_id},
                          {"tenant", st.origin.tenant},
                          {"list", std::string{items_member(kind)}},
                          {"bytes", std::to_string(m.list->bytes())},
                          {"max_bytes", std::to_string(st.max_bytes)}});
    }
    auto waiters = std::move(m.waiters);
    m.waiters.clear();
    for (auto& waiter : waiters) {
      waiter();
    }
    if (m.stale || !kept) {
      // The list changed while it was being built: the next request builds it anew.
      m.stale = false;
      drop_list(st, m);
    }
  };
  for (size_t i = 0; i < members.size(); ++i) {
    (*collected)[i].prefix = members[i].prefix;
    auto left_out = [self, kind, i, done](const caf::error& err) {
      observability::log(observability::log_level::warn, "connector left out of a tenant-wide list",
                         {{"tenant", self->state.origin.tenant},
                          {"connector_id", self->state.members[i].connector_id},
                          {"list", std::string{items_member(kind)}},
                          {"error", message_of(err)}});
      observability::metrics::global().observe_list_failure(items_member(kind));
      done();
    };
    with_instance(
      self, i,
      [self, kind, collected, i, done, left_out](const connector_actor& instance) {
        self->request(instance, catalog_timeout, atom::get_v, std::string{items_member(kind)})
          .then(
            [collected, i, done](std::string& items) {
              (*collected)[i].items_json = std::move(items);
              done();
            },
            [left_out](caf::error& err) {
              left_out(err);
            });
      },
      left_out);
  }
  done();
}

// Forgets a tenant-wide list after its members reported a change; one being built is dropped
// once the requests waiting for it got it.
void forget_list(session_state& st, list_kind kind) {
  auto& merged = st.merged[static_cast<size_t>(kind)];
  if (merged.loading) {
    merged.stale = true;
  } else {
    drop_list(st, merged);
  }
}

// The request's params.cursor: empty when absent or null.
caf::expected<std::string> cursor_of(const mcp_request& req) {
  if (req.params.empty()) {
    return std::string{};
  }
  boost::system::error_code ec;
  auto params = boost::json::parse(req.params, ec);
  const auto* obj = ec ? nullptr : params.if_object();
  const auto* given = obj != nullptr ? obj->if_contains("cursor") : nullptr;
  if (given == nullptr || given->is_null()) {
    return std::string{};
  }
  if (!given->is_string()) {
    return make_error(errc::invalid_params, "Invalid params: 'cursor' must be a string");
  }
  return std::string{given->as_string()};
}

// A page of a tenant-wide list.
caf::result<mcp_reply> list_merged(session_pointer self, const mcp_request& req, list_kind kind) {
  auto cursor = cursor_of(req);
  if (!cursor) {
    return std::move(cursor.error());
  }
  auto promise = self->make_response_promise<mcp_reply>();
  with_list(self, kind, [self, kind, promise, cursor = std::move(*cursor)]() mutable {
    const auto& pages = self->state.merged[static_cast<size_t>(kind)].list->pages();
    auto index = connectors::page_of(cursor, pages.size());
    if (!index) {
      promise.deliver(std::move(index.error()));
    } else {
      promise.deliver(mcp_reply{pages[*index]});
    }
  });
  return promise;
}

caf::result<mcp_reply> list_tools(session_pointer self, const mcp_request& req) {
  auto cursor = cursor_of(req);
  if (!cursor) {
    return std::move(cursor.error());
  }
  auto promise = self->make_response_promise<mcp_reply>();
  auto fail = [promise](const caf::error& err) mutable {
    promise.deliver(err);
  };
  with_instance(
    self, 0,
    [self, promise, fail, cursor = std::move(*cursor)](const connector_actor& instance) mutable {
      auto sent = self->request(instance, instance_timeout, atom::list_v, std::move(cursor));
      sent.then(
        [self, promise, request = sent.id()](std::string& page) mutable {
          forget_timeout(self, request);
          promise.deliver(mcp_reply{std::move(page)});
        },
        [self, fail, request = sent.id()](caf::error& err) mutable {
          forget_timeout(self, request);
          fail(err);
        });
    },
    fail);
  return promise;
}

// A connector-level request with the client's capabilities: a 2026-07-28 request carries its
// own, a session's were declared at initialize.
mcp_request with_capabilities(const session_state& st, const mcp_request& req) {
  auto result = req;
  if (!req.stateless) {
    result.client_capabilities = st.origin.client_capabilities;
  }
  return result;
}

// Sends a connector-level request to one member: its reply answers `promise`, a failure goes to
// `on_error`.
template <class OnError>
void request_member(session_pointer self, caf::typed_response_promise<mcp_reply> promise,
                    size_t member, const mcp_request& req, OnError on_error) {
  with_instance(
    self, member,
    [self, promise, on_error, req](const connector_actor& instance) mutable {
      auto sent = self->request(instance, tool_call_timeout, atom::handle_v, req);
      sent.then(
        [self, promise, request = sent.id()](mcp_reply& reply) mutable {
          forget_timeout(self, request);
          promise.deliver(std::move(reply));
        },
        [self, on_error, request = sent.id()](caf::error& err) mutable {
          forget_timeout(self, request);
          on_error(err);
        });
    },
    on_error);
}

// Sends a connector-level request to one member and answers with its reply.
void ask_member(session_pointer self, caf::typed_response_promise<mcp_reply> promise, size_t member,
                const mcp_request& req) {
  request_member(self, promise, member, req, [promise](const caf::error& err) mutable {
    promise.deliver(err);
  });
}

// Reads a resource no member listed (one a template of some member describes): asks the members
// in order from `member` until one knows it. Members that do not answer are skipped and counted
// in `silent`.
void read_anywhere(session_pointer self, caf::typed_response_promise<mcp_reply> promise,
                   size_t member, mcp_request req, std::string uri, size_t silent = 0) {
  if (member >= self->state.members.size()) {
    auto message = "Resource not found: " + uri;
    if (silent > 0) {
      message += " (" + std::to_string(silent) + " of the tenant's connectors did not answer)";
    }
    promise.deliver(make_error(errc::resource_not_found, std::move(message),
                               boost::json::serialize(boost::json::object{{"uri", uri}})));
    return;
  }
  auto next = [self, promise, member, req, uri, silent](const caf::error& err) mutable {
    auto code = code_of(err);
    // A member without a live instance did not answer either.
    bool answered = err.category() == errc_category && code != errc::timeout
                    && code != errc::connector_not_found;
    if (answered && code != errc::resource_not_found && code != errc::method_not_found) {
      promise.deliver(err);
      return;
    }
    if (!answered) {
      observability::log(observability::log_level::warn,
                         "connector did not answer a tenant-wide resources/read",
                         {{"tenant", self->state.origin.tenant},
                          {"connector_id", self->state.members[member].connector_id},
                          {"error", message_of(err)}});
    }
    read_anywhere(self, promise, member + 1, std::move(req), std::move(uri),
                  silent + (answered ? 0 : 1));
  };
  request_member(self, promise, member, req, next);
}

using connectors::invalid_params;
using connectors::string_member;

// Routes a connector-level request of the tenant-wide endpoint to the member behind the name or
// URI at `path` in its params, looked up in the merged list of `kind`; the member sees its own
// name there. An unknown name is invalid params, `unknown` saying what it should have been.
void route_named(session_pointer self, caf::typed_response_promise<mcp_reply> promise,
                 mcp_request req, boost::json::object params, std::vector<std::string> path,
                 list_kind kind, std::string_view unknown) {
  with_list(self, kind,
            [self, promise, req = std::move(req), params = std::move(params),
             path = std::move(path), kind, unknown = std::string{unknown}]() mutable {
              auto* target = &params;
              for (size_t i = 0; i + 1 < path.size(); ++i) {
                target = &(*target)[path[i]].as_object();
              }
              std::string exposed{(*target)[path.back()].as_string()};
              const auto* route = self->state.merged[static_cast<size_t>(kind)].list->find(exposed);
              if (route == nullptr) {
                promise.deliver(invalid_params(unknown + ": " + exposed));
                return;
              }
              (*target)[path.back()] = route->key;
              req.params = boost::json::serialize(params);
              ask_member(self, promise, route->member, req);
            });
}

// resources/*, prompts/* and completion/complete on the tenant-wide endpoint: each goes to the
// member that serves what it names.
caf::result<mcp_reply> serve_merged(session_pointer self, const mcp_request& original) {
  auto req = with_capabilities(self->state, original);
  boost::json::object params;
  if (!req.params.empty()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(req.params, ec);
    if (ec || !parsed.is_object()) {
      return invalid_params("'params' must be an object");
    }
    params = std::move(parsed.as_object());
  }
  // Validate before making the promise: an error returned after it would reach no one.
  if (req.method == "prompts/get") {
    if (string_member(params, "name") == nullptr) {
      return invalid_params("'name' must be a string");
    }
    auto promise = self->make_response_promise<mcp_reply>();
    route_named(self, promise, std::move(req), std::move(params), {"name"}, list_kind::prompts,
                "Unknown prompt");
    return promise;
  }
  if (req.method == "completion/complete") {
    const auto* ref_value = params.if_contains("ref");
    const auto* ref = ref_value != nullptr ? ref_value->if_object() : nullptr;
    if (ref == nullptr) {
      return invalid_params("'ref' must be an object");
    }
    const auto* type = string_member(*ref, "type");
    bool prompt = type != nullptr && *type == "ref/prompt"
                  && string_member(*ref, "name") != nullptr;
    bool resource = type != nullptr && *type == "ref/resource"
                    && string_member(*ref, "uri") != nullptr;
    if (!prompt && !resource) {
      return invalid_params(
        "'ref' must be a ref/prompt with a 'name' or a ref/resource with a 'uri'");
    }
    auto promise = self->make_response_promise<mcp_reply>();
    if (prompt) {
      route_named(self, promise, std::move(req), std::move(params), {"ref", "name"},
                  list_kind::prompts, "'ref.name' must name a prompt of this server");
    } else {
      route_named(self, promise, std::move(req), std::move(params), {"ref", "uri"},
                  list_kind::resource_templates,
                  "'ref.uri' must name a resource template of this server");
    }
    return promise;
  }
  // resources/read: the member that listed the URI, else the first member that knows it.
  const auto* uri = string_member(params, "uri");
  if (uri == nullptr) {
    return invalid_params("'uri' must be a string");
  }
  auto promise = self->make_response_promise<mcp_reply>();
  with_list(self, list_kind::resources, [self, promise, req, wanted = std::string{*uri}]() mutable {
    const auto* route
      = self->state.merged[static_cast<size_t>(list_kind::resources)].list->find(wanted);
    if (route != nullptr) {
      ask_member(self, promise, route->member, req);
    } else {
      read_anywhere(self, promise, 0, std::move(req), std::move(wanted));
    }
  });
  return promise;
}

// -- event streams (session era): logged, with ids, resumable with Last-Event-ID ----------------

// Clients of 2025-11-25 and later get a priming event (an id without data) when a stream opens;
// older clients may fail on an event without data.
bool primes(const session_state& st) {
  return st.origin.protocol_version >= "2025-11-25";
}

// Logs a message on an event stream and sends it to the connection carrying the stream, if any.
void emit(session_pointer self, uint64_t stream, std::string message) {
  auto& st = self->state;
  st.events.expire(self->clock().now());
  auto at = st.events.append(stream, message);
  fit_events(st);
  auto i = st.streams.find(stream);
  if (i != st.streams.end() && i->second.out) {
    self->send(i->second.out, atom::push_v, at.to_string(), std::move(message));
  }
}

// Makes `out` the connection of a stream, ending the connection that carried it before.
void connect(session_pointer self, session_state::event_stream& slot,
             const request_stream_actor& out) {
  if (slot.out && slot.out != out) {
    self->send(slot.out, atom::close_v);
  }
  slot.out = out;
  self->monitor(out);
}

// The event stream of a running call, opened on its first message: the response of the request
// that started the call turns into the stream, primed with an id to resume from.
uint64_t stream_of(session_pointer self, session_state::running_call& call) {
  auto& st = self->state;
  if (call.stream_number == 0) {
    call.stream_number = ++st.last_stream;
    connect(self, st.streams[call.stream_number], call.stream);
    if (primes(st)) {
      self->send(call.stream, atom::push_v, event_position{call.stream_number, 0}.to_string(),
                 std::string{});
    }
  }
  return call.stream_number;
}

// Sends a message of a running call to the client: as an event of the call's stream, or on the
// connection of a request without one (2026-07-28 requests and batches).
void send_to_client(session_pointer self, session_state::running_call& call, std::string message) {
  if (!call.resumable) {
    self->send(call.stream, atom::push_v, std::move(message));
    return;
  }
  emit(self, stream_of(self, call), std::move(message));
}

// Forgets the streams whose events the log forgot (finished a while ago).
void prune_streams(session_pointer self) {
  auto& st = self->state;
  st.events.expire(self->clock().now());
  drop_forgotten_streams(st);
}

// Ends the stream of a finished call with its final message (none for a cancelled call): the
// connection carrying it closes after that, and a later replay ends the same way.
void finish_stream(session_pointer self, uint64_t stream, std::string final_message) {
  auto& st = self->state;
  if (!final_message.empty()) {
    emit(self, stream, std::move(final_message));
  }
  auto& slot = st.streams[stream];
  slot.finished = true;
  st.events.finish(stream, self->clock().now());
  if (slot.out) {
    self->send(slot.out, atom::close_v);
    slot.out = nullptr;
  }
  // Streams that ended more than the retention ago are of no use any more.
  prune_streams(self);
}

// The final message of a call that failed; nothing for a cancelled call.
std::string final_error(const std::string& request_id, const caf::error& err) {
  auto code = code_of(err);
  if (code == errc::cancelled) {
    return {};
  }
  return encode_error(request_id, jsonrpc_code_of(err), message_of(err), data_of(err));
}

// Ends the connection carrying a running call's stream (SEP-1699 polling); the call goes on and
// the client resumes the stream with Last-Event-ID. Only after the client got an id to resume
// from: the priming event, or an earlier event for clients that get no priming event.
void end_connection(session_pointer self, uint64_t call_id) {
  auto& st = self->state;
  auto i = st.calls.find(call_id);
  if (i == st.calls.end() || !i->second.resumable) {
    return;
  }
  if (!primes(st) && i->second.stream_number == 0) {
    return;
  }
  auto& slot = st.streams[stream_of(self, i->second)];
  if (slot.out) {
    self->send(slot.out, atom::close_v);
    slot.out = nullptr;
  }
}

// A connection asks for an event stream: the GET stream (no Last-Event-ID; one connection at a
// time), or the stream a Last-Event-ID names, whose later events it replays. A connection that
// resumes a stream replaces the one carrying it before, which the client has left.
caf::result<atom::ok> attach(session_pointer self, const std::string& last_event_id) {
  auto& st = self->state;
  // Read the sender first: making a response promise or delegating takes it.
  auto out = caf::actor_cast<request_stream_actor>(self->current_sender());
  if (!out) {
    return make_error(errc::internal_error, "an event stream needs a connection");
  }
  st.last_activity = self->clock().now();
  prune_streams(self);
  event_position from = st.events.last(0);
  if (!last_event_id.empty()) {
    auto parsed = event_position::parse(last_event_id);
    if (!parsed || (parsed->stream != 0 && !st.streams.contains(parsed->stream))
        || parsed->seq > st.events.last(parsed->stream).seq) {
      return make_error(errc::invalid_request,
                        "Bad Request: Last-Event-ID '" + last_event_id
                          + "' names no event of this session (unknown, or its request ended "
                            "more than a minute ago)");
    }
    from = *parsed;
  } else if (auto i = st.streams.find(0); i != st.streams.end() && i->second.out) {
    return make_error(errc::conflict, "Conflict: only one GET stream is allowed per session");
  }
  auto& slot = st.streams[from.stream];
  connect(self, slot, out);
  if (last_event_id.empty() && primes(st)) {
    self->send(out, atom::push_v, from.to_string(), std::string{});
  }
  auto replay = st.events.events_after(from);
  if (replay.lost > 0) {
    observability::log(observability::log_level::warn,
                       "events evicted from the session's buffer before the client resumed",
                       {{"session", st.origin.session_id},
                        {"stream", std::to_string(from.stream)},
                        {"lost", std::to_string(replay.lost)}});
  }
  for (const auto* event : replay.events) {
    self->send(out, atom::push_v, event->at.to_string(), event->message);
  }
  if (slot.finished) {
    self->send(out, atom::close_v);
    slot.out = nullptr;
  }
  return atom::ok_v;
}

// Forgets a finished call and the requests it still had open at the client.
void end_call(session_pointer self, uint64_t call_id) {
  auto& st = self->state;
  if (auto i = st.calls.find(call_id); i != st.calls.end()) {
    release(st, i->second.cost);
    st.calls.erase(i);
  }
  std::erase_if(st.client_requests, [&st, call_id](const auto& entry) {
    if (entry.second.call_id != call_id) {
      return false;
    }
    release(st, entry.second.cost);
    return true;
  });
}

// Ends a running call with its outcome: counts it, ends its event stream and answers its
// request. `failed`: the call ended with an error (a tool error becomes an isError result). A call
// no longer in `calls` (cancelled, or past its deadline) is left alone: its late outcome is dropped.
void finish_call(session_pointer self, uint64_t id, caf::expected<mcp_reply> outcome, bool failed) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end()) {
    return;
  }
  usage_meter::global().record(st.origin.tenant, st.members[i->second.member].connector_id,
                               i->second.tool, failed);
  auto pending = i->second.promise;
  auto number = i->second.stream_number;
  auto request_id = i->second.request_id;
  end_call(self, id);
  if (number != 0) {
    finish_stream(self, number,
                  outcome ? encode_result(request_id, outcome->result)
                          : final_error(request_id, outcome.error()));
  }
  if (outcome) {
    pending.deliver(std::move(*outcome));
  } else {
    pending.deliver(std::move(outcome.error()));
  }
}

// Ends a running call with an error, as a tool result where the error surfaces as one.
void fail_call(session_pointer self, uint64_t id, const caf::error& err) {
  if (info(code_of(err)).surface == error_surface::tool_result) {
    finish_call(self, id, mcp_reply{tool_error_result(err)}, true);
  } else {
    finish_call(self, id, err, true);
  }
}

// Makes the session look at its calls' deadlines `after` from now, unless it will sooner.
void expire_after(session_pointer self, caf::timespan after) {
  auto& st = self->state;
  auto due = self->clock().now() + after;
  if (st.expiry_due && *st.expiry_due <= due) {
    return;
  }
  st.expiry_due = due;
  self->delayed_send(self, after, atom::tick_v, atom::invoke_v);
}

// Fails the calls that ran past their deadline, telling their connector to stop them. One timer
// per session while calls run, rather than a timeout per call.
void expire_calls(session_pointer self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.expiry_due && *st.expiry_due > now) {
    // A timer set for a later deadline that an earlier one replaced; that one looks again.
    return;
  }
  st.expiry_due.reset();
  std::vector<uint64_t> late;
  std::optional<caf::actor_clock::time_point> next;
  for (const auto& [id, call] : st.calls) {
    if (call.deadline <= now) {
      late.push_back(id);
    } else if (!next || call.deadline < *next) {
      next = call.deadline;
    }
  }
  for (auto id : late) {
    if (const auto& runner = st.calls.at(id).runner) {
      self->send(runner, atom::cancel_v, id);
    }
    fail_call(self, id,
              make_error(errc::timeout, "the tool call did not finish within "
                                          + std::to_string(tool_call_timeout.count()) + " s"));
  }
  if (next) {
    expire_after(self, *next - now);
  }
}

// Starts a tool call on member `member`; its notifications go to `stream`, its outcome to
// `promise`.
void start_call(session_pointer self, request_stream_actor stream,
                caf::typed_response_promise<mcp_reply> promise, const mcp_request& req,
                size_t member, const std::string& tool) {
  auto& st = self->state;
  auto cost = sizeof(session_state::running_call) + entry_cost + req.id.size()
              + req.log_level.size() + tool.size();
  if (auto refused = charge(st, cost, "a tool call")) {
    promise.deliver(std::move(refused));
    return;
  }
  auto id = ++st.next_call;
  session_state::running_call call;
  call.stream = std::move(stream);
  call.promise = std::move(promise);
  call.request_id = req.id;
  call.member = member;
  call.tool = tool;
  call.stateless = req.stateless;
  call.log_level = req.log_level;
  call.resumable = req.resumable;
  call.cost = cost;
  call.deadline = self->clock().now() + tool_call_timeout;
  st.calls.emplace(id, std::move(call));
  expire_after(self, tool_call_timeout);
  if (req.stateless) {
    // 2026-07-28: a client that closes the response stream cancels the request.
    self->monitor(st.calls.at(id).stream);
  }
  auto invocation = tool_call{id,
                              tool,
                              req.arguments,
                              req.progress_token,
                              req.stateless ? req.client_capabilities
                                            : st.origin.client_capabilities,
                              req.input_responses,
                              req.request_state,
                              req.stateless,
                              req.param_headers};
  auto failed = [self, id](const caf::error& err) {
    fail_call(self, id, err);
  };
  with_instance(
    self, member,
    [self, id, invocation = std::move(invocation)](const connector_actor& runner) mutable {
      auto i = self->state.calls.find(id);
      if (i == self->state.calls.end()) {
        // Cancelled while the instance was being found.
        return;
      }
      i->second.runner = runner;
      // No timeout of its own: the call's deadline (expire_calls) and the instance's end (the
      // down handler) bound it, without a timer per call.
      self->request(runner, caf::infinite, atom::invoke_v, std::move(invocation))
        .then(
          [self, id](std::string& result) {
            finish_call(self, id, mcp_reply{std::move(result)}, false);
          },
          [self, id](caf::error& err) {
            fail_call(self, id, err);
          });
    },
    failed);
}

caf::result<mcp_reply> call_tool(session_pointer self, const mcp_request& req) {
  if (req.name.empty()) {
    return make_error(errc::invalid_params, "Invalid params: 'name' must be a non-empty string");
  }
  // The request's sender (the pool delegated it) receives the call's notifications. Read it
  // first: making the response promise takes the sender out of the current message.
  auto stream = caf::actor_cast<request_stream_actor>(self->current_sender());
  auto promise = self->make_response_promise<mcp_reply>();
  if (!tenant_wide(self->state)) {
    start_call(self, std::move(stream), promise, req, 0, req.name);
    return promise;
  }
  with_list(self, list_kind::tools, [self, stream, promise, req]() mutable {
    const auto* route
      = self->state.merged[static_cast<size_t>(list_kind::tools)].list->find(req.name);
    if (route == nullptr) {
      promise.deliver(make_error(errc::unknown_tool, "Unknown tool: " + req.name));
      return;
    }
    start_call(self, std::move(stream), promise, req, route->member, route->key);
  });
  return promise;
}

// Stops a running call: the connector drops it, and the request gets no response.
void stop_call(session_pointer self, uint64_t call_id) {
  auto& call = self->state.calls.at(call_id);
  if (call.runner) {
    self->send(call.runner, atom::cancel_v, call_id);
  }
  call.promise.deliver(make_error(errc::cancelled));
  if (call.stream_number != 0) {
    finish_stream(self, call.stream_number, {});
  }
  end_call(self, call_id);
}

// notifications/cancelled: stops the call the client started with `params.requestId` and
// suppresses its response. Unknown ids are ignored, as the spec asks.
void cancel_call(session_pointer self, const mcp_request& note) {
  boost::system::error_code ec;
  auto params = boost::json::parse(note.params.empty() ? "{}" : note.params, ec);
  const auto* obj = ec ? nullptr : params.if_object();
  const auto* target = obj != nullptr ? obj->if_contains("requestId") : nullptr;
  if (target == nullptr) {
    return;
  }
  auto request_id = boost::json::serialize(*target);
  for (auto& [id, call] : self->state.calls) {
    if (call.request_id == request_id) {
      // Returns right away: stop_call erases this entry (it takes the id by value).
      stop_call(self, id);
      return;
    }
  }
}

// Unknown level names rank above every level, so that they are never filtered out.
size_t level_rank(std::string_view level) {
  return log_level_rank(level).value_or(log_levels.size());
}

// Notifications about a change of the endpoint rather than about one call.
bool is_change(std::string_view method) {
  return method == "notifications/tools/list_changed"
         || method == "notifications/prompts/list_changed"
         || method == "notifications/resources/list_changed"
         || method == "notifications/resources/updated";
}

// Hands a change a connector reported to the pool, which delivers it to every session on the
// connector's endpoint (this one included) and to the tenant-wide sessions of the tenant.
void publish(session_pointer self, size_t member, std::string message) {
  auto& st = self->state;
  if (!st.pool) {
    return;
  }
  self->send(st.pool, atom::push_v, st.origin.tenant, st.members[member].connector_id,
             std::move(message));
}

// Forwards a notification of a running call, unless it is a log message below the session's
// level; changes of the endpoint are published instead.
void forward(session_pointer self, uint64_t call_id, std::string& message) {
  auto& st = self->state;
  auto i = st.calls.find(call_id);
  if (i == st.calls.end() || !i->second.stream) {
    return;
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(message, ec);
  const auto* obj = ec ? nullptr : parsed.if_object();
  if (obj == nullptr) {
    return;
  }
  const auto* method = obj->if_contains("method");
  const auto* params = obj->if_contains("params");
  if (method != nullptr && method->is_string() && is_change(method->as_string())) {
    publish(self, i->second.member, std::move(message));
    return;
  }
  if (method != nullptr && *method == "notifications/message" && params != nullptr
      && params->is_object()) {
    // A 2026-07-28 request gets log messages only at the level it asked for, if any.
    const auto& threshold = i->second.stateless ? i->second.log_level : st.log_level;
    const auto* level = params->as_object().if_contains("level");
    auto name = level != nullptr && level->is_string() ? std::string_view{level->as_string()}
                                                       : std::string_view{"info"};
    if (threshold.empty() || level_rank(name) < level_rank(threshold)) {
      return;
    }
  }
  send_to_client(self, i->second, std::move(message));
}

// Reads params.<key> as a string; nullopt when params or the member is missing or not a string.
std::optional<std::string> string_param(const mcp_request& req, std::string_view key) {
  boost::system::error_code ec;
  auto params = boost::json::parse(req.params.empty() ? "{}" : req.params, ec);
  const auto* obj = ec ? nullptr : params.if_object();
  const auto* value = obj != nullptr ? obj->if_contains(key) : nullptr;
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string{value->as_string()};
}

caf::result<mcp_reply> set_level(session_pointer self, const mcp_request& req) {
  auto level = string_param(req, "level");
  if (!level || !log_level_rank(*level)) {
    return make_error(errc::invalid_params,
                      "Invalid params: 'level' must be one of debug, info, notice, warning, "
                      "error, critical, alert, emergency");
  }
  self->state.log_level = std::move(*level);
  return mcp_reply{"{}"};
}

caf::result<mcp_reply> subscribe(session_pointer self, const mcp_request& req, bool on) {
  auto uri = string_param(req, "uri");
  if (!uri) {
    return make_error(errc::invalid_params, "Invalid params: 'uri' must be a string");
  }
  auto& st = self->state;
  auto cost = uri->size() + entry_cost;
  if (!on) {
    if (st.subscriptions.erase(*uri) > 0) {
      release(st, cost);
    }
  } else if (!st.subscriptions.contains(*uri)) {
    if (auto refused = charge(st, cost, "a resource subscription")) {
      return refused;
    }
    st.subscriptions.insert(std::move(*uri));
    // The members hear of it too: an external server sends updates only of what someone
    // subscribed to (native connectors have nothing to subscribe). Unsubscribing stays here,
    // since other sessions may still want the updates.
    auto forwarded = with_capabilities(st, req);
    for (size_t member = 0; member < st.members.size(); ++member) {
      with_instance(
        self, member,
        [self, forwarded](const connector_actor& instance) {
          self->request(instance, tool_call_timeout, atom::handle_v, forwarded)
            .then([](mcp_reply&) {}, [](caf::error&) {});
        },
        [](const caf::error&) {});
    }
  }
  return mcp_reply{"{}"};
}

bool client_declared(const session_state& st, std::string_view capability) {
  boost::system::error_code ec;
  auto caps = boost::json::parse(st.origin.client_capabilities.empty()
                                   ? std::string_view{"{}"}
                                   : std::string_view{st.origin.client_capabilities},
                                 ec);
  return !ec && caps.is_object() && caps.as_object().contains(capability);
}

// Sends a request to the client on the stream of a running call; the promise waits for the
// response the client POSTs.
caf::result<std::string> ask_client(session_pointer self, uint64_t call_id,
                                    const std::string& method, const std::string& params) {
  auto& st = self->state;
  auto i = st.calls.find(call_id);
  if (i == st.calls.end() || !i->second.stream) {
    return make_error(errc::tool_failed, "the request that started this call is gone");
  }
  if (i->second.stateless) {
    return make_error(errc::tool_failed,
                      "a 2026-07-28 request cannot carry requests to the client on its stream");
  }
  auto capability = connectors::client_capability_for(method);
  if (capability.empty() || !client_declared(st, capability)) {
    return make_error(errc::tool_failed, "the client did not declare the '"
                                           + std::string{capability} + "' capability needed for "
                                           + method);
  }
  auto id = boost::json::serialize(
    boost::json::value(std::string{"srv-"} + std::to_string(++st.next_client_request)));
  boost::system::error_code ec;
  boost::json::object message{{"jsonrpc", "2.0"},
                              {"id", boost::json::parse(id, ec)},
                              {"method", method},
                              {"params", boost::json::parse(params, ec)}};
  auto cost = sizeof(session_state::client_request) + entry_cost + id.size();
  if (auto refused = charge(st, cost, "a request to the client")) {
    return make_error(errc::tool_failed, message_of(refused));
  }
  auto promise = self->make_response_promise<std::string>();
  st.client_requests.emplace(id, session_state::client_request{promise, call_id, cost});
  send_to_client(self, i->second, boost::json::serialize(message));
  return promise;
}

// Resolves a request this session sent to the client with the client's response.
void accept_response(session_pointer self, const mcp_request& response) {
  auto& st = self->state;
  auto i = st.client_requests.find(response.id);
  if (i == st.client_requests.end()) {
    return;
  }
  if (!response.error.empty()) {
    boost::system::error_code ec;
    auto error = boost::json::parse(response.error, ec);
    const auto* obj = ec ? nullptr : error.if_object();
    const auto* text = obj != nullptr ? obj->if_contains("message") : nullptr;
    std::string message = "the client answered with an error";
    if (text != nullptr && text->is_string()) {
      message += ": ";
      message += text->as_string();
    }
    i->second.promise.deliver(make_error(errc::tool_failed, std::move(message)));
  } else {
    i->second.promise.deliver(response.params.empty() ? std::string{"{}"} : response.params);
  }
  release(st, i->second.cost);
  st.client_requests.erase(i);
}

// Whether the endpoint's capabilities include `feature`.
bool offers(const session_state& st, std::string_view feature) {
  boost::system::error_code ec;
  auto caps = boost::json::parse(
    st.capabilities.empty() ? std::string_view{"{}"} : std::string_view{st.capabilities}, ec);
  return !ec && caps.is_object() && caps.as_object().contains(feature);
}

// Delivers a change of the endpoint to the listen streams that asked for it, each tagged with
// its subscription id.
void deliver_change(session_pointer self, const std::string& notification) {
  auto& st = self->state;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(notification, ec);
  auto* obj = ec ? nullptr : parsed.if_object();
  const auto* method = obj != nullptr ? obj->if_contains("method") : nullptr;
  if (method == nullptr || !method->is_string()) {
    return;
  }
  auto name = std::string_view{method->as_string()};
  if (tenant_wide(st)) {
    if (name == "notifications/tools/list_changed") {
      forget_list(st, list_kind::tools);
    } else if (name == "notifications/prompts/list_changed") {
      forget_list(st, list_kind::prompts);
    } else if (name == "notifications/resources/list_changed") {
      forget_list(st, list_kind::resources);
      forget_list(st, list_kind::resource_templates);
    }
  }
  std::string uri;
  if (const auto* params = obj->if_contains("params"); params != nullptr && params->is_object()) {
    if (const auto* given = params->as_object().if_contains("uri");
        given != nullptr && given->is_string()) {
      uri = std::string{given->as_string()};
    }
  }
  if (!st.origin.stateless && name == "notifications/message") {
    // A server's log message outside any call: on the GET stream, at the session's level.
    const auto* params = obj->if_contains("params");
    const auto* level = params != nullptr && params->is_object()
                          ? params->as_object().if_contains("level")
                          : nullptr;
    auto given = level != nullptr && level->is_string() ? std::string_view{level->as_string()}
                                                        : std::string_view{};
    if (!st.log_level.empty() && level_rank(given) >= level_rank(st.log_level)
        && st.streams.contains(0)) {
      emit(self, 0, notification);
    }
    return;
  }
  if (!st.origin.stateless) {
    // A session hears of the changes it can act on, on its GET stream once the client opened
    // one: list changes of what the endpoint offers, and updates of resources it subscribed to.
    bool wanted = (name == "notifications/tools/list_changed" && offers(st, "tools"))
                  || (name == "notifications/prompts/list_changed" && offers(st, "prompts"))
                  || (name == "notifications/resources/list_changed" && offers(st, "resources"))
                  || (name == "notifications/resources/updated" && st.subscriptions.contains(uri));
    if (wanted && st.streams.contains(0)) {
      emit(self, 0, notification);
    }
  }
  for (const auto& entry : st.listeners) {
    bool wanted = (name == "notifications/tools/list_changed" && entry.tools)
                  || (name == "notifications/prompts/list_changed" && entry.prompts)
                  || (name == "notifications/resources/list_changed" && entry.resources)
                  || (name == "notifications/resources/updated"
                      && entry.resource_uris.contains(uri));
    if (!wanted) {
      continue;
    }
    auto tagged = *obj;
    auto& params = tagged["params"];
    if (!params.is_object()) {
      params = boost::json::object{};
    }
    params.as_object()["_meta"] = boost::json::object{
      {"io.modelcontextprotocol/subscriptionId", boost::json::parse(entry.subscription_id, ec)}};
    self->send(entry.stream, atom::push_v, boost::json::serialize(tagged));
  }
}

// subscriptions/listen (2026-07-28): acknowledges what it will deliver, then keeps the request
// open; changes arrive as notifications on its stream until the client leaves.
caf::result<mcp_reply> listen(session_pointer self, const mcp_request& req) {
  auto& st = self->state;
  boost::system::error_code ec;
  auto params = boost::json::parse(req.params.empty() ? "{}" : req.params, ec);
  const auto* obj = ec ? nullptr : params.if_object();
  const auto* filter_value = obj != nullptr ? obj->if_contains("notifications") : nullptr;
  const auto* filter = filter_value != nullptr ? filter_value->if_object() : nullptr;
  if (filter == nullptr) {
    return make_error(errc::invalid_params, "Invalid params: 'notifications' must be an object");
  }
  auto flag = [&](std::string_view key) {
    const auto* value = filter->if_contains(key);
    return value != nullptr && value->is_bool() && value->as_bool();
  };
  session_state::listener entry;
  entry.subscription_id = req.id;
  entry.tools = flag("toolsListChanged") && offers(st, "tools");
  entry.prompts = flag("promptsListChanged") && offers(st, "prompts");
  entry.resources = flag("resourcesListChanged") && offers(st, "resources");
  boost::json::object accepted;
  if (entry.tools) {
    accepted["toolsListChanged"] = true;
  }
  if (entry.prompts) {
    accepted["promptsListChanged"] = true;
  }
  if (entry.resources) {
    accepted["resourcesListChanged"] = true;
  }
  if (const auto* uris = filter->if_contains("resourceSubscriptions"); uris != nullptr) {
    if (!uris->is_array()) {
      return make_error(errc::invalid_params,
                        "Invalid params: 'resourceSubscriptions' must be an array of URIs");
    }
    boost::json::array kept;
    for (const auto& uri : uris->as_array()) {
      if (!uri.is_string()) {
        return make_error(errc::invalid_params,
                          "Invalid params: 'resourceSubscriptions' must be an array of URIs");
      }
      if (offers(st, "resources")) {
        entry.resource_uris.emplace(uri.as_string());
        kept.push_back(uri);
      }
    }
    if (!kept.empty()) {
      accepted["resourceSubscriptions"] = std::move(kept);
    }
  }
  // Read the sender first: making the response promise takes it out of the current message.
  entry.stream = caf::actor_cast<request_stream_actor>(self->current_sender());
  if (!entry.stream) {
    return make_error(errc::internal_error, "a subscription needs a stream");
  }
  entry.cost = sizeof(session_state::listener) + entry.subscription_id.size();
  for (const auto& uri : entry.resource_uris) {
    entry.cost += uri.size() + entry_cost;
  }
  if (auto refused = charge(st, entry.cost, "a subscription stream")) {
    return refused;
  }
  entry.promise = self->make_response_promise<mcp_reply>();
  self->monitor(entry.stream);
  boost::json::object ack{
    {"jsonrpc", "2.0"},
    {"method", "notifications/subscriptions/acknowledged"},
    {"params",
     boost::json::object{{"notifications", std::move(accepted)},
                         {"_meta", boost::json::object{{"io.modelcontextprotocol/subscriptionId",
                                                        boost::json::parse(req.id, ec)}}}}}};
  self->send(entry.stream, atom::push_v, boost::json::serialize(ack));
  auto promise = entry.promise;
  st.listeners.push_back(std::move(entry));
  return promise;
}

// Ends every listen stream with its closing result (the server tears the subscriptions down).
void close_listeners(session_pointer self) {
  boost::system::error_code ec;
  for (auto& entry : self->state.listeners) {
    boost::json::object result{
      {"_meta", boost::json::object{{"io.modelcontextprotocol/subscriptionId",
                                     boost::json::parse(entry.subscription_id, ec)}}}};
    entry.promise.deliver(mcp_reply{boost::json::serialize(result)});
    release(self->state, entry.cost);
  }
  self->state.listeners.clear();
}

caf::result<mcp_reply> handle(session_pointer self, const mcp_request& req) {
  auto& st = self->state;
  st.last_activity = self->clock().now();
  ++st.requests;
  if (req.method.empty()) {
    accept_response(self, req);
    return mcp_reply{};
  }
  if (req.id.empty()) {
    // Notifications get no reply; only `initialized` changes state.
    if (req.method == "notifications/initialized") {
      st.initialized = true;
    } else if (req.method == "notifications/cancelled") {
      cancel_call(self, req);
    }
    return mcp_reply{};
  }
  if (req.method == "ping") {
    return mcp_reply{"{}"};
  }
  if (req.method == "tools/call") {
    return call_tool(self, req);
  }
  if (tenant_wide(st)) {
    if (auto kind = list_of_method(req.method)) {
      return list_merged(self, req, *kind);
    }
    if (connectors::is_served_method(req.method)) {
      return serve_merged(self, req);
    }
  }
  if (req.method == "tools/list") {
    return list_tools(self, req);
  }
  if (connectors::is_served_method(req.method)) {
    auto promise = self->make_response_promise<mcp_reply>();
    ask_member(self, promise, 0, with_capabilities(st, req));
    return promise;
  }
  if (req.stateless && req.method == "subscriptions/listen") {
    return listen(self, req);
  }
  if (req.stateless) {
    // Everything else belongs to the 2025 session protocol.
    return make_error(errc::method_not_found, "Method not found: " + req.method);
  }
  if (req.method == "logging/setLevel") {
    return set_level(self, req);
  }
  if (req.method == "resources/subscribe" || req.method == "resources/unsubscribe") {
    return subscribe(self, req, req.method == "resources/subscribe");
  }
  if (req.method == "initialize") {
    return make_error(errc::invalid_request, "Invalid Request: the session is already initialized");
  }
  return make_error(errc::method_not_found, "Method not found: " + req.method);
}

// Ends every connection carrying an event stream, as the session ends.
void close_streams(session_pointer self) {
  for (auto& [number, slot] : self->state.streams) {
    if (slot.out) {
      self->send(slot.out, atom::close_v);
      slot.out = nullptr;
    }
  }
}

void check_idle(session_pointer self) {
  auto& st = self->state;
  bool connected = std::any_of(st.streams.begin(), st.streams.end(), [](const auto& entry) {
    return static_cast<bool>(entry.second.out);
  });
  if (!st.listeners.empty() || connected) {
    // An open subscription or event stream is activity.
    st.last_activity = self->clock().now();
  }
  auto idle = self->clock().now() - st.last_activity;
  if (idle >= st.idle_ttl) {
    self->quit();
    return;
  }
  self->delayed_send(self, st.idle_ttl - idle, atom::tick_v);
}

} // namespace

session_actor::behavior_type session(session_pointer self, session_request origin,
                                     std::vector<session_member> members, session_options options,
                                     server_pool_actor pool, std::string capabilities) {
  auto& st = self->state;
  st.origin = std::move(origin);
  st.members = std::move(members);
  st.idle_ttl = options.idle_ttl;
  st.events = event_log{std::min(options.event_buffer_bytes, options.max_bytes)};
  st.max_bytes = options.max_bytes;
  st.pool = std::move(pool);
  st.capabilities = std::move(capabilities);
  for (const auto& member : st.members) {
    if (member.handle) {
      self->monitor(member.handle);
    }
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    // An instance the pool evicted or that crashed: the next request asks the pool for the
    // current one.
    for (auto& member : self->state.members) {
      if (member.handle && member.handle.address() == msg.source) {
        member.handle = connector_actor{};
      }
    }
    // Calls that instance was running end with it.
    std::vector<uint64_t> orphaned;
    for (const auto& [id, call] : self->state.calls) {
      if (call.runner && call.runner.address() == msg.source) {
        orphaned.push_back(id);
      }
    }
    for (auto id : orphaned) {
      fail_call(self, id,
                make_error(errc::upstream_failure, "the connector instance running the tool call "
                                                   "stopped before it finished"));
    }
    // A listen stream or an event stream connection whose client went away.
    std::erase_if(self->state.listeners, [&](const auto& entry) {
      if (entry.stream.address() != msg.source) {
        return false;
      }
      release(self->state, entry.cost);
      return true;
    });
    for (auto& [number, slot] : self->state.streams) {
      if (slot.out && slot.out.address() == msg.source) {
        slot.out = nullptr;
      }
    }
    // A 2026-07-28 call whose client closed its response stream.
    std::vector<uint64_t> abandoned;
    for (const auto& [id, call] : self->state.calls) {
      if (call.stateless && call.stream.address() == msg.source) {
        abandoned.push_back(id);
      }
    }
    for (auto id : abandoned) {
      stop_call(self, id);
    }
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    close_listeners(self);
    close_streams(self);
    self->quit(msg.reason);
  });
  st.last_activity = self->clock().now();
  self->delayed_send(self, st.idle_ttl, atom::tick_v);
  return {
    [self](atom::handle, const mcp_request& req) {
      return handle(self, req);
    },
    [self](atom::tick) {
      check_idle(self);
    },
    [self](atom::tick, atom::invoke) {
      expire_calls(self);
    },
    [self](atom::push, uint64_t call_id, std::string& message) {
      forward(self, call_id, message);
    },
    [self](atom::ask, uint64_t call_id, const std::string& method,
           const std::string& params) -> caf::result<std::string> {
      return ask_client(self, call_id, method, params);
    },
    [self](atom::push, const std::string& notification) {
      deliver_change(self, notification);
    },
    [self](atom::close, uint64_t call_id) {
      end_connection(self, call_id);
    },
    [self](atom::attach, const std::string& last_event_id) {
      return attach(self, last_event_id);
    },
    [self](atom::status) -> std::string {
      const auto& s = self->state;
      boost::json::object status;
      status["session_id"] = s.origin.session_id;
      status["tenant"] = s.origin.tenant;
      status["connector_id"] = s.origin.connector_id;
      status["protocol_version"] = s.origin.protocol_version;
      status["initialized"] = s.initialized;
      status["log_level"] = s.log_level;
      status["subscriptions"] = s.subscriptions.size();
      status["calls"] = s.calls.size();
      status["client_requests"] = s.client_requests.size();
      status["listeners"] = s.listeners.size();
      status["event_streams"] = s.streams.size();
      status["buffered_events"] = s.events.size();
      status["buffered_bytes"] = s.events.bytes();
      status["held_bytes"] = footprint(s);
      status["max_bytes"] = s.max_bytes;
      status["requests"] = s.requests;
      return boost::json::serialize(status);
    },
  };
}

} // namespace sagemcp
