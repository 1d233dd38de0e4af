#include "actors/scheduler.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/logger.hpp>

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <pthread.h>

#include <chrono>

namespace sagemcp {

namespace net = boost::asio;

// -- io_clock -------------------------------------------------------------------------------------

io_clock::io_clock(net::io_context& ioc) : timer_(ioc) {}

void io_clock::set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                                    uint64_t id) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::set_ordinary_timeout(t, self, type, id);
  arm(t);
}

void io_clock::set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                                 uint64_t id) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::set_multi_timeout(t, self, type, id);
  arm(t);
}

void io_clock::set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::set_request_timeout(t, self, id);
  arm(t);
}

void io_clock::cancel_ordinary_timeout(caf::abstract_actor* self, caf::atom_value type) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::cancel_ordinary_timeout(self, type);
}

void io_clock::cancel_request_timeout(caf::abstract_actor* self, caf::message_id id) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::cancel_request_timeout(self, id);
}

void io_clock::cancel_timeouts(caf::abstract_actor* self) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::cancel_timeouts(self);
}

void io_clock::schedule_message(time_point t, caf::strong_actor_ptr receiver,
                                caf::mailbox_element_ptr content) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::schedule_message(t, std::move(receiver), std::move(content));
  arm(t);
}

void io_clock::schedule_message(time_point t, caf::group target, caf::strong_actor_ptr sender,
                                caf::message content) {
  std::lock_guard<std::mutex> guard{mtx_};
  simple_actor_clock::schedule_message(t, std::move(target), std::move(sender), std::move(content));
  arm(t);
}

void io_clock::cancel_all() {
  schedule_map schedule;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    schedule.swap(schedule_);
    actor_lookup_.clear();
    // A pending wait finds nothing due when it fires.
  }
  // The events release their actors here, outside the lock: an actor whose last reference goes
  // cancels its own timeouts.
}

size_t io_clock::pending() {
  std::lock_guard<std::mutex> guard{mtx_};
  return schedule_.size();
}

void io_clock::arm(time_point t) {
  if (t >= armed_) {
    return;
  }
  armed_ = t;
  // Replaces the pending wait, whose handler then sees that the timer moved.
  timer_.expires_at(t);
  timer_.async_wait([this, t](boost::system::error_code ec) {
    if (!ec) {
      on_timer(t);
    }
  });
}

void io_clock::on_timer(time_point armed) {
  std::vector<std::unique_ptr<delayed_event>> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (armed != armed_) {
      // Set again meanwhile: the newer wait fires instead.
      return;
    }
    armed_ = time_point::max();
    auto t = now();
    for (auto i = schedule_.begin(); i != schedule_.end() && i->first <= t;) {
      auto entry = std::move(i->second);
      if (entry->backlink != actor_lookup_.end()) {
        actor_lookup_.erase(entry->backlink);
      }
      i = schedule_.erase(i);
      due.push_back(std::move(entry));
    }
    if (!schedule_.empty()) {
      arm(schedule_.begin()->first);
    }
  }
  // Outside the lock: delivering a message schedules its actor, and releasing an event may release
  // the last reference to an actor, which then cancels its own timeouts.
  for (auto& entry : due) {
    ship(*entry);
  }
}

// -- io_scheduler ---------------------------------------------------------------------------------

io_scheduler::io_scheduler(caf::actor_system& sys, unsigned threads)
  : abstract_coordinator(sys),
    thread_count_(std::max(1u, threads)),
    ioc_(static_cast<int>(thread_count_)),
    work_(net::make_work_guard(ioc_)),
    unit_(&sys, this),
    clock_(ioc_) {}

io_scheduler::~io_scheduler() {
  halt();
}

void io_scheduler::install(caf::actor_system_config& cfg, unsigned threads, io_scheduler** out) {
  cfg.module_factories.emplace_back([threads, out](caf::actor_system& sys) {
    auto* scheduler = new io_scheduler(sys, threads);
    *out = scheduler;
    return static_cast<caf::actor_system::module*>(scheduler);
  });
}

void io_scheduler::start() {
  for (unsigned i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "sagemcp-worker");
      system().thread_started();
      ioc_.run();
      system().thread_terminates();
    });
  }
  abstract_coordinator::start();
}

void io_scheduler::stop() {
  // The utility actors (CAF's printer) run on threads of their own.
  stop_actors();
  // Every actor is done by now; let what is still queued (their last cleanup) run out.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
  while (pending_.load() > 0 && std::chrono::steady_clock::now() < deadline && !threads_.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  halt();
  // Releases the actors that pending timeouts and delayed messages hold.
  clock_.cancel_all();
}

void io_scheduler::halt() {
  if (threads_.empty()) {
    return;
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) {
    t.join();
  }
  threads_.clear();
}

void io_scheduler::enqueue(caf::resumable* job) {
  schedule(job, false);
}

caf::actor_clock& io_scheduler::clock() noexcept {
  return clock_;
}

void io_scheduler::unit::exec_later(caf::resumable* job) {
  parent_->schedule(job, true);
}

void io_scheduler::schedule(caf::resumable* job, bool local) {
  ++pending_;
  auto run = [this, job] {
    resume(job);
  };
  if (local) {
    // From a job on one of the threads: it runs after the current one on the same thread unless
    // another thread is idle and takes it.
    net::defer(ioc_, std::move(run));
  } else {
    net::post(ioc_, std::move(run));
  }
}

void io_scheduler::resume(caf::resumable* job) {
  // CAF is built without logging, yet notes the running actor for its logger around every resume
  // (a lock and a map lookup, twice) on a thread that has a current logger, and every spawn sets
  // one. Nothing reads it: these threads keep none.
  if (caf::logger::current_logger() != nullptr) {
    caf::logger::set_current_actor_system(nullptr);
  }
  switch (job->resume(&unit_, max_throughput())) {
    case caf::resumable::resume_later:
      // Still holds the reference it had.
      schedule(job, true);
      break;
    case caf::resumable::done:
    case caf::resumable::awaiting_message:
      intrusive_ptr_release(job);
      break;
    case caf::resumable::shutdown_execution_unit:
      break;
  }
  --pending_;
}

} // namespace sagemcp
