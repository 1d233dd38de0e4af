#pragma once

#include "messages/type_ids.hpp"
#include "messages/types.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

namespace sagemcp {

/// The output side of one client request that may stream (a transport bridge).
using request_stream_actor = caf::typed_actor<
  // Sends a JSON-RPC message (notification or request) to the client ahead of the request's
  // final response.
  caf::reacts_to<atom::push, std::string>,
  // Sends an event of a resumable stream: its id and the JSON-RPC message; an empty message is
  // the priming event (the id alone, with the reconnection delay).
  caf::reacts_to<atom::push, std::string, std::string>,
  // Ends the connection carrying the stream; the stream itself may go on (the client resumes it
  // with Last-Event-ID) or be finished.
  caf::reacts_to<atom::close>,
  // Writes a keep-alive comment when an open event stream has been idle.
  caf::reacts_to<atom::tick>>;

/// The single writer of the database (and, for now, its reader).
using persistence_actor = caf::typed_actor<
  // Inserts a tenant; fails with conflict if the slug exists.
  caf::replies_to<atom::create, tenant_row>::with<tenant_row>,
  // Updates name, description and contact email of the tenant with the row's slug.
  caf::replies_to<atom::update, tenant_row>::with<tenant_row>,
  // Deletes a tenant by slug with everything it owns.
  caf::replies_to<atom::erase, atom::tenant, std::string>::with<atom::ok>,
  // Reads a tenant by slug.
  caf::replies_to<atom::get, atom::tenant, std::string>::with<tenant_row>,
  // Lists every tenant, ordered by slug.
  caf::replies_to<atom::list, atom::tenant>::with<std::vector<tenant_row>>,
  // Reads a tenant by slug together with its connectors.
  caf::replies_to<atom::load, std::string>::with<tenant_snapshot>,
  // Inserts a connector.
  caf::replies_to<atom::create, connector_row>::with<connector_row>,
  // Updates a connector's mutable fields (matched by id and tenant id).
  caf::replies_to<atom::update, connector_row>::with<connector_row>,
  // Deletes a connector by tenant id and connector id.
  caf::replies_to<atom::erase, atom::connector, std::string, std::string>::with<atom::ok>,
  // Inserts an API key.
  caf::replies_to<atom::create, api_key_row>::with<api_key_row>,
  // Lists every API key, newest first.
  caf::replies_to<atom::list, atom::key>::with<std::vector<api_key_row>>,
  // Marks an API key inactive; replies with the updated row.
  caf::replies_to<atom::revoke, std::string>::with<api_key_row>,
  // Lists the tool policy rows of a connector by id.
  caf::replies_to<atom::list, atom::tool, std::string>::with<std::vector<tool_state_row>>,
  // Sets tool states of a connector and deletes the rows of the named tools in one transaction;
  // replies with the connector's rows afterwards.
  caf::replies_to<atom::update, atom::tool, std::string, std::vector<tool_state_row>,
                  std::vector<std::string>>::with<std::vector<tool_state_row>>,
  // Records the last use of API keys and the new hashes of re-hashed keys, in one transaction.
  caf::replies_to<atom::update, atom::key, std::vector<api_key_row>>::with<atom::ok>,
  // Adds tool call counts to the daily usage totals, in one transaction.
  caf::replies_to<atom::update, atom::usage, std::vector<usage_row>>::with<atom::ok>,
  // Daily usage from a day (YYYY-MM-DD) on, of a tenant (all for an empty slug).
  caf::replies_to<atom::list, atom::usage, std::string, std::string>::with<std::vector<usage_row>>,
  // Appends an entry to the audit log (id and time filled in); replies with it.
  caf::replies_to<atom::audit, audit_row>::with<audit_row>,
  // The newest audit entries of a tenant (all for an empty slug), at most `limit`.
  caf::replies_to<atom::list, atom::audit, std::string, int64_t>::with<std::vector<audit_row>>,
  // Inserts or replaces the OAuth credential of (tenant id, provider, owner); replies with it.
  caf::replies_to<atom::create, oauth_credential_row>::with<oauth_credential_row>,
  // Reads the OAuth credential of (tenant id, provider, owner); not_found if none.
  caf::replies_to<atom::get, atom::credential, std::string, std::string,
                  std::string>::with<oauth_credential_row>,
  // Lists a tenant's OAuth credentials (by tenant id), ordered by provider and owner.
  caf::replies_to<atom::list, atom::credential, std::string>::with<std::vector<oauth_credential_row>>,
  // Deletes the OAuth credential of (tenant id, provider, owner); replies with the deleted row
  // (so its tokens can be revoked at the provider); not_found if none.
  caf::replies_to<atom::erase, atom::credential, std::string, std::string,
                  std::string>::with<oauth_credential_row>,
  // Replaces the tokens of a credential (refresh) if it still holds the first row's tokens
  // (compare-and-set by id); replies whether it did.
  caf::replies_to<atom::update, atom::credential, oauth_credential_row,
                  oauth_credential_row>::with<bool>,
  // Inserts or replaces a tenant's OAuth app for a provider; replies with it.
  caf::replies_to<atom::create, oauth_config_row>::with<oauth_config_row>,
  // Reads a tenant's OAuth app (tenant id, provider); not_found if none.
  caf::replies_to<atom::get, atom::oauth_app, std::string, std::string>::with<oauth_config_row>,
  // Lists a tenant's OAuth apps (by tenant id), ordered by provider.
  caf::replies_to<atom::list, atom::oauth_app, std::string>::with<std::vector<oauth_config_row>>,
  // Deletes a tenant's OAuth app (tenant id, provider); not_found if none.
  caf::replies_to<atom::erase, atom::oauth_app, std::string, std::string>::with<atom::ok>,
  // Records a started authorization (and forgets flows that ended long ago); replies with it.
  caf::replies_to<atom::create, oauth_flow_row>::with<oauth_flow_row>,
  // Claims a flow for its callback, once: marks it `exchanging` if it waits and has not
  // expired; not_found otherwise (unknown, already claimed or expired).
  caf::replies_to<atom::open, atom::flow, std::string>::with<oauth_flow_row>,
  // Records the outcome of a claimed flow (id, outcome).
  caf::replies_to<atom::close, atom::flow, std::string, std::string>::with<atom::ok>,
  // Reads a flow by id; not_found if none.
  caf::replies_to<atom::get, atom::flow, std::string>::with<oauth_flow_row>,
  // Checks that the database answers; used by readiness. Answers storage_unavailable at once
  // while the database is known to be unreachable.
  caf::replies_to<atom::ping>::with<atom::ok>,
  // Retries the requests waiting for an unreachable database (the actor's own timer).
  caf::reacts_to<atom::tick>,
  // Reports the actor's state as a JSON object.
  caf::replies_to<atom::status>::with<std::string>>;

/// Hands out the OAuth access tokens of upstream credentials; one per node. It caches them
/// opened, refreshes one that is about to expire before handing it out, and refreshes each
/// credential once however many calls wait for it.
using credential_vault_actor = caf::typed_actor<
  // The access token of the credential of (tenant id, provider, owner); an empty owner is the
  // tenant's own credential. not_found when there is none.
  caf::replies_to<atom::get, atom::credential, std::string, std::string,
                  std::string>::with<std::string>,
  // Forgets the cached credentials of (tenant id, provider) after they changed.
  caf::reacts_to<atom::evict, atom::credential, std::string, std::string>,
  // A refresh of the credential cached under a key finished: the row to store (tokens sealed),
  // or why it failed. Sent by the vault's own outbound requests.
  caf::reacts_to<atom::update, atom::credential, std::string, oauth_credential_row>,
  caf::reacts_to<atom::update, atom::credential, std::string, caf::error>,
  // Reports the vault's state as a JSON object.
  caf::replies_to<atom::status>::with<std::string>>;

/// Executes the tools of one connector instance (tenant × connector × credential owner).
using connector_actor = caf::typed_actor<
  // Replies with the serialized tools/list result page a cursor names (empty: the first).
  caf::replies_to<atom::list, std::string>::with<std::string>,
  // Replies with the serialized JSON array of every item of a list, named by its result member:
  // tools, prompts, resources or resourceTemplates.
  caf::replies_to<atom::get, std::string>::with<std::string>,
  // Runs a tool call; replies with a raw JSON CallToolResult. Notifications the tool emits while
  // it runs go to the sender as (push, call id, JSON-RPC notification).
  caf::replies_to<atom::invoke, tool_call>::with<std::string>,
  // Continues a tool call that emits notifications over time (by internal call number).
  caf::reacts_to<atom::tick, uint64_t>,
  // Stops a running tool call of the sender by its call id; its result is never sent.
  caf::reacts_to<atom::cancel, uint64_t>,
  // Completes a tool call that ran upstream (by internal call number): its raw JSON
  // CallToolResult, or its failure. Sent by the instance's outbound requests.
  caf::reacts_to<atom::done, uint64_t, std::string>,
  caf::reacts_to<atom::done, uint64_t, caf::error>,
  // Answers a connector-level method: resources, resource templates, prompts and completion.
  caf::replies_to<atom::handle, mcp_request>::with<mcp_reply>,
  // Replies with the server capabilities the instance offers (JSON object text), once it can
  // tell: an external server's after its initialize handshake.
  caf::replies_to<atom::get, atom::connector>::with<std::string>,
  // Replies with every tool the connector has, the tool policy ignored: a JSON array of
  // {name, description}, for the policy endpoints.
  caf::replies_to<atom::get, atom::tool>::with<std::string>,
  // Reports the actor's state as a JSON object.
  caf::replies_to<atom::status>::with<std::string>>;

/// A connector instance that hosts an external MCP server: a child process, or a link to a
/// remote server. Both are named by a number of the instance's own.
using external_connector_actor = connector_actor::extend<
  // A JSON-RPC message the server sent (from the process runner's or HTTP client's thread).
  caf::reacts_to<atom::received, uint64_t, std::string>,
  // A line the child wrote to stderr, or a note of the remote link.
  caf::reacts_to<atom::diagnostic, uint64_t, std::string>,
  // The child ended: its wait status.
  caf::reacts_to<atom::exited, uint64_t, int>,
  // The link to a remote server ended: why.
  caf::reacts_to<atom::exited, uint64_t, std::string>,
  // Restarts the child now (the admin's restart), or after its back-off (the actor's own timer
  // with the generation it was set for); replies once the new child was started.
  caf::replies_to<atom::restart>::with<atom::ok>, caf::reacts_to<atom::restart, uint64_t>>;

/// Holds one tenant's configuration snapshot.
using tenant_actor = caf::typed_actor<
  // Resolves an enabled connector of this tenant by id.
  caf::replies_to<atom::open, std::string>::with<connector_row>,
  // Lists the tenant's enabled connectors, for the tenant-wide endpoint.
  caf::replies_to<atom::list, atom::connector>::with<std::vector<connector_row>>,
  // Reports the actor's state as a JSON object.
  caf::replies_to<atom::status>::with<std::string>>;

/// One legacy-era MCP session.
using session_actor = caf::typed_actor<
  // Handles a request or notification of this session.
  caf::replies_to<atom::handle, mcp_request>::with<mcp_reply>,
  // Checks the idle deadline; the session ends itself once it passed.
  caf::reacts_to<atom::tick>,
  // Fails the tool calls that ran past their deadline.
  caf::reacts_to<atom::tick, atom::invoke>,
  // Forwards a notification that a running tool call emitted (call id, JSON-RPC notification)
  // to the stream of the request that started it.
  caf::reacts_to<atom::push, uint64_t, std::string>,
  // Sends a request (method, raw JSON params) to the client on the stream of a running call and
  // replies with the client's raw JSON result once it POSTs its response.
  caf::replies_to<atom::ask, uint64_t, std::string, std::string>::with<std::string>,
  // Delivers a change notification of the session's endpoint (a list_changed or
  // resources/updated JSON-RPC notification) to the client's subscriptions that asked for it.
  caf::reacts_to<atom::push, std::string>,
  // Ends the connection carrying the event stream of a running call (by call id); the client
  // resumes the stream with Last-Event-ID.
  caf::reacts_to<atom::close, uint64_t>,
  // Makes the sender the connection of an event stream: the GET stream for an empty
  // Last-Event-ID, else the stream the id names, replaying the events after it.
  caf::replies_to<atom::attach, std::string>::with<atom::ok>,
  // Reports the actor's state as a JSON object.
  caf::replies_to<atom::status>::with<std::string>>;

/// The node's directory of live tenants, connector instances and sessions.
using server_pool_actor = caf::typed_actor<
  // Opens a session after an initialize request; replies with its id.
  caf::replies_to<atom::open, session_request>::with<session_info>,
  // Checks that an endpoint (tenant slug, connector id; empty for the tenant endpoint) exists
  // and is enabled: tenant_not_found, connector_not_found or connector_disabled otherwise.
  caf::replies_to<atom::get, atom::connector, std::string, std::string>::with<atom::ok>,
  // Routes a message to the session named in the envelope.
  caf::replies_to<atom::route, mcp_envelope>::with<mcp_reply>,
  // Attaches the sender as a connection of an event stream of the session named in the envelope
  // (Last-Event-ID, empty for the GET stream).
  caf::replies_to<atom::attach, mcp_envelope, std::string>::with<atom::ok>,
  // Terminates the session named in the envelope.
  caf::replies_to<atom::close, mcp_envelope>::with<atom::ok>,
  // Delivers a change notification of the endpoint (tenant slug, connector id) to its sessions
  // and to the tenant-wide sessions of the tenant.
  caf::reacts_to<atom::push, std::string, std::string, std::string>,
  // Drops cached actors after a configuration change of (tenant slug, connector id); an empty
  // connector id evicts the whole tenant.
  caf::replies_to<atom::evict, std::string, std::string>::with<atom::ok>,
  // A session's lookup of a live instance of (tenant slug, connector id, the session's API key
  // id), after the one it held was evicted or crashed; replies with the instance (a
  // connector_actor).
  caf::replies_to<atom::open, atom::instance, std::string, std::string,
                  std::string>::with<caf::strong_actor_ptr>,
  // Lists the connector instances (of one tenant, or all for an empty slug) as a JSON array.
  caf::replies_to<atom::list, atom::instance, std::string>::with<std::string>,
  // Lists the sessions (of one tenant, or all for an empty slug) as a JSON array.
  caf::replies_to<atom::list, atom::session, std::string>::with<std::string>,
  // One session by id as a JSON object: what the list shows plus the session's own status
  // (calls, subscriptions, event streams, bytes held against its budget); not_found if none.
  caf::replies_to<atom::get, atom::session, std::string>::with<std::string>,
  // Evicts the instances of (tenant slug, connector id); not_found when there is none. Their
  // sessions stay and get a new instance on their next request.
  caf::replies_to<atom::evict, atom::instance, std::string, std::string>::with<atom::ok>,
  // Reports the live instances of (tenant slug, connector id) with each one's own status (an
  // external server's process), as a JSON array.
  caf::replies_to<atom::get, atom::instance, std::string, std::string>::with<std::string>,
  // Restarts the processes of the external instances of (tenant slug, connector id); not_found
  // when none runs.
  caf::replies_to<atom::restart, std::string, std::string>::with<atom::ok>,
  // Evicts every instance idle for at least this many seconds; replies with how many.
  caf::replies_to<atom::evict, atom::instance, int64_t>::with<uint64_t>,
  // Terminates a session by id (an administrator's request); session_not_found if none.
  caf::replies_to<atom::close, atom::session, std::string>::with<atom::ok>,
  // The tool policy of (tenant slug, connector id) changed: drops what was built with the old
  // one and tells the endpoint's clients that the tool list changed.
  caf::replies_to<atom::update, atom::tool, std::string, std::string>::with<atom::ok>,
  // Sweeps instances idle past their TTL (the pool's own timer).
  caf::reacts_to<atom::tick>,
  // Restarts a crashed instance after its back-off (key, generation; the pool's own timer).
  caf::reacts_to<atom::tick, std::string, uint64_t>,
  // Reports the pool as a JSON object: sizes, limits, lookups and instances by tenant.
  caf::replies_to<atom::status>::with<std::string>>;

} // namespace sagemcp
