// The hub has no clock of its own (so tests set time by hand). This file gives it the real one: the
// time before every call, a tick once a second for heartbeats, resume windows and room expiry, and
// the lobby's batches of room-list changes (every HubConfig::lobby_batch_ms).
// It also runs the hub's password jobs on the PasswordPool and brings their results back to the
// network thread.
#pragma once

#include "hub.hpp"
#include "password_pool.hpp"

#include <boost/asio/io_context.hpp>

namespace moim::server {

struct ServerContext;

// steady_clock milliseconds and unix seconds, now.
void set_hub_time(Hub& hub);

// Starts the once-a-second tick and the lobby flush (run until the io_context stops).
void start_hub_clock(boost::asio::io_context& ioc, ServerContext& ctx);

// Submits each job; a job the pool refuses (queue full) is answered at once as failed.
void run_password_jobs(boost::asio::io_context& ioc, ServerContext& ctx, PasswordPool& pool,
                       const std::vector<PasswordJob>& jobs);

// The pool's on_done: posts the result to the network thread, where the hub takes it.
void post_password_result(boost::asio::io_context& ioc, ServerContext& ctx, PasswordResult result);

}  // namespace moim::server
