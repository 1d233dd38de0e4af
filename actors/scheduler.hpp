#pragma once

#include <caf/actor_system.hpp>
#include <caf/detail/simple_actor_clock.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace sagemcp {

/// CAF's clock (timeouts, delayed messages) on one Asio timer of an I/O context. Setting a timeout
/// only wakes anything when it is due before every other; cancelling one never does. CAF's own
/// clock wakes a thread of its own for each of them, including the cancellation every actor sends
/// when it ends.
class io_clock final : public caf::detail::simple_actor_clock {
public:
  explicit io_clock(boost::asio::io_context& ioc);

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                            uint64_t id) override;
  void set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                         uint64_t id) override;
  void set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) override;
  void cancel_ordinary_timeout(caf::abstract_actor* self, caf::atom_value type) override;
  void cancel_request_timeout(caf::abstract_actor* self, caf::message_id id) override;
  void cancel_timeouts(caf::abstract_actor* self) override;
  void schedule_message(time_point t, caf::strong_actor_ptr receiver,
                        caf::mailbox_element_ptr content) override;
  void schedule_message(time_point t, caf::group target, caf::strong_actor_ptr sender,
                        caf::message content) override;
  void cancel_all() override;

  /// The timeouts and delayed messages waiting.
  size_t pending();

private:
  // Makes the timer fire at `t` if it is set later than that. Needs `mtx_`.
  void arm(time_point t);
  void on_timer(time_point armed);

  std::mutex mtx_;
  boost::asio::steady_timer timer_;
  /// When the timer fires; max() when it is not set.
  time_point armed_ = time_point::max();
};

/// CAF's scheduler on an Asio I/O context: actors run on the threads that run the HTTP server's
/// I/O. A message from a connection to an actor, the actors' messages among themselves and the
/// reply written back stay on the thread that took them when it is free, instead of waking the
/// threads of a second pool for every hop.
///
/// Installed as the actor system's scheduler module (see `io_scheduler::install`), with an
/// `io_clock` on the same context.
class io_scheduler : public caf::scheduler::abstract_coordinator {
public:
  io_scheduler(caf::actor_system& sys, unsigned threads);
  ~io_scheduler() override;
  io_scheduler(const io_scheduler&) = delete;
  io_scheduler& operator=(const io_scheduler&) = delete;

  /// Makes `cfg` build the actor system on an io_scheduler of `threads` threads; `*out` points to
  /// it once the system exists.
  static void install(caf::actor_system_config& cfg, unsigned threads, io_scheduler** out);

  /// The I/O context the threads run, for the HTTP server's sockets.
  boost::asio::io_context& context() noexcept {
    return ioc_;
  }

  /// How many threads run the context.
  unsigned threads() const noexcept {
    return thread_count_;
  }

  /// Stops the threads and waits for them. Work queued after this never runs; call it once no
  /// actor is left, before what the I/O handlers refer to is destroyed.
  void halt();

  void enqueue(caf::resumable* job) override;
  caf::actor_clock& clock() noexcept override;

protected:
  void start() override;
  void stop() override;

private:
  // Where resumed actors schedule the actors they send messages to.
  class unit : public caf::execution_unit {
  public:
    unit(caf::actor_system* sys, io_scheduler* parent)
      : caf::execution_unit(sys),
        parent_(parent) {}
    void exec_later(caf::resumable* job) override;

  private:
    io_scheduler* parent_;
  };

  // Runs `job` on one of the threads; `local`: the caller runs on one of them itself.
  void schedule(caf::resumable* job, bool local);
  void resume(caf::resumable* job);

  unsigned thread_count_;
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  unit unit_;
  io_clock clock_;
  std::vector<std::thread> threads_;
  /// Jobs queued and not done yet.
  std::atomic<size_t> pending_ = 0;
};

} // namespace sagemcp
