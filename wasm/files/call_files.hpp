// File transfers of the call in the browser: the machine (shared/file_transfer.hpp) wired to the
// file picker and the bytes (web/glue/file_transfers.js) and to the peers' chat/control channels
// (wasm/peer_channels.hpp). Files go browser to browser, to everyone in the call or to one person;
// the server never sees their bytes. In a large room (no peer connections) the file messages go
// through the server as peer-messages (wasm/server_channel.hpp) and the bytes over a data link
// opened for the transfers with that person (wasm/files/file_links.hpp); a transfer whose link has
// no place yet waits. Gives the call view its transfer cards and state() its `transfers`.
#pragma once

#include "browser/events.hpp"
#include "client_state.hpp"
#include "file_transfer.hpp"
#include "files/file_links.hpp"
#include "peer_connection.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace moim {

// The page's size limit for files: its flag ?maxFileBytes=N (1 to 2^53 - 1 bytes, digits only), else
// files::kDefaultMaxFileBytes (2 GiB). A bad value is said in the console and not used.
std::uint64_t page_max_file_bytes();

class CallFiles {
 public:
  // `to_server`: a message to the server (a large room's file messages); `send_signal`: a data
  // link's signal to one person (numbered and kept like the mesh's).
  CallFiles(Peers& peers, std::uint64_t max_file_bytes, std::function<void(const proto::ClientMessage&)> to_server,
            std::function<void(proto::Signal)> send_signal)
      : peers_(peers), machine_(max_file_bytes), to_server_(std::move(to_server)), links_(std::move(send_signal)) {}
  CallFiles(const CallFiles&) = delete;
  CallFiles& operator=(const CallFiles&) = delete;

  // After every server message: whether the call is in a large room (its files go through the
  // server and data links), who we are, the ICE servers for the links.
  void follow(const std::optional<CallInfo>& call, const proto::IceConfig& ice);
  // A `signal` from a person while in a large room: a data link's (true when taken).
  bool link_signal(const proto::Signal& signal);
  // Signals to and from people may be lost for good (server_link's SignalsLost): in a large room the
  // data links still being negotiated break (their transfers fail and can be sent again); true then
  // (the call's media links are the media server's: nothing for the signaling machine to restart).
  bool signals_lost();
  // The app's clock (often): a large room's data link not up in time breaks, and its transfers fail
  // (link-timeout).
  void tick(double now_ms);
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
  // A large room: the links follow the transfers that need one (bytes moving), and the transfers
  // follow the links (made, ready, lost).
  void relink();
  void after(const FileLinks::Outcome& outcome);
  void start_sending(browser::Handle pc, const std::string& id, int file);
  void expect(browser::Handle pc, const std::string& id, std::uint64_t size);
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
  proto::PeerId self_ = 0;
  std::function<void(const proto::ClientMessage&)> to_server_;
  FileLinks links_;
  // A large room: transfers waiting for their link (sending: ready; receiving: made), by person.
  struct Waiting { std::string id; int file = 0; std::uint64_t size = 0; bool sending = false; };
  std::map<proto::PeerId, std::vector<Waiting>> waiting_;
  bool relinking_ = false;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace moim
