#include "files/call_files.hpp"

#include "browser/glue.hpp"
#include "overloaded.hpp"
#include "peer_channels.hpp"
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

void CallFiles::follow(const std::optional<CallInfo>& call, std::uint32_t mesh_max) {
  large_room_ = call && call->room.mode == proto::RoomMode::Sfu;
  mesh_max_ = mesh_max;
}

void CallFiles::pick(proto::PeerId peer) {
  if (large_room_) {  // said instead of a picker that leads nowhere
    notice_ = ui_text::Message{ui_text::Id::FilesNotInLargeRooms, {std::to_string(mesh_max_)}};
    return;
  }
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
  pick_targets_.clear();
  names_.clear();
  notice_ = {};
}

void CallFiles::sync_peers() {
  std::vector<proto::PeerId> gone;
  for (const files::Transfer& t : machine_.transfers())
    if (!files::is_final(t.state) && !peers_.connection(t.peer) &&
        std::find(gone.begin(), gone.end(), t.peer) == gone.end())
      gone.push_back(t.peer);
  for (const proto::PeerId peer : gone) peer_gone(peer);
}

bool CallFiles::handle(const browser::Event& event, double now_ms) {
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
  if (large_room_) {  // dropped on the page of a large room
    browser::release_picked(file);
    notice_ = ui_text::Message{ui_text::Id::FilesNotInLargeRooms, {std::to_string(mesh_max_)}};
    return;
  }
  // To one person, or to everyone whose channel is open now (one transfer each).
  std::vector<proto::PeerId> targets;
  for (const Peers::Peer* p : peers_.in_order()) {
    if (p->away || !p->connection || !p->connection->browser.channel_open()) continue;
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
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c || !peer_channels::send(*c, e.message))
                       std::printf("moim: a file message for peer %llu could not be sent\n", static_cast<unsigned long long>(e.peer));
                   },
                   [&](const files::StartSending& e) {
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c) {
                       run(machine_.handle(files::TransferBroke{e.id, false}));
                       return;
                     }
                     browser::send_file(c->browser.handle(), e.id, e.file,
                                        browser::FileChannelSpec{p2p::kFileChannelPrefix + e.id, p2p::kFileChunkBytes,
                                                                 p2p::kFileHashBlockBytes, kHighWater, kLowWater,
                                                                 kWindowBytes});
                   },
                   [&](const files::ExpectFile& e) {
                     const Peers::Connection* c = connection_of(e.peer);
                     if (!c) {
                       run(machine_.handle(files::TransferBroke{e.id, false}));
                       return;
                     }
                     browser::expect_file(c->browser.handle(), e.id, p2p::kFileChannelPrefix + e.id, static_cast<double>(e.size),
                                          p2p::kFileHashBlockBytes, kAckBytes);
                   },
                   [&](const files::Abort& e) { browser::abort_file(e.id); },
                   [&](const files::ReleasePicked& e) { browser::release_picked(e.file); },
                   [&](const files::ReleaseReceived& e) { browser::release_received(e.id); },
                   [&](const files::Refused&) {},  // said by offer()
               },
               effect);
  }
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
