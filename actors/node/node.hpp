#pragma once

#include "actors/node/config.hpp"

namespace sagemcp::node {

/// Runs a node until SIGINT or SIGTERM: opens the database, spawns the actors, bootstraps the
/// first admin key and serves HTTP. Returns the process exit code.
int serve(const node_config& cfg);

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts later, so that
/// `serve` can wait for them synchronously. Call first thing in main.
void block_termination_signals();

} // namespace sagemcp::node
