#include "chat/call_chat.hpp"

#include "peer_channels.hpp"
#include "server_channel.hpp"
#include "view_text.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <tuple>

namespace moim {

namespace {
// "14:05", in the person's time zone.
std::string clock_text(std::uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (!localtime_r(&t, &tm)) return "";
  return view_text::clock_text(tm.tm_hour, tm.tm_min);
}

// The wall clock (Date.now()): chat times are compared across browsers, unlike performance.now().
std::uint64_t wall_clock_ms() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

std::string thousands(std::size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}
}  // namespace

void CallChat::follow(const std::optional<CallInfo>& call) {
  const proto::PeerId self = call ? call->self.id : 0;
  if (self != log_.self()) log_.reset(self, call ? call->self.name : std::string());
  large_room_ = call && call->room.mode == proto::RoomMode::Sfu;
}

void CallChat::peer_joined(proto::PeerId peer, bool resumed) {
  if (!large_room_ || resumed) return;
  std::vector<proto::PeerId> others;  // those in the room as the server lists them (not those away)
  for (const Peers::Peer* p : peers_.in_order())
    if (!p->away) others.push_back(p->info.id);
  if (!chat::sends_history(log_.self(), others, peer)) return;
  for (const auto& m : log_.history()) to_server_(server_channel::to_server(m, peer));
}

void CallChat::channel_opened(proto::PeerId peer) {
  if (const Peers::Connection* c = peers_.connection(peer))
    for (const auto& m : log_.history()) peer_channels::send(*c, m);
}

p2p::ChatTextFault CallChat::send(const std::string& typed) {
  const chat::Sent sent = log_.send(typed, wall_clock_ms(), new_id());
  if (sent.fault != p2p::ChatTextFault::None) return sent.fault;
  if (large_room_) {  // one message: the server sends it to everyone else in the room
    to_server_(server_channel::to_server(sent.message));
    return sent.fault;
  }
  // A channel not open now: its peer gets the message with the history when it opens.
  peers_.for_each_connection([&](const Peers::Connection& c) { peer_channels::send(c, sent.message); });
  return sent.fault;
}

std::string CallChat::new_id() {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string id;
  for (int i = 0; i < 16; ++i) id += kDigits[random_() % 62];  // 95 bits: no two messages share one
  return id;
}

ui::ChatModel CallChat::model(ui_text::Lang lang, const ui::FieldView& input) const {
  ui::ChatModel m;
  m.open = log_.panel_open();
  m.unread = log_.unread();
  m.through_server = large_room_;
  m.input = input;
  if (lines_version_ != log_.version()) {
    lines_.clear();
    for (const auto& e : log_.entries()) lines_.push_back(ui::ChatLineView{e.name, clock_text(e.time), &e.text, e.own});
    lines_version_ = log_.version();
  }
  m.lines = lines_;
  const std::string& typed = input.value ? *input.value : std::string();
  m.can_send = p2p::check_chat_text(typed).ok();
  std::tie(m.note, m.note_is_error) = note(lang, typed);
  return m;
}

std::pair<std::string, bool> CallChat::note(ui_text::Lang lang, const std::string& typed) {
  const p2p::CheckedChatText checked = p2p::check_chat_text(typed);
  const std::size_t chars = proto::is_valid_utf8(checked.text) ? proto::utf8_length(checked.text) : 0;
  if (checked.fault == p2p::ChatTextFault::TooLong)
    return {ui_text::format(lang, ui_text::Id::ChatTooLong, {thousands(chars), thousands(p2p::kMaxChatChars)}), true};
  if (checked.fault == p2p::ChatTextFault::Invalid) return {std::string(ui_text::text(lang, ui_text::Id::ChatControlChars)), true};
  if (chars > p2p::kMaxChatChars * 9 / 10) return {thousands(chars) + " / " + thousands(p2p::kMaxChatChars), false};
  return {"", false};
}

nlohmann::json CallChat::state_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : log_.entries())
    list.push_back({{"id", e.id}, {"from", e.from}, {"name", e.name}, {"text", e.text}, {"time", e.time}, {"own", e.own}});
  return list;
}

}  // namespace moim
