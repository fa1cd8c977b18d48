#include "janus_rooms.hpp"

#include "hub_clock.hpp"
#include "log.hpp"
#include "server_context.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <utility>

namespace moim::server {

namespace asio = boost::asio;

namespace {

// On the network thread: the hub's answer to one event, delivered.
template <typename Call>
void to_hub(asio::io_context& ioc, ServerContext& ctx, const char* what, Call call) {
  asio::post(ioc, [&ctx, what, call = std::move(call)]() mutable {
    try {
      set_hub_time(ctx.hub);
      ctx.connections.deliver(call());
    } catch (const std::exception& e) {
      log_error(std::string("hub ") + what + " failed: " + e.what());
    }
  });
}

// A few random bytes as hex and a dash, e.g. "3f9a2c1e-".
std::string random_prefix() {
  std::random_device random;
  char text[16];
  std::snprintf(text, sizeof text, "%08x-", static_cast<unsigned>(random()));
  return text;
}

}  // namespace

std::shared_ptr<sfu::JanusClient> start_janus_rooms(asio::io_context& ioc, ServerContext& ctx, sfu::JanusUrl url,
                                                    sfu::Config config) {
  // This run's transactions differ from the previous run's (whose session may be claimed back).
  config.transaction_prefix = random_prefix();
  sfu::JanusClient::Observer observer;
  auto first_up = std::make_shared<bool>(true);
  observer.up = [&ioc, &ctx, first_up](const sfu::SessionUp& up) {
    to_hub(ioc, ctx, "janus up", [&ctx, up, first_up] {
      HubOutput out = ctx.hub.set_janus_ready(true, up.kind);
      for (std::string& line : ctx.hub.janus_session_up(up).warnings) out.warnings.push_back(std::move(line));
      // The first session of this run: Janus may not have our rooms (it restarted while we were
      // down), even when the previous run's session was claimed back (a remake of its rooms may have
      // been under way when it stopped); "room-exists" is as good. A replaced one says
      // RecreateRooms itself.
      if (std::exchange(*first_up, false) && up.kind != sfu::SessionKind::Replaced) {
        HubOutput more = ctx.hub.recreate_large_rooms();
        out.janus.insert(out.janus.end(), more.janus.begin(), more.janus.end());
      }
      return out;
    });
  };
  observer.down = [&ioc, &ctx](const std::string&) {
    to_hub(ioc, ctx, "janus down", [&ctx] { return ctx.hub.set_janus_ready(false); });
  };
  observer.recreate_rooms = [&ioc, &ctx] {
    to_hub(ioc, ctx, "janus recreate", [&ctx] { return ctx.hub.recreate_large_rooms(); });
  };
  observer.handle_event = [&ioc, &ctx](const sfu::HandleEvent& event) {
    to_hub(ioc, ctx, "janus event", [&ctx, event] { return ctx.hub.on_media_event(event); });
  };
  std::shared_ptr<sfu::JanusClient> janus =
      sfu::JanusClient::create(ioc, std::move(url), std::move(config), std::move(observer));
  // The hub's requests: each answered exactly once (JanusClient's promise), back on the network thread.
  std::weak_ptr<sfu::JanusClient> weak = janus;
  ctx.connections.run_janus_commands = [&ioc, &ctx, weak](const std::vector<sfu::RoomCommand>& commands) {
    const std::shared_ptr<sfu::JanusClient> client = weak.lock();
    if (!client) return;
    for (const sfu::RoomCommand& command : commands) {
      auto answer = [&ioc, &ctx, id = command.id](const sfu::JanusClient::Result& result) {
        to_hub(ioc, ctx, "janus answer", [&ctx, id, result] {
          return result.ok ? ctx.hub.on_janus_done(id) : ctx.hub.on_janus_failed(id, result.error);
        });
      };
      if (command.kind == sfu::RoomCommand::Kind::Create) {
        client->create_room(command.room, command.secret, command.publishers, command.description, std::move(answer));
      } else {
        client->destroy_room(command.room, command.secret, std::move(answer));
      }
    }
  };
  ctx.connections.run_media_commands = [&ioc, &ctx, weak](const std::vector<sfu::MediaCommand>& commands) {
    const std::shared_ptr<sfu::JanusClient> client = weak.lock();
    if (!client) return;
    for (const sfu::MediaCommand& command : commands) {
      auto answer = [&ioc, &ctx, id = command.id](const sfu::JanusClient::Result& result) {
        to_hub(ioc, ctx, "janus media answer", [&ctx, id, result] {
          return ctx.hub.on_media_answer(
              id, sfu::MediaAnswer{.ok = result.ok, .error = result.error, .handle = result.handle, .data = result.data,
                                   .jsep = result.jsep});
        });
      };
      switch (command.kind) {
        case sfu::MediaCommand::Kind::Attach: client->attach_handle(std::move(answer)); break;
        case sfu::MediaCommand::Kind::Detach: client->detach_handle(command.handle, std::move(answer)); break;
        case sfu::MediaCommand::Kind::Message: client->message(command.handle, command.body, command.jsep, std::move(answer)); break;
        case sfu::MediaCommand::Kind::Trickle: client->trickle(command.handle, command.body, std::move(answer)); break;
      }
    }
  };
  // The previous run's session, if any: claimed back first, so the media it carries goes on.
  janus->start(ctx.hub.earlier_janus_session());
  return janus;
}

}  // namespace moim::server
