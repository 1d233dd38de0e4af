#include "cli/spinner.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace sagemcp::cli {

spinner::spinner(std::string message) : message_(std::move(message)) {
  if (::isatty(STDERR_FILENO) == 0) {
    return;
  }
  running_ = true;
  thread_ = std::thread{[this] {
    static constexpr const char* frames[] = {"|", "/", "-", "\\"};
    size_t i = 0;
    // A quick operation finishes before the first frame and shows nothing at all.
    std::this_thread::sleep_for(std::chrono::milliseconds{150});
    while (running_) {
      std::fprintf(stderr, "\r%s %s", frames[i++ % 4], message_.c_str());
      std::fflush(stderr);
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }};
}

spinner::~spinner() {
  stop();
}

void spinner::stop() {
  if (!running_.exchange(false)) {
    return;
  }
  thread_.join();
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

} // namespace sagemcp::cli
