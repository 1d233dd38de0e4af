#include "actors/connector.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

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
  if (err) {
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
  // Only sessions call tools; they route the notifications to the right client stream.
  auto caller = caf::actor_cast<session_actor>(self->current_sender());
  std::chrono::milliseconds at{0};
  for (auto& note : plan->notifications) {
    at += note.after;
    bool progress = note.method == "notifications/progress";
    if (!caller || (progress && call.progress_token.empty())) {
      continue;
    }
    if (progress) {
      boost::system::error_code ec;
      note.params["progressToken"] = boost::json::parse(call.progress_token, ec);
    }
    boost::json::object message{
      {"jsonrpc", "2.0"}, {"method", note.method}, {"params", std::move(note.params)}};
    self->delayed_send(caller, at, atom::push_v, call.call_id, boost::json::serialize(message));
  }
  auto& st = self->state;
  auto id = ++st.next_script;
  auto promise = self->make_response_promise<std::string>();
  connector_state::scripted_call entry;
  entry.promise = promise;
  entry.result = boost::json::serialize(plan->result);
  entry.start = start;
  entry.call_id = call.call_id;
  if (plan->answer != nullptr) {
    entry.ask_method = std::move(plan->ask_method);
    entry.ask_params = boost::json::serialize(plan->ask_params);
    entry.answer = plan->answer;
    entry.caller = caller;
  }
  st.scripted.emplace(id, std::move(entry));
  self->delayed_send(self, at, atom::tick_v, id);
  return promise;
}

// Delivers a scripted call's result made from the client's answer.
void deliver_answer(connector_pointer self, connector_state::scripted_call& entry,
                    const caf::expected<boost::json::value>& answer) {
  auto result = entry.answer(answer);
  record(self, result ? caf::error{} : result.error(), entry.start);
  if (result) {
    entry.promise.deliver(boost::json::serialize(*result));
  } else {
    entry.promise.deliver(std::move(result.error()));
  }
}

// Asks the client through the calling session, then answers the tool call (unless it was
// cancelled meanwhile).
void ask_client(connector_pointer self, uint64_t id) {
  auto& entry = self->state.scripted.at(id);
  if (!entry.caller) {
    deliver_answer(self, entry, make_error(errc::tool_failed, "no session to ask"));
    self->state.scripted.erase(id);
    return;
  }
  auto answered = [self, id](const caf::expected<boost::json::value>& answer) {
    auto i = self->state.scripted.find(id);
    if (i == self->state.scripted.end()) {
      return;
    }
    deliver_answer(self, i->second, answer);
    self->state.scripted.erase(i);
  };
  self
    ->request(entry.caller, client_answer_timeout, atom::ask_v, entry.call_id, entry.ask_method,
              entry.ask_params)
    .then(
      [answered](std::string& raw) {
        boost::system::error_code ec;
        auto value = boost::json::parse(raw, ec);
        if (ec) {
          answered(make_error(errc::tool_failed, "the client's answer is not JSON"));
          return;
        }
        answered(std::move(value));
      },
      [answered](caf::error& err) {
        answered(err);
      });
}

// Stops a running scripted call: its promise reports the cancellation, its pending
// notifications are dropped by the session, and a late answer finds nothing to complete.
void cancel_script(connector_pointer self, uint64_t call_id) {
  auto& scripted = self->state.scripted;
  for (auto i = scripted.begin(); i != scripted.end(); ++i) {
    if (i->second.call_id == call_id) {
      i->second.promise.deliver(make_error(errc::cancelled));
      scripted.erase(i);
      return;
    }
  }
}

void finish_script(connector_pointer self, uint64_t id) {
  auto& st = self->state;
  auto i = st.scripted.find(id);
  if (i == st.scripted.end()) {
    return;
  }
  if (i->second.answer != nullptr) {
    ask_client(self, id);
    return;
  }
  record(self, caf::error{}, i->second.start);
  i->second.promise.deliver(std::move(i->second.result));
  st.scripted.erase(i);
}

caf::result<std::string> invoke(connector_pointer self, const tool_call& call) {
  auto& st = self->state;
  const auto* tool = connectors::find_tool(*st.spec, call.name);
  if (tool == nullptr) {
    return make_error(errc::unknown_tool, "Unknown tool: " + call.name);
  }
  ++st.calls;
  auto start = std::chrono::steady_clock::now();
  if (tool->script != nullptr) {
    return run_script(self, *tool, call, start);
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
                                         connector_row row,
                                         const connectors::connector_spec* spec) {
  self->state.row = std::move(row);
  self->state.spec = spec;
  self->state.tool_pages = connectors::tool_pages(*spec);
  self->state.tools_json = connectors::serialize_tools(*spec);
  return {
    [self](atom::get, atom::tool) {
      return self->state.tools_json;
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
      finish_script(self, id);
    },
    [self](atom::cancel, uint64_t call_id) {
      cancel_script(self, call_id);
    },
    [self](atom::handle, const mcp_request& req) -> caf::result<mcp_reply> {
      auto result = connectors::serve(*self->state.spec, req.method, req.params);
      if (!result) {
        return std::move(result.error());
      }
      return mcp_reply{std::move(*result)};
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
