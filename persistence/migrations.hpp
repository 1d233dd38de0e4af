#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sagemcp::persistence {

/// The SQL dialects that have a migration set under persistence/migrations/<dialect>/.
enum class dialect : uint8_t {
  sqlite,
  postgres,
};

/// One schema migration, embedded from migrations/<dialect>/NNNN_name.sql at build time.
struct migration {
  /// NNNN of the file name; versions ascend strictly.
  int version;
  /// The `name` part of the file name.
  std::string_view name;
  /// The whole SQL script.
  std::string_view sql;
};

/// The migrations of `x` in ascending version order; never empty.
std::span<const migration> migrations(dialect x);

/// The version the last migration of `x` brings the schema to.
int latest_version(dialect x);

} // namespace sagemcp::persistence
