#include "files/call_files.hpp"

#include "browser/glue.hpp"
#include "overloaded.hpp"
#include "peer_channels.hpp"
#include "server_channel.hpp"
#include "transfer_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace moim {

namespace {
// A transfer's channel buffer: wait above 8 MiB until below 2 MiB. Deep enough that the link stays
// busy while the page's main thread is held by a drawn frame (with software compositing, 100 ms and
// more), and a bound on the sending side's memory with the two blocks in hand.
constexpr std::size_t kHighWater = 8 * 1024 * 1024, kLowWater = 2 * 1024 * 1024;
// Flow control on a transfer's channel: the receiving page says what it took every 1 MiB, and the
// sender stays at most 4 MiB ahead of that. Messages the receiving page has not handled yet wait in its
// task queue, in front of the server link's replies: a busy page (drawing video) must not get
// thousands of them, or its link to the server looks dead.
constexpr std::size_t kAckBytes = 1024 * 1024, kWindowBytes = 4 * 1024 * 1024;
}  // namespace

std::uint64_t page_max_file_bytes() {
  const std::string flag = browser::page_flag("maxFileBytes");
  if (flag.empty()) return files::kDefaultMaxFileBytes;
  std::uint64_t n = 0;
  bool ok = flag.size() <= 16;
  for (const char c : flag) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok || n == 0 || n > p2p::kMaxFileSize) {
    std::printf("moim: ignored the page flag maxFileBytes=%s (1 to %llu bytes)\n", flag.c_str(),
                static_cast<unsigned long long>(p2p::kMaxFileSize));
    return files::kDefaultMaxFileBytes;
  }
  return n;
}

void CallFiles::follow(const std::optional<CallInfo>& call, const proto::IceConfig& ice) {
  const bool large = call && call->room.mode == proto::RoomMode::Sfu;
  if (large_room_ && !large) {  // out of the large room: no link stays
    after(links_.reset());
    waiting_.clear();
  }
  large_room_ = large;
  self_ = call ? call->self.id : 0;
  links_.set_ice(ice);
}

bool CallFiles::signals_lost() {
  if (!large_room_) return false;
  after(links_.signals_lost());
  return true;
}

void CallFiles::tick(double now_ms) {
  if (large_room_) after(links_.tick(now_ms));
}

bool CallFiles::link_signal(const proto::Signal& signal) {
  if (!large_room_) return false;
  after(links_.signal(signal));
  return true;
}

void CallFiles::pick(proto::PeerId peer) {
  const int request = next_request_++;
  pick_targets_[request] = peer;
  // A picker the person closed without choosing never answers: only the latest few are kept.
  while (pick_targets_.size() > 16) pick_targets_.erase(pick_targets_.begin());
  notice_ = {};
  browser::pick_files(request);
}

void CallFiles::save(const std::string& id) {
  const files::Transfer* t = machine_.find(id);
  if (!t || t->direction != files::Direction::In || t->state != files::State::Done) return;
  if (!browser::save_file(id, t->name)) std::printf("moim: the received file %s is gone\n", id.c_str());
}

bool CallFiles::from_peer(proto::PeerId peer, const p2p::PeerMessage& msg, double now_ms) {
  const auto feed = [&](const auto& m) {
    if (const Peers::Peer* p = peers_.find(peer)) names_[peer] = p->info.name;  // kept for after it leaves
    run(machine_.handle(files::FromPeer{peer, m, now_ms}));
    return true;
  };
  return std::visit(Overloaded{
                        [&](const p2p::FileOffer& m) { return feed(m); },
                        [&](const p2p::FileAccept& m) { return feed(m); },
                        [&](const p2p::FileDecline& m) { return feed(m); },
                        [&](const p2p::FileCancel& m) { return feed(m); },
                        [&](const p2p::FileResult& m) { return feed(m); },
                        [](const auto&) { return false; },  // chat, or a file-end outside its channel
                    },
                    msg);
}

void CallFiles::call_ended() {
  run(machine_.handle(files::CallEnded{}));
  links_.reset();
  waiting_.clear();
  pick_targets_.clear();
  names_.clear();
  notice_ = {};
}

void CallFiles::sync_peers() {
  std::vector<proto::PeerId> gone;
  for (const files::Transfer& t : machine_.transfers())
    // A large room's people have no connection of their own: one who is no longer listed is gone.
    if (!files::is_final(t.state) && !(large_room_ ? peers_.find(t.peer) != nullptr : peers_.connection(t.peer) != nullptr) &&
        std::find(gone.begin(), gone.end(), t.peer) == gone.end())
      gone.push_back(t.peer);
  for (const proto::PeerId peer : gone) peer_gone(peer);
}

bool CallFiles::handle(const browser::Event& event, double now_ms) {
  if (auto outcome = links_.handle(event)) {  // one of a large room's data links
    after(*outcome);
    return true;
  }
  return std::visit(
      Overloaded{
          [&](const browser::FilePicked& e) {
            auto it = pick_targets_.find(e.request);
            const proto::PeerId to = e.request == 0 ? 0 : (it == pick_targets_.end() ? 0 : it->second);
            if (e.request != 0 && it == pick_targets_.end()) {  // a picker of a call that ended
              browser::release_picked(e.file);
              return true;
            }
            offer(e.file, e.name, static_cast<std::uint64_t>(std::max(0.0, e.size)), to);
            return true;
          },
          [&](const browser::FileProgress& e) {
            run(machine_.handle(files::Progress{e.id, static_cast<std::uint64_t>(std::max(0.0, e.bytes)), now_ms}));
            return true;
          },
          [&](const browser::FileHashed& e) {
            // Every chunk is out: the end marker says how many bytes and their digest.
            const files::Transfer* t = machine_.find(e.id);
            if (t && t->state == files::State::Sending)
              browser::end_file(e.id, p2p::encode(p2p::FileEnd{static_cast<std::uint64_t>(std::max(0.0, e.bytes)), e.sha256}));
            return true;
          },
          [&](const browser::FileAllSent& e) {
            run(machine_.handle(files::AllSent{e.id, now_ms}));
            return true;
          },
          [&](const browser::FileArrived& e) {
            std::optional<p2p::FileEnd> end;
            if (const p2p::DecodedPeer d = p2p::decode_peer(e.end); d.ok())
              if (const auto* fe = std::get_if<p2p::FileEnd>(&*d.message)) end = *fe;
            run(machine_.handle(files::Arrived{e.id, static_cast<std::uint64_t>(std::max(0.0, e.bytes)), end, e.sha256, now_ms}));
            return true;
          },
          [&](const browser::FileBroke& e) {
            run(machine_.handle(files::TransferBroke{e.id, e.read}));
            return true;
          },
          [](const auto&) { return false; },
      },
      event);
}

void CallFiles::offer(browser::Handle file, const std::string& name, std::uint64_t size, proto::PeerId to) {
  if (peers_.size() == 0) {  // dropped outside a call, or alone in one: nobody to send to
    browser::release_picked(file);
    return;
  }
  // To one person, or to everyone whose channel is open now (one transfer each). In a large room the
  // server carries the messages: everyone listed and not away.
  std::vector<proto::PeerId> targets;
  for (const Peers::Peer* p : peers_.in_order()) {
    if (p->away) continue;
    if (!large_room_ && (!p->connection || !p->connection->browser.channel_open())) continue;
    if (to == 0 || p->info.id == to) targets.push_back(p->info.id);
  }
  bool offered = false;
  for (const proto::PeerId peer : targets) {
    if (const Peers::Peer* p = peers_.find(peer)) names_[peer] = p->info.name;  // kept for after it leaves
    const std::string id = new_id();
    const files::Effects effects = machine_.handle(files::SendFile{id, peer, name, size, file});
    for (const auto& e : effects)
      if (const auto* r = std::get_if<files::Refused>(&e)) notice_ = transfer_text::refusal(r->fault, name, size, max_file_bytes());
    offered = offered || machine_.find(id) != nullptr;
    run(effects);
  }
  if (targets.empty()) {
    const Peers::Peer* p = to == 0 ? nullptr : peers_.find(to);
    notice_ = p ? ui_text::Message{ui_text::Id::CantReceiveNow, {p->info.name}} : ui_text::Message{ui_text::Id::NobodyCanReceive, {}};
  }
  if (!offered) browser::release_picked(file);  // no transfer holds it
}

void CallFiles::run(const files::Effects& effects) {
  const auto connection_of = [&](proto::PeerId peer) -> const Peers::Connection* { return peers_.connection(peer); };
  for (const auto& effect : effects) {
    std::visit(Overloaded{
                   [&](const files::SendToPeer& e) {
                     if (large_room_) {
                       to_server_(server_channel::to_server(e.message, e.peer));
                       return;
                     }
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c || !peer_channels::send(*c, e.message))
                       std::printf("moim: a file message for peer %llu could not be sent\n", static_cast<unsigned long long>(e.peer));
                   },
                   [&](const files::StartSending& e) {
                     if (large_room_) {  // over the person's data link once it is open (relink)
                       if (links_.ready(e.peer)) start_sending(links_.handle_of(e.peer), e.id, e.file);
                       else waiting_[e.peer].push_back(Waiting{e.id, e.file, 0, true});
                       return;
                     }
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c) {
                       run(machine_.handle(files::TransferBroke{e.id, false}));
                       return;
                     }
                     start_sending(c->browser.handle(), e.id, e.file);
                   },
                   [&](const files::ExpectFile& e) {
                     if (large_room_) {  // on the person's data link once its connection exists (relink)
                       if (const browser::Handle h = links_.handle_of(e.peer)) expect(h, e.id, e.size);
                       else waiting_[e.peer].push_back(Waiting{e.id, 0, e.size, false});
                       return;
                     }
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c) {
                       run(machine_.handle(files::TransferBroke{e.id, false}));
                       return;
                     }
                     expect(c->browser.handle(), e.id, e.size);
                   },
                   [&](const files::Abort& e) {
                     for (auto& [peer, list] : waiting_) std::erase_if(list, [&](const Waiting& w) { return w.id == e.id; });
                     browser::abort_file(e.id);
                   },
                   [&](const files::ReleasePicked& e) { browser::release_picked(e.file); },
                   [&](const files::ReleaseReceived& e) { browser::release_received(e.id); },
                   [&](const files::Refused&) {},  // said by offer()
               },
               effect);
  }
  relink();
}

void CallFiles::start_sending(browser::Handle pc, const std::string& id, int file) {
  browser::send_file(pc, id, file,
                     browser::FileChannelSpec{p2p::kFileChannelPrefix + id, p2p::kFileChunkBytes, p2p::kFileHashBlockBytes,
                                              kHighWater, kLowWater, kWindowBytes});
}

void CallFiles::expect(browser::Handle pc, const std::string& id, std::uint64_t size) {
  browser::expect_file(pc, id, p2p::kFileChannelPrefix + id, static_cast<double>(size), p2p::kFileHashBlockBytes, kAckBytes);
}

void CallFiles::relink() {
  if (!large_room_ || relinking_) return;
  relinking_ = true;
  // Bytes move (or are about to) with these people; a transfer Confirming keeps the link it has (its
  // last bytes may still be on their way) but is not worth a new one.
  std::vector<proto::PeerId> need;
  for (const files::Transfer& t : machine_.transfers()) {
    const bool moving = t.state == files::State::Sending || t.state == files::State::Receiving ||
                        (t.state == files::State::Confirming && links_.has(t.peer));
    if (moving && std::find(need.begin(), need.end(), t.peer) == need.end()) need.push_back(t.peer);
  }
  after(links_.demand(self_, need));
  relinking_ = false;
}

void CallFiles::after(const FileLinks::Outcome& outcome) {
  // Links not up in time: every transfer on them fails as such (before the glue says its channel
  // closed, which would say less).
  std::vector<std::string> late;
  for (const files::Transfer& t : machine_.transfers())
    if ((t.state == files::State::Sending || t.state == files::State::Receiving) &&
        std::find(outcome.timed_out.begin(), outcome.timed_out.end(), t.peer) != outcome.timed_out.end())
      late.push_back(t.id);
  // Links that broke first: what waited for them breaks (what had started breaks in the glue).
  std::vector<std::string> broke;
  for (const proto::PeerId peer : outcome.lost) {
    if (auto it = waiting_.find(peer); it != waiting_.end()) {
      for (const Waiting& w : it->second) broke.push_back(w.id);
      waiting_.erase(it);
    }
  }
  const auto take = [&](proto::PeerId peer, browser::Handle h, bool sending) {
    auto it = waiting_.find(peer);
    if (it == waiting_.end()) return;
    std::vector<Waiting> rest;
    for (const Waiting& w : it->second) {
      if (w.sending != sending) rest.push_back(w);
      else if (sending) start_sending(h, w.id, w.file);
      else expect(h, w.id, w.size);
    }
    if (rest.empty()) waiting_.erase(it);
    else it->second = std::move(rest);
  };
  for (const auto& [peer, h] : outcome.made) take(peer, h, false);
  for (const auto& [peer, h] : outcome.ready) take(peer, h, true);
  for (const std::string& id : late) run(machine_.handle(files::TransferBroke{id, false, true}));
  for (const std::string& id : broke) run(machine_.handle(files::TransferBroke{id, false}));
  if (!outcome.lost.empty()) relink();
}

std::string CallFiles::peer_name(ui_text::Lang lang, proto::PeerId peer) const {
  if (const Peers::Peer* p = peers_.find(peer)) return p->info.name;
  auto it = names_.find(peer);
  return it == names_.end() ? std::string(ui_text::text(lang, ui_text::Id::SomeoneWhoLeft)) : it->second;
}

std::string CallFiles::new_id() {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string id;
  for (int i = 0; i < 16; ++i) id += kDigits[random_() % 62];
  return id;
}

ui::FilesModel CallFiles::model(ui_text::Lang lang, double) const {
  ui::FilesModel m;
  m.notice = ui_text::render(lang, notice_);
  // Live transfers first (oldest first: offers waiting for an answer among them), then finished ones,
  // newest first: a flood of finished cards never hides one that needs the person.
  std::vector<const files::Transfer*> order;
  for (const files::Transfer& t : machine_.transfers())
    if (!files::is_final(t.state)) order.push_back(&t);
  const auto& all = machine_.transfers();
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (files::is_final(it->state)) order.push_back(&*it);
  for (const files::Transfer* tp : order) {
    const files::Transfer& t = *tp;
    ui::TransferView v;
    v.id = t.id;
    v.title = t.name + " \xC2\xB7 " + transfer_text::byte_size(t.size);
    v.who = transfer_text::counterpart(lang, t, peer_name(lang, t.peer));
    v.status = transfer_text::status(lang, t, peer_name(lang, t.peer), max_file_bytes());
    if (large_room_ && transfer_text::waits_for_link(t, links_.waiting(t.peer)))  // no link free yet
      v.status = ui_text::render(lang, ui_text::Message{ui_text::Id::WaitingForLink, {std::to_string(data_links::kMaxLinks)}});
    v.progress = static_cast<float>(transfer_text::progress(t));
    const bool in = t.direction == files::Direction::In;
    v.can_accept = v.can_decline = in && t.state == files::State::Offered;
    v.can_cancel = !files::is_final(t.state) && !v.can_accept;
    v.can_save = in && t.state == files::State::Done;
    v.can_dismiss = files::is_final(t.state);
    v.failed = t.state == files::State::Failed;
    m.cards.push_back(std::move(v));
  }
  return m;
}

nlohmann::json CallFiles::state_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const files::Transfer& t : machine_.transfers())
    list.push_back({{"id", t.id},
                    {"name", t.name},
                    {"size", t.size},
                    {"peer", t.peer},
                    {"direction", files::to_string(t.direction)},
                    {"state", files::to_string(t.state)},
                    {"bytes", t.bytes},
                    {"fault", files::to_string(t.fault)},
                    {"byPeer", t.by_peer}});
  return list;
}

}  // namespace moim
