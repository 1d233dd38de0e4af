#include "connectors/external.hpp"

#include "messages/errc.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>

namespace sagemcp::connectors {

namespace {

constexpr std::array<std::string_view, 4> external_runtimes{"external_python", "external_nodejs",
                                                            "external_go", "external_custom"};

constexpr size_t max_arguments = 64;
constexpr size_t max_argument_bytes = 4096;

} // namespace

bool runs_process(std::string_view runtime_type) {
  return std::find(external_runtimes.begin(), external_runtimes.end(), runtime_type)
         != external_runtimes.end();
}

bool is_external_runtime(std::string_view runtime_type) {
  return runtime_type == remote_runtime || runs_process(runtime_type);
}

std::string_view runtime_types_text() {
  return "native, external_python, external_nodejs, external_go, external_custom or "
         "external_remote";
}

caf::expected<std::vector<std::string>> parse_command(std::string_view runtime_command) {
  auto invalid = [] {
    return make_error(errc::invalid_argument,
                      "'runtime_command' must be a JSON array of 1 to 64 non-empty strings, such "
                      "as [\"npx\", \"@modelcontextprotocol/server-everything\"]");
  };
  boost::json::error_code ec;
  auto parsed = boost::json::parse(runtime_command, ec);
  if (!ec && parsed.is_string()) {
    parsed = boost::json::parse(parsed.as_string(), ec);
  }
  if (ec || !parsed.is_array() || parsed.as_array().empty()
      || parsed.as_array().size() > max_arguments) {
    return invalid();
  }
  std::vector<std::string> argv;
  for (const auto& item : parsed.as_array()) {
    if (!item.is_string() || item.as_string().empty()
        || item.as_string().size() > max_argument_bytes
        || item.as_string().find('\0') != boost::json::string::npos) {
      return invalid();
    }
    argv.emplace_back(item.as_string());
  }
  return argv;
}

} // namespace sagemcp::connectors
