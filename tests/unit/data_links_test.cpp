// A large room's data links (shared/data_links.hpp): on demand, the smaller id offers, at most
// kMaxLinks at once (the rest wait, their offers held), offers from people we have no transfer with
// refused, a link that breaks while needed is Lost.
#include "data_links.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>

namespace moim::data_links {
namespace {

using proto::SignalKind;

// A data-only offer: one m=application section (anything else is refused).
const std::string kOffer = "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";

proto::Signal offer_from(PeerId p, std::string sdp = kOffer) { return {.peer = p, .kind = SignalKind::Offer, .sdp = std::move(sdp)}; }
proto::Signal answer_from(PeerId p) { return {.peer = p, .kind = SignalKind::Answer, .sdp = "v=0 answer"}; }
proto::Signal candidate_from(PeerId p, std::string c = "candidate:1") {
  return {.peer = p, .kind = SignalKind::Candidate, .candidate = {.candidate = std::move(c), .sdp_mid = "0"}};
}
bool logged_protocol(const Effects& fx) {
  for (const auto& e : fx)
    if (const auto* l = std::get_if<Log>(&e); l && l->text.rfind("protocol: ", 0) == 0) return true;
  return false;
}

// Both roles, step by step: event in, effects out.
TEST(DataLinks, TheSmallerIdOffersTheOtherAnswers) {
  Machine offerer;  // we are 2, the peer 5
  EXPECT_EQ(offerer.handle(Demand{2, {5}}), (Effects{Create{5, true}}));
  EXPECT_EQ(offerer.handle(Made{5, 11}), (Effects{CreateOffer{11}}));
  EXPECT_EQ(offerer.handle_of(5), 11);
  EXPECT_EQ(offerer.handle(LocalDescription{11, SignalKind::Offer, kOffer}),
            (Effects{Send{offer_from(5)}}));
  // A candidate before the answer waits for it.
  EXPECT_EQ(offerer.handle(SignalFrom{candidate_from(5)}), Effects{});
  EXPECT_EQ(offerer.handle(SignalFrom{answer_from(5)}), (Effects{SetRemote{11, SignalKind::Answer, "v=0 answer"}}));
  EXPECT_EQ(offerer.handle(RemoteApplied{11}), (Effects{AddCandidate{11, candidate_from(5).candidate}}));
  EXPECT_EQ(offerer.handle(SignalFrom{candidate_from(5, "candidate:2")}), (Effects{AddCandidate{11, candidate_from(5, "candidate:2").candidate}}));
  EXPECT_EQ(offerer.handle(LocalCandidate{11, {.candidate = "candidate:9"}}),
            (Effects{Send{{.peer = 5, .kind = SignalKind::Candidate, .candidate = {.candidate = "candidate:9"}}}}));
  EXPECT_FALSE(offerer.ready(5));
  EXPECT_EQ(offerer.handle(ChannelOpened{11}), (Effects{Ready{5, 11}}));
  EXPECT_TRUE(offerer.ready(5));
  // No longer needed: closed and forgotten; its late callbacks change nothing.
  EXPECT_EQ(offerer.handle(Demand{2, {}}), (Effects{Close{11}}));
  EXPECT_EQ(offerer.handle(ChannelOpened{11}), Effects{});
  EXPECT_EQ(offerer.handle(LocalCandidate{11, {.candidate = "candidate:9"}}), Effects{});
  EXPECT_TRUE(offerer.links().empty());

  Machine answerer;  // we are 5, the peer 2: its connection is made once the offer is here
  EXPECT_EQ(answerer.handle(Demand{5, {2}}), Effects{});
  EXPECT_EQ(answerer.find(2)->phase, Phase::Queued);
  EXPECT_EQ(answerer.handle(SignalFrom{offer_from(2)}), (Effects{Create{2, false}}));
  EXPECT_EQ(answerer.handle(Made{2, 7}), (Effects{SetRemote{7, SignalKind::Offer, kOffer}}));
  EXPECT_EQ(answerer.handle(RemoteApplied{7}), (Effects{CreateAnswer{7}}));
  EXPECT_EQ(answerer.handle(LocalDescription{7, SignalKind::Answer, "v=0 answer"}), (Effects{Send{answer_from(2)}}));
  EXPECT_EQ(answerer.find(2)->phase, Phase::Connecting);
  EXPECT_EQ(answerer.handle(ChannelOpened{7}), (Effects{Ready{2, 7}}));
}

// Sending to everyone in a big room: four links at once, the others wait in order and start as
// places free; an offer from a queued person is held and answered when its turn comes.
TEST(DataLinks, AtMostFourLinksTheRestWaitInOrder) {
  Machine m;  // we are 1: we offer to all
  const Effects first = m.handle(Demand{1, {2, 3, 4, 5, 6, 7}});
  EXPECT_EQ(first, (Effects{Create{2, true}, Create{3, true}, Create{4, true}, Create{5, true}}));
  EXPECT_EQ(m.active(), kMaxLinks);
  EXPECT_EQ(m.find(6)->phase, Phase::Queued);
  EXPECT_EQ(m.handle_of(6), 0);
  for (Handle h = 2; h <= 5; ++h) m.handle(Made{static_cast<PeerId>(h), 100 + h});
  // 3's transfers ended: its place goes to 6, the first waiting.
  EXPECT_EQ(m.handle(Demand{1, {2, 4, 5, 6, 7}}), (Effects{Close{103}, Create{6, true}}));
  // 4's link breaks while needed: Lost (its transfers break), and 7 gets the place.
  const Effects broke = m.handle(Broke{104, "closed"});
  EXPECT_EQ(broke.size(), 4u);
  EXPECT_EQ(broke[1], Effect{Close{104}});
  EXPECT_EQ(broke[2], Effect{Lost{4}});
  EXPECT_EQ(broke[3], (Effect{Create{7, true}}));

  Machine a;  // we are 30: everyone offers to us; we answer kMaxAnsweredLinks at once, the rest wait
  std::vector<PeerId> all;
  for (PeerId p = 1; p <= kMaxAnsweredLinks + 2; ++p) all.push_back(p);
  EXPECT_EQ(a.handle(Demand{30, all}), Effects{});  // nobody has offered yet: no place taken
  EXPECT_EQ(a.active(), 0u);
  for (PeerId p = 1; p <= kMaxAnsweredLinks; ++p) EXPECT_EQ(a.handle(SignalFrom{offer_from(p)}), (Effects{Create{p, false}}));
  EXPECT_EQ(a.active(), kMaxAnsweredLinks);
  const PeerId five = kMaxAnsweredLinks + 2;
  EXPECT_EQ(a.handle(SignalFrom{offer_from(five, kOffer + "a=five\r\n")}), Effects{});  // held
  EXPECT_EQ(a.handle(SignalFrom{candidate_from(five)}), Effects{});         // waits with it
  EXPECT_EQ(a.find(five)->held_offer, kOffer + "a=five\r\n");
  all.erase(all.begin());  // 1's transfers ended
  EXPECT_EQ(a.handle(Demand{30, all}), (Effects{Create{five, false}}));
  EXPECT_EQ(a.handle(Made{five, 55}), (Effects{SetRemote{55, SignalKind::Offer, kOffer + "a=five\r\n"}}));
  EXPECT_EQ(a.handle(RemoteApplied{55}), (Effects{CreateAnswer{55}, AddCandidate{55, candidate_from(five).candidate}}));
}

// What a peer can make us do is bounded: rows of a signal in a state, and what it leads to.
TEST(DataLinks, BrokenRulesAreRefusedAndLogged) {
  const struct Row {
    const char* what;
    std::vector<PeerId> demand;  // we are 5
    bool made;                   // their link's connection exists (handle 50)
    proto::Signal signal;
    bool protocol_log;
    std::size_t links_after;
  } rows[] = {
      {"an offer from someone we have no transfer with: no connection (kept a while)", {}, false, offer_from(8), false, 0},
      {"an offer to a link we offer (we are the smaller id)", {9}, true, offer_from(9), true, 1},
      {"an answer we did not ask for (we answer)", {2}, true, answer_from(2), true, 1},
      {"an answer from a stranger", {}, false, answer_from(3), true, 0},
      {"a candidate from a stranger: late, dropped", {}, false, candidate_from(3), false, 0},
  };
  for (const Row& row : rows) {
    Machine m;
    m.handle(Demand{5, row.demand});
    if (row.made) m.handle(Made{row.demand[0], 50});
    const Effects fx = m.handle(SignalFrom{row.signal});
    EXPECT_EQ(logged_protocol(fx), row.protocol_log) << row.what;
    EXPECT_EQ(m.links().size(), row.links_after) << row.what;
    for (const auto& e : fx) EXPECT_FALSE(std::holds_alternative<Create>(e)) << row.what;
  }
  // A second offer on a link that has one: ignored.
  Machine m;
  m.handle(Demand{5, {2}});
  m.handle(SignalFrom{offer_from(2)});
  m.handle(Made{2, 20});
  EXPECT_TRUE(logged_protocol(m.handle(SignalFrom{offer_from(2, kOffer + "a=again\r\n")})));
  // Candidates past the bound: dropped, logged once.
  std::size_t logs = 0;
  for (std::size_t i = 0; i < kMaxRemoteCandidates + 5; ++i)
    logs += logged_protocol(m.handle(SignalFrom{candidate_from(2)})) ? 1 : 0;
  EXPECT_EQ(m.find(2)->pending_candidates.size(), kMaxRemoteCandidates);
  EXPECT_EQ(logs, 1u);
}

TEST(DataLinks, AConnectionNotMadeOrNoLongerWantedAndReset) {
  Machine m;
  m.handle(Demand{1, {2, 3}});
  // The browser could not make it: Lost, no link.
  const Effects fx = m.handle(Made{2, 0});
  EXPECT_EQ(fx.back(), (Effect{Lost{2}}));
  EXPECT_EQ(m.find(2), nullptr);
  // Made after it was no longer wanted: closed at once.
  m.handle(Demand{1, {}});
  EXPECT_EQ(m.handle(Made{3, 33}), (Effects{Close{33}}));
  // Reset closes every connection there is.
  m.handle(Demand{1, {4, 5}});
  m.handle(Made{4, 44});
  EXPECT_EQ(m.handle(Reset{}), (Effects{Close{44}}));
  EXPECT_TRUE(m.links().empty());
}


// Signals may have been lost for good (the server link's `missed`, a restart with signals
// unconfirmed): a link still negotiating would wait for ever; it breaks (Lost, its place to the next
// queued person), while an open link and a queued person stay.
TEST(DataLinks, LinksStillNegotiatingBreakWhenSignalsWereLost) {
  Machine m;  // we are 1: we offer to everyone
  EXPECT_EQ(m.handle(Demand{1, {2, 3, 4, 5, 6}}), (Effects{Create{2, true}, Create{3, true}, Create{4, true}, Create{5, true}}));
  EXPECT_EQ(m.handle(Made{2, 12}), (Effects{CreateOffer{12}}));
  EXPECT_EQ(m.handle(Made{3, 13}), (Effects{CreateOffer{13}}));
  EXPECT_EQ(m.handle(Made{4, 14}), (Effects{CreateOffer{14}}));
  EXPECT_EQ(m.handle(LocalDescription{12, SignalKind::Offer, kOffer}), (Effects{Send{offer_from(2)}}));
  EXPECT_EQ(m.handle(SignalFrom{answer_from(2)}), (Effects{SetRemote{12, SignalKind::Answer, "v=0 answer"}}));
  EXPECT_EQ(m.handle(RemoteApplied{12}), Effects{});
  EXPECT_EQ(m.handle(ChannelOpened{12}), (Effects{Ready{2, 12}}));
  const Effects fx = m.handle(SignalsLost{});
  EXPECT_EQ(fx, (Effects{Log{"the data link to peer 3 broke: its signals may be lost"}, Close{13}, Lost{3},
                         Log{"the data link to peer 4 broke: its signals may be lost"}, Close{14}, Lost{4},
                         Log{"the data link to peer 5 broke: its signals may be lost"}, Lost{5}, Create{6, true}}));
  EXPECT_TRUE(m.ready(2));
  EXPECT_EQ(m.handle(Made{5, 15}), (Effects{Close{15}})) << "a connection made for a link that broke is closed";
}


// Negotiation is bounded: a link that took its place and is not Ready kNegotiateMs later breaks
// (Lost, timed out: its transfers fail as link-timeout) and frees its place; a queued person and an
// open link are not timed. Rows: the phase the link is left in, for each role.
TEST(DataLinks, ALinkNotUpInTimeBreaksAndFreesItsPlace) {
  const struct Row {
    const char* what;
    PeerId self;  // the peer is 5
    std::vector<Event> steps;
  } rows[] = {
      {"offerer: made, its offer never made", 2, {Made{5, 50}}},
      {"offerer: offer sent, never answered", 2, {Made{5, 50}, LocalDescription{50, SignalKind::Offer, kOffer}}},
      {"offerer: answered, the channel never opens", 2,
       {Made{5, 50}, LocalDescription{50, SignalKind::Offer, kOffer}, SignalFrom{answer_from(5)}, RemoteApplied{50}}},
      {"answerer: their offer never applied", 9, {SignalFrom{offer_from(5)}, Made{5, 50}}},
      {"answerer: answered, the channel never opens", 9,
       {SignalFrom{offer_from(5)}, Made{5, 50}, RemoteApplied{50}, LocalDescription{50, SignalKind::Answer, "v=0 answer"}}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Machine m;
    EXPECT_EQ(m.handle(Tick{1000}), Effects{});
    m.handle(Demand{row.self, {5, 6, 7, 8, 3}});  // 3 waits for a place
    for (const Event& e : row.steps) m.handle(e);
    EXPECT_EQ(m.handle(Tick{1000 + kNegotiateMs - 1}), Effects{});
    const Effects fx = m.handle(Tick{1000 + kNegotiateMs});
    ASSERT_GE(fx.size(), 3u);
    EXPECT_EQ(fx[1], Effect{Close{50}});
    EXPECT_EQ(fx[2], (Effect{Lost{5, true}}));
    EXPECT_EQ(m.find(5), nullptr);
    if (row.self < 5) {
      // The three never made broke too (none has a handle), and 3 took a place.
      EXPECT_EQ(fx.back(), (Effect{Create{3, true}}));
      EXPECT_EQ(m.find(3)->phase, Phase::Making);
    } else {
      // An answerer waiting for an offer holds no place and is not timed (its offerer is).
      EXPECT_EQ(fx.size(), 3u);
      EXPECT_EQ(m.find(3)->phase, Phase::Queued);
    }
    // The new link's time starts now.
    EXPECT_EQ(m.handle(Tick{1000 + 2 * kNegotiateMs - 1}), Effects{});
  }
  // Before any Tick a link is timed from the first one; an open link and a queued person never.
  Machine m;
  m.handle(Demand{2, {5, 6, 7, 8, 9}});
  m.handle(Made{5, 50});
  m.handle(LocalDescription{50, SignalKind::Offer, kOffer});
  m.handle(SignalFrom{answer_from(5)});
  m.handle(RemoteApplied{50});
  m.handle(ChannelOpened{50});
  m.handle(Made{6, 60});
  EXPECT_EQ(m.handle(Tick{500'000}), Effects{});
  m.handle(ChannelOpened{60});
  const Effects fx = m.handle(Tick{500'000 + kNegotiateMs});
  EXPECT_EQ(fx, (Effects{Log{"the data link to peer 7 broke: not connected within 30 s"}, Lost{7, true},
                         Log{"the data link to peer 8 broke: not connected within 30 s"}, Lost{8, true}, Create{9, true}}));
  EXPECT_TRUE(m.ready(5));
  EXPECT_TRUE(m.ready(6));
}


// An offer can come before the message that makes its transfer known here (signals and
// peer-messages cross, e.g. after our socket was held): it is kept, with its candidates, and taken
// by the Demand that follows; kept at most kEarlyOfferMs, at most kMaxEarlyOffers (the oldest goes),
// never from the side that should answer us, and opening nothing meanwhile.
TEST(DataLinks, AnOfferBeforeItsTransferIsKeptAShortTime) {
  Machine m;  // we are 5
  m.handle(Tick{1000});
  m.handle(Demand{5, {}});
  const Effects kept = m.handle(SignalFrom{offer_from(2)});
  EXPECT_FALSE(logged_protocol(kept));
  for (const auto& e : kept) EXPECT_FALSE(std::holds_alternative<Create>(e));
  EXPECT_EQ(m.handle(SignalFrom{candidate_from(2)}), Effects{});
  EXPECT_TRUE(m.links().empty());
  // The accept comes: the link answers that offer as soon as its connection is made.
  EXPECT_EQ(m.handle(Demand{5, {2}}), (Effects{Create{2, false}}));
  EXPECT_EQ(m.handle(Made{2, 20}), (Effects{SetRemote{20, SignalKind::Offer, kOffer}}));
  EXPECT_EQ(m.handle(RemoteApplied{20}), (Effects{CreateAnswer{20}, AddCandidate{20, candidate_from(2).candidate}}));
  EXPECT_TRUE(m.early_offers().empty());

  const struct Row {
    const char* what;
    std::vector<Event> before;  // between the offer from 3 and the Demand for 3
    bool answered;
  } rows[] = {
      {"taken just in time", {Tick{1000 + kEarlyOfferMs - 1}}, true},
      {"ran out", {Tick{1000 + kEarlyOfferMs}}, false},
      {"pushed out by newer ones", {SignalFrom{offer_from(10)}, SignalFrom{offer_from(11)}, SignalFrom{offer_from(12)},
                                    SignalFrom{offer_from(13)}, SignalFrom{offer_from(14)}, SignalFrom{offer_from(15)},
                                    SignalFrom{offer_from(16)}, SignalFrom{offer_from(17)}},
       false},
      {"replaced by its newer one, still kept", {SignalFrom{offer_from(3)}}, true},
      {"the call reset", {Reset{}}, false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Machine a;  // we are 5
    a.handle(Tick{1000});
    a.handle(SignalFrom{offer_from(3)});
    for (const Event& e : row.before) a.handle(e);
    EXPECT_LE(a.early_offers().size(), kMaxEarlyOffers);
    // Answered: its connection is made at once; otherwise we wait for an offer (none made).
    EXPECT_EQ(a.handle(Demand{5, {3}}), (row.answered ? Effects{Create{3, false}} : Effects{}));
    if (row.answered) EXPECT_EQ(a.handle(Made{3, 30}), (Effects{SetRemote{30, SignalKind::Offer, kOffer}}));
  }
  // From the larger id (we offer to them): not taken, logged.
  Machine b;  // we are 5
  b.handle(SignalFrom{offer_from(8)});
  EXPECT_TRUE(logged_protocol(b.handle(Demand{5, {8}})));
  EXPECT_EQ(b.find(8)->held_offer, std::nullopt);
}


// Everyone sends to everyone in a room of 9, each listing the others in its own order: 1 + k wants
// the next four ids (mod 9) first, then the four before it. Each pair's two sides find each other:
// the browsers are simulated (connections made at once, descriptions applied at once, the link
// channel open once both descriptions are applied), the signals delivered in order, and a pair's
// transfers end (both stop demanding each other) once both sides are Ready. Every pair gets its link
// and every demand ends: the offerer's places never wait for an answerer's place taken by a link
// that waits for them (with one shared bound, each side's four places went to people whose four
// places went to others: nobody answered and nothing moved). No more than kMaxLinks offered and
// kMaxLinks answered links at once on any page.
TEST(DataLinks, NinePeopleSendingToEveryoneAllGetTheirLinks) {
  constexpr int kPeople = 9;
  std::vector<Machine> m(kPeople);
  std::vector<std::vector<PeerId>> demand(kPeople);
  struct Pc { int node; PeerId peer; bool offerer; bool local = false; bool remote = false; bool open = false; };
  std::map<Handle, Pc> pcs;
  Handle next = 1;
  std::deque<std::pair<int, Event>> queue;
  std::set<std::pair<int, PeerId>> ready;  // (node, peer) Ready
  std::size_t pairs_done = 0;
  for (int i = 0; i < kPeople; ++i) {
    for (int k = 1; k <= 4; ++k) demand[i].push_back(static_cast<PeerId>((i + k) % kPeople + 1));
    for (int k = 1; k <= 4; ++k) demand[i].push_back(static_cast<PeerId>((i - k + kPeople) % kPeople + 1));
    queue.emplace_back(i, Demand{static_cast<PeerId>(i + 1), demand[i]});
  }
  const auto open_if_both = [&](int node, PeerId peer) {
    const int other = static_cast<int>(peer) - 1;
    const Handle a = m[node].handle_of(peer), b = m[other].handle_of(static_cast<PeerId>(node + 1));
    if (!a || !b || !pcs[a].remote || !pcs[b].remote || !pcs[a].local || !pcs[b].local || pcs[a].open) return;
    pcs[a].open = pcs[b].open = true;
    queue.emplace_back(node, ChannelOpened{a});
    queue.emplace_back(other, ChannelOpened{b});
  };
  std::size_t steps = 0;
  while (!queue.empty() && ++steps < 100'000) {
    auto [node, event] = queue.front();
    queue.pop_front();
    const PeerId self = static_cast<PeerId>(node + 1);
    for (const Effect& fx : m[node].handle(event)) {
      if (const auto* c = std::get_if<Create>(&fx)) {
        pcs[next] = Pc{node, c->peer, c->offerer};
        queue.emplace_back(node, Made{c->peer, next++});
      } else if (const auto* o = std::get_if<CreateOffer>(&fx)) {
        pcs[o->handle].local = true;
        queue.emplace_back(node, LocalDescription{o->handle, SignalKind::Offer, kOffer});
      } else if (const auto* a = std::get_if<CreateAnswer>(&fx)) {
        pcs[a->handle].local = true;
        queue.emplace_back(node, LocalDescription{a->handle, SignalKind::Answer, "v=0 answer"});
        open_if_both(node, pcs[a->handle].peer);
      } else if (const auto* r = std::get_if<SetRemote>(&fx)) {
        pcs[r->handle].remote = true;
        queue.emplace_back(node, RemoteApplied{r->handle});
        open_if_both(node, pcs[r->handle].peer);
      } else if (const auto* s = std::get_if<Send>(&fx)) {
        proto::Signal sig = s->signal;
        const int to = static_cast<int>(sig.peer) - 1;
        sig.peer = self;
        queue.emplace_back(to, SignalFrom{sig});
      } else if (const auto* rd = std::get_if<Ready>(&fx)) {
        ready.insert({node, rd->peer});
        const int other = static_cast<int>(rd->peer) - 1;
        if (ready.count({other, self})) {  // both sides up: the pair's transfers move and end
          ++pairs_done;
          std::erase(demand[node], rd->peer);
          std::erase(demand[other], self);
          queue.emplace_back(node, Demand{self, demand[node]});
          queue.emplace_back(other, Demand{rd->peer, demand[other]});
        }
      } else if (std::holds_alternative<Lost>(fx)) {
        ADD_FAILURE() << "a link was lost at " << self;
      }
    }
    std::size_t offered = 0, answered = 0;
    for (const Link& l : m[node].links())
      if (l.phase != Phase::Queued) ++(l.offerer ? offered : answered);
    EXPECT_LE(offered, kMaxLinks);
    EXPECT_LE(answered, kMaxAnsweredLinks);
  }
  EXPECT_EQ(pairs_done, std::size_t{kPeople * (kPeople - 1) / 2});
  for (int i = 0; i < kPeople; ++i) EXPECT_TRUE(demand[i].empty()) << "page " << i + 1 << " still waits";
}


// A new offer from the person whose link we answered and still think up (their end broke or closed,
// or their page loaded again) replaces the stale link in its place: closed, Lost (its transfers
// break), the new offer answered on a new connection.
TEST(DataLinks, ANewOfferReplacesAStaleLinkWeAnswered) {
  const struct Row {
    const char* what;
    bool opened;  // the link's channel had opened here
  } rows[] = {{"open", true}, {"connecting", false}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Machine m;  // we are 5, they 2
    m.handle(Demand{5, {2}});
    m.handle(SignalFrom{offer_from(2)});
    m.handle(Made{2, 20});
    m.handle(RemoteApplied{20});
    m.handle(LocalDescription{20, SignalKind::Answer, "v=0 answer"});
    if (row.opened) m.handle(ChannelOpened{20});
    const Effects fx = m.handle(SignalFrom{offer_from(2, kOffer + "a=again\r\n")});
    EXPECT_EQ(fx, (Effects{Log{"the data link to peer 2 is replaced: a new offer came"}, Close{20}, Lost{2}, Create{2, false}}));
    EXPECT_FALSE(m.ready(2));
    EXPECT_EQ(m.handle(Made{2, 21}), (Effects{SetRemote{21, SignalKind::Offer, kOffer + "a=again\r\n"}}));
    EXPECT_EQ(m.handle(ChannelOpened{20}), Effects{}) << "the old connection's late events change nothing";
    EXPECT_EQ(m.handle(RemoteApplied{21}), (Effects{CreateAnswer{21}}));
    EXPECT_EQ(m.handle(LocalDescription{21, SignalKind::Answer, "v=0 answer"}), (Effects{Send{answer_from(2)}}));
    EXPECT_EQ(m.handle(ChannelOpened{21}), (Effects{Ready{2, 21}}));
  }
}


// A data link's offer has one media section, m=application; any other (a hostile page offering
// audio or video, or more sections) is refused with a protocol log and changes nothing.
TEST(DataLinks, AnOfferThatIsNotDataOnlyIsRefused) {
  const std::string head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  const std::string app = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n";
  const std::string audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n";
  const std::string video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n";
  const struct Row {
    const char* what;
    std::string sdp;
    bool taken;
  } rows[] = {
      {"one m=application", head + app, true},
      {"one m=application, \\n only", "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n", true},
      {"audio and application", head + audio + app, false},
      {"application and video", head + app + video, false},
      {"video only", head + video, false},
      {"two applications", head + app + app, false},
      {"no media section", head, false},
      {"a look-alike", head + "m=applications 9 UDP/DTLS/SCTP x\r\n", false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    EXPECT_EQ(data_only(row.sdp), row.taken);
    for (const bool demanded : {true, false}) {
      Machine m;  // we are 5, they 2
      m.handle(Demand{5, demanded ? std::vector<PeerId>{2} : std::vector<PeerId>{}});
      const std::vector<Link> links = m.links();
      const Effects fx = m.handle(SignalFrom{offer_from(2, row.sdp)});
      EXPECT_EQ(logged_protocol(fx), !row.taken);
      if (row.taken) continue;
      EXPECT_EQ(fx.size(), 1u);
      EXPECT_EQ(m.links(), links);
      EXPECT_TRUE(m.early_offers().empty());
    }
  }
  // An offer held for its turn is not replaced by a refused one.
  Machine m;  // we are 20: answer 1..17, 16 places
  std::vector<PeerId> all;
  for (PeerId p = 1; p <= 17; ++p) all.push_back(p);
  m.handle(Demand{20, all});
  for (PeerId p = 1; p <= 17; ++p) m.handle(SignalFrom{offer_from(p)});
  ASSERT_EQ(m.find(17)->phase, Phase::Queued);
  EXPECT_TRUE(logged_protocol(m.handle(SignalFrom{offer_from(17, head + audio)})));
  EXPECT_EQ(m.find(17)->held_offer, kOffer);
}

}  // namespace
}  // namespace moim::data_links
