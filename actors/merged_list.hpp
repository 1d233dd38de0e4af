#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sagemcp {

/// The lists a tenant-wide endpoint merges from its connectors.
enum class list_kind : unsigned char { tools, prompts, resources, resource_templates };

inline constexpr std::array<list_kind, 4> list_kinds{
  list_kind::tools, list_kind::prompts, list_kind::resources, list_kind::resource_templates};

/// The member of a list result that holds the items: `tools`, `prompts`, `resources` or
/// `resourceTemplates`.
std::string_view items_member(list_kind kind);

/// The method that lists the items: `tools/list`, `prompts/list`, `resources/list` or
/// `resources/templates/list`.
std::string_view list_method(list_kind kind);

/// The list whose method is `method`; nullopt for other methods.
std::optional<list_kind> list_of_method(std::string_view method);

/// One connector's contribution to a merged list.
struct list_member {
  /// Distinguishes the connector's names when they clash (derived from the connector's name).
  std::string prefix;
  /// The connector's serialized items array; nullopt when the connector could not list them.
  std::optional<std::string> items_json;
};

/// Where an item of a merged list lives: the member, and the item's key there.
struct list_route {
  size_t member;
  std::string key;
};

/// The items of one kind from several connectors, merged. Items are keyed by name (tools,
/// prompts), URI (resources) or URI template (resource templates).
/// - Named items keep their name where it is unique and become `<prefix>__<name>` where it
///   clashes; tool names are always 1–64 characters of [A-Za-z0-9_.-].
/// - URIs name the same thing whoever lists it: the first member listing a URI keeps it.
class merged_list {
public:
  /// Merges the members' items; members without a list and items without their key are left
  /// out.
  static merged_list build(list_kind kind, const std::vector<list_member>& members);

  /// The serialized list result pages.
  const std::vector<std::string>& pages() const {
    return pages_;
  }

  /// The route of an exposed key, or nullptr.
  const list_route* find(std::string_view key) const;

  /// The number of items.
  size_t size() const {
    return routes_.size();
  }

  /// The memory the list holds, approximately: its pages, and its routes' keys plus a fixed cost
  /// per route.
  size_t bytes() const {
    return bytes_;
  }

  /// The fixed cost of a route in `bytes()`.
  static constexpr size_t route_cost = 96;

private:
  size_t bytes_ = 0;
  std::vector<std::string> pages_;
  std::unordered_map<std::string, list_route> routes_;
};

/// A name prefix from a connector's display name: its characters of [A-Za-z0-9_.-] (others
/// become '_'), at most 32 of them; `fallback` when nothing remains.
std::string connector_prefix(std::string_view name, std::string_view fallback);

} // namespace sagemcp
