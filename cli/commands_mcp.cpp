#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/mcp_ops.hpp"
#include "cli/spinner.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <iostream>

namespace sagemcp::cli {

namespace json = boost::json;

int mcp_fail(const mcp_reply& reply) {
  std::cerr << "sagemcp: " << reply.message << '\n';
  return reply.exit_code();
}

json::array mcp_list(mcp_client& client, const std::string& method, const char* member,
                     mcp_reply& reply) {
  json::array all;
  std::string cursor;
  // Pages end when the server sends no nextCursor; the bound keeps a looping server finite.
  for (int page = 0; page < 100; ++page) {
    json::object params;
    if (!cursor.empty()) {
      params["cursor"] = cursor;
    }
    reply = client.request(method, std::move(params));
    if (!reply.ok()) {
      return {};
    }
    if (const auto* items = member_at(reply.result, member);
        items != nullptr && items->is_array()) {
      for (const auto& item : items->as_array()) {
        all.push_back(item);
      }
    }
    const auto* next = member_at(reply.result, "nextCursor");
    if (next == nullptr || !next->is_string() || next->as_string().empty()) {
      break;
    }
    cursor = std::string{next->as_string()};
  }
  return all;
}

int mcp_info(const printer& out, const json::value& result) {
  std::string text;
  const auto* name = member_at(result, "serverInfo.name");
  const auto* version = member_at(result, "serverInfo.version");
  text += "server:        " + (name != nullptr ? cell_text(*name) : "-") + " "
          + (version != nullptr ? cell_text(*version) : "") + "\n";
  const auto* protocol = member_at(result, "protocolVersion");
  text += "protocol:      " + (protocol != nullptr ? cell_text(*protocol) : "-") + "\n";
  std::string caps;
  if (const auto* c = member_at(result, "capabilities"); c != nullptr && c->is_object()) {
    for (const auto& [key, value] : c->as_object()) {
      caps += caps.empty() ? "" : ", ";
      caps += key;
      (void)value;
    }
  }
  text += "capabilities:  " + caps + "\n";
  if (const auto* instructions = member_at(result, "instructions"); instructions != nullptr) {
    text += "instructions:  " + cell_text(*instructions) + "\n";
  }
  out.value(result, text);
  return 0;
}

int mcp_tools(const printer& out, mcp_client& client) {
  mcp_reply reply;
  auto tools = mcp_list(client, "tools/list", "tools", reply);
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  out.list(tools, {{"NAME", "name"}, {"DESCRIPTION", "description"}});
  return 0;
}

namespace {

// The text of a tool result's or prompt message's content item.
std::string content_text(const json::value& item) {
  auto type = member_at(item, "type") != nullptr ? cell_text(*member_at(item, "type")) : "";
  if (type == "text") {
    return cell_text(*member_at(item, "text"));
  }
  if (type == "resource") {
    const auto* text = member_at(item, "resource.text");
    const auto* uri = member_at(item, "resource.uri");
    return "[resource " + (uri != nullptr ? cell_text(*uri) : "") + "]"
           + (text != nullptr ? "\n" + cell_text(*text) : "");
  }
  const auto* mime = member_at(item, "mimeType");
  const auto* data = member_at(item, "data");
  return "[" + type + (mime != nullptr ? " " + cell_text(*mime) : "")
         + (data != nullptr && data->is_string()
              ? ", " + std::to_string(data->as_string().size()) + " base64 characters"
              : "")
         + "]";
}

} // namespace

int mcp_call_with(const printer& out, mcp_client& client, const std::string& tool,
                  json::object arguments) {
  auto reply = client.request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  std::string text;
  if (const auto* content = member_at(reply.result, "content");
      content != nullptr && content->is_array()) {
    for (const auto& item : content->as_array()) {
      text += content_text(item) + "\n";
    }
  }
  if (text.empty()) {
    if (const auto* structured = member_at(reply.result, "structuredContent")) {
      text = pretty_json(*structured);
    }
  }
  out.value(reply.result, text);
  const auto* error = member_at(reply.result, "isError");
  return error != nullptr && error->is_bool() && error->as_bool() ? 1 : 0;
}

int mcp_call(const printer& out, mcp_client& client, const std::string& tool,
             const std::string& args_json, const std::vector<std::string>& pairs) {
  json::object arguments;
  if (!args_json.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(args_json, ec);
    if (ec || !parsed.is_object()) {
      std::cerr << "sagemcp: --args must be a JSON object\n";
      return 2;
    }
    arguments = std::move(parsed.as_object());
  }
  if (!pairs.empty()) {
    mcp_reply reply;
    auto tools = mcp_list(client, "tools/list", "tools", reply);
    if (!reply.ok()) {
      return mcp_fail(reply);
    }
    json::value schema;
    for (const auto& t : tools) {
      if (const auto* n = member_at(t, "name"); n != nullptr && cell_text(*n) == tool) {
        if (const auto* s = member_at(t, "inputSchema")) {
          schema = *s;
        }
      }
    }
    std::string error;
    if (!arguments_from_pairs(pairs, schema, arguments, error)) {
      std::cerr << "sagemcp: " << error << '\n';
      return 2;
    }
  }
  return mcp_call_with(out, client, tool, std::move(arguments));
}

int mcp_resources(const printer& out, mcp_client& client) {
  mcp_reply reply;
  auto items = mcp_list(client, "resources/list", "resources", reply);
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  out.list(items, {{"URI", "uri"}, {"NAME", "name"}, {"MIME TYPE", "mimeType"}});
  return 0;
}

int mcp_read(const printer& out, mcp_client& client, const std::string& uri) {
  auto reply = client.request("resources/read", {{"uri", uri}});
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  std::string text;
  if (const auto* contents = member_at(reply.result, "contents");
      contents != nullptr && contents->is_array()) {
    for (const auto& item : contents->as_array()) {
      const auto* t = member_at(item, "text");
      text += t != nullptr ? cell_text(*t) + "\n"
                           : "[blob " + cell_text(*member_at(item, "uri")) + "]\n";
    }
  }
  out.value(reply.result, text);
  return 0;
}

int mcp_prompts(const printer& out, mcp_client& client) {
  mcp_reply reply;
  auto items = mcp_list(client, "prompts/list", "prompts", reply);
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  for (auto& item : items) {
    if (auto* obj = item.if_object(); obj != nullptr && obj->contains("arguments")) {
      json::array names;
      for (const auto& arg : obj->at("arguments").as_array()) {
        names.push_back(*member_at(arg, "name"));
      }
      (*obj)["argument_names"] = std::move(names);
    }
  }
  out.list(items,
           {{"NAME", "name"}, {"DESCRIPTION", "description"}, {"ARGUMENTS", "argument_names"}});
  return 0;
}

int mcp_get_prompt(const printer& out, mcp_client& client, const std::string& name,
                   const std::vector<std::string>& pairs) {
  json::object arguments;
  std::string key;
  std::string value;
  for (const auto& pair : pairs) {
    if (!split_pair(pair, key, value)) {
      std::cerr << "sagemcp: '" << pair << "' is no key=value pair\n";
      return 2;
    }
    arguments[key] = value;
  }
  auto reply = client.request("prompts/get", {{"name", name}, {"arguments", std::move(arguments)}});
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  std::string text;
  if (const auto* messages = member_at(reply.result, "messages");
      messages != nullptr && messages->is_array()) {
    for (const auto& m : messages->as_array()) {
      const auto* content = member_at(m, "content");
      text += cell_text(*member_at(m, "role")) + ": "
              + (content != nullptr ? content_text(*content) : "") + "\n";
    }
  }
  out.value(reply.result, text);
  return 0;
}

int mcp_ping(const printer& out, mcp_client& client) {
  auto start = std::chrono::steady_clock::now();
  auto reply = client.request("ping");
  auto ms
    = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!reply.ok()) {
    return mcp_fail(reply);
  }
  char text[64];
  std::snprintf(text, sizeof text, "pong in %.1f ms", ms);
  out.value(json::object{{"ok", true}, {"round_trip_ms", ms}}, text);
  return 0;
}

namespace {

struct mcp_flags {
  std::string tenant;
  std::string connector;
  std::string endpoint;
  std::string name;
  std::string args_json;
  std::vector<std::string> pairs;
};

// Opens a session on the chosen endpoint, runs `fn` on it, and ends the session.
int with_mcp(session& s, const mcp_flags& f,
             const std::function<int(mcp_client&, const json::value&)>& fn) {
  std::string endpoint = f.endpoint;
  if (endpoint.empty()) {
    if (f.tenant.empty()) {
      return fail(2, "name the target: --tenant T [--connector ID], or --endpoint URL");
    }
    endpoint = s.url + "/api/v1/" + encode_component(f.tenant)
               + (f.connector.empty() ? "/mcp"
                                      : "/connectors/" + encode_component(f.connector) + "/mcp");
  }
  std::vector<connectors::http_header> headers;
  if (!s.api_key.empty()) {
    headers.push_back({"Authorization", "Bearer " + s.api_key});
  }
  mcp_client client{s.api().http(), endpoint, std::move(headers)};
  spinner wait{"connecting"};
  auto init = client.initialize();
  wait.stop();
  if (!init.ok()) {
    return mcp_fail(init);
  }
  return fn(client, init.result);
}

} // namespace

void add_mcp_commands(CLI::App& app, cli_state& state) {
  auto* group = app.add_subcommand("mcp", "Talk MCP to a connector or a tenant's endpoint");
  group->require_subcommand(1);
  auto f = std::make_shared<mcp_flags>();
  group->add_option("--tenant", f->tenant, "Tenant slug");
  group->add_option("--connector", f->connector, "Connector id; without it the tenant endpoint");
  group->add_option("--endpoint", f->endpoint, "Full MCP endpoint URL instead of --tenant");
  examples(group, "sagemcp mcp --tenant acme --connector 3f2c… tools\n"
                  "sagemcp mcp --tenant acme call echo message=hello\n"
                  "sagemcp mcp --tenant acme interactive");
  auto plain = [&state, f](CLI::App* cmd, std::string_view example,
                           std::function<int(const printer&, mcp_client&, const json::value&)> fn) {
    examples(cmd, example);
    on_run(cmd, state, [f, fn = std::move(fn)](session& s) {
      return with_mcp(s, *f, [&s, &fn](mcp_client& c, const json::value& init) {
        return fn(s.out(), c, init);
      });
    });
  };
  plain(group->add_subcommand("info", "Server info, protocol version and capabilities"),
        "sagemcp mcp --tenant acme --connector 3f2c… info",
        [](const printer& out, mcp_client&, const json::value& init) {
          return mcp_info(out, init);
        });
  plain(group->add_subcommand("tools", "List the tools"), "sagemcp mcp --tenant acme tools",
        [](const printer& out, mcp_client& c, const json::value&) {
          return mcp_tools(out, c);
        });
  auto* call = group->add_subcommand("call", "Call a tool");
  call->add_option("tool", f->name, "Tool name")->required();
  call->add_option("--args", f->args_json, "Arguments as a JSON object");
  call->add_option("pairs", f->pairs, "Arguments as key=value, typed by the tool's schema");
  plain(call,
        "sagemcp mcp --tenant acme call echo message=hello\n"
        "sagemcp mcp --tenant acme call add a=2 b=3\n"
        "sagemcp mcp --tenant acme call add --args '{\"a\":2,\"b\":3}' --format json",
        [f](const printer& out, mcp_client& c, const json::value&) {
          return mcp_call(out, c, f->name, f->args_json, f->pairs);
        });
  plain(group->add_subcommand("resources", "List the resources"),
        "sagemcp mcp --tenant acme resources",
        [](const printer& out, mcp_client& c, const json::value&) {
          return mcp_resources(out, c);
        });
  auto* read = group->add_subcommand("read", "Read a resource");
  read->add_option("uri", f->name, "Resource URI")->required();
  plain(read, "sagemcp mcp --tenant acme read test://static-text",
        [f](const printer& out, mcp_client& c, const json::value&) {
          return mcp_read(out, c, f->name);
        });
  plain(group->add_subcommand("prompts", "List the prompts"), "sagemcp mcp --tenant acme prompts",
        [](const printer& out, mcp_client& c, const json::value&) {
          return mcp_prompts(out, c);
        });
  auto* get_prompt = group->add_subcommand("get-prompt", "Get a prompt with arguments");
  get_prompt->add_option("name", f->name, "Prompt name")->required();
  get_prompt->add_option("pairs", f->pairs, "Arguments as key=value");
  plain(get_prompt, "sagemcp mcp --tenant acme get-prompt test_prompt_with_arguments arg1=a arg2=b",
        [f](const printer& out, mcp_client& c, const json::value&) {
          return mcp_get_prompt(out, c, f->name, f->pairs);
        });
  plain(group->add_subcommand("ping", "Send an MCP ping and print the round trip"),
        "sagemcp mcp --tenant acme ping",
        [](const printer& out, mcp_client& c, const json::value&) {
          return mcp_ping(out, c);
        });
  plain(group->add_subcommand("interactive", "A shell with history and tab completion"),
        "sagemcp mcp --tenant acme --connector 3f2c… interactive",
        [](const printer& out, mcp_client& c, const json::value&) {
          return run_repl(out, c);
        });
}

} // namespace sagemcp::cli
