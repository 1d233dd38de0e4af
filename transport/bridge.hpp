#pragma once

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/timespan.hpp>

#include <utility>

namespace sagemcp::transport {

/// Sends a request to an actor from a non-actor thread without blocking it: a short-lived actor
/// makes the request and runs `on_value` or `on_error` (on an actor thread) with the outcome.
template <class Handle, class OnValue, class OnError, class... Ts>
void ask(caf::actor_system& sys, Handle dest, caf::timespan timeout, OnValue on_value,
         OnError on_error, Ts... xs) {
  sys.spawn([dest = std::move(dest), timeout, on_value = std::move(on_value),
             on_error = std::move(on_error),
             ... xs = std::move(xs)](caf::event_based_actor* self) mutable {
    self->request(dest, timeout, std::move(xs)...).then(std::move(on_value), std::move(on_error));
  });
}

} // namespace sagemcp::transport
