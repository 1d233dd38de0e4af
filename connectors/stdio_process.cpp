#include "connectors/stdio_process.hpp"

#include "messages/errc.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace sagemcp::connectors {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr size_t npos = std::string::npos;

// A stderr line or a noise line of stdout is cut to this many bytes.
constexpr size_t max_log_line = 4096;

// A child that leaves more than this unread on its stdin is not reading it.
constexpr size_t max_backlog = size_t{64} << 20;

// A Content-Length beyond this is garbage rather than a size: no JSON-RPC message is that large,
// and honouring it would have the reader skip the rest of the stream.
constexpr uint64_t absurd_length = uint64_t{1} << 32;

// How long the pipes of a reaped child may stay open. Its process group was killed, so only a
// descendant that left the group can still hold them; on_exit must not wait for it forever.
constexpr auto drain_limit = std::chrono::seconds{2};

// Bytes read from a pipe at a time.
constexpr size_t read_chunk = size_t{64} << 10;

std::string os_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_blank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

// What a line says about Content-Length framing.
struct length_header {
  // The line is a Content-Length header (well-formed or not).
  bool present = false;
  bool valid = false;
  size_t length = 0;
};

length_header parse_length_header(std::string_view line) {
  constexpr std::string_view name = "content-length";
  length_header out;
  if (line.size() < name.size() || !iequals(line.substr(0, name.size()), name)) {
    return out;
  }
  auto rest = trim(line.substr(name.size()));
  if (rest.empty() || rest.front() != ':') {
    return out;
  }
  out.present = true;
  rest = trim(rest.substr(1));
  uint64_t value = 0;
  const char* end = rest.data() + rest.size();
  auto [stop, ec] = std::from_chars(rest.data(), end, value);
  if (rest.empty() || ec != std::errc{} || stop != end || value > absurd_length) {
    return out;
  }
  out.valid = true;
  out.length = static_cast<size_t>(value);
  return out;
}

std::string dropped_note(size_t size, size_t limit) {
  return "(dropped a " + std::to_string(size) + "-byte message: larger than the "
         + std::to_string(limit) + "-byte limit)";
}

bool opens_json(std::string_view line, size_t first) {
  return line[first] == '{' || line[first] == '[';
}

} // namespace

stdio_reader::stdio_reader(size_t max_message) : max_message_(max_message), pending_body_(npos) {}

stdio_framing stdio_reader::last_framing() const {
  return last_;
}

void stdio_reader::feed(std::string_view bytes, const std::function<void(std::string)>& on_message,
                        const std::function<void(std::string)>& on_noise) {
  buffer_.append(bytes);
  // What is left of the buffer; consumed bytes are erased once, at the end.
  std::string_view rest{buffer_};
  size_t scanned = scanned_;
  auto consume = [&](size_t n) {
    rest.remove_prefix(n);
    scanned = 0;
  };
  while (!rest.empty()) {
    if (discarding_) {
      if (discard_left_ != npos) {
        auto n = std::min(discard_left_, rest.size());
        discard_left_ -= n;
        consume(n);
        if (discard_left_ > 0) {
          break;
        }
      } else {
        auto end = rest.find('\n');
        if (end == npos) {
          dropped_ += rest.size();
          consume(rest.size());
          break;
        }
        dropped_ += end;
        consume(end + 1);
      }
      discarding_ = false;
      on_noise(dropped_note(dropped_, max_message_));
      continue;
    }
    if (pending_body_ != npos && !in_headers_) {
      if (rest.size() < pending_body_) {
        break;
      }
      std::string body{rest.substr(0, pending_body_)};
      consume(pending_body_);
      pending_body_ = npos;
      last_ = stdio_framing::content_length;
      on_message(std::move(body));
      continue;
    }
    auto end = rest.find('\n', scanned);
    if (end == npos) {
      // One more byte than the limit is allowed for the "\r" of a "\r\n" still to come.
      if (rest.size() > max_message_ + 1) {
        discarding_ = true;
        discard_left_ = npos;
        dropped_ = rest.size();
        consume(rest.size());
      } else {
        scanned = rest.size();
      }
      break;
    }
    auto line = rest.substr(0, end);
    consume(end + 1);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    if (line.size() > max_message_) {
      on_noise(dropped_note(line.size(), max_message_));
      continue;
    }
    auto first = line.find_first_not_of(" \t\r\f\v");
    if (in_headers_) {
      if (first == npos) {
        // The blank line ending the headers: the body follows.
        in_headers_ = false;
        if (pending_body_ > max_message_) {
          discarding_ = true;
          discard_left_ = pending_body_;
          dropped_ = pending_body_;
          pending_body_ = npos;
        } else if (pending_body_ == 0) {
          pending_body_ = npos;
        }
        continue;
      }
      if (!opens_json(line, first)) {
        continue; // Content-Type or another header: nothing to do with it
      }
      // JSON where a header belongs: the frame is broken. Give it up and take the line as it is.
      in_headers_ = false;
      pending_body_ = npos;
      on_noise("(a Content-Length header was not followed by a blank line)");
    }
    if (first == npos) {
      continue;
    }
    if (auto header = parse_length_header(line); header.present) {
      if (header.valid) {
        in_headers_ = true;
        pending_body_ = header.length;
      } else {
        on_noise(std::string{line});
      }
      continue;
    }
    if (opens_json(line, first)) {
      last_ = stdio_framing::lines;
      on_message(std::string{line});
    } else {
      on_noise(std::string{line});
    }
  }
  buffer_.erase(0, buffer_.size() - rest.size());
  scanned_ = scanned;
}

std::string frame_message(std::string_view message, stdio_framing framing) {
  std::string out;
  if (framing == stdio_framing::lines) {
    out.reserve(message.size() + 1);
    out.append(message);
    out += '\n';
    return out;
  }
  out = "Content-Length: " + std::to_string(message.size()) + "\r\n\r\n";
  out.append(message);
  return out;
}

namespace {

// Owns a file descriptor until it is closed or released.
class unique_fd {
public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd() {
    reset();
  }
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  int get() const {
    return fd_;
  }
  int release() {
    return std::exchange(fd_, -1);
  }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

private:
  int fd_ = -1;
};

// Close-on-exec, so that no other child started meanwhile inherits the ends.
bool make_pipe(unique_fd& read_end, unique_fd& write_end) {
  std::array<int, 2> fds{-1, -1};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return false;
  }
  read_end = unique_fd{fds[0]};
  write_end = unique_fd{fds[1]};
  return true;
}

using rlimit_resource = decltype(RLIMIT_NOFILE);

// Where between fork and exec a child failed; reported to the parent with errno.
enum class launch_step : int {
  group = 1,
  parent_death,
  limits,
  working_dir,
  descriptors,
  signals,
  exec,
};

std::string step_text(int step) {
  switch (static_cast<launch_step>(step)) {
    case launch_step::group:
      return "setpgid failed";
    case launch_step::parent_death:
      return "prctl(PR_SET_PDEATHSIG) failed";
    case launch_step::limits:
      return "setrlimit failed";
    case launch_step::working_dir:
      return "cannot enter the working directory";
    case launch_step::descriptors:
      return "cannot set up the standard streams";
    case launch_step::signals:
      return "cannot reset the signal mask";
    case launch_step::exec:
      return "execve failed";
  }
  return "the child failed before exec";
}

// Everything a child needs between fork and exec, prepared beforehand: there, only
// async-signal-safe calls are allowed (no allocation, no locks).
struct launch_plan {
  // argv[0] as given, for messages.
  std::string name;
  // The program to exec, PATH already searched.
  std::string program;
  std::vector<std::string> args;
  // NAME=value entries.
  std::vector<std::string> environment;
  // Null-terminated arrays pointing into args and environment.
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string working_dir;
  std::vector<std::pair<rlimit_resource, rlimit>> limits;
  pid_t parent = 0;
};

[[noreturn]] void report_and_exit(int report_fd, launch_step step) {
  std::array<int, 2> payload{errno, static_cast<int>(step)};
  // Should the report itself fail, the parent sees an exec that worked and then exit code 127.
  [[maybe_unused]] auto written = ::write(report_fd, payload.data(), sizeof(payload));
  ::_exit(127);
}

// The child's side of the fork. `streams` are the child's ends of its stdin, stdout and stderr.
[[noreturn]] void run_child(const launch_plan& plan, const std::array<int, 3>& streams,
                            int report_fd) {
  // The parent blocked every signal around fork. Handlers do not survive exec, but ignored
  // dispositions (the server may ignore SIGPIPE, say) would: reset them all while nothing can be
  // delivered. Signals reserved by the C library fail with EINVAL, harmlessly.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) {
      ::sigaction(sig, &default_action, nullptr);
    }
  }
  // Keep the report pipe off 0, 1 and 2 (a server may run with a standard stream closed), where
  // the dup2 calls below would overwrite it.
  int report = ::fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
  if (report < 0) {
    report = report_fd;
  }
  if (::setpgid(0, 0) != 0) {
    report_and_exit(report, launch_step::group);
  }
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    report_and_exit(report, launch_step::parent_death);
  }
  if (::getppid() != plan.parent) {
    ::_exit(127); // the server died before the death signal was armed
  }
  for (const auto& [resource, limit] : plan.limits) {
    if (::setrlimit(resource, &limit) != 0) {
      report_and_exit(report, launch_step::limits);
    }
  }
  if (!plan.working_dir.empty() && ::chdir(plan.working_dir.c_str()) != 0) {
    report_and_exit(report, launch_step::working_dir);
  }
  // Lift the pipe ends above 2 first, so that no dup2 overwrites an end still to be moved.
  std::array<int, 3> lifted{-1, -1, -1};
  for (size_t i = 0; i < streams.size(); ++i) {
    lifted[i] = ::fcntl(streams[i], F_DUPFD_CLOEXEC, 3);
    if (lifted[i] < 0) {
      report_and_exit(report, launch_step::descriptors);
    }
  }
  for (size_t i = 0; i < lifted.size(); ++i) {
    if (::dup2(lifted[i], static_cast<int>(i)) < 0) {
      report_and_exit(report, launch_step::descriptors);
    }
  }
#ifdef CLOSE_RANGE_CLOEXEC
  // Descriptors the server opened without O_CLOEXEC (sockets, files) must not leak into the
  // child. An old kernel refuses; the descriptors then leak, as they would without this.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
  sigset_t none{};
  sigemptyset(&none);
  if (::pthread_sigmask(SIG_SETMASK, &none, nullptr) != 0) {
    report_and_exit(report, launch_step::signals);
  }
  ::execve(plan.program.c_str(), plan.argv.data(), plan.envp.data());
  report_and_exit(report, launch_step::exec);
}

caf::error refusal(const std::string& name, const std::string& why) {
  return make_error(errc::invalid_argument, "cannot start '" + name + "': " + why);
}

// The program to exec: argv[0] itself when it names a path, else the first executable regular
// file of that name on the PATH of the child's environment (never the server's own PATH).
caf::error resolve_program(const process_spec& spec, std::string& program) {
  const auto& name = spec.argv.front();
  if (name.find('/') != npos) {
    program = name;
    return {};
  }
  const std::string* path = nullptr;
  for (const auto& [key, value] : spec.env) {
    if (key == "PATH") {
      path = &value;
      break;
    }
  }
  if (path == nullptr) {
    return refusal(name, "its environment has no PATH to look it up on");
  }
  int denied = 0;
  std::string_view entries{*path};
  while (!entries.empty()) {
    auto colon = entries.find(':');
    auto entry = entries.substr(0, colon);
    entries.remove_prefix(colon == npos ? entries.size() : colon + 1);
    // Relative entries would be relative to the server's directory, not the child's: skipped.
    if (entry.empty() || entry.front() != '/') {
      continue;
    }
    std::string candidate{entry};
    candidate += '/';
    candidate += name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      continue;
    }
    if (::access(candidate.c_str(), X_OK) == 0) {
      program = std::move(candidate);
      return {};
    }
    denied = errno;
  }
  if (denied != 0) {
    return refusal(name, "not executable: " + os_text(denied));
  }
  return refusal(name, "not found on its PATH (" + *path + ")");
}

// Creates the working directory, and any missing parent, with mode 0700.
caf::error prepare_directory(const std::string& name, const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) {
    return {};
  }
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    return {};
  }
  std::vector<fs::path> missing;
  for (fs::path p{dir}; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) {
      break;
    }
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return refusal(name, "cannot create the working directory " + dir + ": " + ec.message());
  }
  for (const auto& p : missing) {
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return refusal(name,
                     "cannot restrict the working directory " + p.string() + ": " + ec.message());
    }
  }
  if (!fs::is_directory(dir, ec)) {
    return refusal(name, "the working directory " + dir + " is not a directory");
  }
  return {};
}

std::vector<std::pair<rlimit_resource, rlimit>> limits_of(const process_limits& limits) {
  std::vector<std::pair<rlimit_resource, rlimit>> out;
  auto add = [&out](rlimit_resource resource, uint64_t value) {
    // Raising a hard limit needs privileges the server lacks: its own hard limit is the ceiling.
    rlimit current{RLIM_INFINITY, RLIM_INFINITY};
    ::getrlimit(resource, &current);
    rlim_t limit = value;
    if (current.rlim_max != RLIM_INFINITY && limit > current.rlim_max) {
      limit = current.rlim_max;
    }
    out.emplace_back(resource, rlimit{limit, limit});
  };
  if (limits.memory_bytes != 0) {
    add(RLIMIT_DATA, limits.memory_bytes);
  }
  if (limits.open_files != 0) {
    add(RLIMIT_NOFILE, limits.open_files);
  }
  if (limits.cpu_seconds != 0) {
    add(RLIMIT_CPU, limits.cpu_seconds);
  }
  // Core dumps of a crashing child would land in its directory and could hold secrets.
  out.emplace_back(RLIMIT_CORE, rlimit{0, 0});
  return out;
}

bool has_nul(std::string_view text) {
  return text.find('\0') != npos;
}

// Checks a spec and turns it into a launch plan; everything here may block or allocate, so it
// runs on the caller's thread.
caf::error prepare_launch(process_spec& spec, launch_plan& plan) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return make_error(errc::invalid_argument, "cannot start a process without a program");
  }
  const auto& name = spec.argv.front();
  if (std::any_of(spec.argv.begin(), spec.argv.end(), has_nul) || has_nul(spec.working_dir)) {
    return refusal(name, "an argument contains a NUL byte");
  }
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != npos || has_nul(key) || has_nul(value)) {
      return refusal(name, "invalid environment variable '" + key + "'");
    }
  }
  if (auto err = resolve_program(spec, plan.program)) {
    return err;
  }
  if (auto err = prepare_directory(name, spec.working_dir)) {
    return err;
  }
  plan.name = name;
  plan.args = std::move(spec.argv);
  for (auto& [key, value] : spec.env) {
    std::string entry;
    entry.reserve(key.size() + 1 + value.size());
    entry.append(key).append("=").append(value);
    plan.environment.push_back(std::move(entry));
  }
  plan.working_dir = std::move(spec.working_dir);
  plan.limits = limits_of(spec.limits);
  plan.parent = ::getpid();
  return {};
}

// Sends `sig` to a process group; ESRCH (no member left) and EPERM (a member changed its user)
// leave nothing to do.
void signal_group(pid_t pgid, int sig) {
  ::kill(-pgid, sig);
}

// The children of every runner in the process, by pid. Reaping happens under its mutex, so a pid
// found here is not reaped yet: its number (and its group's) cannot have been reused. Shared by
// all runners because each one's SIGCHLD handler reaps any child of the process.
struct reaper {
  std::mutex mtx;
  // What to do once a child is reaped, given its wait status; called under the mutex.
  std::map<pid_t, std::function<void(int)>> owners;
};

reaper& the_reaper() {
  static reaper instance;
  return instance;
}

// Signals the group of a child not reaped yet; a no-op once it is.
void signal_child(pid_t pid, int sig) {
  auto& r = the_reaper();
  std::lock_guard guard{r.mtx};
  if (r.owners.contains(pid)) {
    signal_group(pid, sig);
  }
}

// Reaps members of a group that have already died, leaving any child some runner still waits
// for. The caller holds the reaper's mutex.
void reap_dead_members(const reaper& r, pid_t pgid) {
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PGID, static_cast<id_t>(pgid), &info, WEXITED | WNOHANG | WNOWAIT) != 0
        || info.si_pid == 0 || r.owners.contains(info.si_pid)) {
      return;
    }
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

// Cuts a log line to max_log_line bytes, backing off to a character boundary so that no UTF-8
// sequence is split.
std::string cut_line(std::string line) {
  if (line.size() <= max_log_line) {
    return line;
  }
  size_t keep = max_log_line;
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xC0U) == 0x80U) {
    --keep;
  }
  line.resize(keep);
  return line;
}

// One started child, owned by the I/O thread.
struct child_state {
  child_state(asio::io_context& io, uint64_t child_id, pid_t child_pid, process_events callbacks)
    : id(child_id),
      pid(child_pid),
      events(std::move(callbacks)),
      in(io),
      out(io),
      err(io),
      stop_timer(io),
      drain_timer(io),
      out_buffer(read_chunk),
      err_buffer(read_chunk) {}

  uint64_t id;
  pid_t pid;
  process_events events;
  asio::posix::stream_descriptor in;
  asio::posix::stream_descriptor out;
  asio::posix::stream_descriptor err;
  asio::steady_timer stop_timer;
  asio::steady_timer drain_timer;
  stdio_reader reader;
  std::vector<char> out_buffer;
  std::vector<char> err_buffer;
  // The stderr line being collected, at most one byte past max_log_line (for cut_line).
  std::string err_line;
  // Messages framed for stdin, the front one being written.
  std::deque<std::string> backlog;
  size_t backlog_bytes = 0;
  bool writing = false;
  // No more input is taken: stdin is closed, or closes once the backlog is written.
  bool stdin_closing = false;
  bool out_done = false;
  bool err_done = false;
  bool reaped = false;
  bool stopping = false;
  // on_exit was called (or the runner is going away): no callback may follow.
  bool ended = false;
  int status = 0;

  void log(std::string line) const {
    if (!ended && events.on_stderr) {
      events.on_stderr(cut_line(std::move(line)));
    }
  }

  void close_stdin() {
    error_code ignored;
    in.close(ignored);
    backlog.clear();
    backlog_bytes = 0;
    writing = false;
    stdin_closing = true;
  }

  void close_all() {
    error_code ignored;
    close_stdin();
    out.close(ignored);
    err.close(ignored);
    stop_timer.cancel();
    drain_timer.cancel();
  }

  // Splits stderr bytes into lines.
  void take_stderr(std::string_view bytes) {
    while (!bytes.empty()) {
      auto end = bytes.find('\n');
      auto piece = bytes.substr(0, end);
      auto room = max_log_line + 1 - std::min(err_line.size(), max_log_line + 1);
      err_line.append(piece.substr(0, room));
      if (end == npos) {
        return;
      }
      bytes.remove_prefix(end + 1);
      flush_stderr();
    }
  }

  void flush_stderr() {
    std::string line = std::exchange(err_line, {});
    if (line.ends_with('\r')) {
      line.pop_back();
    }
    if (!line.empty()) {
      log(std::move(line));
    }
  }
};

using child_ptr = std::shared_ptr<child_state>;

} // namespace

struct process_runner::impl {
  impl() : work(io.get_executor()), signals(io, SIGCHLD) {
    // Descendants a child leaves behind are re-parented to this process rather than to init, so
    // they are reaped here instead of lingering as zombies.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    // Writing to a child that closed its stdin must fail with EPIPE, not end the server.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
    // Asio installs its SIGCHLD handler without SA_RESTART, so every blocking call in every
    // thread of the server would fail with EINTR whenever a child exits. Keep the handler, add
    // the flag (and skip notifications of stopped children).
    struct sigaction current {};
    if (::sigaction(SIGCHLD, nullptr, &current) == 0) {
      current.sa_flags |= SA_RESTART | SA_NOCLDSTOP;
      ::sigaction(SIGCHLD, &current, nullptr);
    }
    wait_for_children();
    thread = std::thread{[this] {
      io.run();
    }};
  }

  void wait_for_children() {
    signals.async_wait([this](const error_code& ec, int) {
      if (ec) {
        return;
      }
      reap();
      wait_for_children();
    });
  }

  // Reaps every child of the process that has exited: those of runners are reported to their
  // owners, others (descendants re-parented here) are just reaped.
  void reap() {
    auto& r = the_reaper();
    {
      std::lock_guard guard{r.mtx};
      for (;;) {
        siginfo_t info{};
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
          break;
        }
        pid_t pid = info.si_pid;
        auto owner = r.owners.find(pid);
        if (owner != r.owners.end()) {
          // Kill what is left of the group while the unreaped leader still holds its id, so
          // the signal cannot reach a group that reused it.
          signal_group(pid, SIGKILL);
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) != pid) {
          continue; // reaped elsewhere meanwhile
        }
        if (owner != r.owners.end()) {
          auto notify = std::move(owner->second);
          r.owners.erase(owner);
          notify(status);
        }
      }
    }
    // Forget groups whose every member is gone.
    for (auto it = lingering.begin(); it != lingering.end();) {
      if (::kill(-*it, 0) != 0 && errno == ESRCH) {
        it = lingering.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Forks and execs on the I/O thread: the parent-death signal belongs to the forking thread,
  // and this one lives as long as the runner.
  caf::expected<started_process> spawn(launch_plan& plan, process_events& events) {
    auto failure = [&plan](const std::string& what, int err) {
      return refusal(plan.name, what + ": " + os_text(err));
    };
    unique_fd in_read;
    unique_fd in_write;
    unique_fd out_read;
    unique_fd out_write;
    unique_fd err_read;
    unique_fd err_write;
    unique_fd report_read;
    unique_fd report_write;
    if (!make_pipe(in_read, in_write) || !make_pipe(out_read, out_write)
        || !make_pipe(err_read, err_write) || !make_pipe(report_read, report_write)) {
      return failure("cannot create pipes", errno);
    }
    for (auto& arg : plan.args) {
      plan.argv.push_back(arg.data());
    }
    plan.argv.push_back(nullptr);
    for (auto& entry : plan.environment) {
      plan.envp.push_back(entry.data());
    }
    plan.envp.push_back(nullptr);
    std::array<int, 3> streams{in_read.get(), out_write.get(), err_write.get()};

    // Signals stay blocked across fork, so that no handler of the server runs in the child
    // before it has reset them.
    sigset_t all{};
    sigset_t previous{};
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    // Held until the pid is registered, so that no SIGCHLD handler reaps it unnoticed.
    std::unique_lock guard{the_reaper().mtx};
    pid_t pid = ::fork();
    if (pid == 0) {
      run_child(plan, streams, report_write.get());
    }
    int fork_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
      return failure("fork failed", fork_error);
    }
    // The child does the same; doing it here too means the group exists whichever runs first.
    // Once the child has exec'd this fails (EACCES), harmlessly.
    ::setpgid(pid, pid);
    in_read.reset();
    out_write.reset();
    err_write.reset();
    report_write.reset();

    // The report pipe closes on exec: end of file without a report means the exec worked.
    std::array<int, 2> payload{0, 0};
    size_t got = 0;
    while (got < sizeof(payload)) {
      auto n = ::read(report_read.get(), reinterpret_cast<char*>(payload.data()) + got,
                      sizeof(payload) - got);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      got += static_cast<size_t>(n);
    }
    if (got > 0) {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (got < sizeof(payload)) {
        return refusal(plan.name, "the child failed before exec");
      }
      return failure(step_text(payload[1]), payload[0]);
    }

    auto id = next_id++;
    the_reaper().owners.emplace(pid, [this, id](int status) {
      live.fetch_sub(1);
      asio::post(io, [this, id, status] {
        on_reaped(id, status);
      });
    });
    live.fetch_add(1);
    guard.unlock();

    auto c = std::make_shared<child_state>(io, id, pid, std::move(events));
    c->in.assign(in_write.release());
    c->out.assign(out_read.release());
    c->err.assign(err_read.release());
    children.emplace(id, c);
    read_stdout(c);
    read_stderr(c);
    return started_process{id, pid};
  }

  void read_stdout(const child_ptr& c) {
    c->out.async_read_some(asio::buffer(c->out_buffer), [this, c](const error_code& ec, size_t n) {
      if (c->ended) {
        return;
      }
      if (n > 0) {
        c->reader.feed(
          std::string_view{c->out_buffer.data(), n},
          [&c](std::string message) {
            if (c->events.on_message) {
              c->events.on_message(std::move(message));
            }
          },
          [&c](std::string noise) {
            c->log(std::move(noise));
          });
      }
      if (ec) {
        error_code ignored;
        c->out.close(ignored);
        c->out_done = true;
        finish_if_done(c);
        return;
      }
      read_stdout(c);
    });
  }

  void read_stderr(const child_ptr& c) {
    c->err.async_read_some(asio::buffer(c->err_buffer), [this, c](const error_code& ec, size_t n) {
      if (c->ended) {
        return;
      }
      c->take_stderr(std::string_view{c->err_buffer.data(), n});
      if (ec) {
        c->flush_stderr(); // a last line without its line end
        error_code ignored;
        c->err.close(ignored);
        c->err_done = true;
        finish_if_done(c);
        return;
      }
      read_stderr(c);
    });
  }

  void on_reaped(uint64_t id, int status) {
    auto found = children.find(id);
    if (found == children.end()) {
      return;
    }
    auto c = found->second;
    c->reaped = true;
    c->status = status;
    // Its group got SIGKILL at reaping; members still dying are reaped as they go.
    lingering.insert(c->pid);
    c->stop_timer.cancel();
    c->close_stdin();
    if (!c->out_done || !c->err_done) {
      c->drain_timer.expires_after(drain_limit);
      c->drain_timer.async_wait([this, c](const error_code& ec) {
        if (!ec && !c->ended) {
          finish(c);
        }
      });
    }
    finish_if_done(c);
  }

  void finish_if_done(const child_ptr& c) {
    if (!c->ended && c->reaped && c->out_done && c->err_done) {
      finish(c);
    }
  }

  void finish(const child_ptr& c) {
    c->ended = true;
    c->close_all();
    children.erase(c->id);
    auto events = std::move(c->events);
    c->events = {};
    if (events.on_exit) {
      events.on_exit(c->status);
    }
  }

  child_ptr find(uint64_t id) {
    auto found = children.find(id);
    return found == children.end() ? nullptr : found->second;
  }

  void enqueue(uint64_t id, std::string framed) {
    auto c = find(id);
    if (!c || c->reaped || c->stdin_closing) {
      return;
    }
    c->backlog_bytes += framed.size();
    c->backlog.push_back(std::move(framed));
    if (c->backlog_bytes > max_backlog) {
      // It is not reading its input; left alone it would grow the server without bound.
      signal_child(c->pid, SIGKILL);
      c->close_stdin();
      return;
    }
    if (!c->writing) {
      write_next(c);
    }
  }

  // Writes the backlog one message at a time.
  void write_next(const child_ptr& c) {
    if (c->backlog.empty()) {
      c->writing = false;
      if (c->stdin_closing) {
        c->close_stdin();
      }
      return;
    }
    c->writing = true;
    asio::async_write(c->in, asio::buffer(c->backlog.front()),
                      [this, c](const error_code& ec, size_t) {
                        if (c->ended || !c->in.is_open()) {
                          return;
                        }
                        if (ec) {
                          // EPIPE: the child closed its stdin and will read nothing more.
                          c->close_stdin();
                          return;
                        }
                        c->backlog_bytes -= c->backlog.front().size();
                        c->backlog.pop_front();
                        write_next(c);
                      });
  }

  void stop(uint64_t id, std::chrono::milliseconds grace) {
    auto c = find(id);
    if (!c || c->reaped || c->stopping) {
      return;
    }
    c->stopping = true;
    // End of input is how a stdio MCP server is asked to exit; what is queued still goes first.
    c->stdin_closing = true;
    if (!c->writing) {
      c->close_stdin();
    }
    c->stop_timer.expires_after(grace);
    c->stop_timer.async_wait([c, grace](const error_code& ec) {
      if (ec || c->reaped) {
        return;
      }
      signal_child(c->pid, SIGTERM);
      c->stop_timer.expires_after(grace);
      c->stop_timer.async_wait([c](const error_code& second) {
        if (!second && !c->reaped) {
          signal_child(c->pid, SIGKILL);
        }
      });
    });
  }

  void shutdown() {
    work.reset();
    io.stop();
    if (thread.joinable()) {
      thread.join();
    }
    // The I/O thread is gone: the children are this thread's now. No callback runs any more.
    std::vector<pid_t> leaders;
    auto& r = the_reaper();
    {
      std::lock_guard guard{r.mtx};
      for (const auto& [id, c] : children) {
        auto entry = r.owners.find(c->pid);
        if (entry == r.owners.end()) {
          lingering.insert(c->pid); // reaped already, its group killed then
          continue;
        }
        r.owners.erase(entry);
        live.fetch_sub(1);
        signal_group(c->pid, SIGKILL);
        leaders.push_back(c->pid);
      }
    }
    for (auto pgid : leaders) {
      // Every member got SIGKILL, so this blocks only briefly. A member that dies hands its own
      // children to this process (a subreaper), so the loop ends once the whole group is reaped.
      int status = 0;
      while (::waitpid(-pgid, &status, 0) > 0 || errno == EINTR) {
      }
    }
    {
      std::lock_guard guard{r.mtx};
      for (auto pgid : lingering) {
        reap_dead_members(r, pgid);
      }
    }
    for (const auto& [id, c] : children) {
      c->ended = true;
      c->close_all();
    }
    children.clear();
  }

  // Declared first, destroyed last: handlers it still holds own child records with descriptors.
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::signal_set signals;
  std::thread thread;
  std::atomic<size_t> live{0};
  // The rest is touched on the I/O thread only (and by shutdown once it has ended).
  uint64_t next_id = 1;
  std::map<uint64_t, child_ptr> children;
  // Groups of reaped children that may still have members.
  std::set<pid_t> lingering;
};

process_runner::process_runner() : impl_(std::make_unique<impl>()) {}

process_runner::~process_runner() {
  try {
    impl_->shutdown();
  } catch (...) {
    // Only allocation or a mutex can fail here; ending the server instead would kill the
    // children just the same, and then everything else with them.
  }
}

caf::expected<started_process> process_runner::start(process_spec spec, process_events events) {
  launch_plan plan;
  if (auto err = prepare_launch(spec, plan)) {
    return err;
  }
  auto* self = impl_.get();
  if (self->io.get_executor().running_in_this_thread()) {
    return self->spawn(plan, events);
  }
  std::promise<caf::expected<started_process>> done;
  auto result = done.get_future();
  asio::post(self->io, [self, &plan, &events, &done] {
    try {
      done.set_value(self->spawn(plan, events));
    } catch (...) {
      // Out of memory or descriptors: the caller gets the exception, the I/O thread lives on.
      done.set_exception(std::current_exception());
    }
  });
  return result.get();
}

void process_runner::send(uint64_t id, std::string message, stdio_framing framing) {
  std::string framed;
  if (framing == stdio_framing::lines) {
    framed = std::move(message);
    framed += '\n';
  } else {
    framed = frame_message(message, framing);
  }
  auto* self = impl_.get();
  asio::post(self->io, [self, id, framed = std::move(framed)]() mutable {
    self->enqueue(id, std::move(framed));
  });
}

void process_runner::stop(uint64_t id, std::chrono::milliseconds grace) {
  auto* self = impl_.get();
  asio::post(self->io, [self, id, grace] {
    self->stop(id, grace);
  });
}

void process_runner::kill(uint64_t id) {
  auto* self = impl_.get();
  asio::post(self->io, [self, id] {
    if (auto c = self->find(id); c && !c->reaped) {
      signal_child(c->pid, SIGKILL);
    }
  });
}

size_t process_runner::live() const {
  return impl_->live.load();
}

} // namespace sagemcp::connectors
