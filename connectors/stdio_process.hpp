#pragma once

#include <caf/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagemcp::connectors {

// External MCP servers as child processes speaking JSON-RPC on stdin and stdout.

/// How JSON-RPC messages are delimited on a child's pipes.
enum class stdio_framing : uint8_t {
  /// One message per line (the MCP stdio transport).
  lines,
  /// `Content-Length: n` headers, a blank line and n bytes (the LSP style some servers use).
  content_length,
};

/// Splits a child's stdout into JSON-RPC messages. Accepts both framings, message by message:
/// a line starting with `Content-Length:` (any case) opens a framed message, any other
/// non-blank line is one message. Lines that are not JSON (not starting with `{` or `[` after
/// leading whitespace) are logging noise: reported apart, never as messages.
class stdio_reader {
public:
  /// `max_message` bounds one message (and one line); a longer one is dropped whole and
  /// reported as noise naming its size.
  explicit stdio_reader(size_t max_message = size_t{16} << 20);

  /// Consumes bytes read from the pipe; complete messages go to `on_message`, noise lines to
  /// `on_noise` (both without their line ends).
  void feed(std::string_view bytes, const std::function<void(std::string)>& on_message,
            const std::function<void(std::string)>& on_noise);

  /// The framing of the last message read; lines before the first.
  [[nodiscard]] stdio_framing last_framing() const;

private:
  std::string buffer_;
  size_t max_message_;
  /// The body length of a Content-Length message whose header was read (the rest of its headers
  /// still to come while in_headers_); npos when none.
  size_t pending_body_;
  bool in_headers_ = false;
  bool discarding_ = false;
  /// While discarding: the body bytes still to skip, or npos to skip up to the next line end.
  size_t discard_left_ = 0;
  /// The size of the message being discarded, as counted so far.
  size_t dropped_ = 0;
  /// How many leading bytes of buffer_ are known to hold no line end (saves rescanning a long
  /// line on every feed).
  size_t scanned_ = 0;
  stdio_framing last_ = stdio_framing::lines;
};

/// Frames one message for a child's stdin.
std::string frame_message(std::string_view message, stdio_framing framing);

/// Resource limits of a child process (0: not limited).
struct process_limits {
  /// RLIMIT_DATA: heap and private writable mappings, in bytes.
  uint64_t memory_bytes = uint64_t{1} << 30;
  /// RLIMIT_NOFILE.
  uint64_t open_files = 1024;
  /// RLIMIT_CPU: CPU seconds over the process's life; past it the kernel ends the process.
  uint64_t cpu_seconds = 0;
};

/// What to start.
struct process_spec {
  /// The program and its arguments; a program without `/` is looked up on the PATH of `env`.
  std::vector<std::string> argv;
  /// The child's complete environment; nothing of the server's own is added.
  std::vector<std::pair<std::string, std::string>> env;
  /// The working directory; created (mode 0700, parents included) when missing.
  std::string working_dir;
  process_limits limits;
};

/// What a child reports; called on the runner's thread, never after on_exit.
struct process_events {
  /// One JSON-RPC message (raw JSON text) from stdout.
  std::function<void(std::string)> on_message;
  /// One line of stderr, or a noise line of stdout; at most 4 KiB (longer lines are cut).
  std::function<void(std::string)> on_stderr;
  /// The child ended and was reaped (stdout drained first): its wait status as waitpid(2)
  /// reports it.
  std::function<void(int)> on_exit;
};

/// A started child.
struct started_process {
  uint64_t id = 0;
  int pid = 0;
};

/// Runs child processes on one thread of its own: spawns them in process groups of their own
/// with a clean environment and resource limits, frames their messages, and reaps them. It makes
/// the server a child subreaper, so descendants a child leaves behind are reaped here too; when
/// a child exits, what is left of its process group is killed.
class process_runner {
public:
  process_runner();
  /// Kills every live child's process group and reaps the children.
  ~process_runner();
  process_runner(const process_runner&) = delete;
  process_runner& operator=(const process_runner&) = delete;

  /// Starts a child with pipes on stdin, stdout and stderr, in a new process group, with the
  /// limits applied and a parent-death signal of SIGKILL. Fails (errc::invalid_argument) when
  /// the program is not found or not executable, the working directory cannot be created, or
  /// exec fails; the message says which, with the OS's reason.
  caf::expected<started_process> start(process_spec spec, process_events events);

  /// Writes one message to the child's stdin in `framing`; dropped if the child is gone. A child
  /// that leaves more than 64 MiB unread is killed.
  void send(uint64_t id, std::string message, stdio_framing framing);

  /// Ends a child gently: closes its stdin, sends SIGTERM to its group after `grace`, and SIGKILL
  /// to the group after another `grace`. on_exit still comes.
  void stop(uint64_t id, std::chrono::milliseconds grace);

  /// Sends SIGKILL to a child's process group at once. on_exit still comes.
  void kill(uint64_t id);

  /// Children started and not yet reaped.
  [[nodiscard]] size_t live() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sagemcp::connectors
