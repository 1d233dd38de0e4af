#pragma once

#include <cstddef>

namespace sagemcp::persistence {

/// Whether row i of a statement table holds statement i (each row has an `id` of the backend's
/// statement enum), so statements are looked up by index.
template <class Table>
constexpr bool rows_follow_enum_order(const Table& table) {
  for (size_t i = 0; i < table.size(); ++i) {
    if (static_cast<size_t>(table[i].id) != i) {
      return false;
    }
  }
  return true;
}

} // namespace sagemcp::persistence
