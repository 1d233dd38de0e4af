#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sagemcp::persistence {

/// Closes a SQLite connection.
struct connection_deleter {
  void operator()(sqlite3* x) const noexcept;
};

/// An owned SQLite connection.
using connection_ptr = std::unique_ptr<sqlite3, connection_deleter>;

/// Finalizes a prepared statement.
struct statement_deleter {
  void operator()(sqlite3_stmt* x) const noexcept;
};

/// An owned prepared statement.
using statement_ptr = std::unique_ptr<sqlite3_stmt, statement_deleter>;

/// One execution of a prepared statement: binds parameters, steps and reads columns. The
/// destructor resets the statement and clears its bindings, so the statement is ready for reuse
/// however the execution ends.
class query {
public:
  /// Starts an execution of `stmt`, which must be reset and unbound.
  explicit query(sqlite3_stmt* stmt) noexcept;

  ~query();

  query(const query&) = delete;
  query& operator=(const query&) = delete;
  query(query&&) = delete;
  query& operator=(query&&) = delete;

  /// Binds text to the 1-based parameter `index`; empty text stays text, not NULL.
  void bind_text(int index, std::string_view value);

  /// Binds text, or NULL when `value` is empty.
  void bind_text_or_null(int index, std::string_view value);

  /// Binds an integer.
  void bind_int(int index, int64_t value);

  /// Binds a boolean as 0 or 1.
  void bind_bool(int index, bool value);

  /// Binds an integer, or NULL when `value` is negative.
  void bind_int_or_null(int index, int64_t value);

  /// Executes one step and returns SQLITE_ROW, SQLITE_DONE or an extended error code; a failed
  /// bind reports its code here instead.
  int step();

  /// Reads a 0-based column of the current row as text; NULL reads as empty.
  std::string text(int column) const;

  /// Reads a column as an integer; NULL reads as 0.
  int64_t integer(int column) const;

  /// Reads a column as a boolean (non-zero is true).
  bool boolean(int column) const;

  /// Reads a column as an integer; NULL reads as `if_null`.
  int64_t integer_or(int column, int64_t if_null) const;

private:
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;
};

} // namespace sagemcp::persistence
