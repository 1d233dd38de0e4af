#pragma once

#include "cli/mcp_client.hpp"
#include "cli/output.hpp"

#include <boost/json/array.hpp>

#include <string>
#include <vector>

namespace sagemcp::cli {

/// Prints why an MCP request failed on stderr; returns its exit code.
int mcp_fail(const mcp_reply& reply);

/// The tools the server lists (all pages); empty with `reply` holding the failure.
boost::json::array mcp_list(mcp_client& client, const std::string& method, const char* member,
                            mcp_reply& reply);

/// Prints the initialize result of the session.
int mcp_info(const printer& out, const boost::json::value& init_result);
/// Prints the tools.
int mcp_tools(const printer& out, mcp_client& client);
/// Calls a tool with a JSON object (`args_json`, may be empty) and `key=value` pairs typed by
/// its inputSchema. Returns 1 when the tool reports an error.
int mcp_call(const printer& out, mcp_client& client, const std::string& tool,
             const std::string& args_json, const std::vector<std::string>& pairs);
/// Calls a tool with ready arguments.
int mcp_call_with(const printer& out, mcp_client& client, const std::string& tool,
                  boost::json::object arguments);
int mcp_resources(const printer& out, mcp_client& client);
int mcp_read(const printer& out, mcp_client& client, const std::string& uri);
int mcp_prompts(const printer& out, mcp_client& client);
int mcp_get_prompt(const printer& out, mcp_client& client, const std::string& name,
                   const std::vector<std::string>& pairs);
/// Sends an MCP ping and prints the round trip in milliseconds.
int mcp_ping(const printer& out, mcp_client& client);

/// Runs the interactive shell on the session; returns when the user quits.
int run_repl(const printer& out, mcp_client& client);

} // namespace sagemcp::cli
