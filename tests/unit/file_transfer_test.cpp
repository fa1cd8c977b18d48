// File transfers as a machine (shared/file_transfer.hpp): every state of each direction against
// every event (the exact state, fault, by_peer and effects), both sides of one transfer talking over
// the wire form, one file sent to two peers, progress and rate, the bounds (size, waiting offers,
// kept transfers, ids, another peer's messages) and the end of the call.
#include "file_transfer.hpp"

#include "overloaded.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace moim::files {
namespace {

using p2p::FileAccept;
using p2p::FileCancel;
using p2p::FileDecline;
using p2p::FileEnd;
using p2p::FileOffer;
using p2p::FileResult;

constexpr proto::PeerId kPeer = 2, kOther = 3;
constexpr int kFile = 7;
constexpr std::uint64_t kSize = 100, kMax = 1000;
const std::string kHash(64, 'a'), kOtherHash(64, 'b');

// ---- readable forms, for tables and failures
using std::to_string;

std::string show(const p2p::PeerMessage& m) {
  return std::visit(Overloaded{
                        [](const FileOffer& o) { return "file-offer " + o.id + " " + o.name + " " + to_string(o.size); },
                        [](const FileAccept& o) { return "file-accept " + o.id; },
                        [](const FileDecline& o) { return "file-decline " + o.id; },
                        [](const FileCancel& o) { return "file-cancel " + o.id; },
                        [](const FileResult& o) { return "file-result " + o.id + (o.ok ? " ok" : " not-ok"); },
                        [](const auto&) { return std::string("not a file message"); },
                    },
                    m);
}

std::string show(const Effect& e) {
  return std::visit(Overloaded{
                        [](const SendToPeer& s) { return "to " + to_string(s.peer) + ": " + show(s.message); },
                        [](const StartSending& s) { return "start " + to_string(s.peer) + " " + s.id + " #" + to_string(s.file); },
                        [](const ExpectFile& s) { return "expect " + to_string(s.peer) + " " + s.id + " " + to_string(s.size); },
                        [](const Abort& s) { return "abort " + to_string(s.peer) + " " + s.id; },
                        [](const ReleasePicked& s) { return "release-picked #" + to_string(s.file); },
                        [](const ReleaseReceived& s) { return "release-received " + s.id; },
                        [](const Refused& s) { return "refused " + s.id + " " + std::string(to_string(s.fault)); },
                    },
                    e);
}

std::vector<std::string> show(const Effects& effects) {
  std::vector<std::string> out;
  for (const Effect& e : effects) out.push_back(show(e));
  return out;
}

// "sending", "failed peer-left", "cancelled by-peer"; "forgotten" when the machine has no such transfer.
std::string show(const Machine& m, std::string_view id) {
  const Transfer* t = m.find(id);
  if (!t) return "forgotten";
  std::string s(to_string(t->state));
  if (t->fault != Fault::None) s += " " + std::string(to_string(t->fault));
  if (t->by_peer) s += " by-peer";
  return s;
}

using ControlMessage = decltype(FromPeer::message);
FromPeer from(proto::PeerId peer, ControlMessage message, double now_ms = 1000) {
  return FromPeer{peer, std::move(message), now_ms};
}

struct Step {
  Event event;
  std::vector<std::string> effects;
};
void run(Machine& m, const std::vector<Step>& script) {
  for (std::size_t i = 0; i < script.size(); ++i)
    EXPECT_EQ(show(m.handle(script[i].event)), script[i].effects) << "step " << i;
}

TEST(FileTransfer, NamesOfDirectionsStatesAndFaults) {
  EXPECT_EQ(to_string(Direction::In), "in");
  EXPECT_EQ(to_string(Direction::Out), "out");
  const std::vector<std::tuple<State, std::string, bool>> states = {
      {State::Offered, "offered", false},  {State::Sending, "sending", false},   {State::Receiving, "receiving", false},
      {State::Confirming, "confirming", false}, {State::Done, "done", true},     {State::Declined, "declined", true},
      {State::Cancelled, "cancelled", true}, {State::Failed, "failed", true},
  };
  for (const auto& [state, name, final] : states) {
    EXPECT_EQ(to_string(state), name);
    EXPECT_EQ(is_final(state), final) << name;
  }
  const std::vector<std::pair<Fault, std::string>> faults = {
      {Fault::None, "none"},           {Fault::TooLarge, "too-large"},         {Fault::TooMany, "too-many"},
      {Fault::BadName, "bad-name"},    {Fault::PeerLeft, "peer-left"},         {Fault::ChannelBroke, "channel-broke"},
      {Fault::ReadFailed, "read-failed"}, {Fault::SizeMismatch, "size-mismatch"}, {Fault::HashMismatch, "hash-mismatch"},
      {Fault::LinkTimeout, "link-timeout"},
  };
  for (const auto& [fault, name] : faults) EXPECT_EQ(to_string(fault), name);
}

// ---- the matrix: one transfer "f1" with peer 2, file #7, 100 bytes (limit 1,000), in every state
// reached through real events, then every event.

const SendFile kSend{"f1", kPeer, "a.txt", kSize, kFile};
const FromPeer kOffer = from(kPeer, FileOffer{"f1", "a.txt", kSize});
const Arrived kArrivedRight{"f1", kSize, FileEnd{kSize, kHash}, kHash, 3000};

struct Start {
  std::string name;
  std::vector<Event> path;  // from a fresh machine
  std::string state;        // where the path ends
};
const std::vector<Start>& starts() {
  static const std::vector<Start> all = {
      {"out offered", {kSend}, "offered"},
      {"out sending", {kSend, from(kPeer, FileAccept{"f1"})}, "sending"},
      {"out confirming", {kSend, from(kPeer, FileAccept{"f1"}), AllSent{"f1", 2500}}, "confirming"},
      {"out done", {kSend, from(kPeer, FileAccept{"f1"}), AllSent{"f1", 2500}, from(kPeer, FileResult{"f1", true})}, "done"},
      {"out declined", {kSend, from(kPeer, FileDecline{"f1"})}, "declined by-peer"},
      {"out cancelled", {kSend, from(kPeer, FileAccept{"f1"}), Cancel{"f1"}}, "cancelled"},
      {"out cancelled by peer", {kSend, from(kPeer, FileAccept{"f1"}), from(kPeer, FileCancel{"f1"})}, "cancelled by-peer"},
      {"out failed", {kSend, from(kPeer, FileAccept{"f1"}), TransferBroke{"f1", true}}, "failed read-failed"},
      {"in offered", {kOffer}, "offered"},
      {"in receiving", {kOffer, Accept{"f1", 1000}}, "receiving"},
      {"in done", {kOffer, Accept{"f1", 1000}, kArrivedRight}, "done"},
      {"in declined", {kOffer, Decline{"f1"}}, "declined"},
      {"in declined at once", {from(kPeer, FileOffer{"f1", "big.bin", kMax + 1})}, "declined too-large"},
      {"in cancelled", {kOffer, Accept{"f1", 1000}, Cancel{"f1"}}, "cancelled"},
      {"in cancelled by peer", {kOffer, Accept{"f1", 1000}, from(kPeer, FileCancel{"f1"})}, "cancelled by-peer"},
      {"in failed", {kOffer, Accept{"f1", 1000}, Arrived{"f1", kSize, FileEnd{kSize, kHash}, kOtherHash, 3000}},
       "failed hash-mismatch"},
  };
  return all;
}

Machine machine_in(const Start& start) {
  Machine m(kMax);
  for (const Event& e : start.path) m.handle(e);
  EXPECT_EQ(show(m, "f1"), start.state) << start.name;
  return m;
}

struct NamedEvent {
  std::string name;
  Event event;
};
const std::vector<NamedEvent>& events() {
  static const std::vector<NamedEvent> all = {
      {"send-same-id", SendFile{"f1", kOther, "b.txt", 5, 9}},
      {"accept", Accept{"f1", 2000}},
      {"decline", Decline{"f1"}},
      {"cancel", Cancel{"f1"}},
      {"peer-offer-same-id", from(kPeer, FileOffer{"f1", "b.txt", 5})},
      {"peer-accept", from(kPeer, FileAccept{"f1"}, 2000)},
      {"peer-decline", from(kPeer, FileDecline{"f1"})},
      {"peer-cancel", from(kPeer, FileCancel{"f1"})},
      {"peer-result-ok", from(kPeer, FileResult{"f1", true})},
      {"peer-result-bad", from(kPeer, FileResult{"f1", false})},
      // Another peer about peer 2's transfer: never anything.
      {"other-offer-same-id", from(kOther, FileOffer{"f1", "b.txt", 5})},
      {"other-accept", from(kOther, FileAccept{"f1"}, 2000)},
      {"other-decline", from(kOther, FileDecline{"f1"})},
      {"other-cancel", from(kOther, FileCancel{"f1"})},
      {"other-result-ok", from(kOther, FileResult{"f1", true})},
      {"other-result-bad", from(kOther, FileResult{"f1", false})},
      {"progress", Progress{"f1", 50, 2000}},
      {"all-sent", AllSent{"f1", 2500}},
      {"arrived", kArrivedRight},
      {"arrived-short", Arrived{"f1", kSize - 1, FileEnd{kSize, kHash}, kHash, 3000}},
      {"arrived-end-says-other-size", Arrived{"f1", kSize, FileEnd{kSize + 1, kHash}, kHash, 3000}},
      {"arrived-no-end", Arrived{"f1", kSize, std::nullopt, kHash, 3000}},
      {"arrived-bad-hash", Arrived{"f1", kSize, FileEnd{kSize, kHash}, kOtherHash, 3000}},
      {"broke", TransferBroke{"f1", false}},
      {"read-broke", TransferBroke{"f1", true}},
      {"peer-gone", PeerGone{kPeer}},
      {"other-gone", PeerGone{kOther}},
      {"call-ended", CallEnded{}},
      {"forget", Forget{"f1"}},
  };
  return all;
}

// What changes; every (start, event) pair not listed changes nothing and has no effects. "*": any
// start; a start's own row wins. State "" is "as it was" (the whole transfer unchanged).
struct Change {
  std::string start, event, state;
  std::vector<std::string> effects;
};
const std::string kToCancel = "to 2: file-cancel f1", kAbort = "abort 2 f1", kRelease = "release-picked #7",
                  kResultBad = "to 2: file-result f1 not-ok";
const std::vector<Change> kChanges = {
    {"*", "send-same-id", "", {"refused f1 none"}},  // an id is used until forgotten
    {"*", "call-ended", "forgotten", {}},

    {"out offered", "cancel", "cancelled", {kToCancel, kRelease}},  // no channel yet: no Abort
    {"out offered", "peer-accept", "sending", {"start 2 f1 #7"}},
    {"out offered", "peer-decline", "declined by-peer", {kRelease}},
    {"out offered", "peer-cancel", "cancelled by-peer", {kRelease}},
    {"out offered", "peer-gone", "failed peer-left", {kRelease}},
    {"out offered", "call-ended", "forgotten", {kRelease}},

    {"out sending", "cancel", "cancelled", {kToCancel, kAbort, kRelease}},
    {"out sending", "peer-cancel", "cancelled by-peer", {kAbort, kRelease}},
    {"out sending", "peer-result-ok", "done", {kAbort, kRelease}},  // the verdict before AllSent
    {"out sending", "peer-result-bad", "failed hash-mismatch", {kAbort, kRelease}},
    {"out sending", "progress", "sending", {}},
    {"out sending", "all-sent", "confirming", {}},
    {"out sending", "broke", "failed channel-broke", {kToCancel, kAbort, kRelease}},
    {"out sending", "read-broke", "failed read-failed", {kToCancel, kAbort, kRelease}},
    {"out sending", "peer-gone", "failed peer-left", {kAbort, kRelease}},
    {"out sending", "call-ended", "forgotten", {kAbort, kRelease}},

    {"out confirming", "cancel", "cancelled", {kToCancel, kAbort, kRelease}},
    {"out confirming", "peer-cancel", "cancelled by-peer", {kAbort, kRelease}},
    {"out confirming", "peer-result-ok", "done", {kAbort, kRelease}},
    {"out confirming", "peer-result-bad", "failed hash-mismatch", {kAbort, kRelease}},
    {"out confirming", "peer-gone", "failed peer-left", {kAbort, kRelease}},
    {"out confirming", "call-ended", "forgotten", {kAbort, kRelease}},
    // (broke, read-broke: every byte went; the verdict is awaited)

    {"in offered", "accept", "receiving", {"expect 2 f1 100", "to 2: file-accept f1"}},
    {"in offered", "decline", "declined", {"to 2: file-decline f1"}},
    {"in offered", "cancel", "cancelled", {kToCancel}},
    {"in offered", "peer-cancel", "cancelled by-peer", {}},
    {"in offered", "peer-gone", "failed peer-left", {}},

    {"in receiving", "cancel", "cancelled", {kToCancel, kAbort}},
    {"in receiving", "peer-cancel", "cancelled by-peer", {kAbort}},
    {"in receiving", "progress", "receiving", {}},
    {"in receiving", "arrived", "done", {"to 2: file-result f1 ok"}},  // kept: no Abort
    {"in receiving", "arrived-short", "failed size-mismatch", {kResultBad, kAbort}},
    {"in receiving", "arrived-end-says-other-size", "failed size-mismatch", {kResultBad, kAbort}},
    {"in receiving", "arrived-no-end", "failed size-mismatch", {kResultBad, kAbort}},
    {"in receiving", "arrived-bad-hash", "failed hash-mismatch", {kResultBad, kAbort}},
    {"in receiving", "broke", "failed channel-broke", {kToCancel, kAbort}},
    {"in receiving", "read-broke", "failed channel-broke", {kToCancel, kAbort}},  // reading is the sender's
    {"in receiving", "peer-gone", "failed peer-left", {kAbort}},
    {"in receiving", "call-ended", "forgotten", {kAbort}},

    {"in done", "call-ended", "forgotten", {"release-received f1"}},

    // A final transfer put away is forgotten; a kept received file is released with it.
    {"out done", "forget", "forgotten", {}},
    {"out declined", "forget", "forgotten", {}},
    {"out cancelled", "forget", "forgotten", {}},
    {"out cancelled by peer", "forget", "forgotten", {}},
    {"out failed", "forget", "forgotten", {}},
    {"in done", "forget", "forgotten", {"release-received f1"}},
    {"in declined", "forget", "forgotten", {}},
    {"in declined at once", "forget", "forgotten", {}},
    {"in cancelled", "forget", "forgotten", {}},
    {"in cancelled by peer", "forget", "forgotten", {}},
    {"in failed", "forget", "forgotten", {}},
};

TEST(FileTransfer, EveryStateOfEachDirectionAgainstEveryEvent) {
  std::map<std::pair<std::string, std::string>, const Change*> table;
  for (const Change& c : kChanges) table[{c.start, c.event}] = &c;
  std::map<const Change*, int> used;
  int pairs = 0;
  for (const Start& start : starts()) {
    for (const NamedEvent& ev : events()) {
      SCOPED_TRACE(start.name + " + " + ev.name);
      Machine m = machine_in(start);
      const Transfer before = *m.find("f1");
      const std::vector<std::string> effects = show(m.handle(ev.event));
      auto it = table.find({start.name, ev.name});
      if (it == table.end()) it = table.find({"*", ev.name});
      const Change* change = it == table.end() ? nullptr : it->second;
      ++used[change];
      ++pairs;
      EXPECT_EQ(effects, change ? change->effects : std::vector<std::string>{});
      if (!change || change->state.empty()) {
        ASSERT_NE(m.find("f1"), nullptr);
        EXPECT_EQ(*m.find("f1"), before);
      } else {
        EXPECT_EQ(show(m, "f1"), change->state);
      }
      EXPECT_LE(m.transfers().size(), 1u);  // nothing else came in
    }
  }
  EXPECT_EQ(pairs, 16 * 29);
  for (const Change& c : kChanges) EXPECT_GT(used[&c], 0) << "row never used: " << c.start << " + " << c.event;
}

TEST(FileTransfer, TheMatrixStatesHoldTheirDetails) {
  Machine out = machine_in(starts()[1]);  // out sending, accepted at 1000
  EXPECT_EQ(*out.find("f1"), (Transfer{"f1", kPeer, Direction::Out, "a.txt", kSize, State::Sending, Fault::None, false,
                                       kFile, 0, 1000, 0, -1, 0}));
  out.handle(AllSent{"f1", 2500});
  EXPECT_EQ(out.find("f1")->bytes, kSize);
  Machine in = machine_in(starts()[10]);  // in done
  EXPECT_EQ(*in.find("f1"), (Transfer{"f1", kPeer, Direction::In, "a.txt", kSize, State::Done, Fault::None, false, 0,
                                      kSize, 1000, 0, -1, 0}));
}

// ---- both sides, talking over the wire form

// Carries the messages among `effects` to `to`, which knows their sender as `sender`; returns what `to` did.
Effects deliver(Machine& to, proto::PeerId sender, const Effects& effects, double now_ms = 1000) {
  Effects out;
  for (const Effect& e : effects) {
    const auto* send = std::get_if<SendToPeer>(&e);
    if (!send) continue;
    const p2p::DecodedPeer d = p2p::decode_peer(p2p::encode(send->message));
    EXPECT_TRUE(d.ok());
    FromPeer msg{sender, {}, now_ms};
    std::visit(
        [&](const auto& m) {
          if constexpr (std::is_constructible_v<ControlMessage, decltype(m)>) msg.message = m;
          else ADD_FAILURE() << "not a control message";
        },
        *d.message);
    for (Effect& x : to.handle(msg)) out.push_back(std::move(x));
  }
  return out;
}

TEST(FileTransfer, BothSidesOfOneTransferEndTheSameWay) {
  // Alice (1) sends to Bob (2); the receiver's last word decides how both end.
  struct Row {
    std::string what;
    Event bob_end;              // what Bob's glue reports once the bytes moved
    std::string alice, bob;     // how each ends
    std::vector<std::string> alice_effects;  // at Bob's answer
  };
  const std::vector<Row> rows = {
      {"right", Arrived{"f1", kSize, FileEnd{kSize, kHash}, kHash, 3000}, "done", "done",
       {"abort 2 f1", "release-picked #7"}},
      {"wrong hash", Arrived{"f1", kSize, FileEnd{kSize, kHash}, kOtherHash, 3000}, "failed hash-mismatch",
       "failed hash-mismatch", {"abort 2 f1", "release-picked #7"}},
      {"short", Arrived{"f1", 10, FileEnd{kSize, kHash}, kHash, 3000}, "failed hash-mismatch", "failed size-mismatch",
       {"abort 2 f1", "release-picked #7"}},
      {"channel broke", TransferBroke{"f1", false}, "cancelled by-peer", "failed channel-broke",
       {"abort 2 f1", "release-picked #7"}},
      {"bob cancels", Cancel{"f1"}, "cancelled by-peer", "cancelled", {"abort 2 f1", "release-picked #7"}},
      {"its data link not up in time", TransferBroke{"f1", false, true}, "cancelled by-peer", "failed link-timeout",
       {"abort 2 f1", "release-picked #7"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Machine alice(kMax), bob(kMax);
    const Effects offer = alice.handle(SendFile{"f1", 2, "a.txt", kSize, kFile});
    EXPECT_EQ(show(deliver(bob, 1, offer)), std::vector<std::string>{});
    EXPECT_EQ(show(bob, "f1"), "offered");
    const Effects accept = bob.handle(Accept{"f1", 1000});
    EXPECT_EQ(show(accept), (std::vector<std::string>{"expect 1 f1 100", "to 1: file-accept f1"}));
    EXPECT_EQ(show(deliver(alice, 2, accept)), std::vector<std::string>{"start 2 f1 #7"});
    alice.handle(Progress{"f1", kSize, 1500});
    alice.handle(AllSent{"f1", 1600});
    bob.handle(Progress{"f1", kSize, 1500});
    EXPECT_EQ(show(alice, "f1"), "confirming");
    const Effects answer = bob.handle(row.bob_end);
    EXPECT_EQ(show(deliver(alice, 2, answer)), row.alice_effects);
    EXPECT_EQ(show(alice, "f1"), row.alice);
    EXPECT_EQ(show(bob, "f1"), row.bob);
    // Anything more either says is about a final transfer: nothing.
    EXPECT_TRUE(deliver(bob, 1, alice.handle(Cancel{"f1"})).empty());
  }
}

TEST(FileTransfer, OneFileToTwoPeersIsReleasedOnceAfterTheLastTransfer) {
  Machine m;
  run(m, {
             {SendFile{"f1", 2, "a.txt", 5000, kFile}, {"to 2: file-offer f1 a.txt 5000"}},
             {SendFile{"f2", 3, "a.txt", 5000, kFile}, {"to 3: file-offer f2 a.txt 5000"}},
             {from(2, FileAccept{"f1"}), {"start 2 f1 #7"}},
             {from(3, FileAccept{"f2"}), {"start 3 f2 #7"}},
             {AllSent{"f1", 2000}, {}},
             {from(2, FileResult{"f1", true}), {"abort 2 f1"}},  // f2 still uses the file
             {Progress{"f2", 2500, 2000}, {}},
             {AllSent{"f2", 3000}, {}},
             {from(3, FileResult{"f2", true}), {"abort 3 f2", "release-picked #7"}},
             {CallEnded{}, {}},  // nothing left to release
         });
  // Declined by one, failed with the other: the same, once.
  Machine n;
  run(n, {
             {SendFile{"f1", 2, "a.txt", 5000, kFile}, {"to 2: file-offer f1 a.txt 5000"}},
             {SendFile{"f2", 3, "a.txt", 5000, kFile}, {"to 3: file-offer f2 a.txt 5000"}},
             {SendFile{"f3", 3, "b.txt", 10, 8}, {"to 3: file-offer f3 b.txt 10"}},
             {from(2, FileDecline{"f1"}), {}},
             {from(3, FileAccept{"f2"}), {"start 3 f2 #7"}},
             {PeerGone{3}, {"abort 3 f2", "release-picked #7", "release-picked #8"}},
         });
}

TEST(FileTransfer, ProgressOnlyGrowsAndTheRateIsSmoothed) {
  Machine m;
  m.handle(from(kPeer, FileOffer{"f1", "big.bin", 1'000'000}));
  m.handle(Accept{"f1", 1000});
  struct Row {
    std::uint64_t bytes;
    double now_ms;
    std::uint64_t bytes_after;
    double rate, last_ms;
  };
  const std::vector<Row> rows = {
      {10'000, 1100, 10'000, 0, -1},           // under 250 ms since the start: no rate yet
      {50'000, 1500, 50'000, 100'000, 1500},   // first sample, from the start: 50,000 B in 0.5 s
      {40'000, 1600, 50'000, 100'000, 1500},   // never backwards; 100 ms: no sample
      {150'000, 2000, 150'000, 125'000, 2000},  // sample 200,000: 3/4 * 100,000 + 1/4 * 200,000
      {150'000, 2500, 150'000, 93'750, 2500},   // stalled: sample 0
      {2'000'000, 2750, 1'000'000, 920'312.5, 2750},  // at most the size; sample 3,400,000
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_TRUE(m.handle(Progress{"f1", rows[i].bytes, rows[i].now_ms}).empty());
    const Transfer& t = *m.find("f1");
    EXPECT_EQ(t.bytes, rows[i].bytes_after);
    EXPECT_DOUBLE_EQ(t.bytes_per_s, rows[i].rate);
    EXPECT_DOUBLE_EQ(t.last_progress_ms, rows[i].last_ms);
    EXPECT_EQ(t.last_progress_bytes, rows[i].last_ms < 0 ? 0 : rows[i].bytes_after);
  }
  // Sending counts from the peer's accept.
  Machine s;
  s.handle(SendFile{"f1", kPeer, "a.bin", 1'000'000, kFile});
  s.handle(from(kPeer, FileAccept{"f1"}, 4000));
  s.handle(Progress{"f1", 25'000, 4250});
  EXPECT_DOUBLE_EQ(s.find("f1")->bytes_per_s, 100'000);
}

// ---- bounds

TEST(FileTransfer, TheSizeLimitIsExactlyTheMaximum) {
  Machine m(kMax);
  run(m, {
             {SendFile{"s1", 2, "a", kMax, 1}, {"to 2: file-offer s1 a 1000"}},
             {SendFile{"s2", 2, "a", kMax + 1, 1}, {"refused s2 too-large"}},
             {from(2, FileOffer{"o1", "a", kMax}), {}},
             {from(2, FileOffer{"o2", "a", kMax + 1}), {"to 2: file-decline o2"}},
         });
  EXPECT_EQ(show(m, "s1"), "offered");
  EXPECT_EQ(show(m, "s2"), "forgotten");
  EXPECT_EQ(show(m, "o1"), "offered");
  EXPECT_EQ(show(m, "o2"), "declined too-large");  // kept, to be seen
  // A limit above what the wire carries is the wire's.
  Machine huge(~std::uint64_t{0});
  run(huge, {
                {SendFile{"s", 2, "a", p2p::kMaxFileSize, 1}, {"to 2: file-offer s a 9007199254740991"}},
                {SendFile{"t", 2, "a", p2p::kMaxFileSize + 1, 1}, {"refused t too-large"}},
            });
  EXPECT_EQ(Machine().max_file_bytes(), kDefaultMaxFileBytes);
}

TEST(FileTransfer, WhatSendFileRefuses) {
  struct Row {
    SendFile send;
    std::vector<std::string> effects;
    std::string name;  // as kept ("" when refused)
  };
  const std::vector<Row> rows = {
      {{"f1", 2, "a.txt", 5, 1}, {"to 2: file-offer f1 a.txt 5"}, "a.txt"},
      {{"f1", 2, "  a b.txt\xE3\x80\x80", 5, 1}, {"to 2: file-offer f1 a b.txt 5"}, "a b.txt"},  // trimmed
      {{"f1", 2, "\xEC\x95\x88.txt", 5, 1}, {"to 2: file-offer f1 \xEC\x95\x88.txt 5"}, "\xEC\x95\x88.txt"},
      {{"f1", 2, std::string(255, 'n'), 5, 1}, {"to 2: file-offer f1 " + std::string(255, 'n') + " 5"},
       std::string(255, 'n')},
      {{"f1", 2, std::string(256, 'n'), 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "   ", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "dir/a.txt", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "dir\\a.txt", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "a\x01.txt", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "a\xFF.txt", 5, 1}, {"refused f1 bad-name"}, ""},
      {{"f1", 2, "a/b", kMax + 1, 1}, {"refused f1 too-large"}, ""},  // the size is said first
      {{"", 2, "a.txt", 5, 1}, {"refused  none"}, ""},
      {{"a b", 2, "a.txt", 5, 1}, {"refused a b none"}, ""},
      {{std::string(33, 'i'), 2, "a.txt", 5, 1}, {"refused " + std::string(33, 'i') + " none"}, ""},
      {{"f1", 0, "a.txt", 5, 1}, {"refused f1 none"}, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.send.name + " / " + row.send.id);
    Machine m(kMax);
    EXPECT_EQ(show(m.handle(row.send)), row.effects);
    if (row.name.empty()) {
      EXPECT_TRUE(m.transfers().empty());
    } else {
      ASSERT_EQ(m.transfers().size(), 1u);
      EXPECT_EQ(m.transfers()[0], (Transfer{"f1", 2, Direction::Out, row.name, 5, State::Offered, Fault::None, false, 1}));
    }
  }
}

TEST(FileTransfer, OnlySoManyOffersFromOnePeerWait) {
  Machine m;
  for (std::size_t i = 1; i <= kMaxWaitingOffersPerPeer; ++i)
    EXPECT_TRUE(m.handle(from(2, FileOffer{"o" + std::to_string(i), "a", 1})).empty());
  run(m, {
             {from(2, FileOffer{"o9", "a", 1}), {"to 2: file-decline o9"}},
             {from(3, FileOffer{"p1", "a", 1}), {}},  // another peer's offers wait apart
             {Accept{"o1", 0}, {"expect 2 o1 1", "to 2: file-accept o1"}},
             {from(2, FileOffer{"o10", "a", 1}), {}},  // o1 no longer waits
             {from(2, FileOffer{"o11", "a", 1}), {"to 2: file-decline o11"}},
             {Decline{"o2"}, {"to 2: file-decline o2"}},
             {from(2, FileOffer{"o12", "a", 1}), {}},
         });
  EXPECT_EQ(show(m, "o9"), "declined too-many");
  EXPECT_EQ(show(m, "o11"), "declined too-many");
  EXPECT_EQ(show(m, "o12"), "offered");
  EXPECT_EQ(show(m, "p1"), "offered");
}

TEST(FileTransfer, AtMostSoManyTransfersTheOldestFinalOnesForgottenFirst) {
  Machine m;
  for (std::size_t i = 0; i < kMaxTransfers; ++i)
    m.handle(SendFile{"s" + std::to_string(i), 2, "a", 1, 1});
  ASSERT_EQ(m.transfers().size(), kMaxTransfers);
  run(m, {
             {SendFile{"x", 2, "a", 1, 1}, {"refused x too-many"}},
             {from(3, FileOffer{"y", "a", 1}), {"to 3: file-decline y"}},  // declined, not kept: no room
             {from(3, FileOffer{"z", "a", kDefaultMaxFileBytes + 1}), {"to 3: file-decline z"}},
             {Cancel{"s3"}, {"to 2: file-cancel s3"}},
             {Cancel{"s1"}, {"to 2: file-cancel s1"}},
             {SendFile{"n1", 2, "a", 1, 1}, {"to 2: file-offer n1 a 1"}},  // s1 goes: made first
         });
  EXPECT_EQ(m.transfers().size(), kMaxTransfers);
  EXPECT_EQ(show(m, "y"), "forgotten");
  EXPECT_EQ(show(m, "z"), "forgotten");
  EXPECT_EQ(show(m, "s1"), "forgotten");
  EXPECT_EQ(show(m, "s3"), "cancelled");
  run(m, {
             {from(3, FileOffer{"y", "a", 1}), {}},  // s3 goes for it
             {from(3, FileOffer{"w", "a", kDefaultMaxFileBytes + 1}), {"to 3: file-decline w"}},
         });
  EXPECT_EQ(show(m, "s3"), "forgotten");
  EXPECT_EQ(show(m, "y"), "offered");
  EXPECT_EQ(show(m, "w"), "forgotten");  // nothing final left to forget
  EXPECT_EQ(m.transfers().back().id, "y");

  // A received file waits for Save until the call ends: never forgotten to make room.
  Machine r;
  r.handle(from(3, FileOffer{"r0", "a", 1}));
  r.handle(Accept{"r0", 0});
  r.handle(Arrived{"r0", 1, FileEnd{1, kHash}, kHash, 0});
  for (std::size_t i = 1; i < kMaxTransfers; ++i) r.handle(SendFile{"s" + std::to_string(i), 2, "a", 1, 1});
  run(r, {
             {Cancel{"s5"}, {"to 2: file-cancel s5"}},
             {SendFile{"n1", 2, "a", 1, 1}, {"to 2: file-offer n1 a 1"}},
             {SendFile{"n2", 2, "a", 1, 1}, {"refused n2 too-many"}},
         });
  EXPECT_EQ(show(r, "r0"), "done");
  EXPECT_EQ(show(r, "s5"), "forgotten");
}

TEST(FileTransfer, IdsAreOnePerTransferWhateverTheDirection) {
  Machine m;
  run(m, {
             {SendFile{"f1", 2, "a", 1, 1}, {"to 2: file-offer f1 a 1"}},
             {from(2, FileOffer{"f1", "b", 1}), {}},  // the same id from the peer: ignored
             {from(3, FileOffer{"g1", "b", 1}), {}},
             {SendFile{"g1", 2, "a", 1, 1}, {"refused g1 none"}},
             {SendFile{"f1", 3, "a", 1, 1}, {"refused f1 none"}},
             {from(0, FileOffer{"h1", "b", 1}), {}},  // not a peer
             {from(3, FileOffer{"bad id", "b", 1}), {}},  // what the decoder refuses, ignored here too
             {from(3, FileOffer{"h2", " b", 1}), {}},
         });
  EXPECT_EQ(m.transfers().size(), 2u);
  EXPECT_EQ(m.find("f1")->direction, Direction::Out);
  EXPECT_EQ(m.find("g1")->direction, Direction::In);
  m.handle(CallEnded{});
  run(m, {{SendFile{"f1", 3, "a", 1, 1}, {"to 3: file-offer f1 a 1"}}});  // forgotten: the id is free
}

TEST(FileTransfer, APeerSpeaksOnlyForItsOwnTransfers) {
  Machine m;
  m.handle(SendFile{"to2", 2, "a", 10, 1});
  m.handle(SendFile{"to3", 3, "a", 10, 1});
  m.handle(from(2, FileOffer{"of2", "b", 10}));
  run(m, {
             // Peer 3 about peer 2's transfers, or about a transfer of its own in the wrong direction.
             {from(3, FileAccept{"to2"}), {}},
             {from(3, FileCancel{"to2"}), {}},
             {from(3, FileDecline{"to2"}), {}},
             {from(3, FileCancel{"of2"}), {}},
             {from(2, FileAccept{"of2"}), {}},  // its own offer: only we accept it
             {from(3, FileResult{"to3", true}), {}},  // no bytes went yet
             {from(3, FileAccept{"nope"}), {}},
             {PeerGone{4}, {}},
             {from(3, FileAccept{"to3"}), {"start 3 to3 #1"}},
             {from(3, FileCancel{"to3"}), {"abort 3 to3"}},  // to2 still uses #1
             {PeerGone{2}, {"release-picked #1"}},
         });
  EXPECT_EQ(show(m, "to2"), "failed peer-left");
  EXPECT_EQ(show(m, "of2"), "failed peer-left");
  EXPECT_EQ(show(m, "to3"), "cancelled by-peer");
}

TEST(FileTransfer, TheEndOfTheCallReleasesEverythingOnce) {
  Machine m;
  m.handle(SendFile{"a", 2, "x", 10, 1});  // sending, with b: #1 once
  m.handle(SendFile{"b", 3, "x", 10, 1});
  m.handle(SendFile{"c", 2, "y", 10, 2});  // offered
  m.handle(SendFile{"d", 2, "z", 10, 3});  // done: #3 released already
  m.handle(from(2, FileAccept{"a"}));
  m.handle(from(3, FileAccept{"b"}));
  m.handle(from(2, FileAccept{"d"}));
  m.handle(from(2, FileResult{"d", true}));
  m.handle(from(4, FileOffer{"g", "r", 10}));  // received
  m.handle(Accept{"g", 0});
  m.handle(Arrived{"g", 10, FileEnd{10, kHash}, kHash, 0});
  m.handle(from(4, FileOffer{"h", "r", 10}));  // receiving
  m.handle(Accept{"h", 0});
  m.handle(from(4, FileOffer{"i", "r", 10}));  // waiting
  m.handle(from(4, FileOffer{"j", "r", 10}));  // cancelled
  m.handle(Cancel{"j"});
  run(m, {
             {CallEnded{},
              {"abort 2 a", "abort 3 b", "release-received g", "abort 4 h", "release-picked #1", "release-picked #2"}},
             {CallEnded{}, {}},
         });
  EXPECT_TRUE(m.transfers().empty());
}

}  // namespace
}  // namespace moim::files
