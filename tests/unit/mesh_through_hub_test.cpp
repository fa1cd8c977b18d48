// Three signaling machines wired through the real hub and registry, each with a fake browser that
// behaves like RTCPeerConnection's promise queue (operations complete later, in order). Checks the
// whole negotiation order end to end: who offers, routing to exactly one peer, candidates queued
// until the remote description is applied, and a peer leaving mid-call.
#include "client_state.hpp"
#include "hub.hpp"
#include "hub_world.hpp"
#include "peer_table.hpp"
#include "signaling.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>

namespace moim {
namespace {

using namespace signaling;

struct FakePeerConnection {
  bool remote_set = false;
  std::string local_sdp, remote_sdp;
  std::vector<std::string> remote_candidates;
  bool closed = false;
};

// The peer table's browser objects: none here (the fake browser is `pcs`); the table only lists who
// is in the call.
struct NoBrowserObjects {
  int handle() const { return 0; }
};

class FakeClient {
 public:
  FakeClient(Hub& hub, ConnId conn, std::string name) : hub_(hub), conn_(conn), name_(std::move(name)) {}

  ConnId conn() const { return conn_; }
  Machine machine;
  ClientState world;
  PeerTable<NoBrowserObjects> peers;  // who is in the call, as the server says
  std::map<PeerId, FakePeerConnection> pcs;
  std::vector<std::string> violations;
  std::deque<Event> browser_queue;  // completions not yet delivered

  HubOutput send(const proto::ClientMessage& m) { return hub_.on_text(conn_, proto::encode(m)); }

  void receive(const std::string& text, std::vector<HubOutput>& out) {
    auto decoded = proto::decode_server(text);
    ASSERT_TRUE(decoded.ok()) << text;
    world.apply(*decoded.message);
    peers.apply(*decoded.message, world.call());
    if (auto ev = to_event(*decoded.message)) execute(machine.handle(*ev), out);
  }

  // Delivers one pending browser completion; returns false when none.
  bool step(std::vector<HubOutput>& out) {
    if (browser_queue.empty()) return false;
    Event e = std::move(browser_queue.front());
    browser_queue.pop_front();
    execute(machine.handle(e), out);
    return true;
  }

  void execute(const Effects& effects, std::vector<HubOutput>& out) {
    for (const auto& effect : effects) {
      if (auto* e = std::get_if<CreatePeerConnection>(&effect)) {
        pcs[e->peer] = {};
      } else if (auto* e = std::get_if<CreateOffer>(&effect)) {
        const std::string sdp = "offer " + name_ + "->" + std::to_string(e->peer);
        pcs[e->peer].local_sdp = sdp;
        browser_queue.push_back(LocalDescriptionCreated{e->peer, proto::SignalKind::Offer, sdp});
        browser_queue.push_back(LocalCandidateGathered{e->peer, {"cand " + name_ + " 1", "0", 0}});
        browser_queue.push_back(LocalCandidateGathered{e->peer, {"cand " + name_ + " 2", "0", 0}});
      } else if (auto* e = std::get_if<CreateAnswer>(&effect)) {
        if (!pcs[e->peer].remote_set) violations.push_back("answer before remote offer");
        const std::string sdp = "answer " + name_ + "->" + std::to_string(e->peer);
        browser_queue.push_back(LocalDescriptionCreated{e->peer, proto::SignalKind::Answer, sdp});
        browser_queue.push_back(LocalCandidateGathered{e->peer, {"cand " + name_ + " 3", "0", 0}});
      } else if (auto* e = std::get_if<SetRemoteDescription>(&effect)) {
        pcs[e->peer].remote_sdp = e->sdp;
        pcs[e->peer].remote_set = true;
        browser_queue.push_back(RemoteDescriptionApplied{e->peer});
      } else if (auto* e = std::get_if<AddRemoteCandidate>(&effect)) {
        if (!pcs[e->peer].remote_set) violations.push_back("candidate before remote description");
        pcs[e->peer].remote_candidates.push_back(e->candidate.candidate);
      } else if (auto* e = std::get_if<SendToPeer>(&effect)) {
        out.push_back(send(proto::SendSignal{e->signal}));
      } else if (auto* e = std::get_if<ClosePeerConnection>(&effect)) {
        pcs[e->peer].closed = true;
      } else if (std::holds_alternative<RollbackLocalOffer>(effect)) {
        violations.push_back("unexpected rollback");
      }
    }
  }

 private:
  Hub& hub_;
  ConnId conn_;
  std::string name_;
};

class MeshThroughHub : public ::testing::Test {
 protected:
  test::HubWorld world;
  Hub hub{test::test_config(), world.services()};
  std::vector<std::unique_ptr<FakeClient>> clients;
  std::map<ConnId, FakeClient*> by_conn;
  std::size_t relayed_signals = 0;

  FakeClient& add(std::string name) {
    const ConnId conn = clients.size() + 100;
    clients.push_back(std::make_unique<FakeClient>(hub, conn, name));
    by_conn[conn] = clients.back().get();
    hub.connect(conn);
    deliver({hub.on_text(conn, proto::encode(proto::Hello{}))});
    return *clients.back();
  }

  // Delivers hub output, then lets every fake browser complete its queued operations, one at a
  // time and round-robin, until nothing is left anywhere.
  void deliver(std::vector<HubOutput> pending) {
    for (int guard = 0; guard < 10000; ++guard) {
      while (!pending.empty()) {
        HubOutput out = std::move(pending.front());
        pending.erase(pending.begin());
        for (const auto& s : out.sends) {
          auto it = by_conn.find(s.to);
          ASSERT_NE(it, by_conn.end()) << "message to an unknown connection";
          if (s.text->find("\"type\":\"signal\"") != std::string::npos) ++relayed_signals;
          it->second->receive(*s.text, pending);
        }
      }
      bool progressed = false;
      for (auto& c : clients) progressed |= c->step(pending);
      if (!progressed && pending.empty()) return;
    }
    FAIL() << "negotiation did not settle";
  }
};

TEST_F(MeshThroughHub, ThreePeopleNegotiateAFullMeshAndOneLeaves) {
  FakeClient& a = add("a");
  FakeClient& b = add("b");
  FakeClient& c = add("c");
  deliver({a.send(proto::CreateRoom{"Standup", 6})});
  const proto::RoomId room = a.world.rooms().at(0).id;

  deliver({a.send(proto::Join{room, "Alice"})});
  deliver({b.send(proto::Join{room, "Bob"})});
  deliver({c.send(proto::Join{room, "Carol"})});

  for (FakeClient* x : {&a, &b, &c}) {
    ASSERT_TRUE(x->world.call());
    EXPECT_EQ(x->peers.size(), 2u);
    EXPECT_EQ(x->machine.peers().size(), 2u);
    for (const auto& [id, p] : x->machine.peers()) {
      EXPECT_EQ(p.phase, Phase::Stable) << "client " << x->conn() << " peer " << id;
      EXPECT_TRUE(p.pending_candidates.empty());
      const auto& pc = x->pcs.at(id);
      EXPECT_TRUE(pc.remote_set);
      EXPECT_FALSE(pc.remote_candidates.empty());
    }
    EXPECT_TRUE(x->violations.empty()) << x->violations.front();
  }
  // Newcomers offered: Carol's offers reached Alice and Bob; each remote SDP names its true sender.
  const PeerId alice = a.world.call()->self.id, bob = b.world.call()->self.id, carol = c.world.call()->self.id;
  EXPECT_EQ(a.pcs.at(carol).remote_sdp, "offer c->" + std::to_string(alice));
  EXPECT_EQ(b.pcs.at(carol).remote_sdp, "offer c->" + std::to_string(bob));
  EXPECT_EQ(c.pcs.at(alice).remote_sdp, "answer a->" + std::to_string(carol));
  EXPECT_EQ(b.pcs.at(alice).remote_sdp, "answer a->" + std::to_string(bob));
  // 3 pairs x (offer + answer + 3 candidates) = 15 signals, each delivered exactly once.
  EXPECT_EQ(relayed_signals, 15u);

  // Bob's connection drops: the others close their connection to him; the room count follows (the
  // lobby's list: those in the call hear no room-list changes).
  deliver({hub.disconnect(b.conn())});
  by_conn.erase(b.conn());
  for (FakeClient* x : {&a, &c}) {
    EXPECT_EQ(x->peers.size(), 1u);
    EXPECT_TRUE(x->pcs.at(bob).closed);
    EXPECT_EQ(x->machine.peer(bob), nullptr);
  }
  EXPECT_EQ(hub.registry().info(room)->participants, 2u);
}

TEST_F(MeshThroughHub, APeerLeavingMidNegotiationLeavesNoHalfOpenConnection) {
  FakeClient& a = add("a");
  FakeClient& b = add("b");
  deliver({a.send(proto::CreateRoom{"Quick", 4})});
  const proto::RoomId room = a.world.rooms().at(0).id;
  deliver({a.send(proto::Join{room, "Alice"})});

  // Bob joins, but his browser never completes the offer before he leaves.
  std::vector<HubOutput> pending{b.send(proto::Join{room, "Bob"})};
  while (!pending.empty()) {
    HubOutput out = std::move(pending.front());
    pending.erase(pending.begin());
    for (const auto& s : out.sends) by_conn.at(s.to)->receive(*s.text, pending);
  }
  ASSERT_EQ(b.machine.peers().size(), 1u);
  EXPECT_EQ(b.machine.peers().begin()->second.phase, Phase::CreatingOffer);
  deliver({b.send(proto::Leave{})});
  EXPECT_EQ(a.peers.size(), 0u);
  EXPECT_TRUE(a.machine.peers().empty());
  EXPECT_TRUE(b.machine.peers().empty());
  EXPECT_TRUE(b.violations.empty());
}

}  // namespace
}  // namespace moim
