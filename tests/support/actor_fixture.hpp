#pragma once

#include "messages/errc.hpp"
#include "messages/interfaces.hpp"
#include "messages/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <vector>

namespace sagemcp::test {

/// An actor system on CAF's deterministic scheduler: nothing runs until the test calls run(),
/// and time only passes through advance_time().
class actor_fixture : public ::testing::Test {
protected:
  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    add_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.inline-output", true);
    cfg.set("middleman.network-backend", caf::atom("testing"));
    return cfg;
  }

  actor_fixture()
    : sys(init(cfg)),
      self(sys, true),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    sched.clock().current_time += std::chrono::hours(1);
  }

  ~actor_fixture() override {
    // Pending timeouts keep actors alive; the actor system would wait for them forever.
    for (auto& handle : spawned) {
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    }
    run();
  }

  /// Spawns an actor that the fixture stops when the test ends.
  template <class... Ts>
  auto spawn(Ts&&... xs) {
    auto handle = sys.spawn(std::forward<Ts>(xs)...);
    spawned.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  /// Runs every actor until no message is left.
  void run() {
    sched.run();
  }

  /// Moves the clock forward and runs what became due.
  void advance_time(caf::timespan x) {
    sched.advance_time(x);
    run();
  }

  /// Sends a request from the test, runs the system, and returns the reply or the error.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& dest, Ts&&... xs) {
    auto handle = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run();
    std::optional<caf::expected<T>> result;
    handle.receive(
      [&](T& value) {
        result = std::move(value);
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
    if (!result) {
      return make_error(errc::internal_error, "no reply");
    }
    return std::move(*result);
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
  std::vector<caf::actor> spawned;
};

} // namespace sagemcp::test
