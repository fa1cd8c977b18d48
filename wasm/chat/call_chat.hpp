// The call's text chat in the browser: the conversation (shared/chat_log.hpp) carried over each peer
// connection's data channel (shared/peer_protocol.hpp, wasm/peer_channels.hpp), browser to browser,
// in a mesh; through the server in a large room, which has no peer connections
// (wasm/server_channel.hpp). This part sends to the open channels (in a large room: one message to
// the server for everyone), hands a peer the recent conversation when its channel opens (in a large
// room: a newcomer, from one of those already there: chat::sends_history), and gives the call view
// its chat panel and the test surface its `chat` entries.
#pragma once

#include "chat_log.hpp"
#include "client_state.hpp"
#include "peer_connection.hpp"
#include "ui/views.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <utility>
#include <string>
#include <vector>

namespace moim {

class CallChat {
 public:
  // `to_server`: sends a message to the server (a large room's peer messages).
  CallChat(Peers& peers, std::function<void(const proto::ClientMessage&)> to_server)
      : peers_(peers), to_server_(std::move(to_server)) {}
  CallChat(const CallChat&) = delete;
  CallChat& operator=(const CallChat&) = delete;

  // After every server message: a new call starts an empty conversation, the end of one clears it
  // (a resume into the same call keeps it).
  void follow(const std::optional<CallInfo>& call);
  // `peer`'s channel opened: it gets the recent conversation (what it has already is merged away by id).
  void channel_opened(proto::PeerId peer);
  // Someone joined the call (`resumed`: back after a server restart, with the conversation it had).
  // In a large room, a newcomer gets the recent conversation through the server from one of us.
  void peer_joined(proto::PeerId peer, bool resumed);
  // A chat or history message from `peer` (called `name`); true when the conversation changed.
  bool received(proto::PeerId peer, const std::string& name, const p2p::PeerMessage& msg) {
    return log_.received(peer, name, msg);
  }
  // The person sends `typed` (the chat field); None: it went to every open channel (and to the others
  // when their channel opens, with the history).
  p2p::ChatTextFault send(const std::string& typed);
  void set_panel_open(bool open) { log_.set_panel_open(open); }
  bool panel_open() const { return log_.panel_open(); }

  // The note over the chat field for what is typed there ("" when none): near or over the limit.
  static std::pair<std::string, bool> note(ui_text::Lang lang, const std::string& typed);  // text, whether it is an error
  // The chat panel's lines and note; `input`: the chat field. The lines are this part's, valid until
  // the next call.
  ui::ChatModel model(ui_text::Lang lang, const ui::FieldView& input) const;
  // state().chat: [{id, from, name, text, time}], oldest first; state().chatUnread.
  nlohmann::json state_json() const;
  std::size_t unread() const { return log_.unread(); }

 private:
  std::string new_id();

  Peers& peers_;
  std::function<void(const proto::ClientMessage&)> to_server_;
  bool large_room_ = false;  // the call's room is a large one: the server carries the chat
  chat::Log log_;
  // The panel's lines as model() made them for the log's version: it runs every drawn frame, and up to
  // chat::kMaxEntries times formatted (localtime) and names copied each time would cost every frame.
  mutable std::vector<ui::ChatLineView> lines_;
  mutable std::uint64_t lines_version_ = 0;  // the log's version at first: no entries, no lines
  std::mt19937_64 random_{std::random_device{}()};  // message ids (seeded by crypto.getRandomValues)
};

}  // namespace moim
