#include "cli/args.hpp"
#include "cli/config.hpp"
#include "cli/mcp_ops.hpp"

#include <boost/json.hpp>
#include <editline/readline.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace sagemcp::cli {

namespace json = boost::json;

namespace {

const std::vector<std::string> repl_commands{"tools",      "call", "resources", "read", "prompts",
                                             "get-prompt", "ping", "help",      "quit", "exit"};

// What tab completion offers; libedit's callbacks are plain functions, so this is file-wide.
struct completion_words {
  std::vector<std::string> commands = repl_commands;
  std::vector<std::string> tools;
  std::vector<std::string> prompts;
  std::vector<std::string> resources;
  const std::vector<std::string>* current = nullptr;
  size_t next = 0;
};

completion_words& words() {
  static completion_words instance;
  return instance;
}

char* next_match(const char* text, int state) {
  auto& w = words();
  if (state == 0) {
    w.next = 0;
  }
  std::string_view prefix{text};
  while (w.current != nullptr && w.next < w.current->size()) {
    const auto& candidate = (*w.current)[w.next++];
    if (candidate.starts_with(prefix)) {
      // libedit frees what the generator returns.
      return ::strdup(candidate.c_str()); // NOLINT(cppcoreguidelines-no-malloc)
    }
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  auto& w = words();
  std::string_view line{rl_line_buffer};
  auto first = line.substr(0, line.find(' '));
  // Only the command and the word right after it are completed.
  bool second_word
    = start > 0
      && line.substr(0, static_cast<size_t>(start)).find_first_not_of(' ', first.size())
           == std::string_view::npos;
  w.current = nullptr;
  if (start == 0) {
    w.current = &w.commands;
  } else if (second_word && first == "call") {
    w.current = &w.tools;
  } else if (second_word && first == "get-prompt") {
    w.current = &w.prompts;
  } else if (second_word && first == "read") {
    w.current = &w.resources;
  }
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, next_match);
}

// Splits a line into words; single and double quotes group, a word starting with { or [ takes
// the rest of the line (a JSON argument).
std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') {
      ++i;
    }
    if (i >= line.size()) {
      break;
    }
    if (line[i] == '{' || line[i] == '[') {
      out.emplace_back(line.substr(i));
      break;
    }
    std::string word;
    char quote = 0;
    for (; i < line.size() && (quote != 0 || line[i] != ' '); ++i) {
      if (quote == 0 && (line[i] == '"' || line[i] == '\'')) {
        quote = line[i];
      } else if (quote != 0 && line[i] == quote) {
        quote = 0;
      } else {
        word += line[i];
      }
    }
    out.push_back(std::move(word));
  }
  return out;
}

// Reads one line with the editor; nullopt at end of input.
std::optional<std::string> read_line(const char* prompt) {
  char* raw = ::readline(prompt);
  if (raw == nullptr) {
    return std::nullopt;
  }
  std::string line{raw};
  std::free(raw); // NOLINT(cppcoreguidelines-no-malloc)
  return line;
}

// Asks for each property of a tool's inputSchema; required ones until given.
std::optional<json::object> prompt_arguments(const json::value& schema) {
  json::object args;
  const auto* props = member_at(schema, "properties");
  if (props == nullptr || !props->is_object()) {
    return args;
  }
  std::vector<std::string> required;
  if (const auto* r = member_at(schema, "required"); r != nullptr && r->is_array()) {
    for (const auto& name : r->as_array()) {
      required.push_back(cell_text(name));
    }
  }
  for (const auto& [key, prop] : props->as_object()) {
    std::string name{key};
    auto type = property_type(schema, name);
    bool needed = std::find(required.begin(), required.end(), name) != required.end();
    const auto* description = member_at(prop, "description");
    if (description != nullptr) {
      std::cout << "  " << name << ": " << cell_text(*description) << '\n';
    }
    for (;;) {
      auto prompt = "  " + name + " (" + (type.empty() ? "any" : type)
                    + (needed ? ", required" : ", optional") + "): ";
      auto line = read_line(prompt.c_str());
      if (!line) {
        return std::nullopt;
      }
      if (line->empty()) {
        if (needed) {
          continue;
        }
        break;
      }
      json::value value;
      std::string error;
      if (typed_value(type, *line, value, error)) {
        args[name] = std::move(value);
        break;
      }
      std::cout << "  " << error << '\n';
    }
  }
  return args;
}

void load_words(mcp_client& client) {
  auto& w = words();
  mcp_reply reply;
  auto names = [](const json::array& items, const char* member) {
    std::vector<std::string> out;
    for (const auto& item : items) {
      if (const auto* n = member_at(item, member)) {
        out.push_back(cell_text(*n));
      }
    }
    return out;
  };
  w.tools = names(mcp_list(client, "tools/list", "tools", reply), "name");
  w.prompts = names(mcp_list(client, "prompts/list", "prompts", reply), "name");
  w.resources = names(mcp_list(client, "resources/list", "resources", reply), "uri");
}

json::value schema_of(mcp_client& client, const std::string& tool) {
  mcp_reply reply;
  for (const auto& t : mcp_list(client, "tools/list", "tools", reply)) {
    if (const auto* n = member_at(t, "name"); n != nullptr && cell_text(*n) == tool) {
      const auto* s = member_at(t, "inputSchema");
      return s != nullptr ? *s : json::value{};
    }
  }
  return {};
}

void call(const printer& out, mcp_client& client, const std::vector<std::string>& w) {
  if (w.size() < 2) {
    std::cout << "usage: call <tool> [key=value ...] | call <tool> {json}\n";
    return;
  }
  if (w.size() == 2) {
    auto args = prompt_arguments(schema_of(client, w[1]));
    if (args) {
      mcp_call_with(out, client, w[1], std::move(*args));
    }
    return;
  }
  if (w[2].starts_with("{")) {
    mcp_call(out, client, w[1], w[2], {});
    return;
  }
  mcp_call(out, client, w[1], {}, {w.begin() + 2, w.end()});
}

constexpr const char* help_text
  = "tools                          list the tools\n"
    "call <tool> [k=v ...|{json}]   call a tool; without arguments, asks for each\n"
    "resources                      list the resources\n"
    "read <uri>                     read a resource\n"
    "prompts                        list the prompts\n"
    "get-prompt <name> [k=v ...]    get a prompt\n"
    "ping                           MCP ping with the round trip\n"
    "help                           this text\n"
    "quit, exit                     leave (also Ctrl-D)\n";

} // namespace

int run_repl(const printer& out, mcp_client& client) {
  auto history = history_path();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path{history}.parent_path(), ec);
  rl_readline_name = "sagemcp";
  rl_attempted_completion_function = complete;
  ::using_history();
  ::read_history(history.c_str());
  load_words(client);
  std::cout << "Connected (protocol " << client.protocol_version() << "). Type help, or quit.\n";
  while (auto line = read_line("mcp> ")) {
    auto w = split_words(*line);
    if (w.empty()) {
      continue;
    }
    ::add_history(line->c_str());
    const auto& cmd = w[0];
    if (cmd == "quit" || cmd == "exit") {
      break;
    }
    if (cmd == "help") {
      std::cout << help_text;
    } else if (cmd == "tools") {
      mcp_tools(out, client);
    } else if (cmd == "call") {
      call(out, client, w);
    } else if (cmd == "resources") {
      mcp_resources(out, client);
    } else if (cmd == "read" && w.size() == 2) {
      mcp_read(out, client, w[1]);
    } else if (cmd == "prompts") {
      mcp_prompts(out, client);
    } else if (cmd == "get-prompt" && w.size() >= 2) {
      mcp_get_prompt(out, client, w[1], {w.begin() + 2, w.end()});
    } else if (cmd == "ping") {
      mcp_ping(out, client);
    } else {
      std::cout << "unknown command or missing argument: " << *line << " (try help)\n";
    }
    std::cout << std::flush;
  }
  ::stifle_history(1000);
  ::write_history(history.c_str());
  return 0;
}

} // namespace sagemcp::cli
