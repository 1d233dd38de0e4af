#include "actors/connector.hpp"

#include "connectors/spec.hpp"
#include "messages/errc.hpp"
#include "observability/metrics.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

namespace sagemcp {

namespace {

caf::result<std::string> invoke(connector_actor::stateful_pointer<connector_state> self,
                                const std::string& tool_name, const std::string& arguments) {
  auto& st = self->state;
  const auto* tool = connectors::find_tool(*st.spec, tool_name);
  if (tool == nullptr) {
    return make_error(errc::unknown_tool, "Unknown tool: " + tool_name);
  }
  ++st.calls;
  auto start = std::chrono::steady_clock::now();
  auto result = connectors::call_tool(*tool, arguments);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::string_view outcome = "success";
  if (!result) {
    ++st.failures;
    outcome = info(code_of(result.error())).surface == error_surface::tool_result ? "tool_error"
                                                                                  : "error";
  }
  observability::metrics::global().observe_tool_call(st.row.connector_type, outcome,
                                                     elapsed.count());
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
  self->state.tools_json = connectors::serialize_tools(*spec);
  return {
    [self](atom::list) -> std::string {
      return self->state.tools_json;
    },
    [self](atom::invoke, const std::string& tool,
           const std::string& arguments) -> caf::result<std::string> {
      return invoke(self, tool, arguments);
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
