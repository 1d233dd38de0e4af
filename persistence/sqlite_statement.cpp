#include "persistence/sqlite_statement.hpp"

#include <sqlite3.h>

static_assert(SQLITE_OK == 0, "query::bind_rc_ starts out as SQLITE_OK");

namespace sagemcp::persistence {

void connection_deleter::operator()(sqlite3* x) const noexcept {
  sqlite3_close_v2(x);
}

void statement_deleter::operator()(sqlite3_stmt* x) const noexcept {
  sqlite3_finalize(x);
}

query::query(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {
  // nop
}

query::~query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void query::bind_text(int index, std::string_view value) {
  // A null pointer would bind NULL, so empty text needs a real (empty) string.
  const char* data = value.data() != nullptr ? value.data() : "";
  auto rc = sqlite3_bind_text(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void query::bind_text_or_null(int index, std::string_view value) {
  if (!value.empty()) {
    bind_text(index, value);
    return;
  }
  auto rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void query::bind_int(int index, int64_t value) {
  auto rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void query::bind_bool(int index, bool value) {
  bind_int(index, value ? 1 : 0);
}

void query::bind_int_or_null(int index, int64_t value) {
  if (value >= 0) {
    bind_int(index, value);
    return;
  }
  auto rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

int query::step() {
  if (bind_rc_ != SQLITE_OK) {
    return bind_rc_;
  }
  return sqlite3_step(stmt_);
}

std::string query::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) {
    return {};
  }
  auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string{reinterpret_cast<const char*>(data), size};
}

int64_t query::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool query::boolean(int column) const {
  return integer(column) != 0;
}

int64_t query::integer_or(int column, int64_t if_null) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) {
    return if_null;
  }
  return integer(column);
}

} // namespace sagemcp::persistence
