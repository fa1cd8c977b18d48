// The media relay of large rooms (issue 15): for every participant of a large room, its two Janus
// VideoRoom handles and the negotiation between its browser and them. A pure machine (std,
// nlohmann/json and the wire protocol's types): events in (a participant joins or leaves, its browser
// sends a media-signal or media-restart, the link answers a request or reports a handle's event, the
// link goes down or comes back), effects out (requests for the link, messages for participants, log
// lines). The hub feeds it and routes its messages (hub_media.cpp); the transport carries its
// requests (janus_rooms.cpp); tests drive it by tables (tests/unit/media_sessions_test.cpp).
//
// Rules (each checked against janus_videoroom.c of Janus 1.1.2):
//  - Publishing: a participant's publisher handle is attached and joined as a publisher at once (id =
//    its Moim peer id, display = its name). Its browser's publish offer becomes "configure" with the
//    jsep; Janus's answer jsep goes back as a publish answer. A later offer (screen, ICE restart) is
//    another "configure". One configure at a time: offers that come meanwhile wait, the newest wins.
//    A join refused because the feed id is taken ("User ID already exists": a publisher of ours
//    from before a restart of moim-server that no record names) kicks that publisher ("kick"; the
//    hub adds the room's secret, which only it holds) and joins again, once per start.
//  - Janus lets a feed be subscribed to only once its PeerConnection is up (the publisher's
//    "webrtcup"; "No such feed" before): a participant publishes from its publisher handle's
//    "webrtcup" until its "hangup" (or it leaves).
//  - Subscribing: one subscriber handle per participant, attached once another participant of its
//    room publishes, joined ("join" ptype subscriber) with every publishing feed of the others;
//    Janus's offer goes to the browser with `streams` (its active audio / video m-lines: mid, feed ->
//    peer, kind). The browser's answer becomes "start". Publishers that start later are added with
//    "subscribe" - one change in flight, never while an offer waits for its answer; changes that come
//    meanwhile are merged into the next. Publishers that stop need nothing from us: Janus drops their
//    streams and sends a new offer itself ("updated" with a jsep, after the pending answer if any),
//    relayed the same way. media-restart becomes "configure" with "restart": true (a new offer).
//    A feed Janus says it does not have ("No such feed": it stopped just then) is left out until its
//    publisher comes up or goes down again; that is no failure of the subscriber.
//  - Candidates: the browser's go to the right handle as "trickle" ({"completed":true} for the end)
//    once that handle has its remote description on the way; before that they wait, at most
//    kMaxQueuedCandidates per handle (more are refused). Janus puts its own candidates in its SDP
//    (full_trickle is off), so none come back.
//  - A request Janus refuses or does not answer in time: the participant hears `media-failed`, both
//    its handles are detached and its media starts over from nothing (new handles, once Janus has
//    answered the old publisher's "leave": the feed id is free again; it must publish again and
//    expect a new subscription offer); at most
//    kMaxRestarts restarts in a row, then its media stays off (logged; later offers are not a new
//    try: the client answers every media-failed with one) until the media server's next session
//    or a new join.
//  - The link: down -> every participant hears media-state "down" (nothing else changes, requests in
//    flight fail); back with the same session -> "up" (a participant whose request was lost
//    meanwhile starts over, hearing "reset"); back with a new session -> every handle is gone: each
//    room's participants wait until the hub has made the room again (room_ready), then hear "reset"
//    and start over.
//  - Layers: each camera is published in three simulcast layers; Janus sends a subscriber the highest
//    unless told otherwise. The browser says which layer of each person's camera it wants
//    (media-layers, for the size it draws the tile at); the wish is kept (also across a start-over)
//    and put into effect with a subscriber "configure" naming the camera m-lines of the subscription
//    whose layer differs from what Janus was last told (a new m-line: the highest), also once the
//    link is back for wishes that came while it was down. Janus refusing it ("No such mid": the
//    subscription's streams are gone, its connection hung up) is no failure: logged; everything is
//    told again with the next offer or wish.
//  - A resume within the grace window keeps both handles; the subscription offer still waiting for
//    its answer is sent again (media-signals are not numbered: one may have died with the socket).
//  - Leaving: both handles are detached (Janus then removes the feed and renegotiates the others).
//    Answers for a participant that left or started over are dropped (a handle attached meanwhile
//    is detached). A detach that cannot go (the link is down, or lost it) goes once the link is back
//    with the same session (a new session has none of the old handles).
//  - moim-server restarting (its Janus session claimed back, janus_link.hpp): each participant's
//    record (its handles and what they carry, record()) is kept beside its session in the store
//    whenever it changes (changed()); the restarted server restores them (restore(): away until its
//    browser resumes), so the media that went on through Janus meanwhile is taken over, not started
//    again. A record written in the middle of an exchange (a request or an offer unanswered: its
//    answer died with the old server) is not trusted: that participant starts over once the link is
//    up, as after a request lost with the link. Its browser resuming (rejoin()): taken over, it hears
//    nothing new (a pending subscription offer again, or "down" if the link is not up); started over
//    meanwhile, or never restored, "reset". Participants still away when the resume grace has passed
//    leave (drop_away()). Janus's events while the server was away are lost: a taken-over browser
//    gets a fresh subscription offer (an ICE restart: the streams as they are now); a publisher
//    answered but never up is not settled; Janus's own offers take feeds they no longer carry out of
//    the subscription, and a publisher's "webrtcup" always brings its feed to everyone who lacks it.
#pragma once

#include "janus_link.hpp"
#include "protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace moim::sfu {

// What the transport asks the link (JanusClient::attach_handle / detach_handle / message / trickle).
struct MediaCommand {
  enum class Kind { Attach, Detach, Message, Trickle };
  Kind kind = Kind::Attach;
  RequestId id = 0;
  JanusId handle = 0;   // Detach, Message, Trickle
  nlohmann::json body;  // Message: VideoRoom's request; Trickle: the candidate
  nlohmann::json jsep;  // Message: null or the jsep
  bool operator==(const MediaCommand&) const = default;
};

// The link's answer to a MediaCommand.
struct MediaAnswer {
  bool ok = false;
  Error error;          // !ok
  JanusId handle = 0;   // Attach: the new handle
  nlohmann::json data;  // Message: plugindata.data
  nlohmann::json jsep;  // Message: null or the jsep
};

struct MediaOutput {
  struct ToPeer {
    proto::PeerId peer = 0;
    proto::ServerMessage message;  // RelayedMediaSignal, MediaState or Error
    bool operator==(const ToPeer&) const = default;
  };
  std::vector<MediaCommand> janus;
  std::vector<ToPeer> to_peers;
  std::vector<std::string> log;
  void append(MediaOutput&& other);
};

class MediaSessions {
 public:
  static constexpr std::size_t kMaxQueuedCandidates = 64;  // per handle, before it can take them
  static constexpr int kMaxRestarts = 3;                   // media-failed in a row before giving up
  static constexpr int kMaxBrowserLosses = 5;              // start-overs its browser asks for, per join

  // A participant of large room `room` (its Janus room has the same number).
  MediaOutput join(proto::PeerId peer, proto::RoomId room, std::string display);
  MediaOutput leave(proto::PeerId peer);
  // The browser's media-signal: the hub checked that the kind fits the link and the sizes.
  MediaOutput signal(proto::PeerId peer, const proto::MediaSignal& signal);
  MediaOutput restart(proto::PeerId peer);  // media-restart
  // media-restart "fresh": its browser lost one of its connections (an operation on it failed): it
  // starts over as after a failure (media-failed; at most kMaxBrowserLosses times per join, nothing
  // once given up).
  MediaOutput start_over(proto::PeerId peer);
  MediaOutput layers(proto::PeerId peer, const std::vector<proto::LayerWish>& wishes);  // media-layers
  // Its connection came back (a resume within the grace window): media-signals are not numbered, so
  // one written into the dead socket may be lost; the subscription offer still waiting for its
  // answer is sent again (answering it twice is harmless: the second answer is dropped).
  MediaOutput resumed(proto::PeerId peer);
  MediaOutput answer(RequestId id, const MediaAnswer& answer);
  MediaOutput event(const HandleEvent& event);
  MediaOutput link_down();
  MediaOutput link_up(SessionKind kind);
  MediaOutput room_ready(proto::RoomId room);  // made again in Janus after a new session

  // ---- across a restart of moim-server ----
  // What the store keeps of a participant (nlohmann JSON; null when it has none).
  nlohmann::json record(proto::PeerId peer) const;
  // Participants whose record may have changed since the last call (those gone included).
  std::set<proto::PeerId> changed();
  // A participant of the previous run, from its record: away until rejoin(). False (nothing kept)
  // when the record is not one, or is for another room, or the participant is known already.
  bool restore(proto::PeerId peer, proto::RoomId room, const nlohmann::json& record);
  // Its browser is back after the restart (a restored session): see the rules above. Not restored (or
  // its record was refused): it joins now and hears "reset", as a newcomer would.
  MediaOutput rejoin(proto::PeerId peer, proto::RoomId room, std::string display);
  MediaOutput drop_away();  // the restored participants whose browser did not come back leave
  std::size_t away() const;
  // Every handle of every participant: the media relay's handles in the Janus session.
  std::set<JanusId> handles() const;

  bool has(proto::PeerId peer) const { return peers_.contains(peer); }
  std::size_t size() const { return peers_.size(); }
  std::size_t in_flight() const { return requests_.size(); }
  // What the tests look at.
  bool publishing(proto::PeerId peer) const;
  std::set<proto::PeerId> subscribed(proto::PeerId peer) const;
  // The substream (0 low, 1 medium, 2 high) Janus was last told for this subscriber's m-line.
  std::optional<int> substream(proto::PeerId peer, const std::string& mid) const;

 private:
  enum class What { PubAttach, PubJoin, PubKick, PubConfigure, SubAttach, SubJoin, SubChange, SubRestart, SubStart, SubLayers, Trickle, Detach };
  struct Participant {
    proto::RoomId room = 0;
    std::string display;
    std::uint64_t generation = 0;  // bumped when it starts over: older answers are stale
    bool ready = true;             // false: its room is being made again in Janus
    bool lost = false;             // a request of it was lost while the link was down
    bool taken_over = false;       // restored from the previous run's record, not started over since
    bool away = false;             // restored, its browser not back yet
    int failures = 0;              // media-failed in a row
    int browser_losses = 0;        // start-overs its browser asked for (media-restart "fresh") since it joined
    // publisher
    JanusId pub = 0;
    bool pub_joined = false;
    bool kicked_stale = false;  // its join found its feed id taken: a stale publisher was kicked
    bool publishing = false;
    RequestId pub_busy = 0;
    std::optional<std::string> offer;  // the newest publish offer not yet given to Janus
    // Its camera's m-line (the first video one of its newest publish offer): any other video it
    // publishes is its screen, as in the mesh (subscribers are told which is which).
    std::string camera_mid;
    // The audio and video m-lines it sends on: in the offer given to Janus last (configuring), and
    // in the one Janus took. One it starts sending on later (a screen shared) is added to every
    // subscription of its feed, and one it stops (the share ended) taken out: Janus does neither by
    // itself.
    std::set<std::string> configuring_mids, published_mids;
    bool pub_remote = false;           // a configure with an offer went out: candidates may go
    std::deque<nlohmann::json> pub_candidates;
    // subscriber
    JanusId sub = 0;
    bool sub_joined = false;
    RequestId sub_busy = 0;
    bool awaiting_answer = false;  // an offer is with the browser
    proto::MediaSignal offered;    // that offer
    bool sub_remote = false;       // an answer went to Janus: candidates may go
    bool restart = false;          // media-restart asked, not yet sent
    std::set<proto::PeerId> subscribed;
    std::map<proto::PeerId, std::set<std::string>> streams_to_add;  // feed -> its new m-lines, for one "subscribe"
    std::map<proto::PeerId, std::set<std::string>> streams_to_drop;  // feed -> m-lines it stopped, for one "unsubscribe"
    std::set<proto::PeerId> skipped;  // feeds Janus said it has not ("No such feed"): until they change
    std::deque<nlohmann::json> sub_candidates;
    // layers: the substream wanted of each feed's camera (absent: the highest), and what Janus was
    // told for each camera m-line of the subscription: mid -> (feed, substream).
    std::map<proto::PeerId, int> layers;
    std::map<std::string, std::pair<proto::PeerId, int>> layers_told;
  };
  struct Request {
    proto::PeerId peer = 0;
    std::uint64_t generation = 0;
    What what = What::Detach;
    std::set<proto::PeerId> feeds;  // SubJoin / SubChange: the feeds asked for
    JanusId detaching = 0;          // a detach: its handle
  };

  RequestId send(MediaOutput& out, proto::PeerId peer, What what, MediaCommand command);
  // Detaches a handle now, or once the link is back with the same session (0: not sent now).
  RequestId detach(MediaOutput& out, JanusId handle);
  void start(MediaOutput& out, proto::PeerId peer, Participant& p);
  void join_publisher(MediaOutput& out, proto::PeerId peer, Participant& p);  // "join" as a publisher
  // Detaches its handles and forgets its state (not its place). `leave_first` (it starts over under
  // the same feed id): a joined publisher first sends "leave" and its handles are detached once that
  // is answered (a detach frees the id only some time after its answer: "User ID already exists");
  // returns the request to wait for before starting again (0: none).
  RequestId detach_all(MediaOutput& out, Participant& p, bool leave_first);
  // Starts it again once `detach` is answered (at once if 0).
  void start_after(MediaOutput& out, proto::PeerId peer, Participant& p, RequestId detach);
  void fail(MediaOutput& out, proto::PeerId peer, Participant& p, const std::string& why);
  void pump_publisher(MediaOutput& out, proto::PeerId peer, Participant& p);
  void sync_subscriber(MediaOutput& out, proto::PeerId peer, Participant& p);
  // Its publish offer was taken: m-lines it newly sends on go to every subscription of its feed,
  // those it stopped come out of them.
  void add_new_streams(MediaOutput& out, proto::PeerId peer, Participant& p);
  void sync_room(MediaOutput& out, proto::RoomId room, proto::PeerId except);
  void relay_offer(MediaOutput& out, proto::PeerId peer, Participant& p, const nlohmann::json& data,
                   const nlohmann::json& jsep);
  // After an offer Janus made by itself (or an ICE restart's), feeds it no longer carries are no
  // longer subscribed to (a publisher's hangup we never heard, lost while moim-server was away): a
  // publisher coming up again is subscribed to afresh.
  void forget_missing_feeds(Participant& p);
  // Tells Janus the layers this subscriber wants that differ from what it was told.
  void apply_layers(MediaOutput& out, proto::PeerId peer, Participant& p);
  void trickle(MediaOutput& out, proto::PeerId peer, JanusId handle, nlohmann::json candidate);
  void flush(MediaOutput& out, proto::PeerId peer, JanusId handle, std::deque<nlohmann::json>& queue);
  std::set<proto::PeerId> wanted(proto::PeerId peer, const Participant& p) const;
  void on_answer(MediaOutput& out, const Request& request, Participant& p, const MediaAnswer& answer);
  void tell(MediaOutput& out, proto::PeerId peer, proto::ServerMessage message);

  std::map<proto::PeerId, Participant> peers_;
  std::map<RequestId, Request> requests_;
  std::map<JanusId, proto::PeerId> handles_;  // each handle's participant
  std::set<proto::RoomId> unready_rooms_;    // waiting to be made again (a new Janus session)
  std::set<proto::PeerId> changed_;          // since the last changed()
  std::set<JanusId> orphans_;  // handles to detach once the link is back with the same session
  std::map<RequestId, proto::PeerId> start_after_;  // a leave / detach whose answer starts a participant again
  std::map<RequestId, std::array<JanusId, 2>> detach_later_;  // a leave's handles, detached once it is answered
  RequestId next_id_ = 1;
  bool up_ = true;
};

}  // namespace moim::sfu
