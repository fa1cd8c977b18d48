#include "hub_clock.hpp"

#include "log.hpp"
#include "server_context.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace moim::server {

namespace asio = boost::asio;

void set_hub_time(Hub& hub) {
  using namespace std::chrono;
  hub.set_time(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count(),
               duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

namespace {

void deliver_safely(ServerContext& ctx, const char* what, auto&& call) {
  try {
    set_hub_time(ctx.hub);
    ctx.connections.deliver(call());
  } catch (const std::exception& e) {
    log_error(std::string("hub ") + what + " failed: " + e.what());
  }
}

// glibc keeps freed heap memory for reuse, so after a busy spell the server's RSS stays at its high
// point. When the last WebSocket connection is gone, the free memory is handed back once (a few
// milliseconds at most, and only on an idle server), so RSS shows what the server still holds.
void release_memory_when_idle(ServerContext& ctx, bool& released) {
  if (ctx.connections.size() > 0) {
    released = false;
  } else if (!released) {
    ::malloc_trim(0);
    released = true;
  }
}

void schedule_tick(const std::shared_ptr<asio::steady_timer>& timer, ServerContext& ctx,
                   const std::shared_ptr<bool>& released) {
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([timer, &ctx, released](const boost::system::error_code& ec) {
    if (ec) return;
    deliver_safely(ctx, "tick", [&] { return ctx.hub.tick(); });
    release_memory_when_idle(ctx, *released);
    schedule_tick(timer, ctx, released);
  });
}

// Room-list changes go out in batches: under churn a lobby hears at most one batch per interval.
void schedule_lobby_flush(const std::shared_ptr<asio::steady_timer>& timer, ServerContext& ctx) {
  timer->expires_after(std::chrono::milliseconds(std::max<std::int64_t>(ctx.hub.config().lobby_batch_ms, 1)));
  timer->async_wait([timer, &ctx](const boost::system::error_code& ec) {
    if (ec) return;
    deliver_safely(ctx, "lobby flush", [&] { return ctx.hub.flush_lobby(); });
    schedule_lobby_flush(timer, ctx);
  });
}

}  // namespace

void start_hub_clock(asio::io_context& ioc, ServerContext& ctx) {
  schedule_tick(std::make_shared<asio::steady_timer>(ioc), ctx, std::make_shared<bool>(true));
  schedule_lobby_flush(std::make_shared<asio::steady_timer>(ioc), ctx);
}

void run_password_jobs(asio::io_context& ioc, ServerContext& ctx, PasswordPool& pool,
                       const std::vector<PasswordJob>& jobs) {
  for (const PasswordJob& job : jobs) {
    if (pool.submit(job)) continue;
    // Refused (queue full): answered on the next turn, never from inside the delivery that asked.
    post_password_result(ioc, ctx, PasswordResult{.id = job.id, .ok = false, .hash = {}, .error = "the server is busy"});
  }
}

void post_password_result(asio::io_context& ioc, ServerContext& ctx, PasswordResult result) {
  asio::post(ioc, [&ctx, result = std::move(result)] {
    deliver_safely(ctx, "password result", [&] { return ctx.hub.on_password_result(result); });
  });
}

}  // namespace moim::server
