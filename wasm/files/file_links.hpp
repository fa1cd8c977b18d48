// A large room's data links in the browser: the machine (shared/data_links.hpp) carried out with
// data-only RTCPeerConnections (web/glue/peer_connections.js with no media lines and only the
// negotiated "moim-link" channel; transfers open their own channels on it, file_transfers.js), its
// signals sent to the one person through the server (`signal`, as a mesh's). The files part
// (call_files) says whom it needs links with and hears which are made, ready or lost.
#pragma once

#include "browser/events.hpp"
#include "data_links.hpp"
#include "protocol.hpp"

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace moim {

class FileLinks {
 public:
  // What became of the links, for the transfers on them.
  struct Outcome {
    std::vector<std::pair<proto::PeerId, browser::Handle>> made;   // its connection exists: expect channels on it
    std::vector<std::pair<proto::PeerId, browser::Handle>> ready;  // open both ways: open channels on it
    std::vector<proto::PeerId> lost;                               // broke while needed
    std::vector<proto::PeerId> timed_out;                          // of those, not up in time
  };

  explicit FileLinks(std::function<void(proto::Signal)> send_signal) : send_signal_(std::move(send_signal)) {}
  FileLinks(const FileLinks&) = delete;
  FileLinks& operator=(const FileLinks&) = delete;

  void set_ice(const proto::IceConfig& ice) { ice_ = ice; }
  Outcome demand(proto::PeerId self, std::vector<proto::PeerId> peers) { return run(data_links::Demand{self, std::move(peers)}); }
  // A `signal` from a person (large rooms: only data links use them).
  Outcome signal(const proto::Signal& s) { return run(data_links::SignalFrom{s}); }
  Outcome reset() { return run(data_links::Reset{}); }
  Outcome signals_lost() { return run(data_links::SignalsLost{}); }
  Outcome tick(double now_ms) { return run(data_links::Tick{now_ms}); }
  // A browser event about one of our connections (nullopt: not ours).
  std::optional<Outcome> handle(const browser::Event& event);

  browser::Handle handle_of(proto::PeerId peer) const { return machine_.handle_of(peer); }
  bool ready(proto::PeerId peer) const { return machine_.ready(peer); }
  bool has(proto::PeerId peer) const { return machine_.find(peer) != nullptr; }
  bool waiting(proto::PeerId peer) const;  // queued for a place
  std::size_t open_links() const { return machine_.active(); }

 private:
  Outcome run(const data_links::Event& event);
  bool ours(browser::Handle h) const;

  std::function<void(proto::Signal)> send_signal_;
  proto::IceConfig ice_;
  data_links::Machine machine_;
};

}  // namespace moim
