#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace sagemcp::cli {

/// A spinner with a message on stderr while a long operation runs; shows nothing unless stderr
/// is a terminal. Stops and clears its line when destroyed.
class spinner {
public:
  explicit spinner(std::string message);
  ~spinner();
  spinner(const spinner&) = delete;
  spinner& operator=(const spinner&) = delete;

  /// Stops and clears the line; idempotent.
  void stop();

private:
  std::string message_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

} // namespace sagemcp::cli
