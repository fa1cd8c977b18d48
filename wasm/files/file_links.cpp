#include "files/file_links.hpp"

#include "browser/glue.hpp"
#include "overloaded.hpp"
#include "peer_protocol.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>

namespace moim {

namespace {
constexpr const char* kLinkLabel = "moim-link";  // the link's own channel: its opening is the link's
}

bool FileLinks::waiting(proto::PeerId peer) const {
  const data_links::Link* l = machine_.find(peer);
  return l && l->phase == data_links::Phase::Queued;
}

bool FileLinks::ours(browser::Handle h) const {
  if (h == 0) return false;
  const auto& links = machine_.links();
  return std::any_of(links.begin(), links.end(), [&](const data_links::Link& l) { return l.handle == h; });
}

std::optional<FileLinks::Outcome> FileLinks::handle(const browser::Event& event) {
  using namespace data_links;
  std::optional<Event> ev;
  std::visit(Overloaded{
                 [&](const browser::LocalDescription& e) {
                   if (ours(e.pc)) ev = LocalDescription{e.pc, e.type == "answer" ? proto::SignalKind::Answer : proto::SignalKind::Offer, e.sdp};
                 },
                 [&](const browser::RemoteDescriptionApplied& e) { if (ours(e.pc)) ev = RemoteApplied{e.pc}; },
                 [&](const browser::IceCandidate& e) { if (ours(e.pc)) ev = LocalCandidate{e.pc, e.candidate}; },
                 [&](const browser::ChannelOpened& e) { if (ours(e.pc)) ev = ChannelOpened{e.pc}; },
                 [&](const browser::ChannelClosed& e) { if (ours(e.pc)) ev = Broke{e.pc, "its channel closed"}; },
                 [&](const browser::PeerError& e) { if (ours(e.pc)) ev = Broke{e.pc, e.what}; },
                 [&](const browser::ConnectionState& e) {
                   if (!ours(e.pc)) return;
                   if (e.state == "failed" || e.state == "closed") ev = Broke{e.pc, "connection " + e.state};
                 },
                 [](const auto&) {},
             },
             event);
  // Another state, or a message on the link's channel (nothing is said there): ours, nothing to do.
  const bool claimed = std::visit(Overloaded{
                                      [&](const browser::ConnectionState& e) { return ours(e.pc); },
                                      [&](const browser::ChannelMessage& e) { return ours(e.pc); },
                                      [](const auto&) { return false; },
                                  },
                                  event);
  if (ev) return run(*ev);
  if (claimed) return Outcome{};
  return std::nullopt;
}

FileLinks::Outcome FileLinks::run(const data_links::Event& first) {
  using namespace data_links;
  Outcome out;
  std::deque<Event> events{first};  // Made follows Create at once, through the machine again
  while (!events.empty()) {
    const Effects effects = machine_.handle(events.front());
    events.pop_front();
    for (const Effect& effect : effects) {
      std::visit(Overloaded{
                     [&](const Create& e) {
                       const browser::Handle h = browser::create_peer(0, 0, ice_, {},
                                                                      browser::DataChannelSpec{kLinkLabel, p2p::kChannelId, 256});
                       if (h) out.made.emplace_back(e.peer, h);
                       events.push_back(Made{e.peer, h});
                     },
                     [&](const CreateOffer& e) { browser::create_offer(e.handle); },
                     [&](const CreateAnswer& e) { browser::create_answer(e.handle); },
                     [&](const SetRemote& e) {
                       browser::set_remote_description(e.handle, e.kind == proto::SignalKind::Answer ? "answer" : "offer", e.sdp);
                     },
                     [&](const AddCandidate& e) { browser::add_ice_candidate(e.handle, e.candidate); },
                     [&](const Send& e) { send_signal_(e.signal); },
                     [&](const Close& e) { browser::close_peer(e.handle); },
                     [&](const Ready& e) { out.ready.emplace_back(e.peer, e.handle); },
                     [&](const Lost& e) {
                       out.lost.push_back(e.peer);
                       if (e.timed_out) out.timed_out.push_back(e.peer);
                     },
                     [&](const Log& e) { std::printf("moim: data link: %s\n", e.text.c_str()); },
                 },
                 effect);
    }
  }
  // A made connection the machine closed at once (no longer wanted) is not made.
  std::erase_if(out.made, [&](const auto& m) { return machine_.handle_of(m.first) != m.second; });
  return out;
}

}  // namespace moim
