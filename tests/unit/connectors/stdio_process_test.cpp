#include "connectors/stdio_process.hpp"

#include "messages/errc.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sagemcp::connectors {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Feeds `input` to a reader in pieces cut at `cuts`; returns what came out, in order, messages as
// "m:" entries and noise as "n:" entries.
std::vector<std::string> parse(std::string_view input, const std::vector<size_t>& cuts = {},
                               size_t max_message = size_t{16} << 20,
                               stdio_reader* reader_out = nullptr) {
  stdio_reader local{max_message};
  auto& reader = reader_out != nullptr ? *reader_out : local;
  std::vector<std::string> out;
  std::function<void(std::string)> on_message = [&out](const std::string& m) {
    out.push_back("m:" + m);
  };
  std::function<void(std::string)> on_noise = [&out](const std::string& n) {
    out.push_back("n:" + n);
  };
  size_t start = 0;
  for (auto cut : cuts) {
    reader.feed(input.substr(start, cut - start), on_message, on_noise);
    start = cut;
  }
  reader.feed(input.substr(start), on_message, on_noise);
  return out;
}

std::vector<std::string> parse_bytewise(std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) {
    cuts.push_back(i);
  }
  return parse(input, cuts);
}

std::string framed(std::string_view body, std::string_view eol = "\r\n",
                   std::string_view extra_header = {}) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + std::string{eol};
  if (!extra_header.empty()) {
    out += std::string{extra_header} + std::string{eol};
  }
  return out + std::string{eol} + std::string{body};
}

TEST(StdioReaderTest, SplitsLines) {
  auto out = parse("{\"a\":1}\n{\"b\":2}\n[1,2]\n");
  EXPECT_EQ(out, (std::vector<std::string>{"m:{\"a\":1}", "m:{\"b\":2}", "m:[1,2]"}));
}

TEST(StdioReaderTest, KeepsAnUnfinishedLineForLater) {
  stdio_reader reader;
  EXPECT_TRUE(parse("{\"a\":", {}, size_t{16} << 20, &reader).empty());
  EXPECT_EQ(parse("1}\n{\"b\"", {}, size_t{16} << 20, &reader),
            (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(parse(":2}\n", {}, size_t{16} << 20, &reader),
            (std::vector<std::string>{"m:{\"b\":2}"}));
}

TEST(StdioReaderTest, StripsCarriageReturnsAndSkipsBlankLines) {
  auto out = parse("{\"a\":1}\r\n\r\n   \n\t\r\n\n{\"b\":2}\r\n");
  EXPECT_EQ(out, (std::vector<std::string>{"m:{\"a\":1}", "m:{\"b\":2}"}));
}

TEST(StdioReaderTest, ReportsNoiseLinesApart) {
  auto out = parse("Starting server on stdio\n  {\"a\":1}\nINFO ready\r\n");
  EXPECT_EQ(
    out, (std::vector<std::string>{"n:Starting server on stdio", "m:  {\"a\":1}", "n:INFO ready"}));
}

TEST(StdioReaderTest, ReadsContentLengthFrames) {
  EXPECT_EQ(parse(framed("{\"a\":1}")), (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(parse(framed("{\"a\":1}", "\n")), (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(
    parse(framed("{\"a\":1}", "\r\n", "Content-Type: application/vscode-jsonrpc; charset=utf-8")),
    (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(parse(framed("{\"a\":1}", "\n", "Content-Type: application/json")),
            (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(parse("CONTENT-LENGTH:7\n\n{\"a\":1}"), (std::vector<std::string>{"m:{\"a\":1}"}));
  EXPECT_EQ(parse("content-length :  7 \r\n\r\n{\"a\":1}"),
            (std::vector<std::string>{"m:{\"a\":1}"}));
  // The body is taken by length: line ends inside it are part of the message.
  EXPECT_EQ(parse(framed("{\n\"a\":\r\n1}\n")), (std::vector<std::string>{"m:{\n\"a\":\r\n1}\n"}));
  EXPECT_EQ(parse("Content-Length: 0\r\n\r\n{\"b\":2}\n"),
            (std::vector<std::string>{"m:{\"b\":2}"}));
}

TEST(StdioReaderTest, SplitsAtEveryByteBoundary) {
  std::string input = "{\"a\":1}\r\n\nlog line\n" + framed("{\"b\":\n2}", "\r\n", "Content-Type: x")
                      + framed("[3]", "\n") + "{\"c\":4}\n" + framed("{\"d\":5}") + "\n  \n";
  std::vector<std::string> expected{"m:{\"a\":1}", "n:log line",  "m:{\"b\":\n2}",
                                    "m:[3]",       "m:{\"c\":4}", "m:{\"d\":5}"};
  ASSERT_EQ(parse(input), expected);
  for (size_t cut = 1; cut < input.size(); ++cut) {
    EXPECT_EQ(parse(input, {cut}), expected) << "cut at " << cut;
  }
  EXPECT_EQ(parse_bytewise(input), expected);
}

TEST(StdioReaderTest, TellsTheFramingOfTheLastMessage) {
  stdio_reader reader;
  std::function<void(std::string)> ignore = [](const std::string&) {};
  EXPECT_EQ(reader.last_framing(), stdio_framing::lines);
  reader.feed(framed("{\"a\":1}"), ignore, ignore);
  EXPECT_EQ(reader.last_framing(), stdio_framing::content_length);
  reader.feed("just noise\n", ignore, ignore);
  EXPECT_EQ(reader.last_framing(), stdio_framing::content_length);
  reader.feed("{\"b\":2}\n", ignore, ignore);
  EXPECT_EQ(reader.last_framing(), stdio_framing::lines);
  reader.feed(framed("{\"c\":3}", "\n"), ignore, ignore);
  EXPECT_EQ(reader.last_framing(), stdio_framing::content_length);
}

TEST(StdioReaderTest, DropsOversizeLines) {
  std::string input = R"({"a":")" + std::string(40, 'x') + "\"}\n{\"b\":2}\n";
  std::vector<std::string> expected{"n:(dropped a 48-byte message: larger than the 16-byte limit)",
                                    "m:{\"b\":2}"};
  EXPECT_EQ(parse(input, {}, 16), expected);
  EXPECT_EQ(parse(input, {5, 10, 15, 20, 25, 30, 35, 40, 45}, 16), expected);
  // A line of exactly the limit passes, even with its "\r\n" arriving after.
  EXPECT_EQ(parse("{\"a\":\"0123456789\"}\r\n", {17}, 18),
            (std::vector<std::string>{"m:{\"a\":\"0123456789\"}"}));
}

TEST(StdioReaderTest, DropsOversizeFramedMessages) {
  stdio_reader reader;
  std::vector<std::string> out;
  std::function<void(std::string)> on_message = [&out](const std::string& m) {
    out.push_back("m:" + m);
  };
  std::function<void(std::string)> on_noise = [&out](const std::string& n) {
    out.push_back("n:" + n);
  };
  reader.feed("Content-Length: 20000000\r\n\r\n", on_message, on_noise);
  const std::string chunk(size_t{1} << 20, 'x');
  size_t left = 20000000;
  while (left > 0) {
    auto n = std::min(left, chunk.size());
    reader.feed(std::string_view{chunk}.substr(0, n), on_message, on_noise);
    left -= n;
  }
  reader.feed("{\"ok\":1}\n", on_message, on_noise);
  EXPECT_EQ(out, (std::vector<std::string>{
                   "n:(dropped a 20000000-byte message: larger than the 16777216-byte limit)",
                   "m:{\"ok\":1}"}));
  // With a small limit (that still admits the header line), split everywhere.
  std::string input = framed(std::string(30, 'y')) + "{\"b\":2}\n";
  std::vector<std::string> expected{"n:(dropped a 30-byte message: larger than the 20-byte limit)",
                                    "m:{\"b\":2}"};
  for (size_t cut = 1; cut < input.size(); ++cut) {
    EXPECT_EQ(parse(input, {cut}, 20), expected) << "cut at " << cut;
  }
}

TEST(StdioReaderTest, ResynchronizesAfterMalformedHeaders) {
  auto out = parse("Content-Length: abc\r\n{\"a\":1}\n"
                   "Content-Length: 99999999999999999999999\n{\"b\":2}\n"
                   "Content-Length: -5\n"
                   "Content-Length:\n"
                   "Content-Length: 12x\n{\"c\":3}\n");
  EXPECT_EQ(out, (std::vector<std::string>{"n:Content-Length: abc", "m:{\"a\":1}",
                                           "n:Content-Length: 99999999999999999999999",
                                           "m:{\"b\":2}", "n:Content-Length: -5",
                                           "n:Content-Length:", "n:Content-Length: 12x",
                                           "m:{\"c\":3}"}));
  // A header not followed by its blank line: the frame is given up, the JSON line kept.
  auto broken = parse("Content-Length: 7\n{\"d\":4}\n");
  ASSERT_EQ(broken.size(), 2U);
  EXPECT_EQ(broken[0].substr(0, 2), "n:");
  EXPECT_EQ(broken[1], "m:{\"d\":4}");
}

TEST(StdioReaderTest, FramesMessages) {
  EXPECT_EQ(frame_message(R"({"a":1})", stdio_framing::lines), "{\"a\":1}\n");
  EXPECT_EQ(frame_message(R"({"a":1})", stdio_framing::content_length),
            "Content-Length: 7\r\n\r\n{\"a\":1}");
  EXPECT_EQ(frame_message("", stdio_framing::content_length), "Content-Length: 0\r\n\r\n");
}

// What a child reported; outlives the runner calling it.
struct recorder {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> messages;
  std::vector<std::string> logs;
  std::optional<int> status;
  int exits = 0;
  size_t messages_at_exit = 0;
  // A callback came after on_exit.
  bool late = false;

  process_events events() {
    return process_events{[this](std::string message) {
                            std::lock_guard guard{mtx};
                            late = late || status.has_value();
                            messages.push_back(std::move(message));
                            cv.notify_all();
                          },
                          [this](std::string line) {
                            std::lock_guard guard{mtx};
                            late = late || status.has_value();
                            logs.push_back(std::move(line));
                            cv.notify_all();
                          },
                          [this](int wait_status) {
                            std::lock_guard guard{mtx};
                            ++exits;
                            status = wait_status;
                            messages_at_exit = messages.size();
                            cv.notify_all();
                          }};
  }

  bool wait(const std::function<bool()>& ready, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock{mtx};
    return cv.wait_for(lock, timeout, ready);
  }

  bool wait_exit(std::chrono::milliseconds timeout = 5s) {
    return wait(
      [this] {
        return status.has_value();
      },
      timeout);
  }

  bool wait_messages(size_t n) {
    return wait([this, n] {
      return messages.size() >= n;
    });
  }
};

bool gone(int pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Polls briefly for a process to be gone (reaped, not merely dead).
bool becomes_gone(int pid) {
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!gone(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

int pid_in(const std::string& message) {
  auto colon = message.find(':');
  return colon == std::string::npos ? 0 : std::stoi(message.substr(colon + 1));
}

class ProcessRunnerTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path()
           / ("sagemcp-stdio-test-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  process_spec program(std::vector<std::string> argv) const {
    process_spec spec;
    spec.argv = std::move(argv);
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.working_dir = (dir_ / "work").string();
    return spec;
  }

  process_spec shell(const std::string& script) const {
    return program({"/bin/sh", "-c", script});
  }

  fs::path dir_;
};

TEST_F(ProcessRunnerTest, EchoesLinesThroughCat) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(program({"cat"}), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  EXPECT_GT(started->pid, 0);
  EXPECT_EQ(runner.live(), 1U);
  runner.send(started->id, R"({"a":1})", stdio_framing::lines);
  runner.send(started->id, R"({"b":2})", stdio_framing::lines);
  ASSERT_TRUE(rec.wait_messages(2));
  // cat ends at the end of its input, long before the grace period.
  auto asked = std::chrono::steady_clock::now();
  runner.stop(started->id, 5s);
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
  EXPECT_EQ(rec.messages, (std::vector<std::string>{R"({"a":1})", R"({"b":2})"}));
  ASSERT_TRUE(WIFEXITED(*rec.status));
  EXPECT_EQ(WEXITSTATUS(*rec.status), 0);
  EXPECT_EQ(rec.exits, 1);
  EXPECT_FALSE(rec.late);
  EXPECT_EQ(runner.live(), 0U);
  // Ended children are ignored.
  runner.send(started->id, R"({"c":3})", stdio_framing::lines);
  runner.stop(started->id, 10ms);
  runner.kill(started->id);
}

TEST_F(ProcessRunnerTest, EchoesContentLengthFramesThroughCat) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(program({"cat"}), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  runner.send(started->id, "{\"a\":\n1}", stdio_framing::content_length);
  runner.send(started->id, R"({"b":2})", stdio_framing::content_length);
  runner.send(started->id, R"({"c":3})", stdio_framing::lines);
  ASSERT_TRUE(rec.wait_messages(3));
  EXPECT_EQ(rec.messages, (std::vector<std::string>{"{\"a\":\n1}", R"({"b":2})", R"({"c":3})"}));
  runner.kill(started->id);
  ASSERT_TRUE(rec.wait_exit());
}

TEST_F(ProcessRunnerTest, GivesExactlyTheSpecEnvironment) {
  ASSERT_NE(std::getenv("PATH"), nullptr); // NOLINT(concurrency-mt-unsafe)
  {
    recorder rec;
    process_runner runner;
    auto spec = program({"env"});
    spec.env.emplace_back("FOO", "bar baz");
    auto started = runner.start(std::move(spec), rec.events());
    ASSERT_TRUE(started) << message_of(started.error());
    ASSERT_TRUE(rec.wait_exit());
    // Not JSON, so each line comes as noise.
    EXPECT_EQ(rec.logs, (std::vector<std::string>{"PATH=/usr/bin:/bin", "FOO=bar baz"}));
  }
  {
    recorder rec;
    process_runner runner;
    auto spec = shell(R"(printf '{"foo":"%s","home":"%s","user":"%s"}\n' "$FOO" "$HOME" "$USER")");
    spec.env.emplace_back("FOO", "x");
    auto started = runner.start(std::move(spec), rec.events());
    ASSERT_TRUE(started) << message_of(started.error());
    ASSERT_TRUE(rec.wait_exit());
    EXPECT_EQ(rec.messages, (std::vector<std::string>{R"({"foo":"x","home":"","user":""})"}));
  }
}

TEST_F(ProcessRunnerTest, CreatesAndUsesTheWorkingDirectory) {
  recorder rec;
  process_runner runner;
  auto spec = shell(R"sh(printf '{"cwd":"%s"}\n' "$(pwd)")sh");
  auto where = dir_ / "a" / "b" / "c";
  spec.working_dir = where.string();
  auto started = runner.start(std::move(spec), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages,
            (std::vector<std::string>{"{\"cwd\":\"" + fs::canonical(where).string() + "\"}"}));
  for (const auto& dir : {dir_ / "a", dir_ / "a" / "b", where}) {
    EXPECT_EQ(fs::status(dir).permissions(), fs::perms::owner_all) << dir;
  }
}

TEST_F(ProcessRunnerTest, FailsWhenTheWorkingDirectoryCannotBeCreated) {
  std::ofstream{dir_ / "file"} << "x";
  process_runner runner;
  recorder rec;
  auto spec = program({"cat"});
  spec.working_dir = (dir_ / "file" / "sub").string();
  auto started = runner.start(std::move(spec), rec.events());
  ASSERT_FALSE(started);
  EXPECT_EQ(code_of(started.error()), errc::invalid_argument);
  EXPECT_NE(message_of(started.error()).find("working directory"), std::string::npos)
    << message_of(started.error());
}

TEST_F(ProcessRunnerTest, DeliversStderrLines) {
  recorder rec;
  process_runner runner;
  std::string long_line(5000, 'x');
  auto started = runner.start(shell("echo first >&2; echo '{\"a\":1}'; printf 'second\\r\\n' >&2;"
                                    " printf '%s\\n' '"
                                    + long_line + "' >&2; printf last >&2"),
                              rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages, (std::vector<std::string>{R"({"a":1})"}));
  EXPECT_EQ(rec.logs,
            (std::vector<std::string>{"first", "second", std::string(4096, 'x'), "last"}));
  EXPECT_FALSE(rec.late);
}

TEST_F(ProcessRunnerTest, FailsForAMissingProgram) {
  process_runner runner;
  recorder rec;
  auto missing = runner.start(program({"no-such-program-sagemcp"}), rec.events());
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::invalid_argument);
  EXPECT_NE(message_of(missing.error()).find("'no-such-program-sagemcp'"), std::string::npos)
    << message_of(missing.error());

  auto absolute = runner.start(program({"/nonexistent/sagemcp-program"}), rec.events());
  ASSERT_FALSE(absolute);
  EXPECT_EQ(message_of(absolute.error()),
            "cannot start '/nonexistent/sagemcp-program': execve failed: No such file or "
            "directory");

  // The server's own PATH is not used.
  auto spec = program({"cat"});
  spec.env.clear();
  auto no_path = runner.start(std::move(spec), rec.events());
  ASSERT_FALSE(no_path);
  EXPECT_NE(message_of(no_path.error()).find("PATH"), std::string::npos);

  EXPECT_FALSE(runner.start(program({}), rec.events()));
  EXPECT_EQ(runner.live(), 0U);
  EXPECT_EQ(rec.exits, 0);
}

TEST_F(ProcessRunnerTest, FailsForANonExecutableFile) {
  auto script = dir_ / "tool";
  std::ofstream{script} << "#!/bin/sh\necho '{}'\n";
  fs::permissions(script, fs::perms::owner_read | fs::perms::owner_write);
  process_runner runner;
  recorder rec;
  auto direct = runner.start(program({script.string()}), rec.events());
  ASSERT_FALSE(direct);
  EXPECT_EQ(message_of(direct.error()),
            "cannot start '" + script.string() + "': execve failed: Permission denied");

  auto spec = program({"tool"});
  spec.env = {{"PATH", dir_.string()}};
  auto looked_up = runner.start(std::move(spec), rec.events());
  ASSERT_FALSE(looked_up);
  EXPECT_NE(message_of(looked_up.error()).find("Permission denied"), std::string::npos)
    << message_of(looked_up.error());

  // Made executable, it runs, found on the PATH.
  fs::permissions(script, fs::perms::owner_all);
  spec = program({"tool"});
  spec.env = {{"PATH", "/nonexistent:" + dir_.string()}};
  auto works = runner.start(std::move(spec), rec.events());
  ASSERT_TRUE(works) << message_of(works.error());
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages, (std::vector<std::string>{"{}"}));
}

TEST_F(ProcessRunnerTest, ReportsTheExitStatusAfterTheLastMessage) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(shell(R"(echo '{"n":1}'; echo '{"n":2}'; exit 3)"), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages_at_exit, 2U);
  ASSERT_TRUE(WIFEXITED(*rec.status));
  EXPECT_EQ(WEXITSTATUS(*rec.status), 3);
  EXPECT_EQ(runner.live(), 0U);
  // Still exactly once, and nothing after it.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rec.exits, 1);
  EXPECT_FALSE(rec.late);
}

TEST_F(ProcessRunnerTest, KillReportsSigkill) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(program({"sleep", "30"}), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  runner.kill(started->id);
  ASSERT_TRUE(rec.wait_exit());
  ASSERT_TRUE(WIFSIGNALED(*rec.status));
  EXPECT_EQ(WTERMSIG(*rec.status), SIGKILL);
  EXPECT_TRUE(gone(started->pid));
}

TEST_F(ProcessRunnerTest, StopSendsSigtermAfterTheGracePeriod) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(program({"sleep", "30"}), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  runner.stop(started->id, 100ms);
  ASSERT_TRUE(rec.wait_exit());
  ASSERT_TRUE(WIFSIGNALED(*rec.status));
  EXPECT_EQ(WTERMSIG(*rec.status), SIGTERM);
}

TEST_F(ProcessRunnerTest, StopEndsAChildThatIgnoresSigterm) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(
    shell(R"(trap "" TERM; echo '{"ready":1}'; while :; do sleep 0.05; done)"), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_messages(1)); // the trap is set
  auto asked = std::chrono::steady_clock::now();
  runner.stop(started->id, 150ms);
  ASSERT_TRUE(rec.wait_exit());
  auto took = std::chrono::steady_clock::now() - asked;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1s);
  ASSERT_TRUE(WIFSIGNALED(*rec.status));
  EXPECT_EQ(WTERMSIG(*rec.status), SIGKILL);
}

TEST_F(ProcessRunnerTest, KillsTheProcessGroup) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(shell(R"(sleep 30 & echo "{\"pid\":$!}"; wait)"), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_messages(1));
  int grandchild = pid_in(rec.messages.front());
  ASSERT_GT(grandchild, 0);
  EXPECT_FALSE(gone(grandchild));
  runner.kill(started->id);
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_TRUE(becomes_gone(grandchild));
  EXPECT_TRUE(gone(started->pid));
}

TEST_F(ProcessRunnerTest, KillsWhatAnExitedChildLeftBehind) {
  recorder rec;
  process_runner runner;
  // The background sleep keeps stdout open after the shell exits; on_exit still comes, promptly.
  auto started = runner.start(shell(R"(sleep 30 & echo "{\"pid\":$!}"; exit 5)"), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_exit(1s));
  ASSERT_EQ(rec.messages.size(), 1U);
  ASSERT_TRUE(WIFEXITED(*rec.status));
  EXPECT_EQ(WEXITSTATUS(*rec.status), 5);
  EXPECT_TRUE(becomes_gone(pid_in(rec.messages.front())));
}

TEST_F(ProcessRunnerTest, AppliesResourceLimits) {
  recorder rec;
  process_runner runner;
  auto spec = shell(R"(echo "{\"n\":$(ulimit -n),\"t\":$(ulimit -t),\"c\":$(ulimit -c),)"
                    R"(\"d\":$(ulimit -d)}")");
  spec.limits.open_files = 64;
  spec.limits.cpu_seconds = 7;
  spec.limits.memory_bytes = uint64_t{256} << 20;
  auto started = runner.start(std::move(spec), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages, (std::vector<std::string>{R"({"n":64,"t":7,"c":0,"d":262144})"}));
}

TEST_F(ProcessRunnerTest, SurvivesWritesToAClosedStdin) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(
    shell(R"(exec 0<&-; echo '{"ready":1}'; sleep 0.3; echo '{"done":1}')"), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  ASSERT_TRUE(rec.wait_messages(1));
  for (int i = 0; i < 20; ++i) {
    runner.send(started->id, std::string(10000, 'x'), stdio_framing::lines);
  }
  ASSERT_TRUE(rec.wait_exit());
  EXPECT_EQ(rec.messages.size(), 2U);
  ASSERT_TRUE(WIFEXITED(*rec.status));
}

TEST_F(ProcessRunnerTest, KillsAChildThatLeavesItsInputUnread) {
  recorder rec;
  process_runner runner;
  auto started = runner.start(program({"sleep", "30"}), rec.events());
  ASSERT_TRUE(started) << message_of(started.error());
  for (int i = 0; i < 9; ++i) {
    runner.send(started->id, std::string(size_t{8} << 20, 'x'), stdio_framing::lines);
  }
  ASSERT_TRUE(rec.wait_exit());
  ASSERT_TRUE(WIFSIGNALED(*rec.status));
  EXPECT_EQ(WTERMSIG(*rec.status), SIGKILL);
}

TEST_F(ProcessRunnerTest, CountsLiveChildren) {
  recorder first;
  recorder second;
  process_runner runner;
  auto a = runner.start(program({"sleep", "30"}), first.events());
  auto b = runner.start(program({"sleep", "30"}), second.events());
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(runner.live(), 2U);
  runner.kill(a->id);
  ASSERT_TRUE(first.wait_exit());
  EXPECT_EQ(runner.live(), 1U);
  runner.kill(b->id);
  ASSERT_TRUE(second.wait_exit());
  EXPECT_EQ(runner.live(), 0U);
}

TEST_F(ProcessRunnerTest, DestructorLeavesNoProcessBehind) {
  recorder rec;
  recorder other;
  int child = 0;
  int second_child = 0;
  int grandchild = 0;
  {
    process_runner runner;
    auto started = runner.start(shell(R"(sleep 30 & echo "{\"pid\":$!}"; wait)"), rec.events());
    ASSERT_TRUE(started) << message_of(started.error());
    auto sleeper = runner.start(program({"sleep", "30"}), other.events());
    ASSERT_TRUE(sleeper) << message_of(sleeper.error());
    ASSERT_TRUE(rec.wait_messages(1));
    child = started->pid;
    second_child = sleeper->pid;
    grandchild = pid_in(rec.messages.front());
    ASSERT_GT(grandchild, 0);
  }
  // Reaped, not merely killed: a zombie would still answer kill(pid, 0).
  EXPECT_TRUE(gone(child));
  EXPECT_TRUE(gone(second_child));
  EXPECT_TRUE(gone(grandchild));
  EXPECT_EQ(rec.exits, 0);
  EXPECT_EQ(other.exits, 0);
}

TEST_F(ProcessRunnerTest, StartsFromItsOwnCallbacks) {
  recorder rec;
  process_runner runner;
  std::mutex mtx;
  std::condition_variable cv;
  std::optional<caf::expected<started_process>> restarted;
  auto started = runner.start(shell("exit 0"), process_events{{}, {}, [&](int) {
                                                                // on_exit runs on the runner's
                                                                // thread: starting from there must
                                                                // not deadlock.
                                                                auto next = runner.start(
                                                                  program({"cat"}), rec.events());
                                                                std::lock_guard guard{mtx};
                                                                restarted = std::move(next);
                                                                cv.notify_all();
                                                              }});
  ASSERT_TRUE(started) << message_of(started.error());
  std::unique_lock lock{mtx};
  ASSERT_TRUE(cv.wait_for(lock, 5s, [&] {
    return restarted.has_value();
  }));
  ASSERT_TRUE(*restarted) << message_of(restarted->error());
  runner.send((*restarted)->id, R"({"x":1})", stdio_framing::lines);
  lock.unlock();
  ASSERT_TRUE(rec.wait_messages(1));
}

} // namespace
} // namespace sagemcp::connectors
