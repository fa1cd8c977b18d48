// ConnId -> live WebSocket connection, used to deliver the hub's output.
// Holds weak references only: a connection that has gone away is skipped, never touched.
#pragma once

#include "hub.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace moim::server {

// What the hub's output needs from a connection; WebSocketSession implements it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Queues a text frame (the connection copies it). May decide the peer is too slow and close the
  // connection instead.
  virtual void send(std::string_view text) = 0;
  // Closes the connection once everything queued so far has been written.
  virtual void close_after_flush() = 0;
};

class ConnectionRegistry {
 public:
  void add(ConnId id, std::weak_ptr<Connection> connection);
  void remove(ConnId id);
  // The live connection with that id, or nullptr.
  std::shared_ptr<Connection> find(ConnId id) const;
  // Queues every send on its connection, then asks the listed connections to close, then hands the
  // password jobs to run_password_jobs and the Janus requests to run_janus_commands. Unknown or dead ids are skipped.
  void deliver(const HubOutput& output) const;
  // Set by main: starts the hub's password jobs off the network thread (hub_clock.hpp).
  std::function<void(const std::vector<PasswordJob>&)> run_password_jobs;
  // Set by main when Janus is configured: sends the hub's large-room requests (janus_rooms.hpp).
  std::function<void(const std::vector<sfu::RoomCommand>&)> run_janus_commands;
  // ... and its large rooms' media requests (janus_rooms.hpp).
  std::function<void(const std::vector<sfu::MediaCommand>&)> run_media_commands;
  std::size_t size() const { return connections_.size(); }

 private:
  std::unordered_map<ConnId, std::weak_ptr<Connection>> connections_;
};

}  // namespace moim::server
