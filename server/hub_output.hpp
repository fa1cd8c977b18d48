// What the hub hands the transport after each call: frames to send, connections to close, password
// jobs to run off the network thread, requests for Janus, lines for the server log. The hub has no sockets and no log.
#pragma once

#include "sfu/large_rooms.hpp"
#include "sfu/media_sessions.hpp"
#include "password_pool.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moim {

using ConnId = std::uint64_t;

struct Outgoing {
  ConnId to = 0;
  // Shared so that a broadcast is serialized once and the same buffer is queued on every connection.
  std::shared_ptr<const std::string> text;
};

struct HubOutput {
  std::vector<Outgoing> sends;
  std::vector<ConnId> closes;  // connections the transport must close after flushing their sends
  std::vector<server::PasswordJob> password_jobs;  // to run off the network thread (PasswordPool)
  std::vector<std::string> warnings;  // for the server log (the hub has none of its own)
  // Requests to Janus for large rooms (sfu/large_rooms.hpp); answers come back through
  // Hub::on_janus_done / on_janus_failed with the same id.
  std::vector<sfu::RoomCommand> janus;
  // Requests to Janus for large rooms' media (sfu/media_sessions.hpp); answers come back through
  // Hub::on_media_answer with the same id, Janus's events about the handles through on_media_event.
  std::vector<sfu::MediaCommand> media;
};

}  // namespace moim
