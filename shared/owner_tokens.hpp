// The owner tokens this browser keeps, one per room it created (localStorage "moim.owner.<room id>";
// docs/PROTOCOL.md, rename-room / delete-room). Pure: this decides what is kept; room administration
// (shared/room_admin.hpp) holds it and says what to write to storage, the app reads and writes it.
//
// Rules:
//  - Storage is shared by every tab of the browser and outlives them, so it is read again at each
//    welcome (tokens saved by another tab become known) and entries that are not a room id with a
//    token are dropped from it.
//  - A welcome lists every room the server has: tokens of the others are dropped, whichever tab
//    saved them, and whether the room was deleted by its owner, expired, or vanished while this
//    browser was closed.
//  - room-removed drops that room's token.
//  - A token from room-created is kept only while a create-room of ours is unanswered: a server
//    cannot make this browser store tokens it did not ask for.
#pragma once

#include "protocol.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace moim {

inline constexpr std::string_view kOwnerTokenPrefix = "moim.owner.";

// The storage key of a room's token.
std::string owner_token_key(proto::RoomId room);
// A token as the server hands them out: 1..kMaxTokenBytes printable ASCII characters, no spaces.
bool valid_owner_token(std::string_view token);

class OwnerTokens {
 public:
  // Takes what storage holds: a JSON object {"<key after the prefix>": token} (anything else counts as
  // empty). Entries whose key is not a room id in canonical decimal (1..4294967295, no sign or
  // leading zero) or whose token is not valid are not taken: returns their full storage keys, for
  // the caller to remove. Valid entries are added to (or replace) the tokens held.
  std::vector<std::string> load(std::string_view stored_json);
  // A welcome's room list: drops the tokens of rooms not in it; returns their rooms.
  std::vector<proto::RoomId> prune(const std::vector<proto::RoomInfo>& rooms);
  // room-removed, or any other reason: true when a token was held.
  bool forget(proto::RoomId room) { return tokens_.erase(room) > 0; }

  // A create-room was sent; its answer (room-created or an error for it) is pending.
  void create_sent() { ++creates_pending_; }
  // An error answered a create-room.
  void create_refused() { if (creates_pending_ > 0) --creates_pending_; }
  // The socket is gone: answers to what was sent on it never come.
  void connection_lost() { creates_pending_ = 0; }
  // room-created: true when its token is kept (and should be saved).
  bool created(proto::RoomId room, const std::string& token);

  const std::string* find(proto::RoomId room) const;
  bool contains(proto::RoomId room) const { return tokens_.contains(room); }
  const std::map<proto::RoomId, std::string>& all() const { return tokens_; }
  int creates_pending() const { return creates_pending_; }

 private:
  std::map<proto::RoomId, std::string> tokens_;
  int creates_pending_ = 0;
};

}  // namespace moim
