#include "actors/scheduler.hpp"

#include "actors/timeouts.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <sstream>
#include <string>
#include <thread>

namespace sagemcp {
namespace {

using namespace std::chrono_literals;

// An actor system on an io_scheduler of `threads` threads.
struct io_system {
  explicit io_system(unsigned threads) : sys(configure(cfg, threads, &scheduler)) {}

  static caf::actor_system_config& configure(caf::actor_system_config& cfg, unsigned threads,
                                             io_scheduler** out) {
    io_scheduler::install(cfg, threads, out);
    return cfg;
  }

  caf::actor_system_config cfg;
  io_scheduler* scheduler = nullptr;
  caf::actor_system sys;
};

caf::behavior incrementer() {
  return {
    [](int x) {
      return x + 1;
    },
  };
}

// Forwards every number to `next` and answers with its reply plus one.
caf::behavior relay(caf::event_based_actor* self, caf::actor next) {
  return {
    [self, next](int x) -> caf::result<int> {
      auto promise = self->make_response_promise<int>();
      self->request(next, 10s, x).then([promise](int y) mutable {
        promise.deliver(y + 1);
      });
      return promise;
    },
  };
}

TEST(IoSchedulerTest, RunsRequestChainsAcrossActorsOnItsThreads) {
  io_system node{2};
  ASSERT_NE(node.scheduler, nullptr);
  auto last = node.sys.spawn(incrementer);
  auto middle = node.sys.spawn(relay, last);
  auto first = node.sys.spawn(relay, middle);
  caf::scoped_actor self{node.sys};
  for (int i = 0; i < 2000; ++i) {
    self->request(first, 10s, i)
      .receive(
        [i](int result) {
          ASSERT_EQ(result, i + 1 + 1 + 1);
        },
        [](caf::error& err) {
          FAIL() << caf::to_string(err);
        });
  }
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(middle, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(last, caf::exit_reason::user_shutdown);
}

TEST(IoSchedulerTest, ActorsAndIoHandlersShareTheThreads) {
  io_system node{1};
  std::promise<std::thread::id> io_thread;
  boost::asio::post(node.scheduler->context(), [&io_thread] {
    io_thread.set_value(std::this_thread::get_id());
  });
  auto io_id = io_thread.get_future().get();
  auto where = node.sys.spawn([]() -> caf::behavior {
    return {
      [](int) {
        std::ostringstream out;
        out << std::this_thread::get_id();
        return out.str();
      },
    };
  });
  caf::scoped_actor self{node.sys};
  std::ostringstream expected;
  expected << io_id;
  self->request(where, 10s, 1)
    .receive(
      [&expected](const std::string& id) {
        EXPECT_EQ(id, expected.str());
      },
      [](caf::error& err) {
        FAIL() << caf::to_string(err);
      });
  caf::anon_send_exit(where, caf::exit_reason::user_shutdown);
}

TEST(IoSchedulerTest, DeliversDelayedMessagesAndRequestTimeouts) {
  io_system node{2};
  std::promise<std::chrono::steady_clock::duration> fired;
  auto started = std::chrono::steady_clock::now();
  auto timer = node.sys.spawn([&fired, started](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, 50ms, caf::atom("later"));
    return {
      [&fired, started, self](caf::atom_value) {
        fired.set_value(std::chrono::steady_clock::now() - started);
        self->quit();
      },
    };
  });
  auto waited = fired.get_future();
  ASSERT_EQ(waited.wait_for(5s), std::future_status::ready);
  EXPECT_GE(waited.get(), 50ms);
  // A request nobody answers fails with a timeout once it is due, not before.
  auto silent = node.sys.spawn([]() -> caf::behavior {
    return {
      [](int) -> caf::result<int> {
        return caf::delegated<int>{};
      },
    };
  });
  caf::scoped_actor self{node.sys};
  auto asked = std::chrono::steady_clock::now();
  bool timed_out = false;
  self->request(silent, 80ms, 1)
    .receive(
      [](int) {
        FAIL() << "no answer expected";
      },
      [&timed_out](caf::error& err) {
        timed_out = err == caf::sec::request_timeout;
      });
  EXPECT_TRUE(timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 80ms);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
  (void)timer;
}

TEST(IoSchedulerTest, ForgottenTimeoutsLeaveTheClockEmpty) {
  io_system node{2};
  auto last = node.sys.spawn(incrementer);
  std::promise<void> done;
  auto caller = node.sys.spawn([&done, last](caf::event_based_actor* self) -> caf::behavior {
    auto left = std::make_shared<int>(500);
    for (int i = 0; i < 500; ++i) {
      auto sent = self->request(last, 300s, i);
      sent.then([self, left, &done, request = sent.id()](int) {
        forget_timeout(self, request);
        if (--*left == 0) {
          done.set_value();
        }
      });
    }
    return {
      [](int) {},
    };
  });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  auto& clock = dynamic_cast<io_clock&>(node.sys.scheduler().clock());
  EXPECT_EQ(clock.pending(), 0u);
  caf::anon_send_exit(caller, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(last, caf::exit_reason::user_shutdown);
}

TEST(IoSchedulerTest, ShutsDownWithTimeoutsStillPending) {
  std::atomic<bool> stopped = false;
  {
    io_system node{2};
    auto sleeper = node.sys.spawn([&stopped](caf::event_based_actor* self) -> caf::behavior {
      self->delayed_send(self, 1h, caf::atom("never"));
      self->attach_functor([&stopped] {
        stopped = true;
      });
      return {
        [](caf::atom_value) {},
      };
    });
    caf::anon_send_exit(sleeper, caf::exit_reason::user_shutdown);
  }
  EXPECT_TRUE(stopped);
}

} // namespace
} // namespace sagemcp
