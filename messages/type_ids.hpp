#pragma once

#include "messages/types.hpp"

#include <caf/type_id.hpp>

#include <string>
#include <vector>

CAF_BEGIN_TYPE_ID_BLOCK(sagemcp, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::principal))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::tenant_row))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::connector_row))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::api_key_row))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::tenant_snapshot))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::mcp_request))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::mcp_envelope))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::mcp_reply))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::session_request))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::session_info))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::tool_call))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::tenant_row>))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::connector_row>))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::api_key_row>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::tool_state_row))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::tool_state_row>))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::audit_row))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::audit_row>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::usage_row))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::usage_row>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::oauth_credential_row))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::oauth_credential_row>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::oauth_config_row))
  CAF_ADD_TYPE_ID(sagemcp, (std::vector<sagemcp::oauth_config_row>))
  CAF_ADD_TYPE_ID(sagemcp, (sagemcp::oauth_flow_row))

  // Verbs.
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, open, "open")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, route, "route")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, close, "close")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, evict, "evict")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, status, "status")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, handle, "handle")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, list, "list")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, invoke, "invoke")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, create, "create")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, update, "update")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, erase, "erase")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, get, "get")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, load, "load")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, revoke, "revoke")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, ping, "ping")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, tick, "tick")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, ok, "ok")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, push, "push")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, ask, "ask")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, cancel, "cancel")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, attach, "attach")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, done, "done")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, received, "received")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, diagnostic, "diagnostic")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, exited, "exited")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, restart, "restart")

  // Nouns that select the entity a persistence verb works on.
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, tenant, "tenant")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, connector, "connector")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, key, "key")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, tool, "tool")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, session, "session")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, instance, "instance")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, audit, "audit")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, usage, "usage")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, credential, "credential")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, oauth_app, "oauth_app")
  CAF_ADD_ATOM(sagemcp, sagemcp::atom, flow, "flow")

CAF_END_TYPE_ID_BLOCK(sagemcp)

#include <caf/actor_system_config.hpp>

namespace sagemcp {

/// Registers every message type of the sagemcp type-ID block with an actor system config.
inline void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::sagemcp>();
}

} // namespace sagemcp
