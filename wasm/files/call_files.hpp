// File transfers of the call in the browser: the machine (shared/file_transfer.hpp) wired to the
// file picker and the bytes (web/glue/file_transfers.js) and to the peers' chat/control channels
// (wasm/peer_channels.hpp). Files go browser to browser, to everyone in the call or to one person;
// the server never sees them. Gives the call view its transfer cards and state() its `transfers`.
#pragma once

#include "browser/events.hpp"
#include "client_state.hpp"
#include "file_transfer.hpp"
#include "peer_connection.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace moim {

// The page's size limit for files: its flag ?maxFileBytes=N (1 to 2^53 - 1 bytes, digits only), else
// files::kDefaultMaxFileBytes (2 GiB). A bad value is said in the console and not used.
std::uint64_t page_max_file_bytes();

class CallFiles {
 public:
  CallFiles(Peers& peers, std::uint64_t max_file_bytes) : peers_(peers), machine_(max_file_bytes) {}
  CallFiles(const CallFiles&) = delete;
  CallFiles& operator=(const CallFiles&) = delete;

  // After every server message: in a large room (no data channels) files are not sent, and saying
  // so names the most people a room without the media server holds (`mesh_max`).
  void follow(const std::optional<CallInfo>& call, std::uint32_t mesh_max);
  // The person asks to send files to `peer` (0: everyone in the call): the browser's picker opens
  // (call from a click). Files dropped on the page go to everyone.
  void pick(proto::PeerId peer);
  void accept(const std::string& id, double now_ms) { run(machine_.handle(files::Accept{id, now_ms})); }
  void decline(const std::string& id) { run(machine_.handle(files::Decline{id})); }
  void cancel(const std::string& id) { run(machine_.handle(files::Cancel{id})); }
  void save(const std::string& id);
  // A finished transfer's card is put away: forgotten, and a received file released.
  void dismiss(const std::string& id) { run(machine_.handle(files::Forget{id})); }

  // A file message from `peer` over its channel; false when `msg` is not about files.
  bool from_peer(proto::PeerId peer, const p2p::PeerMessage& msg, double now_ms);
  // `peer` left or its connection or channel went: its transfers end.
  void peer_gone(proto::PeerId peer) { run(machine_.handle(files::PeerGone{peer})); }
  // After the peer table changed (a peer left, was dropped after a restart, lost its connection):
  // live transfers with a peer that has no connection any more end as if it had left.
  void sync_peers();
  // The call ended: everything is released and forgotten.
  void call_ended();
  // A file event of the glue (FilePicked, FileProgress, ...); false for any other event.
  bool handle(const browser::Event& event, double now_ms);

  ui::FilesModel model(ui_text::Lang lang, double now_ms) const;
  // state().transfers: [{id, name, size, peer, direction, state, bytes, fault, byPeer}].
  nlohmann::json state_json() const;
  std::uint64_t max_file_bytes() const { return machine_.max_file_bytes(); }

 private:
  void run(const files::Effects& effects);
  void offer(browser::Handle file, const std::string& name, std::uint64_t size, proto::PeerId to);
  // The peer's name; for one no longer known, "someone who left" in `lang`.
  std::string peer_name(ui_text::Lang lang, proto::PeerId peer) const;
  std::string new_id();

  Peers& peers_;
  files::Machine machine_;
  std::map<int, proto::PeerId> pick_targets_;  // picker request -> to whom (0: everyone)
  int next_request_ = 1;
  std::map<proto::PeerId, std::string> names_;  // everyone we had a transfer with, as they were called
  ui_text::Message notice_;  // the last refusal (shown over the cards)
  bool large_room_ = false;
  std::uint32_t mesh_max_ = proto::kDefaultMeshMax;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace moim
