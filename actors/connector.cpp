#include "actors/connector.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"

#include <caf/send.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "security/sealed_json.hpp"

namespace sagemcp {

namespace {

using connector_pointer = connector_actor::stateful_pointer<connector_state>;

// A person may take a while to answer an elicitation; clients give up on a call after 300 s.
constexpr auto client_answer_timeout = std::chrono::seconds{290};

void record(connector_pointer self, const caf::error& err,
            std::chrono::steady_clock::time_point start) {
  auto& st = self->state;
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::string_view outcome = "success";
  if (err && code_of(err) == errc::cancelled) {
    outcome = "cancelled";
  } else if (err) {
    ++st.failures;
    outcome = info(code_of(err)).surface == error_surface::tool_result ? "tool_error" : "error";
  }
  observability::metrics::global().observe_tool_call(st.row.connector_type, outcome,
                                                     elapsed.count());
}

// Sends the script's notifications to the caller over time and answers after the last one.
caf::result<std::string> run_script(connector_pointer self, const connectors::tool_spec& tool,
                                    const tool_call& call,
                                    std::chrono::steady_clock::time_point start) {
  auto plan = connectors::plan_tool(tool, call.arguments);
  if (!plan) {
    record(self, plan.error(), start);
    return std::move(plan.error());
  }
  // Only sessions call tools; they route the notifications to the right client stream. The
  // connector sends every notification itself, one per tick, so that they reach the session in
  // order and ahead of the result.
  auto caller = caf::actor_cast<session_actor>(self->current_sender());
  auto& st = self->state;
  auto id = ++st.next_pending;
  connector_state::pending_call entry;
  std::chrono::milliseconds at{0};
  for (auto& note : plan->notifications) {
    at += note.after;
    bool progress = note.method == "notifications/progress";
    if (!caller || (progress && call.progress_token.empty())) {
      continue;
    }
    if (note.method == connectors::end_connection) {
      entry.steps.emplace_back();
    } else {
      if (progress) {
        boost::system::error_code ec;
        note.params["progressToken"] = boost::json::parse(call.progress_token, ec);
      }
      boost::json::object message{
        {"jsonrpc", "2.0"}, {"method", note.method}, {"params", std::move(note.params)}};
      entry.steps.push_back(boost::json::serialize(message));
    }
    self->delayed_send(self, at, atom::tick_v, id);
  }
  at += plan->result_after;
  auto promise = self->make_response_promise<std::string>();
  entry.promise = promise;
  entry.result = boost::json::serialize(plan->result);
  entry.start = start;
  entry.call = call;
  entry.caller = caller;
  st.pending.emplace(id, std::move(entry));
  self->delayed_send(self, at, atom::tick_v, id);
  return promise;
}

// Ends a pending call with its outcome.
void settle(connector_pointer self, uint64_t id, caf::expected<std::string> outcome) {
  auto& pending = self->state.pending;
  auto i = pending.find(id);
  if (i == pending.end()) {
    return;
  }
  record(self, outcome ? caf::error{} : outcome.error(), i->second.start);
  auto promise = i->second.promise;
  pending.erase(i);
  if (outcome) {
    promise.deliver(std::move(*outcome));
  } else {
    promise.deliver(std::move(outcome.error()));
  }
}

// One round of an interactive tool. A 2025-era session cannot take an input_required result, so
// the client's capability gaps become tool errors there.
caf::expected<boost::json::object> run_round(const connectors::tool_spec& tool,
                                             const tool_call& call) {
  connectors::round_context round{call.client_capabilities, call.input_responses,
                                  call.request_state, call.stateless};
  auto result = connectors::call_interactive(tool, call.arguments, round);
  if (!result && !call.stateless && code_of(result.error()) == errc::missing_client_capability) {
    return make_error(errc::tool_failed, message_of(result.error()));
  }
  return result;
}

// The most rounds a call may take on a 2025-era session before it is given up.
constexpr unsigned max_rounds = 16;

void ask_round(connector_pointer self, uint64_t id, const boost::json::object& result);

// Runs the next round of an interactive call with the answers collected so far.
void next_round(connector_pointer self, uint64_t id, std::string state) {
  auto& entry = self->state.pending.at(id);
  entry.call.input_responses = boost::json::serialize(entry.answers);
  entry.call.request_state = std::move(state);
  auto result = run_round(*entry.tool, entry.call);
  if (!result) {
    settle(self, id, std::move(result.error()));
  } else if (!connectors::is_input_required(*result)) {
    settle(self, id, boost::json::serialize(*result));
  } else if (++entry.rounds >= max_rounds) {
    settle(self, id, make_error(errc::tool_failed, "the tool kept asking for input"));
  } else {
    ask_round(self, id, *result);
  }
}

// Sends a round's input requests to the client through the calling session; the next round
// runs once every one is answered.
void ask_round(connector_pointer self, uint64_t id, const boost::json::object& result) {
  auto& entry = self->state.pending.at(id);
  const auto* requests = result.if_contains("inputRequests");
  const auto* state = result.if_contains("requestState");
  auto next_state = state != nullptr && state->is_string() ? std::string{state->as_string()}
                                                           : std::string{};
  entry.answers.clear();
  entry.awaiting = requests != nullptr && requests->is_object() ? requests->as_object().size() : 0;
  if (entry.awaiting == 0 || !entry.caller) {
    settle(self, id, make_error(errc::tool_failed, "the tool needs input no client can give"));
    return;
  }
  for (const auto& [key, request] : requests->as_object()) {
    const auto& obj = request.as_object();
    auto method = std::string{obj.at("method").as_string()};
    const auto* params = obj.if_contains("params");
    auto raw_params = params != nullptr ? boost::json::serialize(*params) : std::string{"{}"};
    self
      ->request(entry.caller, client_answer_timeout, atom::ask_v, entry.call.call_id, method,
                raw_params)
      .then(
        [self, id, key = std::string{key}, next_state](std::string& raw) {
          auto i = self->state.pending.find(id);
          if (i == self->state.pending.end()) {
            return;
          }
          boost::system::error_code ec;
          auto value = boost::json::parse(raw, ec);
          if (ec || !value.is_object()) {
            settle(self, id, make_error(errc::tool_failed, "the client's answer is no object"));
            return;
          }
          i->second.answers[key] = std::move(value);
          if (--i->second.awaiting == 0) {
            next_round(self, id, next_state);
          }
        },
        [self, id, method](caf::error& err) {
          settle(self, id,
                 make_error(errc::tool_failed,
                            "no answer from the client to " + method + ": " + message_of(err)));
        });
  }
}

caf::result<std::string> run_interactive(connector_pointer self, const connectors::tool_spec& tool,
                                         const tool_call& call,
                                         std::chrono::steady_clock::time_point start) {
  auto result = run_round(tool, call);
  if (!result) {
    record(self, result.error(), start);
    return std::move(result.error());
  }
  // A 2026-07-28 client gets the input request as the result and retries with its answers.
  if (call.stateless || !connectors::is_input_required(*result)) {
    record(self, caf::error{}, start);
    return boost::json::serialize(*result);
  }
  auto& st = self->state;
  auto id = ++st.next_pending;
  connector_state::pending_call entry;
  // Read the sender first: making the response promise takes it out of the current message.
  entry.caller = caf::actor_cast<session_actor>(self->current_sender());
  auto promise = self->make_response_promise<std::string>();
  entry.promise = promise;
  entry.start = start;
  entry.call = call;
  entry.tool = &tool;
  st.pending.emplace(id, std::move(entry));
  ask_round(self, id, *result);
  return promise;
}

// Stops a running call: its promise reports the cancellation, its pending notifications are
// dropped by the session, and a late answer finds nothing to complete.
void cancel_call(connector_pointer self, uint64_t call_id) {
  auto& pending = self->state.pending;
  for (auto i = pending.begin(); i != pending.end(); ++i) {
    if (i->second.call.call_id == call_id) {
      auto cancelled = make_error(errc::cancelled);
      record(self, cancelled, i->second.start);
      i->second.promise.deliver(std::move(cancelled));
      pending.erase(i);
      return;
    }
  }
}

// The next step of a scripted call: its next notification, or its result after the last one.
void advance_script(connector_pointer self, uint64_t id) {
  auto& pending = self->state.pending;
  auto i = pending.find(id);
  if (i == pending.end()) {
    return;
  }
  auto& entry = i->second;
  if (!entry.steps.empty()) {
    auto step = std::move(entry.steps.front());
    entry.steps.pop_front();
    if (step.empty()) {
      self->send(entry.caller, atom::close_v, entry.call.call_id);
    } else {
      self->send(entry.caller, atom::push_v, entry.call.call_id, std::move(step));
    }
    return;
  }
  auto result = std::move(entry.result);
  settle(self, id, std::move(result));
}

// The base URL of an upstream call and, when the connector's configuration holds a token, its
// credential; without one, `credentials.headers` stays empty for an OAuth token to fill.
caf::expected<connectors::call_context> upstream_context(const connector_state& st) {
  const auto& api = *st.spec->api;
  std::string service{api.service};
  if (st.upstream == nullptr || st.upstream->client == nullptr) {
    return make_error(errc::tool_failed, "This node cannot reach " + service + ".");
  }
  if (!st.configuration) {
    return make_error(errc::tool_failed, "The connector's stored configuration cannot be read ("
                                           + message_of(st.configuration.error())
                                           + "); an administrator must enter its secrets again.");
  }
  auto base = connectors::base_url_of(api, *st.configuration);
  if (!base) {
    return make_error(errc::tool_failed,
                      "The connector is misconfigured: " + message_of(base.error()) + ".");
  }
  auto context = st.upstream->call;
  context.base_url = std::move(*base);
  if (st.mode == connectors::credential_mode::user) {
    if (st.owner.empty() || !st.upstream->vault) {
      return make_error(errc::tool_failed,
                        "This connector calls " + service
                          + " with each caller's own account, and this call has no API key to "
                            "tell whose: the server must run with authentication on.");
    }
  } else if (auto credentials = connectors::configured_credentials(api, *st.configuration)) {
    context.credentials = std::move(*credentials);
  } else if (api.oauth_provider.empty() || !st.upstream->vault) {
    return make_error(errc::tool_failed,
                      service + " is not connected: an administrator must set the connector's '"
                        + std::string{api.token_field} + "' configuration field.");
  }
  return context;
}

// Sends an upstream call; the outbound client answers with a done message.
void send_upstream(connector_pointer self, const connectors::tool_spec& tool, uint64_t id,
                   boost::json::object args, connectors::call_context context) {
  auto handle = caf::actor_cast<connector_actor>(self);
  connectors::execute(*self->state.upstream->client, *self->state.spec->api, *tool.http,
                      std::move(args), std::move(context),
                      [handle, id](caf::expected<std::string> outcome) {
                        if (outcome) {
                          caf::anon_send(handle, atom::done_v, id, std::move(*outcome));
                        } else {
                          caf::anon_send(handle, atom::done_v, id, std::move(outcome.error()));
                        }
                      });
}

// Runs a tool that calls the upstream API, with the connector's configured token or, without
// one, the OAuth token the credential vault hands out.
caf::result<std::string> run_upstream(connector_pointer self, const connectors::tool_spec& tool,
                                      const tool_call& call,
                                      std::chrono::steady_clock::time_point start) {
  auto& st = self->state;
  auto args = connectors::checked_arguments(tool, call.arguments);
  if (!args) {
    record(self, args.error(), start);
    return std::move(args.error());
  }
  auto context = upstream_context(st);
  if (!context) {
    record(self, context.error(), start);
    return std::move(context.error());
  }
  auto id = ++st.next_pending;
  connector_state::pending_call entry;
  auto promise = self->make_response_promise<std::string>();
  entry.promise = promise;
  entry.start = start;
  entry.call = call;
  st.pending.emplace(id, std::move(entry));
  if (!context->credentials.headers.empty()) {
    send_upstream(self, tool, id, std::move(*args), std::move(*context));
    return promise;
  }
  const auto& api = *st.spec->api;
  self
    ->request(st.upstream->vault, std::chrono::seconds{60}, atom::get_v, atom::credential_v,
              st.row.tenant_id, std::string{api.oauth_provider}, st.owner)
    .then(
      [self, &tool, id, args = std::move(*args),
       context = std::move(*context)](std::string& token) mutable {
        if (!self->state.pending.contains(id)) {
          return; // cancelled meanwhile
        }
        context.credentials.headers.push_back({"Authorization", "Bearer " + token});
        context.credentials.origin = self->state.owner.empty() ? "the tenant's OAuth connection"
                                                               : "your own OAuth connection";
        send_upstream(self, tool, id, std::move(args), std::move(context));
      },
      [self, id](caf::error& err) {
        // The vault's words say what to do; the call fails as a tool result.
        const auto& spec_api = *self->state.spec->api;
        std::string service{spec_api.service};
        std::string provider{spec_api.oauth_provider};
        std::string text;
        if (code_of(err) != errc::not_found) {
          text = message_of(err);
        } else if (self->state.mode == connectors::credential_mode::user) {
          text = service + " is not connected for your API key: this connector calls " + service
                 + " with each caller's own account; connect yours at /api/v1/oauth/<tenant>/me/"
                 + "auth/" + provider + ".";
        } else {
          text = service + " is not connected: set the connector's '"
                 + std::string{spec_api.token_field} + "' configuration field, or have a tenant "
                 + "administrator connect an account at /api/v1/oauth/<tenant>/auth/" + provider
                 + ".";
        }
        auto failure = make_error(errc::tool_failed, std::move(text));
        self->send(caf::actor_cast<connector_actor>(self), atom::done_v, id, std::move(failure));
      });
  return promise;
}

caf::result<std::string> invoke(connector_pointer self, const tool_call& call) {
  auto& st = self->state;
  const auto* tool = connectors::find_tool(*st.spec, call.name);
  // A tool the policy disables does not exist for the caller.
  if (tool == nullptr || connectors::is_disabled(st.row.disabled_tools, call.name)) {
    return make_error(errc::unknown_tool, "Unknown tool: " + call.name);
  }
  if (call.stateless) {
    // Intermediaries may have routed on the mirrored headers: they must say what the body says.
    auto i = st.mirrored.find(tool->name);
    if (i == st.mirrored.end()) {
      i = st.mirrored.emplace(tool->name, connectors::mirrored_arguments(tool->input_schema)).first;
    }
    if (auto err = connectors::check_param_headers(i->second, call.arguments, call.param_headers)) {
      return err;
    }
  }
  ++st.calls;
  auto start = std::chrono::steady_clock::now();
  if (tool->script != nullptr) {
    return run_script(self, *tool, call, start);
  }
  if (tool->interactive != nullptr) {
    return run_interactive(self, *tool, call, start);
  }
  if (tool->http != nullptr && st.spec->api != nullptr) {
    return run_upstream(self, *tool, call, start);
  }
  auto result = connectors::call_tool(*tool, call.arguments);
  record(self, result ? caf::error{} : result.error(), start);
  if (!result) {
    return std::move(result.error());
  }
  return std::move(*result);
}

} // namespace

connector_actor::behavior_type connector(connector_actor::stateful_pointer<connector_state> self,
                                         connector_row row, std::string owner,
                                         const connectors::connector_spec* spec,
                                         const upstream_env* upstream) {
  self->state.row = std::move(row);
  self->state.owner = std::move(owner);
  self->state.spec = spec;
  self->state.upstream = upstream;
  if (spec->api != nullptr && upstream != nullptr && upstream->keys != nullptr) {
    self->state.configuration
      = security::open_object(*upstream->keys, self->state.row.configuration,
                              security::configuration_context(self->state.row.tenant_id));
    if (self->state.configuration) {
      auto mode = connectors::credential_mode_of(*spec->api, *self->state.configuration);
      if (!mode) {
        self->state.configuration = std::move(mode.error());
      } else {
        self->state.mode = *mode;
      }
    }
  }
  const auto& disabled = self->state.row.disabled_tools;
  self->state.tool_pages = connectors::tool_pages(*spec, disabled);
  self->state.tools_json = connectors::serialize_tools(*spec, disabled);
  return {
    [self](atom::get, const std::string& list) -> caf::result<std::string> {
      if (list == "tools") {
        return self->state.tools_json;
      }
      auto items = connectors::serialize_items(*self->state.spec, list);
      if (!items) {
        return std::move(items.error());
      }
      return std::move(*items);
    },
    [self](atom::list, const std::string& cursor) -> caf::result<std::string> {
      const auto& pages = self->state.tool_pages;
      auto index = connectors::page_of(cursor, pages.size());
      if (!index) {
        return std::move(index.error());
      }
      return pages[*index];
    },
    [self](atom::invoke, const tool_call& call) -> caf::result<std::string> {
      return invoke(self, call);
    },
    [self](atom::tick, uint64_t id) {
      advance_script(self, id);
    },
    [self](atom::cancel, uint64_t call_id) {
      cancel_call(self, call_id);
    },
    [self](atom::done, uint64_t id, std::string& result) {
      settle(self, id, std::move(result));
    },
    [self](atom::done, uint64_t id, caf::error& err) {
      settle(self, id, std::move(err));
    },
    [self](atom::handle, const mcp_request& req) -> caf::result<mcp_reply> {
      connectors::round_context round{req.client_capabilities, req.input_responses,
                                      req.request_state, req.stateless};
      auto result = connectors::serve(*self->state.spec, req.method, req.params, round);
      if (!result) {
        return std::move(result.error());
      }
      return mcp_reply{std::move(*result)};
    },
    [self](atom::get, atom::connector) -> std::string {
      return connectors::capabilities(*self->state.spec);
    },
    [self](atom::get, atom::tool) -> std::string {
      boost::json::array tools;
      for (const auto& tool : self->state.spec->tools) {
        tools.emplace_back(
          boost::json::object{{"name", tool.name}, {"description", tool.description}});
      }
      return boost::json::serialize(tools);
    },
    [self](atom::status) -> std::string {
      const auto& st = self->state;
      boost::json::object status;
      status["connector_id"] = st.row.id;
      status["connector_type"] = st.row.connector_type;
      status["calls"] = st.calls;
      status["failures"] = st.failures;
      return boost::json::serialize(status);
    },
  };
}

} // namespace sagemcp
