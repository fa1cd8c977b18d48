// The hub's bookkeeping of its large rooms' Janus VideoRoom rooms: which Moim room has which Janus
// room and secret, which requests to the link (janus_link.hpp) are in flight and what their answers
// mean. A pure machine (std only): the hub passes the secrets in (random, from libsodium) and the
// transport carries the commands to the link and brings the answers back; tests drive it by tables
// (tests/unit/large_rooms_test.cpp).
//
// Rules:
//  - The Janus room id is derived, not stored: the Moim room id itself (both 1 .. 2^53 - 1, Moim's
//    ids are never reused), so the mapping survives restarts with nothing to keep but the secret.
//  - create(): a new large room. Its Janus room is made first; the hub lists the room only after
//    the answer says Created (a failure says Failed and the hub keeps nothing).
//  - add(): a large room that exists (loaded at start, or created): known, so recreate_all() makes
//    it again and remove() destroys it.
//  - remove(): the room is gone in Moim: its Janus room is destroyed (best effort: a failure is only
//    logged; Janus forgets non-permanent rooms when it restarts anyway).
//  - recreate_all(): Janus may have forgotten every room (it restarted): every known room is created
//    again; "room-exists" counts as success. At most kMaxRecreatesInFlight at once (new rooms still
//    get through meanwhile): the rest wait in a set of known rooms and go as answers come
//    (next_recreates(), which the hub asks after every answer). A room removed meanwhile is not made.
//  - At most kMaxInFlight requests at once: more creates are refused (busy), never queued without
//    bound (the rooms waiting to be made again are known rooms, bounded by the store).
#pragma once

#include "janus_link.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace moim::sfu {

using MoimRoomId = std::uint64_t;

// The Janus room of a Moim room (the same number; see above).
JanusId janus_room_for(MoimRoomId room);

// What the transport asks the link (JanusClient::create_room / destroy_room).
struct RoomCommand {
  enum class Kind { Create, Destroy };
  Kind kind = Kind::Create;
  RequestId id = 0;
  JanusId room = 0;
  std::string secret;
  int publishers = 0;       // Create
  std::string description;  // Create
  bool operator==(const RoomCommand&) const = default;
};

// What an answer means to the hub.
struct RoomOutcome {
  enum class Kind {
    Created,         // a new room's Janus room exists: list the room, answer the creator
    Failed,          // a new room's Janus room could not be made: answer the creator with `error`
    Recreated,       // a known room made again after a Janus restart (or it was still there)
    RecreateFailed,  // ... could not be: logged (tried again at the next RecreateRooms)
    Destroyed,       // a removed room's Janus room is gone
    DestroyFailed,   // ... could not be destroyed: logged
    Unknown,         // an answer to no request of ours (ignored)
  };
  Kind kind = Kind::Unknown;
  MoimRoomId room = 0;
  Error error;  // for the failures
  bool operator==(const RoomOutcome&) const = default;
};

class LargeRooms {
 public:
  static constexpr std::size_t kMaxInFlight = 256;
  static constexpr std::size_t kMaxRecreatesInFlight = 64;

  // A new large room of `capacity` publishers, with its secret (64 hex digits, from the caller's
  // randomness). nullopt when too many requests are in flight (the hub answers server-busy).
  std::optional<RoomCommand> create(MoimRoomId room, std::string secret, int capacity, std::string description);
  // A large room that exists (loaded from the store, or Created).
  void add(MoimRoomId room, std::string secret, int capacity, std::string description);
  // The room is gone: destroy its Janus room (nullopt: not a known large room).
  std::optional<RoomCommand> remove(MoimRoomId room);
  // Janus may have forgotten every room: the first commands that make every known room again.
  std::vector<RoomCommand> recreate_all();
  // The next commands of a recreate under way, as answers free their places (empty: none).
  std::vector<RoomCommand> next_recreates();
  std::size_t waiting_to_recreate() const { return to_recreate_.size(); }
  // The link answered request `id`.
  RoomOutcome done(RequestId id);
  RoomOutcome failed(RequestId id, const Error& error);

  bool known(MoimRoomId room) const { return rooms_.contains(room); }
  std::size_t size() const { return rooms_.size(); }
  std::size_t in_flight() const { return pending_.size(); }
  const std::string* secret(MoimRoomId room) const;

 private:
  struct Room {
    std::string secret;
    int publishers = 0;
    std::string description;
  };
  enum class Purpose { Create, Recreate, Destroy };
  struct Pending {
    Purpose purpose;
    MoimRoomId room;
  };
  RoomCommand create_command(MoimRoomId room, const Room& r);
  // The request `id` answered: no longer in flight (nullopt: not ours).
  std::optional<Pending> take(RequestId id);

  std::map<MoimRoomId, Room> rooms_;
  std::map<RequestId, Pending> pending_;
  std::set<MoimRoomId> to_recreate_;  // known rooms not asked for again yet
  std::size_t recreates_in_flight_ = 0;
  RequestId next_id_ = 1;
};

}  // namespace moim::sfu
