#include "connection_registry.hpp"

#include "log.hpp"

#include <utility>

namespace moim::server {

void ConnectionRegistry::add(ConnId id, std::weak_ptr<Connection> connection) {
  connections_[id] = std::move(connection);
}

void ConnectionRegistry::remove(ConnId id) { connections_.erase(id); }

std::shared_ptr<Connection> ConnectionRegistry::find(ConnId id) const {
  const auto it = connections_.find(id);
  if (it == connections_.end()) return nullptr;
  return it->second.lock();
}

void ConnectionRegistry::deliver(const HubOutput& output) const {
  for (const std::string& warning : output.warnings) log_warn(warning);
  for (const Outgoing& out : output.sends) {
    if (!out.text) continue;
    if (std::shared_ptr<Connection> connection = find(out.to)) connection->send(*out.text);
  }
  for (ConnId id : output.closes) {
    if (std::shared_ptr<Connection> connection = find(id)) connection->close_after_flush();
  }
  if (!output.password_jobs.empty() && run_password_jobs) run_password_jobs(output.password_jobs);
  if (!output.janus.empty()) {
    if (run_janus_commands) {
      run_janus_commands(output.janus);
    } else {
      log_warn("large-room requests for Janus, but no Janus is configured");  // never: the hub asks only with one
    }
  }
  if (!output.media.empty() && run_media_commands) run_media_commands(output.media);
}

}  // namespace moim::server
