#include "chat_log.hpp"

#include "overloaded.hpp"

#include <algorithm>
#include <tuple>

namespace moim::chat {

namespace {
auto order_key(const Entry& e) { return std::tie(e.time, e.from, e.seq, e.id); }
}  // namespace

void Log::reset(proto::PeerId self, std::string name) {
  entries_.clear();
  self_ = self;
  name_ = std::move(name);
  last_time_ = 0;
  seq_ = 0;
  unread_ = 0;
  ++version_;
  // The panel stays as the person left it: a new call shows the chat if it was open.
}

Sent Log::send(std::string_view typed, std::uint64_t now_ms, std::string id) {
  Sent out;
  p2p::CheckedChatText checked = p2p::check_chat_text(typed);
  out.fault = checked.fault;
  if (!checked.ok() || self_ == 0 || !p2p::is_valid_message_id(id)) {
    if (checked.ok()) out.fault = p2p::ChatTextFault::Invalid;  // outside a call, or a bad id: nothing goes
    return out;
  }
  last_time_ = std::min(std::max(now_ms, last_time_), p2p::kMaxTime);
  p2p::ChatLine line{std::move(id), last_time_, ++seq_, std::move(checked.text)};
  add(Entry{line.id, self_, name_, line.time, line.seq, line.text, /*own=*/true});
  out.message = p2p::Chat{std::move(line)};
  return out;
}

std::vector<p2p::PeerMessage> Log::history() const {
  std::vector<p2p::PeerMessage> out;
  const std::size_t n = std::min(entries_.size(), p2p::kHistoryMessages);
  for (auto it = entries_.end() - static_cast<std::ptrdiff_t>(n); it != entries_.end(); ++it)
    out.push_back(p2p::History{p2p::ChatLine{it->id, it->time, it->seq, it->text}, it->from, it->name});
  return out;
}

bool Log::received(proto::PeerId peer, std::string_view name, const p2p::PeerMessage& msg) {
  if (self_ == 0 || peer == 0 || peer == self_) return false;  // not in a call, or not a peer
  return std::visit(Overloaded{
                        [&](const p2p::Chat& m) {
                          return add(Entry{m.line.id, peer, std::string(name), m.line.time, m.line.seq, m.line.text});
                        },
                        [&](const p2p::History& m) {
                          // Our own words come back merged by id (we have them all); words "by us" that we
                          // do not have are another's forgery, never shown as ours.
                          if (m.from == self_) return false;
                          return add(Entry{m.line.id, m.from, m.name, m.line.time, m.line.seq, m.line.text});
                        },
                        [](const auto&) { return false; },  // file messages are not the chat's
                    },
                    msg);
}

void Log::set_panel_open(bool open) {
  panel_open_ = open;
  if (open) unread_ = 0;
}

bool Log::add(Entry e) {
  if (std::any_of(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.id == e.id; })) return false;
  const auto at = std::upper_bound(entries_.begin(), entries_.end(), e,
                                   [](const Entry& a, const Entry& b) { return order_key(a) < order_key(b); });
  if (entries_.size() >= kMaxEntries && at == entries_.begin()) return false;  // older than all we keep
  const bool own = e.own;
  entries_.insert(at, std::move(e));
  if (entries_.size() > kMaxEntries) entries_.erase(entries_.begin());
  ++version_;
  if (!own && !panel_open_) ++unread_;
  return true;
}

bool sends_history(proto::PeerId self, std::span<const proto::PeerId> others, proto::PeerId newcomer) {
  if (self == 0 || newcomer == 0 || self == newcomer) return false;
  for (const proto::PeerId other : others)
    if (other != newcomer && other != 0 && other < self) return false;  // someone before us sends it
  return true;
}

}  // namespace moim::chat
