#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sagemcp::observability {

/// Severity of a log line.
enum class log_level { debug, info, warn, error };

/// One named field of a structured log line; values are rendered as JSON strings.
using log_field = std::pair<std::string_view, std::string_view>;

/// Sets up JSON log lines on standard output at `level` (debug, info, warn or error).
void init_logging(std::string_view level);

/// Writes one JSON log line: {"ts", "level", "msg", fields...}. Never pass secrets or tool
/// argument values as fields.
void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {});

/// Writes one JSON log line with an integer field, e.g. a port or a count.
void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields,
         std::string_view number_name, long long number);

/// Receives each log line as written: its level (debug, info, warning, error) and its JSON text
/// without the line end. Called on the writing thread under the log's lock: keep it short and
/// never log from it.
using log_listener = std::function<void(std::string_view level, std::string_view line)>;

/// Starts calling `listener` with every later line, after the most recent `backlog` lines kept
/// in memory (at most 1000). Returns the subscription's id.
uint64_t subscribe_logs(log_listener listener, size_t backlog);

/// Stops a subscription; the listener is not called after this returns.
void unsubscribe_logs(uint64_t id);

/// Flushes buffered log lines.
void flush_logs();

} // namespace sagemcp::observability
