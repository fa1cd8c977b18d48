// The call's conversation, as this person sees it: messages typed here and those that came over the
// peers' data channels (shared/peer_protocol.hpp), merged and ordered, with the unread count of the
// chat panel. Events in (a message typed, one received, a channel opened, the panel opened or
// closed), effects out (the peer messages to send); no browser, clock or randomness inside: the
// app passes the time and a fresh message id.
//
// Order: by the author's clock, then the author's peer id, then the author's own count (`seq`), so
// every copy of a conversation sorts the same way and each author's messages keep their order (our
// own times never go backwards: a message is never timed before the one sent before it).
// Duplicates (the same history from several peers, our own messages coming back) are merged by id;
// the first copy stays. A history entry "by us" that we do not have is a forgery and is dropped.
// Bounded: at most kMaxEntries messages are kept (the oldest go); a peer is sent the last
// p2p::kHistoryMessages when its channel opens.
#pragma once

#include "peer_protocol.hpp"
#include "protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <span>
#include <string_view>
#include <vector>

namespace moim::chat {

inline constexpr std::size_t kMaxEntries = 1000;

// A large room (no data channels: peer messages go through the server) gives a newcomer the history
// from one participant only, not from each of up to 49: the one with the lowest peer id among those
// in the room other than the newcomer. Every client knows the room's people, so all agree without
// talking. Whether we (`self`, with `others`: everyone else in the room as we know it, the newcomer
// among them or not) are that one for `newcomer`.
bool sends_history(proto::PeerId self, std::span<const proto::PeerId> others, proto::PeerId newcomer);

struct Entry {
  std::string id;
  proto::PeerId from = 0;  // the author's peer id in the call
  std::string name;        // the author's display name
  std::uint64_t time = 0;  // the author's clock (ms since 1970)
  std::uint64_t seq = 0;   // the author's own count
  std::string text;
  bool own = false;        // typed here
  bool operator==(const Entry&) const = default;
};

// What the person typed, checked; `message` is what goes to every open channel when `fault` is None.
struct Sent {
  p2p::ChatTextFault fault = p2p::ChatTextFault::None;
  p2p::PeerMessage message;
};

class Log {
 public:
  // A call begins (or ends: self 0): the conversation starts empty, with us as `self` called `name`.
  void reset(proto::PeerId self = 0, std::string name = {});
  // The person sends `typed` at `now_ms` (wall clock), with a fresh `id` (p2p::is_valid_message_id).
  // Refused text (empty, too long, control characters) changes nothing and says why.
  Sent send(std::string_view typed, std::uint64_t now_ms, std::string id);
  // A peer's channel opened: the recent conversation for it (oldest first), as history messages.
  std::vector<p2p::PeerMessage> history() const;
  // A message from `peer` (called `name` by the server) came over its channel. Returns whether the
  // conversation changed (a new message). Other peer messages (files) change nothing here.
  bool received(proto::PeerId peer, std::string_view name, const p2p::PeerMessage& msg);

  // The chat panel: opening it reads everything.
  void set_panel_open(bool open);
  bool panel_open() const { return panel_open_; }
  std::size_t unread() const { return unread_; }

  const std::vector<Entry>& entries() const { return entries_; }
  // Changes whenever entries() does (a message kept, the log reset): what shows them can keep what it
  // made of them until then.
  std::uint64_t version() const { return version_; }
  proto::PeerId self() const { return self_; }

 private:
  bool add(Entry e);  // in order, unless its id is known; returns whether it was kept

  std::vector<Entry> entries_;  // in order (see above)
  proto::PeerId self_ = 0;
  std::string name_;
  std::uint64_t last_time_ = 0;  // of our last message
  std::uint64_t seq_ = 0;        // our messages so far
  bool panel_open_ = false;
  std::size_t unread_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace moim::chat
