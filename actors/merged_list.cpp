#include "actors/merged_list.hpp"

#include "connectors/spec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>

namespace sagemcp {

namespace {

constexpr size_t max_tool_name = 64;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

// The names that go with a list: its result member, its method and its items' key.
struct list_names {
  std::string_view member;
  std::string_view method;
  std::string_view key;
};

constexpr std::array<list_names, list_kinds.size()> names_table{{
  {"tools", "tools/list", "name"},
  {"prompts", "prompts/list", "name"},
  {"resources", "resources/list", "uri"},
  {"resourceTemplates", "resources/templates/list", "uriTemplate"},
}};

const list_names& names_of(list_kind kind) {
  return names_table.at(static_cast<size_t>(kind));
}

// Makes `candidate` a name not yet in `taken`; tool names also become valid tool names.
std::string unique_name(std::string candidate, bool tool,
                        const std::unordered_map<std::string, list_route>& taken) {
  size_t limit = std::string::npos;
  if (tool) {
    std::replace_if(
      candidate.begin(), candidate.end(),
      [](char c) {
        return !is_name_char(c);
      },
      '_');
    candidate.resize(std::min(candidate.size(), max_tool_name));
    limit = max_tool_name;
  }
  auto result = candidate;
  for (int n = 2; taken.contains(result); ++n) {
    auto suffix = "_" + std::to_string(n);
    result = candidate.substr(0, std::min(candidate.size(), limit - suffix.size())) + suffix;
  }
  return result;
}

// The string an item is keyed by; nullptr when it has none.
const boost::json::string* key_of(const boost::json::value& item, std::string_view member) {
  const auto* obj = item.if_object();
  const auto* key = obj != nullptr ? obj->if_contains(member) : nullptr;
  return key != nullptr && key->is_string() && !key->as_string().empty() ? &key->as_string()
                                                                         : nullptr;
}

} // namespace

std::string_view items_member(list_kind kind) {
  return names_of(kind).member;
}

std::string_view list_method(list_kind kind) {
  return names_of(kind).method;
}

std::optional<list_kind> list_of_method(std::string_view method) {
  for (auto kind : list_kinds) {
    if (list_method(kind) == method) {
      return kind;
    }
  }
  return std::nullopt;
}

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

merged_list merged_list::build(list_kind kind, const std::vector<list_member>& members) {
  auto key = names_of(kind).key;
  bool named = kind == list_kind::tools || kind == list_kind::prompts;
  std::vector<boost::json::array> lists(members.size());
  std::unordered_map<std::string, int> counts;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].items_json) {
      continue;
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*members[i].items_json, ec);
    if (ec || !parsed.is_array()) {
      continue;
    }
    lists[i] = std::move(parsed.as_array());
    auto& list = lists[i];
    list.erase(std::remove_if(list.begin(), list.end(),
                              [key](const boost::json::value& item) {
                                return key_of(item, key) == nullptr;
                              }),
               list.end());
    for (const auto& item : lists[i]) {
      ++counts[std::string{*key_of(item, key)}];
    }
  }
  merged_list result;
  boost::json::array merged;
  for (size_t i = 0; i < lists.size(); ++i) {
    for (auto& item : lists[i]) {
      std::string original{*key_of(item, key)};
      auto exposed = original;
      if (named) {
        if (counts[original] > 1) {
          exposed = members[i].prefix + "__" + original;
        }
        exposed = unique_name(std::move(exposed), kind == list_kind::tools, result.routes_);
        item.as_object()[key] = exposed;
      } else if (result.routes_.contains(exposed)) {
        continue;
      }
      result.routes_.emplace(std::move(exposed), list_route{i, std::move(original)});
      merged.emplace_back(std::move(item));
    }
  }
  result.pages_ = connectors::paginate(items_member(kind), merged);
  for (const auto& page : result.pages_) {
    result.bytes_ += page.size() + sizeof(std::string);
  }
  for (const auto& [exposed, route] : result.routes_) {
    result.bytes_ += exposed.size() + route.key.size() + route_cost;
  }
  return result;
}

const list_route* merged_list::find(std::string_view key) const {
  auto i = routes_.find(std::string{key});
  return i == routes_.end() ? nullptr : &i->second;
}

} // namespace sagemcp
