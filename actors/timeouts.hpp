#pragma once

#include <caf/actor_clock.hpp>
#include <caf/local_actor.hpp>
#include <caf/message_id.hpp>

namespace sagemcp {

/// Drops the timeout of a request whose response arrived. CAF 0.17 keeps a request's timeout
/// until it fires, answered or not: an actor that lives long and sends timed requests at a high
/// rate (a session, the pool) would hold one clock entry per request of the last timeout period.
/// Call it from both handlers of such a request, with the id of the request's response handle
/// (the id its response arrives with).
inline void forget_timeout(caf::local_actor* self, caf::message_id response) {
  self->clock().cancel_request_timeout(self, response);
}

} // namespace sagemcp
