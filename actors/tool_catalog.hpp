#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// One connector's contribution to a tenant-wide tool catalog.
struct catalog_member {
  /// Distinguishes the connector's tools when names clash (derived from the connector's name).
  std::string prefix;
  /// The connector's serialized tools array; nullopt when the connector could not list them.
  std::optional<std::string> tools_json;
};

/// Where a tool of the catalog lives.
struct tool_route {
  size_t member;
  std::string tool;
};

/// The merged tools of several connectors: names stay as they are where unique and become
/// `<prefix>__<name>` where they clash, always 1–64 characters of [A-Za-z0-9_.-].
class tool_catalog {
public:
  /// Merges the members' tools; members without a list are left out.
  static tool_catalog build(const std::vector<catalog_member>& members);

  /// The serialized tools/list result pages.
  const std::vector<std::string>& pages() const {
    return pages_;
  }

  /// The route of an exposed tool name, or nullptr.
  const tool_route* find(std::string_view name) const;

  /// The number of tools.
  size_t size() const {
    return routes_.size();
  }

private:
  std::vector<std::string> pages_;
  std::unordered_map<std::string, tool_route> routes_;
};

/// A name prefix from a connector's display name: its characters of [A-Za-z0-9_.-] (others
/// become '_'), at most 32 of them; `fallback` when nothing remains.
std::string connector_prefix(std::string_view name, std::string_view fallback);

} // namespace sagemcp
