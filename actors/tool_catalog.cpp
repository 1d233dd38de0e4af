#include "actors/tool_catalog.hpp"

#include "connectors/spec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <cctype>

namespace sagemcp {

namespace {

constexpr size_t max_name = 64;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

// Makes `candidate` a valid name not yet in `taken`.
std::string unique_name(std::string candidate,
                        const std::unordered_map<std::string, tool_route>& taken) {
  for (auto& c : candidate) {
    if (!is_name_char(c)) {
      c = '_';
    }
  }
  candidate.resize(std::min(candidate.size(), max_name));
  auto result = candidate;
  for (int n = 2; taken.contains(result); ++n) {
    auto suffix = "_" + std::to_string(n);
    result = candidate.substr(0, max_name - suffix.size()) + suffix;
  }
  return result;
}

} // namespace

std::string connector_prefix(std::string_view name, std::string_view fallback) {
  std::string result;
  for (char c : name) {
    if (result.size() == 32) {
      break;
    }
    result += is_name_char(c) ? c : '_';
  }
  bool blank = result.find_first_not_of('_') == std::string::npos;
  return blank ? std::string{fallback} : result;
}

tool_catalog tool_catalog::build(const std::vector<catalog_member>& members) {
  std::vector<boost::json::array> lists(members.size());
  std::unordered_map<std::string, int> counts;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].tools_json) {
      continue;
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*members[i].tools_json, ec);
    if (ec || !parsed.is_array()) {
      continue;
    }
    lists[i] = std::move(parsed.as_array());
    for (const auto& tool : lists[i]) {
      ++counts[std::string{tool.at("name").as_string()}];
    }
  }
  tool_catalog result;
  boost::json::array merged;
  for (size_t i = 0; i < lists.size(); ++i) {
    for (auto& tool : lists[i]) {
      std::string original{tool.at("name").as_string()};
      auto exposed = counts[original] == 1 ? original : members[i].prefix + "__" + original;
      exposed = unique_name(std::move(exposed), result.routes_);
      tool.as_object()["name"] = exposed;
      result.routes_.emplace(std::move(exposed), tool_route{i, std::move(original)});
      merged.emplace_back(std::move(tool));
    }
  }
  result.pages_ = connectors::paginate("tools", merged);
  return result;
}

const tool_route* tool_catalog::find(std::string_view name) const {
  auto i = routes_.find(std::string{name});
  return i == routes_.end() ? nullptr : &i->second;
}

} // namespace sagemcp
